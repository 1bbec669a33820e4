"""How `img` shows a session's events: JSON lines for scripts, or lines and a progress bar for people."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

from .. import events as ev

if TYPE_CHECKING:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table


VERIFIED = "[green]verified[/]"
MAX_CLIENT_ROWS = 16  # more clients than this: only those catching up get a row of their own
LOG_EVERY = 10.0  # seconds: output to a log gets a timed progress line this often (bars do not draw there)


def _load_rich() -> None:
    """rich, imported when a person's display is made: JSON output (scripts, benchmarks, the
    wizard's tests) never needs it, and importing it costs every start 60 ms of CPU."""
    global Console, escape, BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn, Table
    global RateColumn, StatusColumn
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.table import Table
    from rich.text import Text

    class RateColumn(TransferSpeedColumn):
        """Every row shows the rate the engine measured (stream bytes/s), not rich's measure of
        the bar: a bar that counts disk bytes gone through (position of span) moves faster than
        the network wherever the disk is empty. Rows without one yet fall back to rich's."""

        def render(self, task: Any) -> Text:
            if "rate" not in task.fields:
                return super().render(task)
            rate = task.fields["rate"]
            return Text(f"{_decimal(rate)}/s" if rate else "—", style="progress.data.speed")

    class StatusColumn(TimeRemainingColumn):
        """The overall row: the time left; a client's row: its pass and state, in words."""

        max_refresh = None  # the time left is cached for half a second; a status must show at once

        def render(self, task: Any) -> Text:
            if "status" not in task.fields:
                return super().render(task)
            return Text.from_markup(task.fields["status"])


def make_display(as_json: bool, role: str | None = None, label: str = "") -> Any:
    return JsonDisplay(label) if as_json else HumanDisplay(role, label)


class JsonDisplay:
    """One JSON object per line on stdout; progress events at most every half second."""

    def __init__(self, label: str = "") -> None:
        self.label = label

    def attach(self, runner: Any) -> None:
        pass

    def show(self, event: ev.Event) -> None:
        record = event.to_json()
        if self.label:
            record["participant"] = self.label
        print(json.dumps(record), flush=True)

    def note(self, message: str | None) -> None:
        if message:
            print(json.dumps({"event": "note", "message": message}), flush=True)

    def close(self) -> None:
        pass


