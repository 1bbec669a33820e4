"""Slow clients and late joiners on the rig: the targets of issue 11, imgcast beside udpcast.

    sudo .venv/bin/python bench/bench_slow.py [--repeat 3] [--only slow,drop,late] [--size 32M]

Rows (ids for --only):

  slow   master + c1..c3 at 100 Mbit/s + c4 at 10 Mbit/s, --size (32 MiB), --slow-clients catch-up;
         the same three fast hosts without c4 (same rig, c4 idle) as the baseline; udpcast on both
  drop   the same room, --slow-clients drop:RATE (--drop-rate, default 5M bytes/s): when c4 is
         dropped, what both sides say, and the fast hosts' times (udpcast has no such policy)
  late   master + c1..c4 at 100 Mbit/s, --late-size (64 MiB), clients=3; c4 starts --late-after
         (2 s) after the master's transfer_started (udpcast cannot take a late receiver)

Times are on this process's monotonic clock: each child's exit as wait_all reaps it, and a
line of output as LineWatcher first sees it (imgcast's events carry durations, never clock
readings). "From transfer start" means from the master's transfer_started (udpcast: the
sender's "Starting transfer" line). It needs root; it prints tables and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench_rig import REPO, Lab, Launch
from bench_rig import event_time as _event_time
from bench_rig import events as _events
from bench_session import size_argument
from common import (
    BenchError,
    Child,
    LineWatcher,
    MiB,
    compile_bytecode,
    file_sha256,
    human,
    kill,
    random_file,
    scratch_dir,
    wait_all,
)
from rich.console import Console
from rich.table import Table

FAST = ("c1", "c2", "c3")
SLOW = "c4"
FAST_TARGET = 1.3  # the fast hosts' time with the slow host / without it
SLOW_TARGET = 1.2  # the slow host's time / (image / its link's payload rate)
DROP_TARGET = 15.0  # seconds from transfer start until the slow host is dropped
LATE_TARGET = 1.3  # the late joiner's time from its own start / (image / link payload rate)
ROWS = ("slow", "drop", "late")
MASTER_GRACE = 15.0  # seconds a client may outlive its master (its own master timeout is 10 s)

console = Console(width=None if sys.stdout.isatty() else 220)


@dataclass
class Outcome:
    """One session of a row: per host, seconds from transfer start to its exit, and what it said."""

    tool: str
    label: str  # "catch-up", "baseline", "drop:5M", "late"
    start: float | None = None  # transfer start, monotonic
    exits: dict[str, float | None] = field(default_factory=dict)  # host -> seconds from transfer start
    verified: dict[str, bool] = field(default_factory=dict)
    status: dict[str, int | None] = field(default_factory=dict)
    stderr: dict[str, str] = field(default_factory=dict)  # host -> its last stderr line
    dropped_after: float | None = None  # slow host dropped, seconds from transfer start
    drop_reason: str = ""  # the master's reason
    late_seconds: float | None = None  # the late joiner: its own start -> exit
    late_flag: bool | None = None  # the master's client_joined late= for it
    caught_up: list[str] = field(default_factory=list)  # hosts the master listed as caught up
    error: str = ""

    def fast_time(self) -> float | None:
        """The last of the fast hosts to finish (None unless all three verified)."""
        times = [self.exits.get(h) for h in FAST]
        if any(t is None for t in times) or not all(self.verified.get(h) for h in FAST):
            return None
        return max(times)  # type: ignore[type-var]

    def host_time(self, host: str) -> float | None:
        return self.exits.get(host) if self.verified.get(host) else None


class SlowLab(Lab):
    """Lab of bench_rig.py, plus the sessions of issue 11's rows."""

    def __init__(self, rig: Any, folder: Path, args: argparse.Namespace, read_fault_stats: Any) -> None:
        super().__init__(rig, folder, args, read_fault_stats)
        self.by_name = {h.name: h for h in self.clients}

    def _source(self, size: int) -> tuple[Path, str]:
        key = ("random", size)
        if key not in self._sources:
            path = self.folder / f"source-{size}.bin"
            self._sources[key] = (path, random_file(path, size))
        return self._sources[key]

    def _outcome(self, tool: str, label: str, launch: Launch, hosts: list[str], sha: str,
                 watcher: LineWatcher, start_marker: str) -> Outcome:
        """Exits, copies and events of a finished launch (children[1:] are `hosts`, in order)."""
        sender = launch.children[0]
        out = Outcome(tool, label)
        if tool == "imgcast":
            out.start = _event_time(watcher, sender, "transfer_started")
        else:
            out.start = next((when for when, line in watcher.lines(start_marker) if "Starting transfer" in line), None)
        for host, child, target in zip(hosts, launch.children[1:], launch.targets, strict=True):
            out.status[host] = child.status
            out.exits[host] = child.ended - out.start if child.ended is not None and out.start is not None else None
            out.verified[host] = child.status == 0 and target.exists() and file_sha256(target) == sha
            lines = [line for line in child.errors().splitlines() if line.strip()]
            out.stderr[host] = lines[-1] if lines else ""
        if tool == "imgcast":
            address = {self.by_name[h].address: h for h in hosts}
            ids: dict[str, str] = {}
            for when, event in _events(watcher, sender):
                kind = event.get("event")
                if kind == "client_joined":
                    host = address.get(event["client"]["address"], "?")
                    ids[event["client"]["client_id"]] = host
                    if host == SLOW and label == "late":
                        out.late_flag = bool(event.get("late"))
                elif kind == "client_dropped" and address.get(event["client"]["address"]) == SLOW:
                    if out.dropped_after is None and out.start is not None:
                        out.dropped_after = when - out.start
                        out.drop_reason = str(event.get("reason", ""))
                elif kind == "session_finished":
                    out.caught_up = [ids.get(c.get("client_id"), "?") for c in event.get("caught_up", [])]
        if out.start is None:
            out.error = "the transfer never started: " + (sender.failure() or "no transfer_started")
        elif sender.killed:
            out.error = "killed after the time limit"
        return out

    def session(self, tool: str, label: str, hosts: list[str], size: int, options: tuple[str, ...] = (),
                late: str | None = None, late_after: float = 2.0, limit: float = 150.0) -> Outcome:
        """One session from the master to `hosts` (and, with `late`, one more client started
        `late_after` s into the transfer); every process is gone and every copy deleted after."""
        source, sha = self._source(size)
        launch: Launch | None = None
        late_child: Child | None = None
        try:
            with LineWatcher() as watcher:
                marker = ""
                if tool == "imgcast":
                    launch = self.launch_img([self.by_name[h] for h in hosts], source, 0.0, 11, watcher,
                                             tag=f"slow-{label.replace(':', '')}", master_options=options)
                else:
                    launch = self.launch_udp([self.by_name[h] for h in hosts], source, 0.0, 11)
                    sender = launch.children[0]
                    marker = f"{sender.name}.err"
                    watcher.watch(SimpleNamespace(name=marker, stdout=sender.stderr))  # type: ignore[arg-type]
                if late is not None:
                    started = _wait_for_event(watcher, launch.children[0], "transfer_started", 60)
                    if started is not None:
                        time.sleep(max(0.0, started + late_after - time.monotonic()))
                        late_child = self.add_img_client(launch, self.by_name[late], 0.0, 99, watcher)
                wait_session(launch.children, limit)
            names = [*hosts, late] if late_child is not None else list(hosts)
            out = self._outcome(tool, label, launch, names, sha, watcher, marker)
            if late_child is not None and late_child.ended is not None and late_child.status == 0 \
                    and out.verified.get(late):  # type: ignore[arg-type]
                out.late_seconds = late_child.ended - late_child.started
            elif late is not None and late_child is None:
                out.error = "the transfer never started, so no late client was started"
            return out
        finally:
            if launch is not None:
                self.clean_up(launch.children, launch.targets)


