"""`img` with no arguments: the wizard. qasync runs the engine's asyncio code on Qt's loop, so
engine events arrive on the GUI thread and long work never blocks the window."""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtWidgets import QApplication

from .theme import apply_theme, install_translations

ORGANISATION = "imgcast"
APPLICATION = "imgcast"
SHUTDOWN_SECONDS = 5.0  # a session cancelled by closing the window gets this long to end cleanly


def make_application(kiosk: bool, scheme: str | None = None) -> QApplication:
    """One QApplication with imgcast's names (for QSettings), theme and translations."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("imgcast")
    app.setDesktopFileName("imgcast")
    apply_theme(app, kiosk, scheme)  # type: ignore[arg-type]
    install_translations(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def main(kiosk: bool = False) -> int:
    from .event_loop import WizardEventLoop
    from .window import MainWindow

    app = make_application(kiosk)
    loop = WizardEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(kiosk=kiosk)
    window.present()
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)

    async def until_closed() -> None:
        await closed.wait()
        await window.controller.wait_finished(SHUTDOWN_SECONDS)
        await window.imaging.wait_finished(SHUTDOWN_SECONDS)

    with loop:
        loop.run_until_complete(until_closed())
    return 0
