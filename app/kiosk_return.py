"""Kiosk mode's way home: after a session or an image file, the window goes back to the start
page by itself, so an imaging room's next operator finds it; the note says when."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from .units import human_duration

KIOSK_RETURN_SECONDS = 120  # QSettings kiosk/return_seconds overrides it


class KioskReturn(QLabel):
    """A countdown note; emits `due` when the time is up. Hidden while not counting."""

    due = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.due)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._show)
        self.hide()

    def start(self) -> None:
        seconds = float(str(QSettings().value("kiosk/return_seconds", KIOSK_RETURN_SECONDS)))
        self.timer.start(int(seconds * 1000))
        self.tick.start()
        self._show()

    def stop(self) -> None:
        self.timer.stop()
        self._show()

    def _show(self) -> None:
        active = self.timer.isActive()
        self.setVisible(active)
        if active:
            left = self.timer.remainingTime() / 1000
            self.setText(self.tr("Back to the start page in {0}").format(human_duration(left)))
        else:
            self.tick.stop()
