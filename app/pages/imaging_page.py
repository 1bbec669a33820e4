"""Saving or putting down an image file: live progress (bar, throughput, ETA, the partitions the
engine examined), Cancel, then the result on the same page (what was written, the SHA-256), or
why it stopped. A cancelled or failed put-down says its target is incomplete.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QWidget,
)

from ...engine import events as ev
from ...engine.image.events import ImageMade, ImageRestored, PartitionMapped
from ..imaging_controller import ImagingController, ImagingFailed
from ..kiosk_return import KioskReturn
from ..theme import emphasise
from ..throughput_chart import ThroughputChart
from ..units import human_duration, human_rate, human_size
from .base import WizardPage

BAR_STEPS = 1000  # QProgressBar is int-based: disks are bigger than 2**31 bytes


def partition_line(event: PartitionMapped) -> str:
    what = event.filesystem or "no file system imgcast reads"
    if event.sent == "used_blocks":
        return f"partition {event.number}: {what}, {human_size(event.used_bytes)} in use of {human_size(event.size)}"
    return f"partition {event.number}: {what}, all {human_size(event.size)} copied"


class ImagingPage(WizardPage):
    done = Signal()
    uses_navigation = False

    def __init__(self, imaging: ImagingController, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Image file"), "", parent)
        self.imaging = imaging
        self.kind = "make"  # make | restore
        self.target = ""
        self.phase = "idle"  # idle | running | done
        self.last_progress: ev.Progress | None = None
        self.last_sample: tuple[float, int] | None = None  # (monotonic time, bytes done) of the last report
        self.status = QLabel()
        self.status.setObjectName("bigStatus")
        emphasise(self.status, 1.3)
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.body.addWidget(self.bar)
        self.stats = QLabel()
        self.body.addWidget(self.stats)
        self.facts = QFormLayout()
        self.body.addLayout(self.facts)
        self.chart = ThroughputChart()
        self.body.addWidget(self.chart, 1)
        self.log = QListWidget()
        self.log.setToolTip(self.tr("What the engine reported"))
        self.log.setMaximumHeight(self.log.fontMetrics().height() * 7)
        self.body.addWidget(self.log)
        self.filler = QWidget()  # takes the chart's room when there is no chart (a stop, a failure)
        self.body.addWidget(self.filler, 1)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(self.tr("&Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.done_button = QPushButton(self.tr("&Done"))
        self.done_button.setObjectName("primary")
        self.done_button.clicked.connect(self.done)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.done_button)
        self.outer.addLayout(buttons)
        self.kiosk_note = KioskReturn()
        self.kiosk_note.due.connect(self.done)
        self.outer.addWidget(self.kiosk_note)
        imaging.event.connect(self.on_event)
        imaging.finished.connect(self.on_finished)

    def begin(self, kind: str, source: str, target: str) -> None:
        """Reset for a new make or restore (called by the window before the engine call)."""
        self.kind, self.target, self.phase = kind, target, "running"
        self.last_progress = None
        self.last_sample = None
        self.title_label.setText(self.tr("Saving an image file") if kind == "make"
                                 else self.tr("Putting an image file down"))
        self.intro_label.setText(self.tr("From {0}\nTo {1}").format(source, target))
        self.intro_label.show()
        self.chart.reset()
        self.chart.show()
        self.filler.hide()
        self.status.setText(self.tr("Reading the disk…") if kind == "make" else self.tr("Putting the image down…"))
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(0)
        self.bar.show()
        self.stats.setText("")
        self.stats.show()
        self.log.clear()
        self.log.hide()
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.show_error("")
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.done_button.hide()
        self.cancel_button.setFocus()

    def cancel(self) -> None:
        if self.phase == "running":
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))
            self.imaging.cancel()

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.Progress):
            self._show_progress(event)
        elif isinstance(event, PartitionMapped):
            self._log(partition_line(event))

    def _log(self, line: str) -> None:
        self.log.show()  # hidden while empty (a put-down reports no partitions): the chart gets the room
        self.log.addItem(f"{time.strftime('%H:%M:%S')}  {line}")
        self.log.scrollToBottom()

    def _show_progress(self, event: ev.Progress) -> None:
        """The bar and ETA use the engine's rate (averaged since the start, so the ETA is steady);
        the chart shows the rate between two reports, so a slow stretch of the disk is visible."""
        self.last_progress = event
        now = time.monotonic()
        if self.last_sample is not None and now > self.last_sample[0]:
            self.chart.add((event.done - self.last_sample[1]) / (now - self.last_sample[0]))
        self.last_sample = (now, event.done)
        if not event.total:
            return
        self.bar.setValue(int(BAR_STEPS * min(event.done, event.total) / event.total))
        remaining = (event.total - event.done) / event.rate if event.rate > 0 else None
        self.stats.setText(" · ".join((
            self.tr("{0} of {1}").format(human_size(event.done), human_size(event.total)),
            human_rate(event.rate),
            self.tr("ETA {0}").format(human_duration(remaining)),
        )))

    def _fact(self, label: str, value: str) -> QLabel:
        shown = QLabel(value)
        shown.setWordWrap(True)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.addRow(label, shown)
        return shown

    def on_finished(self, final: object) -> None:
        self.phase = "done"
        self.stats.hide()  # the facts below say it all; a last "ETA" would only confuse
        self.cancel_button.hide()
        self.done_button.show()
        self.done_button.setFocus()
        if isinstance(final, ImageMade):
            self.bar.setValue(BAR_STEPS)
            self.status.setText(self.tr("The image file is saved"))
            ratio = final.image_size / final.disk_size if final.disk_size else 0.0
            self._fact(self.tr("Size:"), self.tr("{0} for a {1} disk ({2:.0%})").format(
                human_size(final.image_size), human_size(final.disk_size), ratio))
            self._fact(self.tr("Took:"), self._took(final.seconds, final.disk_size))
            self._fact(self.tr("SHA-256:"), final.sha256)
            self._log(self.tr("saved {0}").format(final.path))
        elif isinstance(final, ImageRestored):
            self.bar.setValue(BAR_STEPS)
            self.status.setText(self.tr("The image is down on {0} and verified: its SHA-256 matches").format(
                final.target))
            self._fact(self.tr("Data written:"), self.tr("{0}, and {1} made zero").format(
                human_size(final.written), human_size(final.zeroed)))
            self._fact(self.tr("Took:"), self._took(final.seconds, final.image_size))
            self._fact(self.tr("SHA-256:"), final.sha256)
            for note in final.notes:  # a GPT fitted to a larger disk, a kernel that was not told
                self._fact(self.tr("Note:"), note)
            self._log(self.tr("verified {0}").format(final.target))
        elif isinstance(final, ImagingFailed):
            self.bar.hide()
            self.chart.hide()
            self.filler.show()
            if final.cancelled:
                self.status.setText(self.tr("Cancelled"))
            else:
                self.status.setText(self.tr("Saving the image file failed") if self.kind == "make"
                                    else self.tr("Putting the image down failed"))
                self._fact(self.tr("Why:"), final.reason)
            if self.kind == "make":
                self._fact(self.tr("Result:"), self.tr("No image file was written."))
            else:  # a cancel lands after some writing; a failure may have come before any
                warning = self._fact(self.tr("Result:"), (
                    self.tr("{0} is incomplete: put an image down on it again before using it.") if final.cancelled
                    else self.tr("{0} may be incomplete: put an image down on it again before using it.")
                ).format(self.target))
                warning.setObjectName("inlineError")
            self._log(final.reason)

    def _took(self, seconds: float, size: int) -> str:
        """The same bytes per second as the bar and chart counted (disk bytes saving, image bytes
        putting down)."""
        rate = size / seconds if seconds > 0 else 0.0
        return self.tr("{0} at {1}").format(human_duration(seconds), human_rate(rate))
