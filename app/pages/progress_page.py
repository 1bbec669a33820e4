"""Progress page, live from engine events: the lobby (clients appearing as they join, the
countdown, Start now), then the transfer (overall bar, throughput, ETA, chart, per-client table).
Cancel works throughout; the end of the session hands over to the summary page.
"""

from __future__ import annotations

import datetime
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from ...engine import events as ev
from ..choices import SessionChoices
from ..client_table import ClientTableModel
from ..session_controller import SessionController
from ..theme import emphasise, icon
from ..throughput_chart import ThroughputChart
from ..units import human_duration, human_rate, human_size
from .base import WizardPage

BAR_STEPS = 1000  # QProgressBar is int-based: disks are bigger than 2**31 bytes


def count_clients(count: int) -> str:
    """'1 client', '2 clients': the log is English prose, like the CLI's lines."""
    return f"{count} client" if count == 1 else f"{count} clients"


def describe(event: ev.Event) -> str:
    """One line for the session log, in a helpdesk person's words (fields as --json has them)."""
    def who(peer: ev.Peer) -> str:
        return f"{peer.host} ({peer.address})"

    if isinstance(event, ev.ClientJoined):
        size = human_size(event.client.target_size) if event.client.target_size else "a file"
        late = " late" if event.late else ""
        then = ": it gets what it missed in a catch-up pass" if event.late else ""
        return f"{who(event.client)} joined{late}, target {size}{then}"
    if isinstance(event, ev.ClientCatchingUp):
        return f"{who(event.client)} is catching up ({event.reason}): it gets the rest in a further pass"
    if isinstance(event, ev.PaceSetBy):
        return event.message
    if isinstance(event, ev.PassStarted):
        names = ", ".join(peer.host for peer in event.clients)
        return f"pass {event.pass_no}: {count_clients(len(event.clients))} ({names}), {event.slices} slices"
    if isinstance(event, ev.CatchingUp):
        what = "waiting while the others finish" if event.pass_no == 0 else f"in catch-up pass {event.pass_no}"
        return f"catching up ({event.reason}): {what}"
    if isinstance(event, (ev.ClientLeft, ev.ClientDropped, ev.ClientFailed)):
        verb = {ev.ClientLeft: "left", ev.ClientDropped: "was dropped", ev.ClientFailed: "failed"}[type(event)]
        return f"{who(event.client)} {verb}: {event.reason}"
    if isinstance(event, ev.ClientVerified):
        return f"{who(event.client)} verified its copy"
    if isinstance(event, ev.TransferStarted):
        to = f" to {count_clients(len(event.clients))}" if event.clients else ""
        size = f", {human_size(event.stream_size)}" if event.stream_size else ""
        return f"transfer started{to}{size}"
    if isinstance(event, ev.WaitingForMaster):
        return f"waiting for the master on {event.group}:{event.port}"
    if isinstance(event, ev.Joined):
        return f"joined the session (client id {event.client_id})"
    if isinstance(event, ev.RoleDecided):
        return f"this computer is the {event.role}"
    if isinstance(event, ev.TargetVerified):
        notes = "".join(f"; note: {note}" for note in event.notes)
        return f"the copy here is verified, SHA-256 {event.sha256}{notes}"
    if isinstance(event, ev.SessionFailed):
        return f"the session failed: {event.reason}"
    if isinstance(event, ev.AuthenticationFailed | ev.MasterIgnored):
        return event.message
    if isinstance(event, ev.LobbyOpened):
        return f"lobby open on {event.group}:{event.port}, session id {event.session_id}"
    if isinstance(event, ev.MasterFound):
        return f"master {event.master_host} ({event.master_address}) found"
    if isinstance(event, ev.StartScheduled):
        return f"starts by itself in {human_duration(event.seconds)} unless more clients join"
    if isinstance(event, ev.SessionFinished):
        return (f"finished: {len(event.verified)} verified, {len(event.failed)} failed, "
                f"{len(event.dropped)} dropped")
    data = event.to_json()
    fields = ", ".join(f"{key}={value}" for key, value in data.items() if key != "event")
    name = str(data["event"]).replace("_", " ")
    return f"{name}: {fields}" if fields else name


def now() -> datetime.datetime:
    """A clock reading for the report: events carry durations only, so the wizard notes when
    each arrived (UTC, as the report's other times)."""
    return datetime.datetime.now(datetime.UTC)


def disk_seconds_left(event: ev.Progress) -> float | None:
    """Seconds until the master is through the disk, for a stream with no size yet.

    The rate counts stream bytes, the position disk bytes; zero runs and compression make them
    differ, so the disk bytes covered per stream byte so far turn the rate into disk bytes/s."""
    if event.position is None or not event.span or event.rate <= 0 or event.done <= 0 or event.position <= 0:
        return None
    disk_rate = event.rate * event.position / event.done
    return max(0, event.span - event.position) / disk_rate


