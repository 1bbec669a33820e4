"""A throughput-over-time line, painted by hand: one polyline does not need a chart library."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from .theme import ACCENT
from .units import human_rate

MAX_SAMPLES = 2000


class ThroughputChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples: list[tuple[float, float]] = []  # (seconds since start, bytes per second)
        self.started = time.monotonic()
        self.setMinimumHeight(110)
        self.setToolTip(self.tr("Throughput over time"))

    def sizeHint(self) -> QSize:
        return QSize(400, 140)

    def reset(self) -> None:
        self.samples = []
        self.started = time.monotonic()
        self.update()

    def add(self, rate: float) -> None:
        self.samples.append((time.monotonic() - self.started, max(0.0, rate)))
        if len(self.samples) > MAX_SAMPLES:
            self.samples = self.samples[::2]  # halve the resolution, keep the whole history
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        area = self.rect().adjusted(4, 18, -4, -4)
        painter.fillRect(self.rect(), palette.base())
        painter.setPen(QPen(palette.mid().color()))
        painter.drawRect(area)
        peak = max((rate for _, rate in self.samples), default=0.0)
        painter.setPen(palette.text().color())
        label = self.tr("Throughput — peak {0}").format(human_rate(peak)) if peak else self.tr("Throughput")
        painter.drawText(self.rect().adjusted(6, 0, 0, 0), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft, label)
        if len(self.samples) < 2 or peak <= 0:
            return
        span = max(self.samples[-1][0] - self.samples[0][0], 1e-6)
        origin = self.samples[0][0]
        line = QPolygonF([
            QPointF(area.left() + (t - origin) / span * area.width(),
                    area.bottom() - rate / peak * (area.height() - 4))
            for t, rate in self.samples
        ])
        fill = QPolygonF(line)
        fill.append(QPointF(area.right(), area.bottom()))
        fill.append(QPointF(area.left(), area.bottom()))
        shade = QColor(ACCENT)
        shade.setAlpha(50)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        painter.drawPolygon(fill)
        painter.setPen(QPen(ACCENT, 2))
        painter.drawPolyline(line)
