"""How fast, how lean and how chatty a session is: the table issue 2 asks for.

    .venv/bin/python bench/bench_session.py [--size 256M] [--big] [--only loopback|sim|big]

1. Loopback, real processes: `img session` master + 1 and 3 clients, and udpcast moving the
   same file in the same run. Goodput is bytes / whole-session wall time (first process
   started -> last receiver exited with its copy verified), every target checked bit for bit.
2. Simulator (virtual time; goodput means nothing there): repair datagrams per lost datagram,
   repair traffic as % of the image, feedback datagrams per slice, at 0 %, 1 % and 10 % loss.
3. With --big: peak RSS of master and client moving a 4 GiB sparse source over loopback.

Nothing leaves the machine: when run as root the whole benchmark re-runs itself inside a
fresh network namespace holding only `lo`; otherwise it stays on 127.0.0.1 with TTL 0.
This prints a table; it asserts nothing (tests/ does that).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from common import (
    BenchError,
    Child,
    GiB,
    MiB,
    RunResult,
    build_reuseaddr_shim,
    compile_bytecode,
    file_sha256,
    human,
    in_private_netns,
    kill,
    only_loopback_up,
    parse_size,
    prepare_private_netns,
    random_file,
    reexec_in_private_netns,
    scratch_dir,
    spawn,
    wait_all,
)
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
IMG = [sys.executable, "-m", "imgcast.engine.cli.main"]
UDPCAST_RDV = "239.255.77.1"  # administratively scoped groups, and TTL 0: never routed anywhere
UDPCAST_DATA = "239.255.77.2"
TARGETS = {"goodput_1": 250.0, "goodput_3": 150.0, "ratio": 2.0, "rss_mb": 200.0}

console = Console(width=None if sys.stdout.isatty() else 200)


# --- 1. loopback: real processes ----------------------------------------------------------

@dataclass
class Loopback:
    folder: Path
    source: Path
    sha256: str
    size: int
    netns: bool
    shim: Path | None
    port: int
    timeout: float
    mtu: int | None = None  # imgcast's --mtu; None: its blocks fit lo's MTU (64 KiB datagrams)

    def img_session(self, clients: int, source: Path | None = None, size: int | None = None,
                    sha256: str | None = None, profile: Path | None = None) -> RunResult:
        """img session master + N clients as separate processes, all on 127.0.0.1, TTL 0."""
        source = source or self.source
        size = size or self.size
        result = RunResult("imgcast", clients, size)
        name = f"bench-{os.getpid()}-{random.randrange(1 << 30)}"
        net = ["--interface", "127.0.0.1", "--ttl", "0", "--port", str(self.port), "--json"]
        mtu = ["--mtu", str(self.mtu)] if self.mtu else []
        targets = [self.folder / f"img-target-{i}.bin" for i in range(clients)]
        children: list[Child] = []
        try:
            children.append(spawn("img-master", [*sampled(profile, "master"), *IMG, "session", name, "master",
                                                 f"clients={clients}", f"from={source}", *mtu, *net], self.folder))
            for i, target in enumerate(targets):
                children.append(spawn(f"img-client-{i}", [*sampled(profile, f"client-{i}"), *IMG, "session", name,
                                                          "client", f"to={target}", *net], self.folder))
            wait_all(children, self.timeout)
            master, receivers = children[0], children[1:]
            result.wall = max(c.ended for c in receivers) - master.started  # type: ignore[type-var]
            result.master_cpu, result.master_rss = master.cpu, master.peak_rss
            result.client_cpu = max(c.cpu for c in receivers)
            result.client_rss = max(c.peak_rss for c in receivers)
            result.transfer = img_transfer_seconds(master.output())
            result.notes.append(_img_losses(master.output()))
            _judge(result, children, targets, sha256 or self.sha256)
        finally:
            clean_up_run(children, targets)
        return result

    def udpcast(self, clients: int) -> RunResult:
        """udp-sender + N udp-receivers, multicast (never point-to-point) on lo, TTL 0."""
        result = RunResult("udpcast", clients, self.size)
        if clients > 1 and not (self.netns and self.shim):
            result.error = "needs root (a private network namespace) and a C compiler for several receivers"
            return result
        common = ["--nokbd", "--ttl", "0", "--mcast-rdv-address", UDPCAST_RDV, "--portbase", str(self.port + 100)]
        targets = [self.folder / f"udp-target-{i}.bin" for i in range(clients)]
        env = dict(os.environ)
        if clients > 1 and self.shim:
            env["LD_PRELOAD"] = str(self.shim)
        children: list[Child] = []
        try:
            sender_if = "127.0.0.1" if self.netns else "lo"
            children.append(spawn("udp-sender", [
                "udp-sender", "--file", str(self.source), "--interface", sender_if, "--min-receivers", str(clients),
                "--mcast-data-address", UDPCAST_DATA, "--nopointopoint", *common], self.folder, env))
            time.sleep(0.05)  # the sender must listen before receivers ask (they do not retry fast)
            for i, target in enumerate(targets):
                receiver_if = f"127.0.0.{2 + i}" if self.netns else "lo"
                children.append(spawn(f"udp-receiver-{i}", [
                    "udp-receiver", "--file", str(target), "--interface", receiver_if, *common], self.folder, env))
            wait_all(children, self.timeout)
            sender, receivers = children[0], children[1:]
            result.wall = max(c.ended for c in receivers) - sender.started  # type: ignore[type-var]
            result.master_cpu, result.master_rss = sender.cpu, sender.peak_rss
            result.client_cpu = max(c.cpu for c in receivers)
            result.client_rss = max(c.peak_rss for c in receivers)
            rates = [udpcast_rate(c.errors() + c.output()) for c in receivers]
            if all(rates):
                result.transfer = self.size / min(rates)  # type: ignore[type-var]
            _judge(result, children, targets, self.sha256)
        finally:
            clean_up_run(children, targets)
        return result


def _judge(result: RunResult, children: list, targets: list[Path], sha256: str) -> None:
    """Every copy checked against the source; the first process failure, or the copies that differ."""
    problems = [p for c in children if (p := c.failure())]
    result.verified = verified_copies(targets, sha256)
    if problems:
        result.error = problems[0]
    elif result.verified != result.clients:
        result.error = f"{result.clients - result.verified} target(s) differ from the source"


def clean_up_run(children: list, targets: list[Path]) -> None:
    for child in children:
        if child.ended is None:
            kill(child)
    for target in targets:
        target.unlink(missing_ok=True)


def sampled(profile: Path | None, who: str) -> list[str]:
    """The py-spy prefix that samples one process (all threads, C frames hidden), or nothing."""
    if profile is None:
        return []
    return [_py_spy() or "py-spy", "record", "--rate", "500", "--format", "raw", "--threads", "--output", str(profile / f"{who}.txt"),
            "--"]


def _py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"  # installed into the venv
    return str(beside) if beside.exists() else shutil.which("py-spy")


def summarize_profile(path: Path, top: int = 14) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """py-spy's collapsed stacks -> (self share, inclusive share) of the busiest functions.

    Samples of a thread waiting (epoll, queue get, sleep) are dropped, so shares are of busy time.
    """
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    idle_files = ("(threading.py:", "(selectors.py:", "(queue.py:", "futures/thread.py:")
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [f for f in stack.split(";") if f and not f.startswith("thread (") and not f.startswith("process ")]
        if not frames or any(name in frames[-1] for name in idle_files):
            continue  # a thread waiting (epoll, a queue, a lock): not work
        count = int(count_text)
        total += count
        leaf = _frame_name(frames[-1])
        own[leaf] = own.get(leaf, 0) + count
        for name in {_frame_name(f) for f in frames if "(engine/" in f and "/cli/" not in f}:
            inclusive[name] = inclusive.get(name, 0) + count  # our code only: the rest is plumbing
    if not total:
        return [], []
    def rank(table: dict[str, int]) -> list[tuple[str, float]]:
        return [(k, v / total) for k, v in sorted(table.items(), key=lambda kv: -kv[1])[:top]]
    return rank(own), rank(inclusive)


def _frame_name(frame: str) -> str:
    """'_on_block (imgcast/engine/protocol/client.py:312)' -> '_on_block (protocol/client.py)'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    parts = where.split("/")
    return f"{name} ({'/'.join(parts[-2:])})" if where else name


def run_profile(args: argparse.Namespace) -> None:
    if not _py_spy():
        raise BenchError("--profile needs py-spy on PATH (pip install py-spy)")
    out = Path(args.profile)
    out.mkdir(parents=True, exist_ok=True)
    folder = scratch_dir(args.size * 3)
    try:
        source = folder / "source.bin"
        sha = random_file(source, args.size)
        lab = Loopback(folder, source, sha, args.size, in_private_netns(), None, args.port + 20, args.timeout)
        r = lab.img_session(1, profile=out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    console.print(f"Profile of a 1-client loopback session ({human(args.size)}; sampled, so slower than the table): "
                  f"{'verified' if r.verified == 1 else r.error}; raw stacks in {out}/")
    for who in ("master", "client-0"):
        path = out / f"{who}.txt"
        if not path.exists():
            console.print(f"  [red]no profile for {who}[/red]")
            continue
        own, inclusive = summarize_profile(path)
        table = Table(title=f"{who}: where the busy samples go (all threads)")
        table.add_column("self %", justify="right")
        table.add_column("function (self)")
        table.add_column("incl. %", justify="right")
        table.add_column("function (inclusive)")
        for i in range(max(len(own), len(inclusive))):
            a = own[i] if i < len(own) else ("", 0.0)
            b = inclusive[i] if i < len(inclusive) else ("", 0.0)
            table.add_row(f"{a[1]:.0%}" if a[0] else "", a[0], f"{b[1]:.0%}" if b[0] else "", b[0])
        console.print(table)


def _img_losses(output: str) -> str:
    """'lost/repairs' from the master's last progress event: did starved clients drop datagrams?"""
    for line in reversed(output.splitlines()):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "progress":
            return f"{event.get('lost', 0)}/{event.get('repairs', 0)}"
    return ""


def img_transfer_seconds(output: str) -> float | None:
    for line in reversed(output.splitlines()):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "session_finished":
            return float(event.get("seconds") or 0) or None
    return None


def udpcast_rate(log: str) -> float | None:
    """udp-receiver's last progress line, '(435.24 Mbps)': its average since data started, bytes/s."""
    found = re.findall(r"\(\s*([0-9.]+) Mbps\)", log)
    return float(found[-1]) * 1e6 / 8 if found else None


def verified_copies(targets: list[Path], sha256: str) -> int:
    return sum(1 for t in targets if t.exists() and file_sha256(t) == sha256)


def run_loopback(args: argparse.Namespace) -> None:
    size = args.size
    folder = scratch_dir(size * 5)
    try:
        source = folder / "source.bin"
        sha = random_file(source, size)
        shim = build_reuseaddr_shim(folder) if shutil.which("udp-sender") else None
        lab = Loopback(folder, source, sha, size, in_private_netns(), shim, args.port, args.timeout, args.mtu)
        have_udpcast = bool(shutil.which("udp-sender") and shutil.which("udp-receiver"))
        rows: list[tuple[list[RunResult], list[RunResult]]] = []
        for clients in (1, 3):
            img_runs: list[RunResult] = []
            udp_runs: list[RunResult] = []
            for _ in range(args.repeat):  # alternate the tools, so load on this shared machine hits both
                img_runs.append(lab.img_session(clients))
                if have_udpcast:
                    udp_runs.append(lab.udpcast(clients))
            rows.append((img_runs, udp_runs))
        _print_loopback(rows, size, folder, args.repeat, args.mtu)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Figures each taken as their own median: the CPU of the one run that had the median goodput
# is a single sample, and a slow first start-up in three runs could set it.
OWN_MEDIANS = ("transfer", "master_cpu", "client_cpu", "master_rss", "client_rss", "cpu")


def median_of(runs: list[RunResult]) -> RunResult | None:
    """The run with the median goodput (the lower middle one for an even count), with its
    transfer time, CPU and memory replaced by each one's own median over the runs."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: r.goodput)
    chosen = ordered[(len(ordered) - 1) // 2]
    counted = [r for r in runs if r.goodput] or runs
    own = {}
    for name in OWN_MEDIANS:
        values = [getattr(r, name) for r in counted if getattr(r, name, None)]
        if values and hasattr(chosen, name):
            own[name] = type(values[0])(statistics.median(values))
    return replace(chosen, **own)


def _spread(runs: list[RunResult]) -> str:
    if len(runs) < 2:
        return ""
    values = sorted(r.goodput for r in runs)
    return f"{values[0]:.0f}-{values[-1]:.0f}"


def _mb(value: float) -> str:
    return f"{value:.1f}" if value else "-"


def _print_loopback(rows: list[tuple[list[RunResult], list[RunResult]]], size: int, folder: Path,
                    repeat: int, mtu: int | None = None) -> None:
    blocks = (f"imgcast --mtu {mtu}" if mtu else "imgcast's blocks fit lo's MTU (64 KiB datagrams)")
    table = Table(title=f"Loopback, real processes: {human(size)} random file; {blocks}, udpcast its "
                        "default 1456-byte blocks"
                        f"{'' if repeat == 1 else f', medians of {repeat} runs (goodput: the middle run; transfer, CPU and RSS each their own)'}")
    columns = ["clients", "tool", "goodput MB/s\n(whole session)", "transfer MB/s\n(tool's own clock)", "wall s",
               "imgcast/udpcast\nwhole / transfer", "target", "master CPU\ns per GiB", "client CPU\ns per GiB",
               "master peak\nRSS MB", "client peak\nRSS MB", "lost/repair\ndatagrams", "verified"]
    if repeat > 1:
        columns.insert(3, "goodput\nmin-max")
    for col in columns:
        table.add_column(col, justify="left" if col == "tool" else "right")
    notes = []
    for img_runs, udp_runs in rows:
        img, udp = median_of(img_runs), median_of(udp_runs)
        assert img is not None
        target = TARGETS["goodput_1"] if img.clients == 1 else TARGETS["goodput_3"]
        ratio = img.goodput / udp.goodput if udp and udp.goodput and img.goodput else 0.0
        ratio_transfer = (udp.transfer / img.transfer) if udp and udp.transfer and img.transfer else 0.0
        for r, runs in ((img, img_runs), (udp, udp_runs)):
            if r is None:
                continue
            gib = r.size / GiB
            cells = [
                str(r.clients), r.tool, _mb(r.goodput),
                _mb(r.size / r.transfer / 1e6) if r.transfer else "",
                f"{r.wall:.2f}" if r.wall else "-",
                (f"{ratio:.2f}x / {ratio_transfer:.2f}x" if r is img and ratio else ""),
                (f"{'met' if r.goodput >= target else 'NOT met'} (≥{target:g})" if r is img else ""),
                f"{r.master_cpu / gib:.2f}" if r.master_cpu else "-",
                f"{r.client_cpu / gib:.2f}" if r.client_cpu else "-",
                f"{r.master_rss / 1e6:.0f}" if r.master_rss else "-",
                f"{r.client_rss / 1e6:.0f}" if r.client_rss else "-",
                r.notes[0] if r.notes else "",
                f"{r.verified}/{r.clients}",
            ]
            if repeat > 1:
                cells.insert(3, _spread(runs))
            table.add_row(*cells)
            notes += [f"{x.tool} x{x.clients}: {x.error}" for x in runs if x.error]
    console.print(table)
    where = "a private network namespace (only lo exists)" if in_private_netns() else "the host's loopback, TTL 0"
    console.print(f"  ran in {where}; files on {folder.parent}; load average before: "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    console.print("  goodput = bytes / (first process started -> last receiver exited, copy verified), "
                  f"target ≥{TARGETS['ratio']:g}x udpcast; transfer = the tool's own clock (imgcast: master's "
                  "session_finished seconds; udpcast: the slowest receiver's own average), lobby and exit waits "
                  "excluded; udpcast's defaults cost ~2 s before data flows and 0.5 s exit-wait; lost/repair: what "
                  "imgcast's master heard reported lost and the repair datagrams it sent")
    for note in notes:
        console.print(f"  [red]{note}[/red]")


# --- 2. simulator -------------------------------------------------------------------------

@dataclass
class SimResult:
    clients: int
    loss: float
    size: int
    slices: int
    data: int
    repairs: int
    lost: int  # datagrams the links dropped on their way to clients (data + parity), all clients
    feedback: int  # datagrams the master received while sending (TransferStarted -> last block)
    naks: int
    verified: int
    virtual: float
    seconds: float
    error: str | None = None


def sim_session(clients: int, loss: float, size: int, seed: int) -> SimResult:
    """One master and `clients` clients on the simulated LAN, every link losing `loss`."""
    sys.path.insert(0, str(REPO / "tests"))
    from imgcast.engine.protocol.master import Phase
    from simnet import Link, SimNetwork  # the tests' own simulator: the same machines, virtual time

    data = random.Random(seed).randbytes(size)
    started = time.monotonic()
    net = SimNetwork(seed=seed)
    master = net.add_master("master", data, wanted=clients, link=Link(loss=loss))
    nodes = [net.add_client(f"client-{i}", link=Link(loss=loss)) for i in range(clients)]
    blocks_in = [0] * clients
    for i, node in enumerate(nodes):
        node.machine.receive_datagram = _counting(node.machine.receive_datagram, blocks_in, i)
    m = master.machine
    result = SimResult(clients, loss, size, math.ceil(size / m.config.slice_bytes), 0, 0, 0, 0, 0, 0, 0.0, 0.0)
    try:
        net.run(lambda: m.phase is not Phase.LOBBY, max_time=30)
        feedback0, naks0, t0 = m.stats.feedback_datagrams, m.stats.naks, net.now
        net.run(lambda: m.phase in (Phase.ENDING, Phase.CLOSED), max_time=600)
        result.feedback = m.stats.feedback_datagrams - feedback0
        result.naks = m.stats.naks - naks0
        result.virtual = net.now - t0
        net.run(lambda: m.closed and all(n.machine.closed for n in nodes), max_time=900)
    except AssertionError as error:
        result.error = str(error).splitlines()[0]
    sent_blocks = m.stats.data_datagrams + m.stats.repair_datagrams
    result.data, result.repairs = m.stats.data_datagrams, m.stats.repair_datagrams
    result.lost = sum(sent_blocks - got for got in blocks_in)
    result.verified = sum(1 for n in nodes if bytes(n.written) == data)
    result.seconds = time.monotonic() - started
    return result


def _counting(receive, counts: list[int], i: int):
    """Wrap a client's receive to count the data and parity blocks that reached it."""
    from imgcast.engine import wire

    kinds = (int(wire.Kind.DATA), int(wire.Kind.PARITY))

    def counted(data, address, now):
        if len(data) > 5 and data[5] in kinds:
            counts[i] += 1
        return receive(data, address, now)

    return counted


def run_sim(args: argparse.Namespace) -> None:
    table = Table(title="Simulator (virtual clock): repair and feedback, every link losing independently")
    for col in ("clients", "loss", "image", "slices", "data\ndatagrams", "lost\n(all clients)", "repair\ndatagrams",
                "repair per\nlost datagram", "repair traffic\n% of image", "feedback per slice\n(during transfer)",
                "of which\nNAKs", "verified", "real s"):
        table.add_column(col, justify="right")
    notes = []
    plan = [(n, loss) for n in (10, 50, 200) for loss in (0.0, 0.01, 0.10)]
    for clients, loss in plan:
        size = args.sim_size if clients < 200 else args.sim_size_200
        r = sim_session(clients, loss, size, seed=args.seed)
        percent = r.repairs * (r.size / r.data if r.data else 0) / r.size * 100 if r.size else 0
        flag = ""
        if clients == 200 and loss == 0.01:
            flag = " (<10)" if percent < 10 else " [red](≥10)[/red]"
        table.add_row(
            str(clients), f"{loss:.0%}", human(size), str(r.slices), str(r.data), str(r.lost), str(r.repairs),
            f"{r.repairs / r.lost:.3f}" if r.lost else "-", f"{percent:.2f}{flag}",
            f"{r.feedback / r.slices:.2f}", f"{r.naks / r.slices:.2f}", f"{r.verified}/{clients}", f"{r.seconds:.1f}",
        )
        if r.error:
            notes.append(f"{clients} clients at {loss:.0%}: {r.error}")
        if console.is_terminal:
            console.print(f"  [dim]sim {clients} clients {loss:.0%}: {r.seconds:.1f} s[/dim]", end="\r")
    console.print(table)
    console.print(f"  image sizes: {human(args.sim_size)} for 10 and 50 clients, {human(args.sim_size_200)} for 200 "
                  "(to stay near a minute of real time per row); lost = data+parity blocks the links dropped on the "
                  "way to clients, summed over clients; feedback = datagrams the master received between the start "
                  "and its last block (reports, NAKs), divided by the slices")
    for note in notes:
        console.print(f"  [red]{note}[/red]")


# --- 3. memory bound ----------------------------------------------------------------------

def run_big(args: argparse.Namespace) -> None:
    size = 4 * GiB
    folder = scratch_dir(size + 512 * MiB)  # the client's copy is real bytes; the source is sparse
    try:
        source = folder / f"{args.big_data}-4g.bin"
        if args.big_data == "random":
            sha = random_file(source, size)
        else:
            with open(source, "wb") as f:
                f.truncate(size)
            sha = _sha256_of_zeros(size)
        lab = Loopback(folder, source, sha, size, in_private_netns(), None, args.port + 10, max(args.timeout, 600))
        r = lab.img_session(1)
        table = Table(title=f"Memory bound: 4 GiB {args.big_data} source over loopback, 1 client")
        for col in ("master peak RSS MB", "client peak RSS MB", "target", "goodput MB/s", "transfer MB/s", "wall s",
                    "verified"):
            table.add_column(col, justify="right")
        worst = max(r.master_rss, r.client_rss) / 1e6
        table.add_row(f"{r.master_rss / 1e6:.0f}", f"{r.client_rss / 1e6:.0f}",
                      f"{'met' if worst < TARGETS['rss_mb'] and not r.error else 'NOT met'} (<{TARGETS['rss_mb']:g})",
                      _mb(r.goodput), _mb(r.size / r.transfer / 1e6) if r.transfer else "-", f"{r.wall:.1f}",
                      f"{r.verified}/1")
        console.print(table)
        if r.error:
            console.print(f"  [red]{r.error}[/red]")
        if r.transfer and size / r.transfer > 5e9:
            console.print("  [yellow]the image stream skips zero runs, so a sparse source moves almost no bytes and "
                          "loads no memory: run with --big-data random to measure the bound under load[/yellow]")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sha256_of_zeros(size: int) -> str:
    import hashlib

    digest, block = hashlib.sha256(), bytes(4 * MiB)
    for _ in range(size // len(block)):
        digest.update(block)
    digest.update(bytes(size % len(block)))
    return digest.hexdigest()


# --- main ---------------------------------------------------------------------------------

def size_argument(text: str) -> int:
    try:
        return parse_size(text)
    except BenchError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=size_argument, default=256 * MiB, help="loopback image (default 256M)")
    parser.add_argument("--big", action="store_true", help="also measure RSS moving a 4 GiB sparse source")
    parser.add_argument("--big-data", choices=("sparse", "random"), default="sparse",
                        help="--big's 4 GiB source: a sparse file (truncate) or random bytes")
    parser.add_argument("--only", choices=("loopback", "sim", "big"), help="run one part only")
    parser.add_argument("--repeat", type=int, default=1, help="loopback runs per row; the median counts, min-max shown")
    parser.add_argument("--sim-size", type=size_argument, default=16 * MiB, help="sim image, 10/50 clients")
    parser.add_argument("--sim-size-200", type=size_argument, default=8 * MiB, help="sim image, 200 clients")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="DIR", help="instead: sample master and client with py-spy, print hot spots")
    parser.add_argument("--mtu", type=int, help="loopback: give imgcast's master --mtu N (1500: datagrams "
                        "the size udpcast's), instead of fitting lo's MTU of 65536")
    parser.add_argument("--port", type=int, default=19231, help="UDP port for imgcast (udpcast gets +100)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a loopback run is killed")
    args = parser.parse_args(argv)
    if args.size < MiB:
        parser.error("--size: at least 1M")
    reexec_in_private_netns()  # returns only when it cannot isolate us
    compile_bytecode()
    if in_private_netns():
        prepare_private_netns(extra_addresses=3)
        if not only_loopback_up():
            console.print("[red]the private network namespace has more than lo up; refusing to run[/red]")
            return 1
    parts = [args.only] if args.only else ["loopback", "sim"] + (["big"] if args.big else [])
    if args.profile:
        parts = ["profile"]
    try:
        for part in parts:
            {"loopback": run_loopback, "sim": run_sim, "big": run_big, "profile": run_profile}[part](args)
    except (BenchError, OSError, subprocess.SubprocessError) as error:
        console.print(f"[red]bench: {error}[/red]")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