class ProgressPage(WizardPage):
    uses_navigation = False

    def __init__(self, controller: SessionController, clients: ClientTableModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Session"), "", parent)
        self.controller = controller
        self.clients = clients
        self.role: str | None = "master"
        self.phase = "idle"  # idle | lobby | transfer | done
        self.deadline: float | None = None
        self.last_progress: ev.Progress | None = None
        self.last_catching_up: ev.CatchingUp | None = None
        self.seen_events: list[ev.Event] = []  # this session's events, for the report and tests
        self.received: list[datetime.datetime] = []  # when each of seen_events arrived here
        self.started: datetime.datetime | None = None  # when this computer started the session
        self.ended: datetime.datetime | None = None
        self.waiting_for_master = False  # undecided and listening: only now can M claim mastership
        self.lobby_open = False  # the master announces the session: only now can it start at once
        self.image_text = ""  # what is sent, as the lobby announced it (kept when the transfer starts)

        # a lock beside the title of a secured session
        self.lock = QLabel()
        self.lock.setObjectName("secureLock")
        size = self.title_label.fontMetrics().height()
        self.lock.setPixmap(icon("lock").pixmap(size, size))
        self.lock.setToolTip(self.tr("Secured session: encrypted and authenticated"))
        self.lock.hide()
        title_row = QHBoxLayout()
        self.outer.removeWidget(self.title_label)
        title_row.addWidget(self.lock)
        title_row.addWidget(self.title_label, 1)
        self.outer.insertLayout(0, title_row)
        self.security = QLabel()
        self.security.setObjectName("securityNote")
        self.security.setWordWrap(True)

        self.status = QLabel()
        self.status.setObjectName("bigStatus")
        emphasise(self.status, 1.3)
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.body.addWidget(self.detail)
        self.body.addWidget(self.security)
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        emphasise(self.countdown, 1.3, bold=False)
        self.countdown.hide()
        self.body.addWidget(self.countdown)

        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(0)
        self.body.addWidget(self.bar)
        self.stats = QLabel()
        self.body.addWidget(self.stats)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableView()
        self.table.setModel(clients)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(clients.STATE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        split.addWidget(self.table)
        self.chart = ThroughputChart()
        split.addWidget(self.chart)
        self.log = QListWidget()
        self.log.setToolTip(self.tr("Everything that happened in this session"))
        self.log_follows = True  # the newest line stays in view until the operator scrolls up
        log_bar = self.log.verticalScrollBar()
        log_bar.rangeChanged.connect(self._keep_newest_line_in_view)
        log_bar.valueChanged.connect(self._note_where_the_operator_reads)
        split.addWidget(self.log)
        split.setSizes([240, 140, 90])
        self.body.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.become_master_button = QPushButton(self.tr("Become &master (M)"))
        self.become_master_button.setToolTip(self.tr("Make this computer the one that sends the image."))
        self.become_master_button.clicked.connect(self.become_master)
        self.start_now_button = QPushButton(self.tr("&Start now"))
        self.start_now_button.setObjectName("primary")
        self.start_now_button.setToolTip(self.tr("Close the lobby and start sending to the clients that joined."))
        self.start_now_button.clicked.connect(self.start_now)
        self.cancel_button = QPushButton(self.tr("&Cancel session"))
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.become_master_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_now_button)
        buttons.addWidget(self.cancel_button)
        self.outer.addLayout(buttons)

        # The M key, as the ZENworks engine had it: works anywhere on this page while undecided.
        self.m_key = QShortcut(QKeySequence(Qt.Key.Key_M), self)
        self.m_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.m_key.activated.connect(self.become_master)

        self.tick = QTimer(self)
        self.tick.setInterval(200)
        self.tick.timeout.connect(self._update_countdown)
        controller.event.connect(self.on_event)
        controller.demo_event.connect(self._on_demo_event)
        controller.finished.connect(self._on_finished)

    # --- starting ----------------------------------------------------------------------------

    def begin(self, choices: SessionChoices, title: str) -> None:
        """Reset the page for a new session (called by the window before the runner starts)."""
        self.role = choices.role
        self.phase = "lobby"
        self.deadline = None
        self.last_progress = None
        self.last_catching_up = None
        self.seen_events = []
        self.received = []
        self.started, self.ended = now(), None
        self.waiting_for_master = False
        self.lobby_open = False
        self.image_text = ""
        self.title_label.setText(title)
        self.lock.setVisible(choices.secured)
        self.security.setText(self.tr("Secured: encrypted and authenticated.") if choices.secured else
                              self.tr("Not secured: anyone on this network can read this image."))
        self.clients.clear()
        self.chart.reset()
        self.log.clear()
        self.log_follows = True
        self.bar.setValue(0)
        self.stats.setText("")
        self.show_error("")
        self.countdown.hide()
        self.status.setText(self.tr("Starting…"))
        self.detail.setText({
            "master": self.tr("Sending {0}").format(choices.source),
            "client": self.tr("Writing to {0}").format(choices.target),
            None: self.tr("Sends {0} if this computer becomes the master, writes to {1} otherwise").format(
                choices.source, choices.target),
        }[choices.role])
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        self.tick.start()
        self.cancel_button.setFocus()

    def _update_buttons(self) -> None:
        transferring = self.phase in ("transfer", "done")
        for widget in (self.bar, self.stats, self.chart):
            widget.setVisible(transferring)
        can_claim = self.role is None and self.phase == "lobby" and self.waiting_for_master
        self.become_master_button.setVisible(can_claim)
        self.m_key.setEnabled(can_claim)
        self.start_now_button.setVisible(self.role == "master" and self.phase == "lobby" and self.lobby_open)
        self.table.setVisible(self.role != "client")

    # --- the operator --------------------------------------------------------------------------

    def start_now(self) -> None:
        self.show_error(self.controller.start_now() or "")

    def become_master(self) -> None:
        if self.role is None and self.phase == "lobby" and self.waiting_for_master:
            problem = self.controller.become_master()
            self.show_error(problem or "")
            if not problem:
                self.detail.setText(self.tr("Claiming the master role…"))

    def cancel(self) -> None:
        if self.phase in ("lobby", "transfer"):
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))
            self.controller.cancel()

    # --- the engine ----------------------------------------------------------------------------

    def _on_demo_event(self, label: str, event: ev.Event) -> None:
        if isinstance(event, (ev.TargetVerified, ev.SessionFailed, ev.MasterFound)):
            self.log.addItem(f"{time.strftime('%H:%M:%S')}  {label}: {describe(event)}")

    def _keep_newest_line_in_view(self, _minimum: int, maximum: int) -> None:
        """Follow the range, not each addItem: the list lays its items out later, and the bar,
        stats and chart that appear with the transfer shrink it after the line that said so."""
        if self.log_follows:
            self.log.verticalScrollBar().setValue(maximum)

    def _note_where_the_operator_reads(self, value: int) -> None:
        self.log_follows = value >= self.log.verticalScrollBar().maximum()

    def on_event(self, event: ev.Event) -> None:
        if not isinstance(event, (ev.Progress, ev.ClientProgress)):
            self.seen_events.append(event)
            self.received.append(now())
        repeated = isinstance(event, ev.CatchingUp) and event == self.last_catching_up
        if not isinstance(event, (ev.Progress, ev.ClientProgress)) and not repeated:
            self.log.addItem(f"{time.strftime('%H:%M:%S')}  {describe(event)}")
        if isinstance(event, ev.CatchingUp):
            self.last_catching_up = event  # a waiting client repeats it: the log says it once per change
        self.clients.apply(event)
        if isinstance(event, ev.WaitingForMaster):
            self.waiting_for_master = True
            self.status.setText(self.tr("Waiting for the master on {0}:{1}").format(event.group, event.port))
            if self.role is None:
                self.detail.setText(self.tr("Press M or \"Become master\" on the computer that should send."))
        elif isinstance(event, ev.RoleDecided):
            self.role = event.role
            self.detail.setText(self.tr("This computer is the {0}.").format(
                self.tr("master") if event.role == "master" else self.tr("client")))
        elif isinstance(event, ev.LobbyOpened):
            self.role = "master"
            self.lobby_open = True
            self.status.setText(self.tr("Waiting for clients on {0}:{1}").format(event.group, event.port))
            self.image_text = self.describe_image(event.stream_size, event.disk_size)
            self.detail.setText(self.image_text)
        elif isinstance(event, ev.MasterFound):
            self.status.setText(self.tr("Found the master {0} ({1})").format(event.master_host, event.master_address))
            self.image_text = self.describe_image(event.stream_size, event.disk_size)
            self.detail.setText(self.image_text)
        elif isinstance(event, ev.MasterIgnored):
            self.status.setText(self.tr("Ignoring the master {0} ({1}); waiting for the session's master").format(
                event.master_host, event.master_address))
            self.detail.setText(event.reason)
        elif isinstance(event, ev.Joined):
            self.status.setText(self.tr("Joined; waiting for the master to start"))
        elif isinstance(event, (ev.ClientJoined, ev.ClientLeft)):
            joined = event.joined if isinstance(event, ev.ClientJoined) else self.clients.count("joined")
            wanted = event.wanted if isinstance(event, ev.ClientJoined) else None
            self._show_joined(joined, wanted)
        elif isinstance(event, ev.StartScheduled):
            self.deadline = time.monotonic() + event.seconds
            self._update_countdown()
        elif isinstance(event, ev.CollisionDetected):
            self.show_error(self.tr("Another session ({0}) uses this address; its data is ignored. "
                                    "A different session name avoids this.").format(event.other_address))
        elif isinstance(event, ev.TransferStarted):
            self.phase = "transfer"
            self.deadline = None
            self.countdown.hide()
            self.status.setText(self.sending_text(len(event.clients)) if self.role == "master"
                                else self.tr("Receiving the image"))
            if event.stream_size:
                self.image_text = self.describe_image(event.stream_size, None)
            self.detail.setText(self.image_text)
        elif isinstance(event, ev.Progress):
            self._show_progress(event)
        elif isinstance(event, ev.PassStarted):
            clients = (self.tr("1 client") if len(event.clients) == 1
                       else self.tr("{0} clients").format(len(event.clients)))
            self.status.setText(self.tr("Pass {0}: catching up {1}, {2} slices").format(
                event.pass_no, clients, event.slices))
        elif isinstance(event, ev.CatchingUp):
            self.status.setText(self.tr("Catching up: waiting while the others finish") if event.pass_no == 0
                                else self.tr("Catching up in pass {0}").format(event.pass_no))
            self.detail.setText(self.tr("{0}. Nothing received is lost; the rest comes in a further pass.")
                                .format(event.reason[:1].upper() + event.reason[1:]))
        elif isinstance(event, ev.TargetVerified):
            self.status.setText(self.tr("The copy on this computer is verified"))
        self._update_buttons()

    def describe_image(self, stream_size: int | None, disk_size: int | None) -> str:
        """'Image: 64.0 MiB', or for a stream built as it is sent (no size until its end) the
        disk it is built from, so the line never turns into a bare dash."""
        if stream_size:
            return self.tr("Image: {0}").format(human_size(stream_size))
        if disk_size:
            return self.tr("Image of a {0} disk, built as it is sent").format(human_size(disk_size))
        return ""

    def sending_text(self, count: int) -> str:
        return self.tr("Sending to 1 client") if count == 1 else self.tr("Sending to {0} clients").format(count)

    def _show_joined(self, joined: int, wanted: int | None) -> None:
        if wanted:
            count = self.tr("{0} of {1} clients joined").format(joined, wanted)
        else:
            count = self.tr("1 client joined") if joined == 1 else self.tr("{0} clients joined").format(joined)
        self.detail.setText(" · ".join(t for t in (count, self.image_text) if t))

    def _show_progress(self, event: ev.Progress) -> None:
        self.last_progress = event
        self.chart.add(event.rate)
        # The disk position first: a stream built as it is sent learns its total at its end, and
        # the line and the bar must not switch units (and jump) in the last seconds.
        if event.position is not None and event.span:
            fraction: float | None = min(event.position, event.span) / event.span
            remaining = disk_seconds_left(event)
            amount = self.tr("{0} sent, {1} of the {2} disk").format(
                human_size(event.done), f"{100 * fraction:.0f} %", human_size(event.span))
        elif event.total:
            fraction = min(event.done, event.total) / event.total
            remaining = (event.total - event.done) / event.rate if event.rate > 0 else None
            amount = self.tr("{0} of {1}").format(human_size(event.done), human_size(event.total))
            if event.pass_no > 1:  # a catch-up pass: its own bytes, the slices its clients lack
                amount = self.tr("Pass {0}: {1}").format(event.pass_no, amount)
        else:
            fraction, remaining = None, None
            amount = human_size(event.done)
        if fraction is None:
            self.bar.setRange(0, 0)  # unknown size and position: a busy bar
            eta = ""
        else:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(int(BAR_STEPS * fraction))
            eta = self.tr("ETA {0}").format(human_duration(remaining))
        parts = [amount, human_rate(event.rate), eta,
                 self.tr("lost {0}, repaired {1}").format(event.lost, event.repairs)]
        self.stats.setText(" · ".join(p for p in parts if p))

    def _update_countdown(self) -> None:
        if self.deadline is None or self.phase != "lobby":
            self.countdown.hide()
            return
        left = max(0.0, self.deadline - time.monotonic())
        self.countdown.setText(self.tr("Starting by itself in {0}").format(human_duration(left)))
        self.countdown.show()

    def _on_finished(self, final: ev.Event) -> None:
        self.phase = "done"
        self.ended = now()
        self.tick.stop()
        self.countdown.hide()
        if isinstance(final, ev.SessionFinished):
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(BAR_STEPS)
        self.clients.apply(final)
        self._update_buttons()