def wait_session(children: list[Child], limit: float, grace: float = MASTER_GRACE) -> None:
    """wait_all, but a client still running `grace` s after the master (children[0]) ended is
    killed: it waits for a session that is over (a late client that came after the end)."""
    reaper = threading.Thread(target=wait_all, args=(children, limit), daemon=True)
    reaper.start()
    master_gone: float | None = None
    while reaper.is_alive():
        reaper.join(0.1)
        if master_gone is None and children[0].ended is not None:
            master_gone = time.monotonic()
        if master_gone is not None and time.monotonic() - master_gone > grace:
            for child in children[1:]:
                if child.ended is None:
                    kill(child)
            reaper.join(10)
            break


def _wait_for_event(watcher: LineWatcher, child: Child, name: str, seconds: float) -> float | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        when = _event_time(watcher, child, name)
        if when is not None:
            return when
        if child.popen.poll() is not None:
            return None
        time.sleep(0.02)
    return None


# --- figures ---------------------------------------------------------------------------------

def median(values: list[float | None]) -> float | None:
    """The median of the runs that produced a figure; None when any run did not (a failure counts)."""
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values)  # type: ignore[type-var]


def spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if len(values) < 2 or not known:
        return ""
    missing = len(values) - len(known)
    return f"{min(known):.1f}-{max(known):.1f}" + (f" ({missing} failed)" if missing else "")


