"""Summary page: how the session ended, each client verified / failed / dropped, the image's
SHA-256, and a report the operator can save (JSON, the same words as `img session --json`)."""

from __future__ import annotations

import datetime
import json
import socket
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from ...engine import events as ev
from ...engine import imgcast_version
from ...engine.errors import ImgcastError
from ...engine.naming import session_address
from ..choices import SessionChoices
from ..client_table import ClientTableModel
from ..kiosk_return import KioskReturn
from ..theme import emphasise
from ..units import human_duration, human_rate, human_size
from .base import WizardPage


class SummaryPage(WizardPage):
    done = Signal()
    uses_navigation = False

    def __init__(self, clients: ClientTableModel, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Session finished"), "", parent)
        self.clients = clients
        self.final: ev.Event | None = None
        self.choices = SessionChoices()
        self.role: str | None = None
        self.events: list[ev.Event] = []
        self.received: list[datetime.datetime] = []  # when each event reached this computer
        self.started: datetime.datetime | None = None
        self.ended: datetime.datetime | None = None
        self.headline = QLabel()
        self.headline.setObjectName("bigStatus")
        emphasise(self.headline, 1.3)
        self.headline.setWordWrap(True)
        self.body.addWidget(self.headline)
        self.facts = QFormLayout()
        self.body.addLayout(self.facts)
        self.table = QTableView()
        self.table.setModel(clients)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(clients.STATE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table, 1)
        self.filler = QWidget()  # takes the table's room when there is no table (a client)
        self.body.addWidget(self.filler, 1)
        self.saved_label = QLabel()
        self.body.addWidget(self.saved_label)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Save &report…"))
        self.save_button.clicked.connect(self._ask_and_save)
        self.done_button = QPushButton(self.tr("&Done"))
        self.done_button.setObjectName("primary")
        self.done_button.clicked.connect(self.done)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        self.outer.addLayout(buttons)
        self.kiosk_note = KioskReturn()
        self.kiosk_note.due.connect(self.done)
        self.outer.addWidget(self.kiosk_note)

    def show_result(self, final: ev.Event, choices: SessionChoices, role: str | None,
                    kiosk: bool = False, events: list[ev.Event] | None = None,
                    received: list[datetime.datetime] | None = None,
                    started: datetime.datetime | None = None, ended: datetime.datetime | None = None) -> None:
        self.final, self.choices, self.role = final, choices, role
        self.events = list(events or [])
        self.received = list(received or [])
        self.started, self.ended = started, ended or datetime.datetime.now(datetime.UTC)
        self.saved_label.setText("")
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.table.setVisible(role != "client" and bool(self.clients.rows))
        self.filler.setVisible(self.table.isHidden())
        if isinstance(final, ev.SessionFinished):
            self.title_label.setText(self.tr("Session finished"))
            self.headline.setText(self._finished_headline(final))
            where = ((self.tr("Written to:"), choices.target or "—") if role == "client"
                     else (self.tr("Sent:"), choices.source or "—"))
            for label, value in (
                where,
                (self.tr("Image size:"), human_size(final.size)),
                (self.tr("Time:"), human_duration(final.seconds)),
                (self.tr("Average rate:"), human_rate(final.size / final.seconds) if final.seconds else "—"),
                (self.tr("SHA-256:"), final.sha256),
            ):
                value_label = QLabel(value)
                value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.facts.addRow(label, value_label)
            if role != "client":
                self._add_client_notes(final)
        else:
            reason = final.reason if isinstance(final, ev.SessionFailed) else str(final)
            self.title_label.setText(self.tr("Session ended without success"))
            text = self.tr("The session ended: {0}.").format(reason)
            if role == "client" and choices.target:
                text += " " + self.tr("The target {0} is incomplete: do not start a computer from it; "
                                      "run a new session to fill it.").format(choices.target)
            self.headline.setText(text)
        self.done_button.setFocus()
        if kiosk:
            self.kiosk_note.start()

    def _add_client_notes(self, final: ev.SessionFinished) -> None:
        """Who was dropped and why, who caught up and how long it took: one line per client."""
        reasons = list(final.drop_reasons) + [""] * (len(final.dropped) - len(final.drop_reasons))
        dropped = [f"{peer.host}: {reason}" if reason else peer.host
                   for peer, reason in zip(final.dropped, reasons, strict=False)]
        caught_up = [f"{caught.host}: {self.clients.caught_up_text(caught)}" for caught in final.caught_up]
        for label, lines in ((self.tr("Dropped:"), dropped), (self.tr("Caught up:"), caught_up)):
            if lines:
                value_label = QLabel("\n".join(lines))
                value_label.setWordWrap(True)
                value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.facts.addRow(label, value_label)

    def _finished_headline(self, final: ev.SessionFinished) -> str:
        if self.role == "client":
            return (self.tr("This computer's copy is verified (SHA-256 matches the master's).")
                    if final.verified or not final.failed else self.tr("This computer's copy failed verification."))
        verified, failed, dropped = len(final.verified), len(final.failed), len(final.dropped)
        if final.all_verified:
            return self.tr("All {0} clients verified: every copy is identical to the image.").format(verified)
        return self.tr("{0} verified, {1} failed, {2} dropped.").format(verified, failed, dropped)

    # --- the report ----------------------------------------------------------------------------

    def announced(self) -> dict[str, Any]:
        """Where the session really ran, as the engine announced it: the lobby (a master), the
        group listened on and the master heard (a client). The choices may name another session:
        the demo runs under a random name the wizard is never told."""
        found: dict[str, Any] = {}
        for event in self.events:
            if isinstance(event, ev.LobbyOpened):
                found.update(group=event.group, port=event.port, session_id=event.session_id)
            elif isinstance(event, ev.WaitingForMaster):
                found.update(group=event.group, port=event.port)
            elif isinstance(event, ev.MasterFound):
                found["master"] = {"host": event.master_host, "address": event.master_address}
        return found

    def report(self) -> dict[str, Any]:
        """The session as an audit record: what was chosen, where it ran, each event with when
        this computer received it, on which computer and with which imgcast."""
        chosen_group = None
        try:
            chosen_group = session_address(self.choices.name).group
        except ImgcastError:
            pass
        announced = self.announced()
        group = announced.get("group", chosen_group)
        session = self.choices.name if group == chosen_group else None  # the name of another group

        def stamp(moment: datetime.datetime | None) -> str | None:
            return moment.isoformat(timespec="milliseconds") if moment else None

        times = self.received + [None] * (len(self.events) - len(self.received))
        return {
            "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "session": session,
            "group": group,
            "port": announced.get("port"),
            "session_id": announced.get("session_id"),
            "master": announced.get("master"),
            "role": self.role,
            "source": self.choices.source,
            "target": self.choices.target,
            "started": stamp(self.started),
            "ended": stamp(self.ended),
            "host": socket.gethostname(),
            "imgcast_version": imgcast_version(),
            "result": self.final.to_json() if self.final else None,
            "clients": [
                {"client_id": row.peer.client_id, "host": row.peer.host, "address": row.peer.address,
                 "state": row.state, "reason": row.reason, "bytes": row.done, "lost": row.lost,
                 "repaired": row.repaired, "verified": row.verified}
                for row in self.clients.rows
            ],
            "events": [{"time": stamp(moment), **event.to_json()} for moment, event in zip(times, self.events,
                                                                                          strict=True)],
        }

    def save_report(self, path: str) -> None:
        try:
            Path(path).write_text(json.dumps(self.report(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            self.show_error(self.tr("The report could not be saved: {0}").format(error.strerror or error))
            return
        self.show_error("")
        self.saved_label.setText(self.tr("Report saved to {0}").format(path))

    def _ask_and_save(self) -> None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the session report"), f"imgcast-{self.choices.name or 'session'}-{stamp}.json",
            self.tr("JSON (*.json)"))
        if path:
            self.save_report(path)
