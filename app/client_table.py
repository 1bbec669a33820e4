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
from .units import human_duration, human_rate, human_size

SHORT_ID = 4  # hex digits of a client id that tell two same-named computers apart


@dataclass
class ClientRow:
    peer: ev.Peer
    state: str = "joined"
    done: int = 0
    lost: int = 0
    repaired: int = 0
    verified: bool = False
    reason: str = ""
    rate: float = 0.0  # bytes/s this client receives lately, as the master hears it
    pass_no: int = 1  # 0: waits for the next (catch-up) pass
    late: bool = False  # joined while the transfer ran
    caught_up: ev.CaughtUp | None = None  # finished in a catch-up pass
    position: int | None = None  # disk bytes its copy has got through (a stream built as it is sent)


class ClientTableModel(QAbstractTableModel):
    """One row per client that ever joined; rows are never removed, their state says what happened."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("ClientTableModel", "Computer"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Address"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Disk size"),
        QT_TRANSLATE_NOOP("ClientTableModel", "State"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Progress"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Rate"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Pass"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Lost / repaired"),
        QT_TRANSLATE_NOOP("ClientTableModel", "Verified"),
    )
    STATE_COLUMN = 3
    ACTIVE = ("joined", "receiving", "catching up")  # no verdict yet

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ClientRow] = []
        self.total: int | None = None
        self.span: int | None = None  # disk bytes a stream with no size covers (Progress.span)
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
        self.span = None
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
            # a newcomer may share its name with a row already shown: names are re-read
            emit(self.dataChanged, self.index(0, 0), self.index(index, 0))
        return index

    def _changed(self, index: int) -> None:
        emit(self.dataChanged, self.index(index, 0), self.index(index, len(self.COLUMNS) - 1))

    def apply(self, event: ev.Event) -> None:
        """Update the table from one of the master's events (others are ignored)."""
        if isinstance(event, ev.ClientJoined):
            index = self._upsert(event.client)
            if event.late:
                row = self.rows[index]
                row.state, row.late, row.pass_no = "catching up", True, 0
            self._changed(index)
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
                row.rate, row.pass_no = event.rate, event.pass_no
                if event.position is not None:
                    row.position = event.position
                if row.state in self.ACTIVE:
                    row.state = "catching up" if event.catching_up else "receiving"
                    if not event.catching_up:
                        row.reason = ""
                self._changed(index)
        elif isinstance(event, ev.Progress):
            if event.span and event.span != self.span:
                self.span = event.span
                emit(self.dataChanged, self.index(0, 4), self.index(max(0, len(self.rows) - 1), 4))
        elif isinstance(event, ev.ClientCatchingUp):
            index = self._upsert(event.client)
            row = self.rows[index]
            row.state, row.reason, row.pass_no = "catching up", event.reason, 0
            self._changed(index)
        elif isinstance(event, ev.PassStarted):
            for peer in event.clients:
                index = self._upsert(peer)
                row = self.rows[index]
                if row.state in self.ACTIVE:
                    row.state, row.pass_no = "catching up", event.pass_no
                self._changed(index)
        elif isinstance(event, (ev.ClientLeft, ev.ClientDropped, ev.ClientFailed, ev.ClientVerified)):
            index = self._upsert(event.client)
            row = self.rows[index]
            row.state = {ev.ClientLeft: "left", ev.ClientDropped: "dropped",
                         ev.ClientFailed: "failed", ev.ClientVerified: "verified"}[type(event)]
            row.reason = getattr(event, "reason", "")
            row.verified = row.state == "verified"
            row.rate = 0.0
            if row.verified and self.total:
                row.done = self.total
            if row.verified and self.span:
                row.position = self.span
            self._changed(index)
        elif isinstance(event, ev.SessionFinished):
            reasons = dict(zip((p.client_id for p in event.dropped), event.drop_reasons, strict=False))
            caught_up = {c.client_id: c for c in event.caught_up}
            for peers, state in ((event.verified, "verified"), (event.failed, "failed"),
                                 (event.dropped, "dropped")):
                for peer in peers:
                    index = self._upsert(peer)
                    row = self.rows[index]
                    row.state, row.verified = state, state == "verified"
                    row.reason = reasons.get(peer.client_id, row.reason if state != "verified" else "")
                    row.caught_up = caught_up.get(peer.client_id)
                    if row.verified:
                        row.done = event.size
                        row.position = self.span
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
        # Short words for the ones in the middle of a pass (the why is in the tooltip and the log):
        # a kiosk's state column has room for little more.
        if row.state == "catching up":
            return self.tr("joined late") if row.late else self.tr("catching up")
        if row.state == "verified" and row.caught_up is not None:
            return self.tr("verified in pass {0}").format(row.caught_up.passes)
        text = {"joined": self.tr("joined, waiting"), "receiving": self.tr("receiving"),
                "catching up": self.tr("catching up"),
                "verified": self.tr("verified"), "failed": self.tr("failed"),
                "dropped": self.tr("dropped"), "left": self.tr("left the lobby")}[row.state]
        return f"{text}: {row.reason}" if row.reason else text

    def caught_up_text(self, caught: ev.CaughtUp) -> str:
        """'caught up in pass 2, 0:27 after it fell behind' (the summary says it, the table's tooltip too)."""
        after = self.tr("it joined late") if caught.late else self.tr("it fell behind")
        return self.tr("caught up in pass {0}, {1} after {2}").format(
            caught.passes, human_duration(caught.seconds), after)

    def pass_text(self, row: ClientRow) -> str:
        if row.caught_up is not None:
            return str(row.caught_up.passes)
        if row.state not in self.ACTIVE:
            return str(row.pass_no) if row.state == "verified" and row.pass_no else "—"
        return self.tr("waiting") if row.pass_no == 0 else str(row.pass_no)

    def computer_text(self, row: ClientRow) -> str:
        """The host name; cloned computers often share one (and NAT or one test host an address),
        so a row whose host and address another row also has adds its short client id."""
        twins = [r.peer.client_id for r in self.rows
                 if r.peer.host == row.peer.host and r.peer.address == row.peer.address]
        if len(twins) < 2:
            return row.peer.host
        short = row.peer.client_id[:SHORT_ID]
        unique = sum(1 for t in twins if t[:SHORT_ID] == short) == 1
        return f"{row.peer.host} ({short if unique else row.peer.client_id})"

    def progress_text(self, row: ClientRow) -> str:
        """Percent of the image; of the disk, when the stream has no size until its end."""
        if self.total:
            return f"{100 * min(row.done, self.total) / self.total:.0f} %"
        if self.span and row.position is not None:
            return f"{100 * min(row.position, self.span) / self.span:.0f} %"
        return human_size(row.done) if row.done else "—"

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self.computer_text(row)
            if column == 1:
                return row.peer.address
            if column == 2:
                return human_size(row.peer.target_size) if row.peer.target_size else self.tr("a file")
            if column == 3:
                return self.state_text(row)
            if column == 4:
                return self.progress_text(row)
            if column == 5:
                return human_rate(row.rate) if row.rate and row.state in self.ACTIVE else "—"
            if column == 6:
                return self.pass_text(row) if row.state != "joined" else "—"
            if column == 7:
                return f"{row.lost} / {row.repaired}"
            if column == 8:
                return self.tr("yes") if row.verified else ("—" if row.state in self.ACTIVE else self.tr("no"))
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATE_COLUMN:
            name = {"verified": "verified", "failed": "failed", "dropped": "dropped"}.get(row.state)
            return self._icon(name) if name else None
        if role == Qt.ItemDataRole.ToolTipRole:
            # The client id tells apart two computers that report the same host name.
            caught_up = self.caught_up_text(row.caught_up) if row.caught_up is not None else ""
            return "\n".join(t for t in (self.tr("client id {0}").format(row.peer.client_id), row.reason, caught_up)
                             if t)
        return None