def secs(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "[red]failed[/red]"


def mark(met: bool | None, text: str) -> str:
    if met is None:
        return f"n/a {text}"
    return f"[green]met[/green] {text}" if met else f"[red]NOT met[/red] {text}"


def _errors(runs: list[Outcome], expected: str | None = None) -> list[str]:
    """One line per run error and per host without a verified copy (but `expected`, whose
    failure the table shows: the slow host of the drop row)."""
    notes = []
    for r in runs:
        failed = {h: (r.status.get(h), r.stderr.get(h)) for h in r.status if not r.verified.get(h) and h != expected}
        if r.error:
            notes.append(f"{r.tool} {r.label}: {r.error}")
        for host, (status, line) in failed.items():
            how = "killed (still running at the time limit, or long after its master ended)" if status == -9 else ""
            notes.append(f"{r.tool} {r.label}: {host} exit {status}: {how or line[:160]}")
    return notes


def print_slow(runs: dict[tuple[str, str], list[Outcome]], slow_ideal: float, size: int, repeat: int) -> list[str]:
    table = Table(title=f"One host at 10 Mbit/s, three at 100 Mbit/s, {human(size)}, --slow-clients catch-up"
                        f"{'' if repeat == 1 else f'; median of {repeat} runs, min-max below'}")
    for col in ("tool", "fast hosts s\n(last of 3)", "same 3 without\nthe slow host s", "fast\nratio",
                "slow host s", "slow host /\nits link alone", "listed as\ncaught up", "targets"):
        table.add_column(col, justify="left" if col in ("tool", "targets") else "right")
    notes = []
    for tool in ("imgcast", "udpcast"):
        room, alone = runs.get((tool, "catch-up"), []), runs.get((tool, "baseline"), [])
        if not room:
            continue
        fast, base = median([r.fast_time() for r in room]), median([r.fast_time() for r in alone])
        slow = median([r.host_time(SLOW) for r in room])
        ratio = fast / base if fast is not None and base else None
        slow_ratio = slow / slow_ideal if slow is not None else None
        caught = (f"{sum(SLOW in r.caught_up for r in room)}/{len(room)}" if tool == "imgcast" else "-")
        targets = [mark(ratio is not None and ratio <= FAST_TARGET, f"fast ≤{FAST_TARGET:g}x without the slow host"),
                   mark(slow_ratio is not None and slow_ratio <= SLOW_TARGET,
                        f"slow ≤{SLOW_TARGET:g}x its link alone ({SLOW_TARGET * slow_ideal:.1f} s), bit-exact")]
        table.add_row(tool, secs(fast), secs(base), f"{ratio:.2f}x" if ratio else "-", secs(slow),
                      f"{slow_ratio:.2f}x" if slow_ratio else "-", caught, "\n".join(targets) if tool == "imgcast" else
                      "(reference)")
        if repeat > 1:
            table.add_row("  min-max", spread([r.fast_time() for r in room]), spread([r.fast_time() for r in alone]),
                          "", spread([r.host_time(SLOW) for r in room]), "", "", "", end_section=True)
        notes += _errors(room + alone)
    console.print(table)
    console.print(f"  seconds from transfer start (imgcast: the master's transfer_started; udpcast: the sender's "
                  f"\"Starting transfer\") to each client's exit; a host counts only when it exited 0 with a "
                  f"bit-exact copy. The slow link alone: {human(size)} / its payload rate = {slow_ideal:.1f} s")
    return notes


def print_drop(runs: list[Outcome], baseline: list[Outcome], rate: str, size: int, repeat: int) -> list[str]:
    table = Table(title=f"--slow-clients drop:{rate}, one host at 10 Mbit/s, three at 100 Mbit/s, {human(size)}"
                        f"{'' if repeat == 1 else f'; median of {repeat} runs'}")
    for col in ("tool", "slow host\ndropped after s", "fast hosts s\n(last of 3)", "without the\nslow host s",
                "master's reason", "the slow host says", "targets"):
        words = col in ("tool", "master's reason", "the slow host says", "targets")
        table.add_column(col, justify="left" if words else "right", max_width=44 if words else None)
    dropped = median([r.dropped_after for r in runs])
    fast, base = median([r.fast_time() for r in runs]), median([r.fast_time() for r in baseline])
    last = runs[len(runs) // 2] if runs else Outcome("imgcast", "")
    said = last.stderr.get(SLOW, "")
    both = bool(last.drop_reason) and last.status.get(SLOW) not in (0, None) and "drop" in said.lower()
    targets = [mark(dropped is not None and dropped <= DROP_TARGET, f"dropped ≤{DROP_TARGET:g} s"),
               mark(both, "the reason on both sides"),
               mark(None if base is None else (fast is not None and fast <= FAST_TARGET * base),
                    f"fast ≤{FAST_TARGET:g}x without the slow host")]
    table.add_row("imgcast", secs(dropped) if dropped is not None else "[red]not dropped[/red]", secs(fast),
                  secs(base) if baseline else "-", last.drop_reason or "-", said or "-", "\n".join(targets))
    if repeat > 1:
        table.add_row("  min-max", spread([r.dropped_after for r in runs]), spread([r.fast_time() for r in runs]),
                      "", "", "", "")
    table.add_row("udpcast", "n/a", "", "", "", "", "no drop policy (its receivers all go at the slowest pace)")
    console.print(table)
    return _errors(runs, expected=SLOW)


def print_late(runs: list[Outcome], ideal: float, size: int, after: float, repeat: int) -> list[str]:
    table = Table(title=f"A late joiner, {after:g} s after the transfer began, 100 Mbit/s, {human(size)}"
                        f"{'' if repeat == 1 else f'; median of {repeat} runs'}")
    for col in ("tool", "late joiner s\n(its start -> exit)", "/ image at\nlink payload rate", "master said\nlate=true",
                "on-time hosts s\n(last of 3)", "targets"):
        table.add_column(col, justify="left" if col in ("tool", "targets") else "right")
    late = median([r.late_seconds for r in runs])
    ratio = late / ideal if late is not None else None
    flagged = f"{sum(bool(r.late_flag) for r in runs)}/{len(runs)}"
    table.add_row("imgcast", secs(late), f"{ratio:.2f}x" if ratio else "-", flagged,
                  secs(median([r.fast_time() for r in runs])),
                  mark(ratio is not None and ratio <= LATE_TARGET,
                       f"≤{LATE_TARGET:g}x ({LATE_TARGET * ideal:.1f} s), bit-exact, same session"))
    if repeat > 1:
        table.add_row("  min-max", spread([r.late_seconds for r in runs]), "", "", spread([r.fast_time() for r in runs]), "")
    table.add_row("udpcast", "n/a", "", "", "", "a receiver that comes late waits for the next session")
    console.print(table)
    console.print(f"  image at the link's payload rate: {human(size)} / {size / ideal / 1e6:.2f} MB/s = {ideal:.1f} s")
    return _errors(runs)


# --- main -------------------------------------------------------------------------------------

def run(args: argparse.Namespace, rows: list[str], rig_module: Any) -> None:
    HostSpec, Rig = rig_module.HostSpec, rig_module.Rig  # noqa: N806 (the classes)
    have_udpcast = bool(shutil.which("udp-sender") and shutil.which("udp-receiver"))
    folder = scratch_dir(args.size * 6 + args.late_size * 6)
    console.print(f"bench_slow: {', '.join(rows)}; repeat {args.repeat}; load average before: "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs; "
                  f"imgcast at {_revision()}")
    notes: list[str] = []
    try:
        if "slow" in rows or "drop" in rows:
            specs = [HostSpec("master"), *(HostSpec(h) for h in FAST), HostSpec(SLOW, rate="10mbit")]
            with Rig(specs) as rig:
                lab = SlowLab(rig, folder, args, rig_module.read_fault_stats)
                slow_ideal = args.size / rig.payload_rate(SLOW)
                everyone, fast = [*FAST, SLOW], list(FAST)
                runs: dict[tuple[str, str], list[Outcome]] = {}
                drops: list[Outcome] = []
                for _ in range(args.repeat):  # alternate, so the shared host's load hits every kind alike
                    plan = [("imgcast", "baseline", fast, ())]
                    if "slow" in rows:
                        plan.insert(0, ("imgcast", "catch-up", everyone, ("--slow-clients", "catch-up")))
                        if have_udpcast:
                            plan += [("udpcast", "catch-up", everyone, ()), ("udpcast", "baseline", fast, ())]
                    if "drop" in rows:
                        plan.append(("imgcast", f"drop:{args.drop_rate}", everyone,
                                     ("--slow-clients", f"drop:{args.drop_rate}")))
                    for tool, label, hosts, options in plan:
                        out = lab.session(tool, label, hosts, args.size, options, limit=args.timeout)
                        (drops if label.startswith("drop") else runs.setdefault((tool, label), [])).append(out)
                        _progress(out)
                if "slow" in rows:
                    notes += print_slow(runs, slow_ideal, args.size, args.repeat)
                if "drop" in rows:
                    notes += print_drop(drops, runs.get(("imgcast", "baseline"), []), args.drop_rate, args.size,
                                        args.repeat)
        if "late" in rows:
            with Rig([HostSpec("master"), *(HostSpec(h) for h in (*FAST, SLOW))]) as rig:
                lab = SlowLab(rig, folder, args, rig_module.read_fault_stats)
                late_runs = []
                for _ in range(args.repeat):
                    out = lab.session("imgcast", "late", list(FAST), args.late_size, late=SLOW,
                                      late_after=args.late_after, limit=args.timeout)
                    late_runs.append(out)
                    _progress(out)
                notes += print_late(late_runs, args.late_size / rig.payload_rate(SLOW), args.late_size,
                                    args.late_after, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for note in notes:
        console.print(f"  [red]{note}[/red]")
    console.print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _revision() -> str:
    done = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True,
                          timeout=10, check=False)
    return done.stdout.strip()[:90] or "an unknown revision"


def _progress(out: Outcome) -> None:
    times = " ".join(f"{h} {t:.1f}" if t is not None else f"{h} -" for h, t in out.exits.items())
    extra = f", dropped after {out.dropped_after:.1f} s" if out.dropped_after is not None else ""
    extra += f", late joiner {out.late_seconds:.1f} s from its start" if out.late_seconds is not None else ""
    ok = sum(out.verified.values())
    console.print(f"  [dim]{out.tool} {out.label}: {times}{extra}; {ok}/{len(out.verified)} verified"
                  f"{'; ' + out.error if out.error else ''}[/dim]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated rows: {', '.join(ROWS)} (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; medians count (default 3)")
    parser.add_argument("--size", type=size_argument, default=32 * MiB, help="image of slow and drop (default 32M)")
    parser.add_argument("--late-size", type=size_argument, default=64 * MiB, help="image of late (default 64M)")
    parser.add_argument("--late-after", type=float, default=2.0, help="seconds into the transfer the late one starts")
    parser.add_argument("--drop-rate", default="5M", help="RATE of --slow-clients drop:RATE (bytes/s, default 5M)")
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds before a session is killed (150)")
    parser.add_argument("--udpcast-bitrate", metavar="RATE", help="pass --max-bitrate RATE to udp-sender")
    parser.add_argument("--logs", metavar="DIR", help="keep every process's output (stdout, stderr) in DIR")
    args = parser.parse_args(argv)
    rows = [t.strip().lower() for t in (args.only or ",".join(ROWS)).split(",") if t.strip()]
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"--only {','.join(unknown)}: use {', '.join(ROWS)}")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    if os.geteuid() != 0:
        print("bench_slow: needs root: the rig (tests/net/rig.py) builds network namespaces", file=sys.stderr)
        return 2
    compile_bytecode()
    sys.path.insert(0, str(REPO / "tests" / "net"))
    import rig as rig_module  # the tests' own LAN on one machine

    reason = rig_module.rig_unavailable()
    if reason:
        print(f"bench_slow: {reason}", file=sys.stderr)
        return 2
    try:
        run(args, rows, rig_module)
    except (BenchError, OSError, subprocess.SubprocessError, rig_module.RigError) as error:
        console.print(f"[red]bench_slow: {error}[/red]")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
