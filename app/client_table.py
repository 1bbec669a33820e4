"""The per-client table of the progress and summary pages, fed by the master's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QIcon

from ..engine import events as ev
from .signals import emit
from .theme import icon
from .units import human_size


@dataclass
class ClientRow:
    peer: ev.Peer
    state: str = "joined"
    done: int = 0
    lost: int = 0
    repaired: int = 0
    verified: bool = False
    reason: str = ""


class ClientTableModel(QAbstractTableModel):
    """One row per client that ever joined; rows are never removed, their state says what happened."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("ClientTableModel", "Computer"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Address"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Disk size"),
        QT_TRANSLATE_NOOP("ClientTableModel", "State"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Progress"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Lost / repaired"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Verified"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ClientRow] = []
        self.total: int | None = None
        self._icons: dict[str, QIcon] = {}

    def _icon(self, name: str) -> QIcon:
        if name not in self._icons:
            self._icons[name] = icon(name)
        return self._icons[name]

    # --- feeding -----------------------------------------------------------------------------

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.total = None
        self.endResetModel()

    def row_of(self, client_id: str) -> int:
        for index, row in enumerate(self.rows):
            if row.peer.client_id == client_id:
                return index
        return -1

    def _upsert(self, peer: ev.Peer) -> int:
        index = self.row_of(peer.client_id)
        if index < 0:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
            self.rows.append(ClientRow(peer))
            self.endInsertRows()
            index = len(self.rows) - 1
        return index

    def _changed(self, index: int) -> None:
        emit(self.dataChanged, self.index(index, 0), self.index(index, len(self.COLUMNS) - 1))

    def apply(self, event: ev.Event) -> None:
        """Update the table from one of the master's events (others are ignored)."""
        if isinstance(event, ev.ClientJoined):
            self._changed(self._upsert(event.client))
        elif isinstance(event, ev.TransferStarted):
            self.total = event.stream_size
            for peer in event.clients:
                index = self._upsert(peer)
                self.rows[index].state = "receiving"
                self._changed(index)
        elif isinstance(event, ev.ClientProgress):
            index = self.row_of(event.client_id)
            if index >= 0:
                row = self.rows[index]
                row.done, row.lost, row.repaired = event.done, event.lost, event.repaired
                self._changed(index)
        elif isinstance(event, (ev.ClientLeft, ev.ClientDropped, ev.ClientFailed, ev.ClientVerified)):
            index = self._upsert(event.client)
            row = self.rows[index]
            row.state = {ev.ClientLeft: "left", ev.ClientDropped: "dropped",
                         ev.ClientFailed: "failed", ev.ClientVerified: "verified"}[type(event)]
            row.reason = getattr(event, "reason", "")
            row.verified = row.state == "verified"
            if row.verified and self.total:
                row.done = self.total
            self._changed(index)
        elif isinstance(event, ev.SessionFinished):
            for peers, state in ((event.verified, "verified"), (event.failed, "failed"),
                                 (event.dropped, "dropped")):
                for peer in peers:
                    index = self._upsert(peer)
                    row = self.rows[index]
                    row.state, row.verified = state, state == "verified"
                    if row.verified:
                        row.done = event.size
                    self._changed(index)

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    # --- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def state_text(self, row: ClientRow) -> str:
        text = {"joined": self.tr("joined, waiting"), "receiving": self.tr("receiving"),
                "verified": self.tr("verified"), "failed": self.tr("failed"),
                "dropped": self.tr("dropped"), "left": self.tr("left the lobby")}[row.state]
        return f"{text}: {row.reason}" if row.reason else text

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.peer.host
            if column == 1:
                return row.peer.address
            if column == 2:
                return human_size(row.peer.target_size) if row.peer.target_size else self.tr("file")
            if column == 3:
                return self.state_text(row)
            if column == 4:
                if not self.total:
                    return human_size(row.done) if row.done else "—"
                return f"{100 * min(row.done, self.total) / self.total:.0f} %"
            if column == 5:
                return f"{row.lost} / {row.repaired}"
            if column == 6:
                return self.tr("yes") if row.verified else ("—" if row.state in ("joined", "receiving") else self.tr("no"))
        if role == Qt.ItemDataRole.DecorationRole and column == 3:
            name = {"verified": "verified", "failed": "failed", "dropped": "dropped"}.get(row.state)
            return self._icon(name) if name else None
        if role == Qt.ItemDataRole.ToolTipRole:
            # The client id tells apart two computers that report the same host name.
            return "\n".join(t for t in (self.tr("client id {0}").format(row.peer.client_id), row.reason) if t)
        return None
