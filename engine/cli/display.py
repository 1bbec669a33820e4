"""How `img` shows a session's events: JSON lines for scripts, or lines and a progress bar for people."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from .. import events as ev

if TYPE_CHECKING:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table


def _load_rich() -> None:
    """rich, imported when a person's display is made: JSON output (scripts, benchmarks, the
    wizard's tests) never needs it, and importing it costs every start 60 ms of CPU."""
    global Console, escape, BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
    global TransferSpeedColumn, Table
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.table import Table


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
        self.console = Console(stderr=False, highlight=False)
        self.role = role
        self.prefix = escape(f"[{label}] ") if label else ""
        self.progress: Progress | None = None
        self.task: Any = None
        self.can_master = False  # set by the session command when from= was given
        self._waiting_shown = False

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
                 "Waiting for clients (press s or Enter to start now, q to cancel).")

    def _MasterFound(self, e: ev.MasterFound) -> None:
        self.say(f"Found the master {e.master_host} ({e.master_address}), {security_line(e.secured)}; joining.")

    def _Joined(self, e: ev.Joined) -> None:
        self.say("Joined; waiting for the master to start.")

    def _ClientJoined(self, e: ev.ClientJoined) -> None:
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
        who = f" to {len(e.clients)} client(s)" if e.clients else ""
        self.say(f"Transfer started{who}.")
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            TimeRemainingColumn(), console=self.console, transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task("sending" if self.role == "master" else "receiving", total=e.stream_size)

    def _Progress(self, e: ev.Progress) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=e.done, total=e.total)

    def _ClientDropped(self, e: ev.ClientDropped) -> None:
        self.say(f"[red]Dropped {e.client.host}: {e.reason}.[/]")

    def _ClientVerified(self, e: ev.ClientVerified) -> None:
        self.say(f"[green]{e.client.host} verified its copy.[/]")

    def _ClientFailed(self, e: ev.ClientFailed) -> None:
        self.say(f"[red]{e.client.host} failed: {e.reason}.[/]")

    def _TargetVerified(self, e: ev.TargetVerified) -> None:
        self._stop_progress()
        self.say(f"[green]Copy verified: {_size(e.size)}, SHA-256 {e.sha256[:16]}…[/]")

    # --- end ------------------------------------------------------------------------------

    def _SessionFinished(self, e: ev.SessionFinished) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=e.size, total=e.size)
        self._stop_progress()
        if self.role == "master" or len(e.verified) + len(e.failed) + len(e.dropped) > 1:
            self.say(f"Session finished: {_size(e.size)} in {e.seconds:.1f} s.")
            table = Table()
            table.add_column("client")
            table.add_column("address")
            table.add_column("result")
            for peers, result in ((e.verified, "[green]verified[/]"), (e.failed, "[red]failed[/]"), (e.dropped, "[red]dropped[/]")):
                for p in peers:
                    table.add_row(p.host, p.address, result)
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


def security_line(secured: bool) -> str:
    words = ev.security_words(secured)
    return words if secured else f"[yellow]{words}[/]"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)
