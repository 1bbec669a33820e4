"""What every wizard page shares: a title, a one-paragraph introduction, an error line, and the
hooks the window's Back/Next bar calls."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...engine.errors import ImgcastError
from ..choices import SessionChoices
from ..theme import emphasise


class WizardPage(QWidget):
    """A page of the wizard. The window owns navigation; the page says whether Next may go on."""

    completeChanged = Signal()
    #: Enter in the page's main field: the window treats it as Next (QMainWindow has no default button).
    submitted = Signal()
    #: Whether the window shows its Back/Next bar on this page (the session pages have their own).
    uses_navigation = True

    def __init__(self, title: str, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outer = QVBoxLayout(self)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("pageTitle")
        emphasise(self.title_label, 1.5)
        self.outer.addWidget(self.title_label)
        self.intro_label = QLabel(intro)
        self.intro_label.setObjectName("pageIntro")
        self.intro_label.setWordWrap(True)
        self.intro_label.setVisible(bool(intro))
        self.outer.addWidget(self.intro_label)
        self.body = QVBoxLayout()
        self.outer.addLayout(self.body, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("inlineError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.outer.addWidget(self.error_label)

    def title(self) -> str:
        return self.title_label.text()

    def next_text(self) -> str:
        """The label of the Next button on this page (with its mnemonic)."""
        return self.tr("&Next")

    def is_complete(self) -> bool:
        return True

    def enter(self, choices: SessionChoices) -> None:
        """Called each time the page is shown, with what was chosen so far."""

    def leave(self, choices: SessionChoices) -> bool:
        """Store this page's answers in `choices`; False keeps the wizard on this page."""
        return True

    def show_error(self, message: str) -> None:
        """Errors belong in the window, next to what caused them (never only on a console)."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def listed_disks(self, inventory: object) -> list:
        """The inventory's disks; when they cannot be listed the page says why and offers files."""
        try:
            disks = inventory.list_disks()  # type: ignore[attr-defined]
        except ImgcastError as error:
            self.show_error(self.tr("Disks cannot be listed: {0}. Files still work.").format(error))
            return []
        self.show_error("")
        return disks