class HumanDisplay:
    def __init__(self, role: str | None, label: str = "") -> None:
        _load_rich()
        logged = not sys.stdout.isatty()  # a pipe or a log file: no live bars, no 80 columns
        # (soft_wrap keeps sentences whole; a table has no soft wrap: it gets room instead)
        self.console = Console(stderr=False, highlight=False, soft_wrap=logged, width=200 if logged else None)
        self.log_every = LOG_EVERY if logged else None  # seconds between progress lines in a log
        self._logged_at = 0.0
        self.role = role
        self.prefix = escape(f"[{label}] ") if label else ""
        self.progress: Progress | None = None
        self.task: Any = None
        self.can_master = False  # set by the session command when from= was given
        self.wanted: int | None = None  # clients=N and t=MINUTES, set by the session command:
        self.timeout_minutes: float | None = None  # the lobby line says when the master starts
        self._waiting_shown = False
        self.clients: dict[str, ClientLine] = {}  # the master's clients by client id
        self.total: int | None = None  # the stream's size, when known in advance
        self.span: int | None = None  # else: the disk bytes the image covers (Progress.span)
        self._catching_up_said: tuple[int, str] | None = None  # a client: the last CatchingUp shown

    def attach(self, runner: Any) -> None:
        self.runner = runner

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(self.prefix + text)
        else:
            self.console.print(self.prefix + text)

    def note(self, message: str | None) -> None:
        if message:
            self.say(f"[yellow]{message}[/]")

    def show(self, event: ev.Event) -> None:
        handler = getattr(self, "_" + type(event).__name__, None)
        if handler is not None:
            handler(event)

    # --- lobby ----------------------------------------------------------------------------

    def _WaitingForMaster(self, e: ev.WaitingForMaster) -> None:
        if self._waiting_shown:
            return  # an undecided participant that became a client waits on, no news
        self._waiting_shown = True
        extra = " Press m to make this computer the master." if self.role is None and self.can_master else ""
        secured = " of a secured session" if e.secured else ""
        self.say(f"Waiting for the master{secured} on {e.group} port {e.port}.{extra}")

    def _RoleDecided(self, e: ev.RoleDecided) -> None:
        self.role = e.role
        self.say(f"This computer is the [bold]{e.role}[/].")

    def _DiskChosen(self, e: ev.DiskChosen) -> None:
        verb = "Sending" if e.purpose == "send" else "Writing"
        self.say(f"{verb} this computer's disk {escape(e.description)}.")

    def _LobbyOpened(self, e: ev.LobbyOpened) -> None:
        what = f"{_size(e.stream_size)}" if e.stream_size is not None else f"the image of a {_size(e.disk_size)} disk"
        self.say(f"Session open on {e.group} port {e.port}, {security_line(e.secured)}: sending {what}. "
                 f"{lobby_words(self.wanted, self.timeout_minutes)}")

    def _MasterFound(self, e: ev.MasterFound) -> None:
        self.say(f"Found the master {e.master_host} ({e.master_address}), {security_line(e.secured)}; joining.")

    def _MasterIgnored(self, e: ev.MasterIgnored) -> None:
        self.say(f"[yellow]{escape(e.message[0].upper() + e.message[1:])}.[/]")

    def _Joined(self, e: ev.Joined) -> None:
        self.say("Joined; waiting for the master to start.")

    def _ClientJoined(self, e: ev.ClientJoined) -> None:
        line = self.clients.setdefault(e.client.client_id, ClientLine(e.client))
        if e.late:
            line.late = line.catching_up = True
            line.pass_no = 0
            self.say(f"Client {e.client.host} ({e.client.address}) joined late ({e.joined} in the session); "
                     "it gets what it missed in a catch-up pass.")
            self._client_row(line)
            return
        wanted = f" of {e.wanted}" if e.wanted else ""
        self.say(f"Client {e.client.host} ({e.client.address}) joined: {e.joined}{wanted}.")

    def _ClientLeft(self, e: ev.ClientLeft) -> None:
        self.say(f"Client {e.client.host} left the lobby: {e.reason}.")

    def _StartScheduled(self, e: ev.StartScheduled) -> None:
        self.say(f"Starting in {e.seconds:.0f} s unless more clients join.")

    def _CollisionDetected(self, e: ev.CollisionDetected) -> None:
        self.say(f"[red]Another session uses this multicast address (from {e.other_address or 'unknown'}); "
                 "its datagrams are ignored. Consider another session name.[/]")

    def _AuthenticationFailed(self, e: ev.AuthenticationFailed) -> None:
        self.say(f"[red]{escape(e.message)}.[/]")

    def _DatagramDropped(self, e: ev.DatagramDropped) -> None:
        self.say(f"[dim]Ignoring datagrams: {e.reason}.[/]")

    # --- transfer -------------------------------------------------------------------------

    def _TransferStarted(self, e: ev.TransferStarted) -> None:
        who = f" to {_count(len(e.clients), 'client')}" if e.clients else ""
        self.say(f"Transfer started{who}.")
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), DownloadColumn(binary_units=True),
            RateColumn(), StatusColumn(), console=self.console, transient=False,
        )
        self.progress.start()
        self.total = e.stream_size
        self.task = self.progress.add_task("sending" if self.role == "master" else "receiving", total=e.stream_size)
        for peer in e.clients:
            self._client_row(self.clients.setdefault(peer.client_id, ClientLine(peer)))

    def _Progress(self, e: ev.Progress) -> None:
        if self.progress is None:
            return
        if e.pass_no > 1:  # the master in a catch-up pass: that pass's own bytes
            self.progress.update(self.task, description=f"pass {e.pass_no}", completed=e.done, total=e.total,
                                 rate=e.rate)
            self._log_progress(e.done, e.total, e.rate)
            return
        if e.total is None and e.span:
            self.span = e.span
        completed, total = self._measure(e.done, e.position)
        self.progress.update(self.task, completed=completed, total=total, rate=e.rate)
        self._log_progress(completed, total, e.rate)

    def _log_progress(self, completed: int, total: int | None, rate: float) -> None:
        """In a log, where no bar is drawn, a timed line now and then: what a person reading it
        afterwards needs to see the session moved, and how fast."""
        now = time.monotonic()
        if self.log_every is None or now < self._logged_at + self.log_every:
            return
        self._logged_at = now
        what = "sending" if self.role == "master" else "receiving"
        share = f"{completed / total:.0%} " if total else ""
        of = _size(total) if total else "?"
        self.say(f"{time.strftime('%H:%M:%S')} {what} {share}{_size(completed)} of {of}, {_decimal(rate)}/s")

    def _measure(self, done: int, position: int | None) -> tuple[int, int | None]:
        """What a bar counts: stream bytes of the stream's size when that is known; else (a disk
        imaged as it is sent) disk bytes gone through of the disk bytes the image covers, which
        gives a percentage and a time left; else stream bytes of an unknown total."""
        if self.total is not None:
            return done, self.total
        if self.span and position is not None:
            return position, self.span
        return done, None

    def _whole(self, stream_size: int) -> int:
        """A full bar in the units the bars counted in (disk bytes of the span, or the stream's)."""
        return stream_size if self.total is not None or not self.span else self.span

    def _ClientProgress(self, e: ev.ClientProgress) -> None:
        line = self.clients.get(e.client_id)
        if line is None:
            return
        line.done, line.rate, line.pass_no, line.catching_up = e.done, e.rate, e.pass_no, e.catching_up
        line.position = e.position
        self._client_row(line)

    def _ClientCatchingUp(self, e: ev.ClientCatchingUp) -> None:
        line = self.clients.setdefault(e.client.client_id, ClientLine(e.client))
        line.catching_up, line.pass_no = True, 0
        self.say(f"[yellow]{e.client.host} is catching up ({escape(e.reason)}): "
                 "it gets the rest in a further pass.[/]")
        self._client_row(line)

    def _PaceSetBy(self, e: ev.PaceSetBy) -> None:
        self.say(f"[yellow]{escape(e.message)}.[/]")

    def _PassStarted(self, e: ev.PassStarted) -> None:
        who = ", ".join(p.host for p in e.clients[:5]) + (", …" if len(e.clients) > 5 else "")
        self.say(f"Pass {e.pass_no}: {_count(len(e.clients), 'client')} ({who}), {_count(e.slices, 'slice')}.")
        for peer in e.clients:
            line = self.clients.setdefault(peer.client_id, ClientLine(peer))
            line.pass_no, line.catching_up = e.pass_no, True
            self._client_row(line)

    def _CatchingUp(self, e: ev.CatchingUp) -> None:
        said = (e.pass_no, e.reason)
        if said == self._catching_up_said:
            return  # once per change: the client repeats it while it waits
        self._catching_up_said = said
        what = "waiting while the others finish" if e.pass_no == 0 else f"now in catch-up pass {e.pass_no}"
        self.say(f"[yellow]Catching up ({escape(e.reason)}): {what}; nothing received is lost.[/]")

    def _ClientDropped(self, e: ev.ClientDropped) -> None:
        self._client_ended(e.client, "[red]dropped[/]")
        self.say(f"[red]Dropped {e.client.host}: {escape(e.reason)}.[/]")

    def _ClientVerified(self, e: ev.ClientVerified) -> None:
        self._client_ended(e.client, VERIFIED)
        self.say(f"[green]{e.client.host} verified its copy.[/]")

    def _ClientFailed(self, e: ev.ClientFailed) -> None:
        self._client_ended(e.client, "[red]failed[/]")
        self.say(f"[red]{e.client.host} failed: {escape(e.reason)}.[/]")

    def _client_ended(self, peer: ev.Peer, result: str) -> None:
        line = self.clients.get(peer.client_id)
        if line is not None:
            line.result = result
            self._client_row(line)

    def _client_row(self, line: ClientLine) -> None:
        """The master's row for one client under the overall bar: its bytes, its own rate, its pass.
        With many clients only those catching up get one, so the exceptions stay in view."""
        if self.progress is None or self.role != "master":
            return
        if line.task is None:
            if len(self.clients) > MAX_CLIENT_ROWS and not line.catching_up:
                return
            line.task = self.progress.add_task(f"  {escape(line.peer.host)}", total=self.total,
                                               rate=0.0, status="")
        completed, total = self._measure(line.done, line.position)
        if line.result == VERIFIED:
            completed = total = total or completed  # it has the whole image: a full row
        self.progress.update(line.task, completed=completed, total=total,
                             rate=0.0 if line.result else line.rate, status=line.status())

    def _TargetVerified(self, e: ev.TargetVerified) -> None:
        if self.progress is not None:  # the last progress came before the last write: fill the bar
            whole = self._whole(e.size)
            self.progress.update(self.task, completed=whole, total=whole)
        self._stop_progress()
        self.say(f"[green]Copy verified: {_size(e.size)}, SHA-256 {e.sha256[:16]}…[/]")
        for note in e.notes:
            self.say(f"[yellow]note: {escape(note)}[/]")

    # --- end ------------------------------------------------------------------------------

    def _SessionFinished(self, e: ev.SessionFinished) -> None:
        if self.progress is not None:
            # the last rate shown is the session's average, not rich's "?" for a finished bar
            average = e.size / e.seconds if e.seconds > 0 else 0.0
            whole = self._whole(e.size)
            self.progress.update(self.task, completed=whole, total=whole, rate=average)
            for peer in e.verified:
                line = self.clients.get(peer.client_id)
                if line is not None and line.task is not None:
                    self.progress.update(line.task, completed=whole, total=whole)
        self._stop_progress()
        if self.role == "master" or len(e.verified) + len(e.failed) + len(e.dropped) > 1:
            self.say(f"Session finished: {_size(e.size)} in {e.seconds:.1f} s.")
            table = Table()
            table.add_column("client")
            table.add_column("address")
            table.add_column("result")
            notes = finished_notes(e)
            if any(notes.values()):
                table.add_column("how")
            for peers, result in ((e.verified, VERIFIED), (e.failed, "[red]failed[/]"), (e.dropped, "[red]dropped[/]")):
                for p in peers:
                    note = notes.get(p.client_id, "")
                    table.add_row(p.host, p.address, result, *([escape(note)] if any(notes.values()) else []))
            self.console.print(table)
        else:
            self.say("Session finished; the master has the result.")

    def _SessionFailed(self, e: ev.SessionFailed) -> None:
        self._stop_progress()

    def _stop_progress(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def close(self) -> None:
        self._stop_progress()
        sys.stdout.flush()


class ClientLine:
    """What the master's display knows of one client while the transfer runs."""

    def __init__(self, peer: ev.Peer) -> None:
        self.peer = peer
        self.done = 0
        self.position: int | None = None  # disk bytes its copy has got through (ClientProgress.position)
        self.rate = 0.0
        self.pass_no = 1
        self.catching_up = False
        self.late = False
        self.result = ""  # rich markup: verified / failed / dropped, once known
        self.task: Any = None

    def status(self) -> str:
        if self.result:
            return self.result
        if self.pass_no == 0:
            return ("late join" if self.late else "catching up") + ", waits for the next pass"
        if self.catching_up:
            return ("late join" if self.late else "catching up") + f", pass {self.pass_no}"
        return f"pass {self.pass_no}"


def caught_up_words(c: ev.CaughtUp) -> str:
    """'caught up in pass 2, 27.3 s after it fell behind' (or '... after it joined late')."""
    after = "it joined late" if c.late else "it fell behind"
    return f"caught up in pass {c.passes}, {c.seconds:.1f} s after {after}"


def finished_notes(e: ev.SessionFinished) -> dict[str, str]:
    """Per client id: why it was dropped, or how it caught up (the summary's last column)."""
    notes = {c.client_id: caught_up_words(c) for c in e.caught_up}
    for peer, reason in zip(e.dropped, e.drop_reasons, strict=False):
        notes[peer.client_id] = reason
    return notes


def lobby_words(wanted: int | None, minutes: float | None) -> str:
    """The master's lobby line: how many it waits for and what starts it, as the master decides
    (engine/protocol/master.py): N joined starts it; t=MINUTES counts from the last join, and
    with nobody joined yet it waits on; s or Enter starts it at once."""
    keys = "press s or Enter to start now, q to cancel"
    if wanted is None:
        return "Waiting for clients: it starts when you press s or Enter (q cancels)."
    if minutes == 0:
        return f"Waiting for clients: t=0 starts it as soon as the first one joins ({keys})."
    who = f"Waiting for {_count(wanted, 'client')}: it starts when {wanted:,} {'has' if wanted == 1 else 'have'} joined"
    if minutes is None:
        return f"{who} ({keys})."
    return (f"{who}, or {_minutes(minutes)} after the last join if fewer come; while nobody has "
            f"joined it waits ({keys}).")


def _minutes(minutes: float) -> str:
    if minutes < 1:
        return _count_float(minutes * 60, "second")
    return _count_float(minutes, "minute")


def _count_float(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _decimal(rate: float) -> str:
    """Bytes/s in the units rich's own speed column uses (decimal), so the rows line up."""
    from rich.filesize import decimal

    return decimal(int(rate))


def security_line(secured: bool) -> str:
    words = ev.security_words(secured)
    return words if secured else f"[yellow]{words}[/]"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)
