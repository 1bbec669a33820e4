"""The main window: a stack of pages, a Back/Next bar, window state in QSettings, kiosk mode.

The window only routes: which page comes next and when the session starts. What a page shows
comes from the engine through the page's own adapter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..engine import imgcast_version
from ..engine.errors import ImgcastError
from ..engine.naming import session_address
from . import dialogs
from .choices import SessionChoices
from .client_table import ClientTableModel
from .imaging_controller import ImagingController, ImagingFailed
from .inventory_source import EngineInventory, InventorySource
from .pages.base import WizardPage
from .pages.disk_page import DiskPage
from .pages.imaging_page import ImagingPage
from .pages.inventory_page import InventoryPage
from .pages.make_page import MakePage
from .pages.progress_page import ProgressPage
from .pages.restore_page import RestorePage
from .pages.role_page import RolePage
from .pages.session_page import SessionPage
from .pages.start_page import StartPage
from .pages.summary_page import SummaryPage
from .pages.zisd_page import ZisdPage
from .session_controller import RunnerFactory, SessionController, engine_runner

# The wizard's demo is for watching: the lobby fills a client a second, then the bars take about
# ten seconds (the 32 MiB demo disk is about 15 MiB as a stream: zeros cost nothing, text packs).
# `img demo` and the tests keep their own, faster settings.
DEMO_SIZE = 32 << 20  # big enough to watch the bars move, small enough for any laptop
DEMO_RATE = 1_500_000  # bytes/s: loopback would finish in a blink; a trainer wants to show the flow
DEMO_JOIN_SECONDS = 1.0  # between two demo clients' arrivals in the lobby
KIOSK_EXIT_SHORTCUT = "Ctrl+Alt+Shift+Q"
WIZARD_FLOW = {"role": "session", "session": "disk"}  # the Next button's routes; disk -> session start
IMAGING_PAGES = ("make", "restore")  # their Next starts the engine call, shown on the imaging page


class MainWindow(QMainWindow):
    def __init__(self, kiosk: bool = False, inventory: InventorySource | None = None,
                 runner_factory: RunnerFactory = engine_runner, settings_class: Any = None) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.exit_allowed = not kiosk
        self.demo_size = DEMO_SIZE
        self.demo_workdir: str | None = None
        self.demo_rate: float | None = float(str(QSettings().value("demo/rate", DEMO_RATE))) or None
        self.demo_join_seconds = float(str(QSettings().value("demo/join_seconds", DEMO_JOIN_SECONDS)))
        self.settings_class = settings_class  # None: the engine's SessionSettings
        self.choices = SessionChoices()
        self.inventory = inventory or EngineInventory()
        self.controller = SessionController(runner_factory, self)
        self.imaging = ImagingController(self)
        self.clients = ClientTableModel(self)
        self.setWindowTitle(self.tr("imgcast — multicast imaging"))

        self.pages: dict[str, WizardPage] = {
            "start": StartPage(),
            "role": RolePage(),
            "session": SessionPage(self.inventory),
            "disk": DiskPage(self.inventory),
            "progress": ProgressPage(self.controller, self.clients),
            "summary": SummaryPage(self.clients),
            "inventory": InventoryPage(self.inventory),
            "zisd": ZisdPage(self.inventory),
            "make": MakePage(self.inventory),
            "restore": RestorePage(self.inventory),
            "imaging": ImagingPage(self.imaging),
        }
        self.stack = QStackedWidget()
        for page in self.pages.values():
            self.stack.addWidget(page)
            page.completeChanged.connect(self._update_navigation)
            page.submitted.connect(self.next)
        self.start_page.chosen.connect(self._start_choice)
        self.summary_page.done.connect(self.go_home)
        self.session_page.demoRequested.connect(self.start_demo)
        self.controller.finished.connect(self._session_finished)
        self.imaging_page.done.connect(self.go_home)
        self.imaging.finished.connect(self._imaging_finished)

        self.back_button = QPushButton(self.tr("&Back"))
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton(self.tr("&Next"))
        self.next_button.setObjectName("primary")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.about_button = QPushButton(self.tr("Ab&out"))
        self.about_button.clicked.connect(self.show_about)
        self.about_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self)
        self.about_shortcut.activated.connect(self.show_about)
        self.about_box: QMessageBox | None = None
        nav = QFrame()
        nav.setObjectName("navBar")
        nav_layout = QHBoxLayout(nav)
        nav_layout.addWidget(self.back_button)
        nav_layout.addWidget(self.about_button)
        nav_layout.addStretch(1)
        nav_layout.addWidget(self.next_button)
        self.nav = nav

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addWidget(self.stack, 1)
        layout.addWidget(nav)
        self.setCentralWidget(central)
        self.history: list[str] = []

        if kiosk:
            sequence = str(QSettings().value("kiosk/exit_shortcut", KIOSK_EXIT_SHORTCUT))
            self.exit_shortcut = QShortcut(QKeySequence(sequence), self)
            self.exit_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            self.exit_shortcut.activated.connect(self.leave_kiosk)
        self.go("start", remember=False)
        self._restore_state()

    def show_about(self) -> None:
        """The version comes from the package metadata, the one place it is set (like img --version)."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About imgcast"),
                          self.tr("imgcast {version}").format(version=imgcast_version()),
                          QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(self.tr(
            "Puts one disk image down on many computers at once over IP multicast.\n"
            "The open heir of the ZENworks imaging engine's session (multicast) mode."))
        self.about_box = box
        box.open()

    # --- pages by name -----------------------------------------------------------------------

    def page(self, name: str) -> WizardPage:
        return self.pages[name]

    @property
    def start_page(self) -> StartPage:
        return self.pages["start"]  # type: ignore[return-value]

    @property
    def session_page(self) -> SessionPage:
        return self.pages["session"]  # type: ignore[return-value]

    @property
    def disk_page(self) -> DiskPage:
        return self.pages["disk"]  # type: ignore[return-value]

    @property
    def progress_page(self) -> ProgressPage:
        return self.pages["progress"]  # type: ignore[return-value]

    @property
    def imaging_page(self) -> ImagingPage:
        return self.pages["imaging"]  # type: ignore[return-value]

    @property
    def summary_page(self) -> SummaryPage:
        return self.pages["summary"]  # type: ignore[return-value]

    def current_name(self) -> str:
        current = self.stack.currentWidget()
        return next(name for name, page in self.pages.items() if page is current)

    # --- navigation ----------------------------------------------------------------------------

    def go(self, name: str, remember: bool = True) -> None:
        if remember and self.stack.currentWidget() is not None:
            self.history.append(self.current_name())
        page = self.pages[name]
        page.enter(self.choices)
        self._size_to(page)
        self.stack.setCurrentWidget(page)
        self._update_navigation()

    def _size_to(self, shown: WizardPage) -> None:
        """Only the shown page's size counts: a stack is as big as its biggest page otherwise, and
        a kiosk's 1280x800 screen cannot hold the sum of every page's tallest moments."""
        for page in self.pages.values():
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)

    def go_home(self) -> None:
        self.summary_page.kiosk_note.stop()
        self.imaging_page.kiosk_note.stop()
        self.history = []
        self.go("start", remember=False)

    def back(self) -> None:
        if self.history:
            self.go(self.history.pop(), remember=False)

    def next(self) -> None:
        name = self.current_name()
        page = self.pages[name]
        if not page.is_complete() or not page.leave(self.choices):
            return
        if name in WIZARD_FLOW:
            self.go(WIZARD_FLOW[name])
        elif name == "disk":
            self.start_session()
        elif name in IMAGING_PAGES:
            self.start_imaging(name)

    def _update_navigation(self) -> None:
        page = self.stack.currentWidget()
        if not isinstance(page, WizardPage):
            return
        self.nav.setVisible(page.uses_navigation)
        self.back_button.setEnabled(bool(self.history))
        name = self.current_name()
        self.next_button.setVisible(name in WIZARD_FLOW or name == "disk" or name in IMAGING_PAGES)
        self.next_button.setText(page.next_text())
        self.next_button.setEnabled(page.is_complete())

    def _start_choice(self, what: str) -> None:
        if what == "session":
            self.go("role")
        elif what == "demo":
            self.start_demo(self.start_page.demo_clients.value())
        else:
            self.go(what)

    # --- sessions ------------------------------------------------------------------------------

    def start_session(self) -> None:
        page = self.stack.currentWidget()
        try:
            settings = self.choices.to_settings(self.settings_class)
            group = session_address(self.choices.name).group
            self.progress_page.begin(self.choices, self.tr("Session “{0}” on {1}").format(self.choices.name, group))
            self.controller.start(settings)
        except ImgcastError as error:  # bad settings: say so on the page that can fix them
            if isinstance(page, WizardPage):
                page.show_error(str(error))
            return
        except ImportError as error:
            if isinstance(page, WizardPage):
                page.show_error(self.tr("Sessions are not available in this build: {0}").format(error))
            return
        self.go("progress")

    def start_demo(self, clients: int) -> None:
        from ..engine.demo import demo_name  # (the name is chosen here so the report can say it)

        self.choices = SessionChoices(role="master", name=demo_name(), source=self.tr("generated demo image"))
        try:
            self.progress_page.begin(self.choices, self.tr("Demo session on this computer ({0} clients)").format(clients))
            self.controller.start_demo(clients, self.demo_size, self.demo_workdir, self.demo_rate,
                                       self.demo_join_seconds, name=self.choices.name)
        except (ImgcastError, ImportError) as error:
            self.start_page.show_error(self.tr("The demo cannot start: {0}").format(error))
            return
        self.go("progress")

    def _session_finished(self, final: object) -> None:
        progress = self.progress_page
        self.summary_page.show_result(final, self.choices, progress.role,  # type: ignore[arg-type]
                                      kiosk=self.kiosk, events=progress.seen_events,
                                      received=progress.received, started=progress.started,
                                      ended=progress.ended)
        self.history = []
        self.go("summary", remember=False)

    # --- image files ----------------------------------------------------------------------------

    def start_imaging(self, name: str) -> None:
        """Save or put down an image file: the page makes its one engine call, this page shows it."""
        page: MakePage | RestorePage = self.pages[name]  # type: ignore[assignment]
        try:
            self.imaging_page.begin(name, *page.source_and_target())
            page.start(self.imaging)
        except (ImgcastError, ImportError) as error:
            page.show_error(str(error))
            return
        self.go("imaging")

    def _imaging_finished(self, final: object) -> None:
        """A refusal before anything was written goes back to the page that can fix it."""
        if isinstance(final, ImagingFailed) and final.usage and self.current_name() == "imaging" and self.history:
            self.back()
            page = self.stack.currentWidget()
            if isinstance(page, WizardPage):
                page.show_error(final.reason)
            return
        self.history = []
        if self.kiosk:
            self.imaging_page.kiosk_note.start()

    # --- window state, closing, kiosk ------------------------------------------------------------

    def _restore_state(self) -> None:
        if self.kiosk:
            return
        geometry = QSettings().value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1000, 720)

    def present(self) -> None:
        """Show the window as its mode wants: full screen for a kiosk, as last left otherwise."""
        if self.kiosk:
            self.cover_screen()
            self.showFullScreen()
        else:
            self.show()

    def cover_screen(self) -> None:
        """Give the kiosk window its screen's geometry as well as the full-screen state.

        Full screen is a request to a window manager; with none (`xinit img --kiosk`, a bare X
        server) nobody honours it and the window keeps its own size, clipping the Back/Next bar.
        The geometry works either way; a screen that changes size (a monitor plugged in) is followed."""
        screen = self.screen()
        if screen is None:
            return
        self.setMinimumSize(0, 0)
        self.setGeometry(screen.geometry())
        if not getattr(self, "_following_screen", False):
            screen.geometryChanged.connect(lambda _rect: self.cover_screen())
            self._following_screen = True

    def leave_kiosk(self) -> None:
        """The configured exit, the only way out of kiosk mode."""
        self.exit_allowed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.exit_allowed:
            event.ignore()
            return
        if self.controller.running and not dialogs.confirm(
                self, self.tr("Leave the session?"),
                self.tr("A session is running. Closing cancels it (a client's target stays incomplete). Close?")):
            event.ignore()
            return
        if self.imaging.running and not dialogs.confirm(
                self, self.tr("Stop the image file?"),
                self.tr("An image file is being saved or put down. Closing stops it (a disk being written "
                        "stays incomplete). Close?")):
            event.ignore()
            return
        if self.controller.running:
            self.controller.cancel()
        if self.imaging.running:
            self.imaging.cancel()
        if not self.kiosk:
            QSettings().setValue("window/geometry", self.saveGeometry())
        event.accept()
