"""Look and feel from resources/: icons, the style sheet, the light/dark palette, translations.

The wizard follows the system's colour scheme (Qt reports it); QSettings key
`appearance/scheme` = light | dark | system lets an imaging room force one. The style sheet
only names palette roles, so it works in both.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, Qt, QTranslator
from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

ACCENT = QColor("#2f6fb3")
KIOSK_FONT_POINTS = 16  # large type an imaging room can read from a few steps away


def resource_path(*parts: str) -> str:
    """A file under resources/, as a path Qt can open (the package is installed as files)."""
    return str(resources.files("imgcast.resources").joinpath(*parts))


def icon(name: str) -> QIcon:
    """An icon drawn for imgcast (resources/icons/NAME.svg)."""
    return QIcon(resource_path("icons", f"{name}.svg"))


def emphasise(widget: QWidget, factor: float, bold: bool = True) -> None:
    """Make a label bigger relative to the current font, so kiosk type scales with it
    (Qt style sheets cannot size fonts relative to the application font)."""
    font = QFont(widget.font())
    font.setPointSizeF(max(font.pointSizeF(), 1.0) * factor)
    font.setBold(bold)
    widget.setFont(font)


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, for systems that ask for dark but give no palette."""
    p = QPalette()
    window, base, text = QColor("#2b2d31"), QColor("#1f2023"), QColor("#e6e6e6")
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor("#27292d")),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor("#35373c")),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#6fa8e6")),
        (QPalette.ColorRole.Mid, QColor("#4a4d52")),
        (QPalette.ColorRole.PlaceholderText, QColor("#8a8d92")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d82"))
    return p


def wants_dark(app: QApplication, scheme: str | None = None) -> bool:
    """`scheme` if given, else the operator's choice in QSettings, else what the system says."""
    scheme = scheme or str(QSettings().value("appearance/scheme", "system"))
    if scheme in ("light", "dark"):
        return scheme == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, kiosk: bool, scheme: str | None = None) -> None:
    """Fusion style (the same on every desktop), palette, style sheet and, in kiosk mode, large type."""
    app.setStyle("Fusion")
    if wants_dark(app, scheme):
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
    with open(resource_path("style.qss"), encoding="utf-8") as sheet:
        style = sheet.read()
    if kiosk:
        with open(resource_path("kiosk.qss"), encoding="utf-8") as sheet:
            style += "\n" + sheet.read()
    app.setStyleSheet(style)
    app.setWindowIcon(icon("imgcast"))
    if kiosk:
        font = QFont(app.font())
        font.setPointSize(KIOSK_FONT_POINTS)
        app.setFont(font)


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own strings and imgcast's, for the system locale, when a translation exists."""
    installed = []
    locale = QLocale.system()
    for name, folder in (
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
        ("imgcast", resource_path("translations")),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed
