"""imgcast and udpcast on the same emulated LAN, in the same run: the table of issue 9.

    sudo .venv/bin/python bench/bench_rig.py [--size 64M] [--repeat N] [--only 100M,1G:5,zero,share,tcp,sim]

Loopback (bench_session.py) has no link rate, so it shows CPU cost, not how a tool uses a
real link. Here every host is a network namespace of tests/net/rig.py with a `tc tbf`
shaped link to a bridge, and loss comes from the rig's receive-side LD_PRELOAD shim, loaded
into the receivers of both tools alike. Rows (ids for --only):

  100M:0 100M:1 100M:5 100M:10   100 Mbit/s, master + 4 clients, random file, loss 0/1/5/10 %
  1G:0 1G:1 1G:5 1G:10           1 Gbit/s, master + 1 client, 4 x --size, loss 0/1/5/10 %
  mtu:1500 mtu:9000              1 Gbit/s, master + 4 clients, 4 x --size, MTU 1500 vs jumbo frames
                                 (udpcast's blocks stay at its maximum, 1456 bytes, on both)
  zero                           a 70 %-zero disk-like file, 100 Mbit/s x 4 (imgcast skips zero runs)
  share                          two imgcast sessions at once on the master's 100 Mbit/s uplink
  tcp                            one TCP flow beside an imgcast session on that uplink
  sim                            tests/simnet.py, 1000 clients at 1 % loss (no rig; virtual time)

It needs root (the rig builds namespaces); without it, it says why and exits 2. It prints
tables and asserts nothing (tests/ does that).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_session import (
    IMG,
    UDPCAST_DATA,
    UDPCAST_RDV,
    SimResult,
    clean_up_run,
    img_transfer_seconds,
    median_of,
    sampled,
    sim_session,
    size_argument,
    udpcast_rate,
    verified_copies,
)
from common import (
    BenchError,
    Child,
    LineWatcher,
    MiB,
    RunResult,
    compile_bytecode,
    human,
    kill,
    mostly_zero_file,
    random_file,
    scratch_dir,
    spawn,
    wait_all,
)
from rich.console import Console
from rich.table import Table

FAULT_MIN_SIZE = 512  # bytes: datagrams smaller than this (control) pass the loss shim unharmed
REPO = Path(__file__).resolve().parent.parent
UDPCAST_PORTBASE = 9000  # the rig's namespaces are private, so fixed ports clash with nobody
TCP_PORT = 5001
TCP_ALONE_SECONDS = 3.0  # the TCP flow runs alone this long first: its rate on an idle link
LOSSES = (0.0, 0.01, 0.05, 0.10)
LANS = {"100M": ("100mbit", 4, 1500), "1G": ("1gbit", 1, 1500), "1Gx4": ("1gbit", 4, 1500),
        "1Gx4J": ("1gbit", 4, 9000)}  # rig: link rate, clients, MTU

# Targets of issue 9: imgcast / udpcast whole-session goodput, per row and loss
RATIO_TARGETS = {"100M": {0.0: 1.0, 0.01: 1.15, 0.05: 1.25}, "1G": {0.0: 1.0, 0.05: 1.3},
                 "1Gx4J": {0.0: 1.0}}  # issue 10: at MTU 9000, at least udpcast (which stays at 1456-byte blocks)
JUMBO_TARGET = 2.0  # issue 10: imgcast's goodput at MTU 9000 over its own at MTU 1500
CPU_TARGET = 2.0  # imgcast's CPU seconds at most this many times udpcast's
SHARE_TARGET = 0.35  # each of two sessions on one uplink
TCP_TARGET = 0.25  # a TCP flow beside a session keeps this share of the link

console = Console(width=None if sys.stdout.isatty() else 220)


def transfer_target(lan: str, loss: float) -> float | None:
    """The least transfer goodput, as a fraction of the link's payload rate (100M x 4 only)."""
    if lan != "100M":
        return None
    return (0.9 if loss <= 0.05 else 0.75) * (1 - loss)


# --- the rows -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One line of the benchmark: which LAN, how many clients, what file, how much loss."""

    id: str
    kind: str  # "compare" (both tools), "share", "tcp", "sim"
    lan: str  # a key of LANS: which rig; "" for the simulator
    clients: int
    loss: float
    size: int
    source: str = "random"  # "random" or "zero70"

    @property
    def seed(self) -> int:
        """The shim's seed for this row: fixed, so both tools (and every repeat) draw alike."""
        return zlib.crc32(self.id.encode()) & 0x7FFFFFFF


def all_rows(size: int, sim_clients: int, sim_size: int) -> list[Row]:
    rows = [Row(f"100M:{round(p * 100)}", "compare", "100M", 4, p, size) for p in LOSSES]
    rows += [Row(f"1G:{round(p * 100)}", "compare", "1G", 1, p, 4 * size) for p in LOSSES]
    rows += [Row(f"mtu:{mtu}", "compare", lan, 4, 0.0, 4 * size) for mtu, lan in ((1500, "1Gx4"), (9000, "1Gx4J"))]
    rows += [Row("zero", "compare", "100M", 4, 0.0, size, "zero70"),
             Row("share", "share", "100M", 4, 0.0, size),
             Row("tcp", "tcp", "100M", 4, 0.0, size),
             Row("sim", "sim", "", sim_clients, 0.01, sim_size)]
    return rows


def select_rows(rows: list[Row], only: str | None) -> list[Row]:
    """--only 100M,1G:5,tcp: a token names a row id or a group (the part before ':')."""
    if not only:
        return rows
    tokens = [t.strip().lower() for t in only.split(",") if t.strip()]
    known = {r.id.lower() for r in rows} | {r.id.split(":")[0].lower() for r in rows}
    unknown = [t for t in tokens if t not in known]
    if unknown:
        raise BenchError(f"--only {','.join(unknown)}: unknown; use one of {', '.join(r.id for r in rows)} "
                         "or a group (100M, 1G)")
    return [r for r in rows if r.id.lower() in tokens or r.id.split(":")[0].lower() in tokens]


def lan_specs(lan: str, host_spec: Callable[..., Any]) -> list[Any]:
    """The rig's hosts: 'master' and c1..cN, every link at the LAN's rate (both directions)."""
    rate, clients, mtu = LANS[lan]
    return [host_spec("master", rate=rate, mtu=mtu),
            *(host_spec(f"c{i}", rate=rate, mtu=mtu) for i in range(1, clients + 1))]


# --- one tool's run -----------------------------------------------------------------------

@dataclass
class RigRun(RunResult):
    """One session on the rig: RunResult's times plus what the rig adds."""

    cpu: float = 0.0  # user + system seconds of every process of the tool
    wire: int | None = None  # bytes the master's uplink carried during the run
    queue_drops: int | None = None  # datagrams the master's uplink queue (tbf) dropped
    faults: dict[str, int] = field(default_factory=dict)  # the shim's counts over the receivers
    did_not_finish: bool = False
    limit: float = 0.0  # the time limit it ran under


@dataclass
class Launch:
    """The processes of one session on the rig, and what judging them needs."""

    tool: str
    children: list[Child]  # [master or sender, *receivers]
    targets: list[Path]
    stats: Path  # where the shim appends each receiver's counts
    name: str = ""  # imgcast: the session's name (a late client joins it by that name)


class Lab:
    """One rig, a scratch folder and the source files: starts and judges sessions on it."""

    def __init__(self, rig: Any, folder: Path, args: argparse.Namespace, read_fault_stats: Callable[[Path], dict[str, int]]):
        self.rig = rig
        self.folder = folder
        self.args = args
        self.read_fault_stats = read_fault_stats
        self.master = rig.hosts["master"]
        self.clients = [h for name, h in rig.hosts.items() if name != "master"]
        self.payload = rig.payload_rate("master")
        self._sources: dict[tuple[str, int], tuple[Path, str]] = {}
        self._serial = 0

    def source(self, row: Row) -> tuple[Path, str]:
        """The row's source file and its SHA-256, written once and shared by both tools."""
        key = (row.source, row.size)
        if key not in self._sources:
            path = self.folder / f"source-{row.source}-{row.size}.bin"
            if row.source == "zero70":
                sha = mostly_zero_file(path, row.size, 0.70, MiB, seed=row.seed)
            else:
                sha = random_file(path, row.size)
            self._sources[key] = (path, sha)
        return self._sources[key]

    def limit(self, row: Row) -> float:
        """Seconds before a run is killed: generous (20x the ideal time + 60 s), at most 300 s."""
        if self.args.timeout:
            return self.args.timeout
        ideal = row.size / (self.payload * (1 - row.loss))
        return min(300.0, 60.0 + 20.0 * ideal)

    def clean_up(self, children: list[Child], targets: list[Path]) -> None:
        """Kill what still runs, delete the copies; with --logs, keep every child's output there."""
        clean_up_run(children, targets)
        if self.args.logs:
            logs = Path(self.args.logs)
            logs.mkdir(parents=True, exist_ok=True)
            for child in children:
                for path in (child.stdout, child.stderr):
                    if path.exists():
                        shutil.copy(path, logs / path.name)

    def _profiled(self, name: str) -> list[str]:
        """`img`, or with --profile DIR `img` under py-spy (folded stacks in DIR/NAME.txt):
        where imgcast's CPU goes on a row (the CPU column then counts py-spy's own too)."""
        wanted = getattr(self.args, "profile", None)  # (bench_slow's Lab has no --profile)
        profile = Path(wanted).resolve() if wanted else None
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
        return [*sampled(profile, name), *IMG]

    def _name(self, tag: str) -> str:
        self._serial += 1
        return f"{tag}-{os.getpid()}-{self._serial}"

    def _env(self, host: Any, loss: float, seed: int, stats: Path) -> dict[str, str]:
        """Our environment plus the shim (always loaded on receivers, so it counts datagrams at 0 %).
        Loss strikes data-sized datagrams only (FAULT_MIN_SIZE), for both tools alike: the shim
        cannot make select() forget a datagram it drops, so dropping udp-receiver's one connect
        reply would hang it in a blocking recvmsg, which no real network does."""
        return {**os.environ, **host.fault_env(loss=loss, seed=seed, stats=stats, min_size=FAULT_MIN_SIZE)}

    def launch_img(self, hosts: list[Any], source: Path, loss: float, seed: int,
                   watcher: LineWatcher | None = None, tag: str = "img",
                   master_options: tuple[str, ...] = ()) -> Launch:
        """`img session NAME master clients=N from=SOURCE` on the master, one client per host."""
        name = self._name(tag)
        stats = self.folder / f"{name}.faults"
        children = [spawn(f"{name}-master", self.master.command([
            *self._profiled(f"{name}-master"), "session", name, "master", f"clients={len(hosts)}", f"from={source}",
            "--interface", self.master.address, "--ttl", "1", "--json", *master_options]), self.folder)]
        if watcher:
            watcher.watch(children[0])
        launch = Launch("imgcast", children, [], stats, name)
        for i, host in enumerate(hosts):
            self.add_img_client(launch, host, loss, seed + i, watcher)
        return launch

    def add_img_client(self, launch: Launch, host: Any, loss: float, seed: int,
                       watcher: LineWatcher | None = None) -> Child:
        """One more `img session NAME client` of a launched session on `host` (also a late one)."""
        index = len(launch.targets)
        target = self.folder / f"{launch.name}-target-{index}.bin"
        child = spawn(f"{launch.name}-client-{index}", host.command([
            *self._profiled(f"{launch.name}-client-{index}"), "session", launch.name, "client", f"to={target}", "--interface", host.address,
            "--ttl", "1", "--json"]), self.folder, self._env(host, loss, seed, launch.stats))
        launch.children.append(child)
        launch.targets.append(target)
        if watcher:
            watcher.watch(child)
        return child

    def launch_udp(self, hosts: list[Any], source: Path, loss: float, seed: int) -> Launch:
        """udp-sender + one udp-receiver per host, multicast, as bench_session.py runs them."""
        name = self._name("udp")
        stats = self.folder / f"{name}.faults"
        targets = [self.folder / f"{name}-target-{i}.bin" for i in range(len(hosts))]
        common = ["--nokbd", "--ttl", "1", "--mcast-rdv-address", UDPCAST_RDV, "--portbase", str(UDPCAST_PORTBASE)]
        rate = ["--max-bitrate", self.args.udpcast_bitrate] if self.args.udpcast_bitrate else []
        children = [spawn(f"{name}-sender", self.master.command([
            "udp-sender", "--file", str(source), "--interface", self.master.interface,
            "--min-receivers", str(len(hosts)), "--mcast-data-address", UDPCAST_DATA, "--nopointopoint",
            *rate, *common]), self.folder)]
        time.sleep(0.05)  # the sender must listen before receivers ask (they do not retry fast)
        for i, (host, target) in enumerate(zip(hosts, targets, strict=True)):
            children.append(spawn(f"{name}-receiver-{i}", host.command([
                "udp-receiver", "--file", str(target), "--interface", host.interface, *common]),
                self.folder, self._env(host, loss, seed + i, stats)))
        return Launch("udpcast", children, targets, stats)

    def judge(self, launch: Launch, size: int, sha: str, limit: float,
              before: dict[str, int] | None = None, after: dict[str, int] | None = None) -> RigRun:
        """Times, CPU, wire bytes and the copies (hashed) of a finished launch."""
        sender, receivers = launch.children[0], launch.children[1:]
        result = RigRun(launch.tool, len(receivers), size, limit=limit)
        ended = [c.ended for c in receivers if c.ended is not None]
        result.wall = max(ended) - sender.started if ended else 0.0
        result.cpu = sum(c.cpu for c in launch.children)
        result.master_cpu, result.master_rss = sender.cpu, sender.peak_rss
        result.client_cpu = max(c.cpu for c in receivers)
        result.client_rss = max(c.peak_rss for c in receivers)
        if launch.tool == "imgcast":
            result.transfer = img_transfer_seconds(sender.output())
        else:
            rates = [udpcast_rate(c.errors() + c.output()) for c in receivers]
            if all(rates):
                result.transfer = size / min(rates)  # type: ignore[type-var]
        if before and after:
            result.wire = after["upload_bytes"] - before["upload_bytes"]
            result.queue_drops = after["upload_drops"] - before["upload_drops"]
        result.faults = self.read_fault_stats(launch.stats)
        result.did_not_finish = any(c.killed for c in launch.children)
        result.verified = verified_copies(launch.targets, sha)
        problems = [p for c in launch.children if (p := c.failure())]
        if result.did_not_finish:
            result.error = f"did not finish within {limit:.0f} s ({problems[0]})" + _udpcast_hang(launch)
        elif problems:
            result.error = problems[0]
        elif result.verified != result.clients:
            result.error = f"{result.clients - result.verified} target(s) differ from the source"
        return result

    # --- rows --------------------------------------------------------------------------

    def compare_once(self, row: Row, tool: str) -> RigRun:
        """One tool, one run of a comparison row: the master's uplink counted around it."""
        source, sha = self.source(row)
        hosts = self.clients[:row.clients]
        limit = self.limit(row)
        before = self.master.link_stats()
        if tool == "imgcast":
            launch = self.launch_img(hosts, source, row.loss, row.seed)
        else:
            launch = self.launch_udp(hosts, source, row.loss, row.seed)
        try:
            wait_all(launch.children, limit)
            after = self.master.link_stats()
            return self.judge(launch, row.size, sha, limit, before, after)
        finally:
            self.clean_up(launch.children, launch.targets)

    def share_once(self, row: Row) -> ShareRun:
        """Two imgcast sessions (different names) from one master host, 2 clients each on
        different hosts, started together; each one's share of the uplink while both ran."""
        source, sha = self.source(row)
        limit = self.limit(row) * 2  # two sessions on one link: each gets about half
        half = len(self.clients) // 2
        before = self.master.link_stats()
        launches: list[Launch] = []
        try:
            with LineWatcher() as watcher:
                launches = [self.launch_img(self.clients[:half], source, 0.0, row.seed, watcher, tag="share-a"),
                            self.launch_img(self.clients[half:], source, 0.0, row.seed + 10, watcher, tag="share-b")]
                wait_all([c for launch in launches for c in launch.children], limit)
            after = self.master.link_stats()
            runs = [self.judge(launch, row.size, sha, limit) for launch in launches]
            windows = [session_progress(watcher, launch, row.size) for launch in launches]
            shares = overlap_shares(windows, self.payload)
            wire = after["upload_bytes"] - before["upload_bytes"]
            return ShareRun(runs, shares, wire, after["upload_drops"] - before["upload_drops"])
        finally:
            for launch in launches:
                self.clean_up(launch.children, launch.targets)

    def tcp_once(self, row: Row) -> TcpRun:
        """A TCP flow master -> c1 runs alone for a few seconds, then beside an imgcast session
        to every client; its throughput while imgcast transferred, as a share of the link."""
        source, sha = self.source(row)
        limit = self.limit(row)
        sink_host = self.clients[0]
        flow_limit = TCP_ALONE_SECONDS + limit + 10  # both ends stop by themselves after this
        tcp: list[Child] = []
        launch: Launch | None = None
        try:
            tcp.append(spawn(f"tcp-sink-{os.getpid()}", sink_host.command(
                [sys.executable, "-c", TCP_SINK, str(TCP_PORT), str(flow_limit)]), self.folder))
            time.sleep(0.3)  # listening before the sender connects
            tcp.append(spawn(f"tcp-sender-{os.getpid()}", self.master.command(
                [sys.executable, "-c", TCP_SENDER, sink_host.address, str(TCP_PORT), str(flow_limit)]), self.folder))
            time.sleep(TCP_ALONE_SECONDS)
            launched = time.monotonic()
            with LineWatcher() as watcher:
                launch = self.launch_img(self.clients[:row.clients], source, 0.0, row.seed, watcher, tag="tcp")
                wait_all(launch.children, limit)
            for child in tcp:
                kill(child)
            wait_all(tcp, 5)
            run = self.judge(launch, row.size, sha, limit)
            samples = tcp_samples(tcp[0].output())
            window = event_time(watcher, launch.children[0], "transfer_started"), \
                event_time(watcher, launch.children[0], "session_finished")
            result = TcpRun(run, self.payload)
            if samples:
                alone_from = samples[0][0] + 1.0  # past slow start
                if launched > alone_from:
                    result.alone = rate_between(samples, alone_from, launched)
            if samples and window[0] is not None and window[1] is not None and window[1] > window[0]:
                result.during = rate_between(samples, window[0], window[1])
                result.window = window[1] - window[0]
            if not samples:
                result.note = "the TCP flow moved nothing: " + (tcp[1].errors().strip() or tcp[0].errors().strip())[-200:]
            return result
        finally:
            self.clean_up(tcp, [])
            if launch:
                self.clean_up(launch.children, launch.targets)


def _udpcast_hang(launch: Launch) -> str:
    """Why a udpcast run hung, when it is the shim's doing rather than udpcast's.

    udp-receiver waits for the sender's one reply to its connect request with select() and
    then a blocking recvmsg(). When the shim drops that reply it receives again, and the
    blocking call waits for a datagram that never comes; on a real network select() would
    have timed out and the receiver asked again. The sender, which did send the reply, counts
    the receiver in and waits for it forever."""
    if launch.tool != "udpcast" or "Starting transfer" not in launch.children[0].errors():
        return ""
    stuck = [c.name.rsplit("-", 2)[-2] + "-" + c.name.rsplit("-", 1)[-1] for c in launch.children[1:]
             if c.killed and "Connected as" not in c.errors()]
    if not stuck:
        return ""
    return (f"; {', '.join(stuck)} never got the sender's connect reply: the shim dropped it and "
            "udp-receiver then blocked in recvmsg (a rig artifact, see bench/README.md)")


# --- sharing measurements -------------------------------------------------------------------

TCP_SINK = r"""
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + limit
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", port))
server.listen(1)
server.settimeout(limit)
conn, _ = server.accept()
conn.settimeout(0.5)
total, mark = 0, 0.0
print(f"{time.monotonic():.4f} 0", flush=True)
while time.monotonic() < end:
    try:
        data = conn.recv(1 << 18)
    except TimeoutError:
        continue
    if not data:
        break
    total += len(data)
    now = time.monotonic()
    if now >= mark:
        print(f"{now:.4f} {total}", flush=True)
        mark = now + 0.05
"""

TCP_SENDER = r"""
import socket, sys, time
host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.monotonic() + limit
while True:
    try:
        sock = socket.create_connection((host, port), timeout=1.0)
        break
    except OSError:
        if time.monotonic() > end:
            sys.exit(1)
        time.sleep(0.05)
block = bytes(1 << 16)
while time.monotonic() < end:
    try:
        sock.send(block)
    except TimeoutError:
        continue
    except OSError:
        break
"""


def tcp_samples(output: str) -> list[tuple[float, float]]:
    """The sink's '<monotonic seconds> <bytes so far>' lines."""
    samples = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                samples.append((float(parts[0]), float(parts[1])))
            except ValueError:
                continue
    return samples


def value_at(samples: list[tuple[float, float]], t: float) -> float:
    """A cumulative count at time t, linear between samples, flat outside them."""
    if not samples:
        return 0.0
    if t <= samples[0][0]:
        return samples[0][1]
    for (t0, v0), (t1, v1) in zip(samples, samples[1:], strict=False):
        if t0 <= t <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return samples[-1][1]


def rate_between(samples: list[tuple[float, float]], t0: float, t1: float) -> float:
    return (value_at(samples, t1) - value_at(samples, t0)) / (t1 - t0) if t1 > t0 else 0.0


def events(watcher: LineWatcher, child: Child) -> list[tuple[float, dict[str, Any]]]:
    """A child's --json events, each with the time the watcher first saw it."""
    found = []
    for when, line in watcher.lines(child.name):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            found.append((when, event))
    return found


def event_time(watcher: LineWatcher, child: Child, name: str) -> float | None:
    return next((when for when, event in events(watcher, child) if event.get("event") == name), None)


@dataclass
class SessionWindow:
    """When a session transferred, and its slowest client's bytes over time."""

    start: float | None
    end: float | None
    clients: list[list[tuple[float, float]]]  # per client: (time, bytes delivered)

    def done_at(self, t: float) -> float:
        return min(value_at(samples, t) for samples in self.clients) if self.clients else 0.0


def session_progress(watcher: LineWatcher, launch: Launch, size: int) -> SessionWindow:
    """From the master's transfer_started / session_finished and the clients' progress events."""
    master, receivers = launch.children[0], launch.children[1:]
    start = event_time(watcher, master, "transfer_started")
    end = event_time(watcher, master, "session_finished")
    clients = []
    for child in receivers:
        samples = [(start, 0.0)] if start is not None else []
        for when, event in events(watcher, child):
            if event.get("event") == "progress":
                samples.append((when, float(event.get("done") or 0)))
            elif event.get("event") in ("target_verified", "session_finished"):
                samples.append((when, float(max(size, samples[-1][1] if samples else 0))))
                break
        clients.append(sorted(samples))
    return SessionWindow(start, end, clients)


def overlap_shares(windows: list[SessionWindow], payload: float) -> tuple[list[float | None], float]:
    """Each session's bytes per second while all of them transferred, / the link's payload rate;
    and how long that overlap was."""
    starts = [w.start for w in windows]
    ends = [w.end for w in windows]
    if None in starts or None in ends:
        return [None] * len(windows), 0.0
    t0, t1 = max(starts), min(ends)  # type: ignore[type-var]
    if t1 - t0 < 0.5:
        return [None] * len(windows), max(0.0, t1 - t0)
    return [(w.done_at(t1) - w.done_at(t0)) / (t1 - t0) / payload for w in windows], t1 - t0


@dataclass
class ShareRun:
    runs: list[RigRun]
    shares: tuple[list[float | None], float]  # per session, and the overlap's length
    wire: int
    queue_drops: int

    @property
    def worst_share(self) -> float:
        return min((s or 0.0) for s in self.shares[0])


@dataclass
class TcpRun:
    run: RigRun
    payload: float
    alone: float | None = None  # TCP bytes/s before the session
    during: float | None = None  # TCP bytes/s while imgcast transferred
    window: float = 0.0
    note: str = ""

    @property
    def share(self) -> float:
        return (self.during or 0.0) / self.payload


# --- printing ---------------------------------------------------------------------------

def _mb(value: float | None) -> str:
    return f"{value / 1e6:.2f}" if value else "-"


def _range(values: list[float], scale: float = 1e6, digits: int = 1) -> str:
    if len(values) < 2:
        return ""
    return f"{min(values) / scale:.{digits}f}-{max(values) / scale:.{digits}f}"


def _mark(met: bool, text: str) -> str:
    return f"[green]met[/green] {text}" if met else f"[red]NOT met[/red] {text}"


def _goodput(run: RigRun) -> str:
    if run.did_not_finish:
        return "[red]did not finish[/red]"
    return _mb(run.goodput * 1e6) if run.goodput else "[red]failed[/red]"


def _transfer_rate(run: RigRun) -> float | None:
    return run.size / run.transfer if run.transfer and not run.error else None


def _faults(run: RigRun) -> str:
    seen = run.faults.get("datagrams", 0)
    return f"{run.faults.get('dropped', 0) / seen:.1%}" if seen else "-"


def compare_targets(row: Row, img: RigRun, udp: RigRun | None, payload: float) -> list[str]:
    """Issue 9's targets for this row, each marked met / NOT met."""
    marks = []
    ratio_target = RATIO_TARGETS.get(row.lan, {}).get(row.loss) if row.source == "random" else None
    if ratio_target is not None and udp is not None:
        ratio = _ratio(img, udp)
        marks.append(_mark(ratio is not None and ratio >= ratio_target, f"≥{ratio_target:g}x udpcast"))
    fraction = transfer_target(row.lan, row.loss) if row.source == "random" else None
    if fraction is not None:
        rate = _transfer_rate(img)
        marks.append(_mark(bool(rate and rate >= fraction * payload),
                           f"transfer ≥{fraction * payload / 1e6:.1f} MB/s ({fraction:.3g} of link)"))
    if udp is not None and udp.error:
        marks.append(f"n/a CPU ≤{CPU_TARGET:g}x udpcast (udpcast failed)")
    elif udp is not None:
        marks.append(_mark(bool(img.cpu and not img.error and img.cpu <= CPU_TARGET * udp.cpu),
                           f"CPU ≤{CPU_TARGET:g}x udpcast"))
    return marks


def _ratio(img: RigRun, udp: RigRun) -> float | None:
    """imgcast / udpcast whole-session goodput; infinite when only imgcast delivered."""
    if not img.goodput:
        return None
    return img.goodput / udp.goodput if udp.goodput else math.inf


def print_compare(results: dict[Row, tuple[list[RigRun], list[RigRun]]], payloads: dict[str, float],
                  repeat: int) -> None:
    table = Table(title="imgcast vs udpcast on the rig (same file, same hosts, same shim loss)"
                        f"{'' if repeat == 1 else f'; medians of {repeat} runs (goodput: the middle run; transfer and CPU each their own)'}")
    columns = ["row", "tool", "goodput MB/s\n(whole session)", "transfer MB/s\n(tool's clock)", "of link\npayload",
               "imgcast/\nudpcast", "CPU s all\n(master)", "wire bytes\n/ image byte", "uplink\nqueue drops",
               "shim\ndropped", "verified", "targets"]
    if repeat > 1:
        columns.insert(3, "goodput\nmin-max")
    for col in columns:
        table.add_column(col, justify="left" if col in ("row", "tool", "targets") else "right")
    notes = []
    for row, (img_runs, udp_runs) in results.items():
        payload = payloads[row.lan]
        img, udp = median_of(img_runs), median_of(udp_runs)
        assert img is not None
        what = "70 %-zero" if row.source == "zero70" else "random"
        label = f"{row.id}\n{row.lan} x{row.clients}, {human(row.size)} {what}\nloss {row.loss:.0%}"
        ratio = _ratio(img, udp) if udp else None
        targets = compare_targets(row, img, udp, payload)
        for run, runs in ((img, img_runs), (udp, udp_runs)):
            if run is None:
                continue
            rate = _transfer_rate(run)
            cells = [
                label if run is img else "", run.tool, _goodput(run), _mb(rate),
                f"{rate / payload:.0%}" if rate else "-",
                ("∞" if ratio == math.inf else f"{ratio:.2f}x") if run is img and ratio is not None else "",
                f"{run.cpu:.1f} ({run.master_cpu:.1f})" if run.cpu else "-",
                f"{run.wire / run.size:.2f}" if run.wire is not None else "-",
                str(run.queue_drops) if run.queue_drops is not None else "-",
                _faults(run), f"{run.verified}/{run.clients}",
                "\n".join(targets) if run is img else "",
            ]
            if repeat > 1:
                cells.insert(3, _range([r.goodput * 1e6 for r in runs], digits=2))
            table.add_row(*cells, end_section=run is udp or udp is None)
            notes += [f"{row.id} {r.tool}: {r.error}" for r in runs if r.error]
    console.print(table)
    by_id = {row.id: median_of(runs[0]) for row, runs in results.items()}
    small, jumbo = by_id.get("mtu:1500"), by_id.get("mtu:9000")
    if small and jumbo and small.goodput:
        gain = jumbo.goodput / small.goodput
        console.print(f"  jumbo frames: imgcast's goodput at MTU 9000 is {gain:.2f}x its goodput at MTU 1500 "
                      f"({_mark(gain >= JUMBO_TARGET, f'≥{JUMBO_TARGET:g}x')})")
    rates = ", ".join(f"{lan}: {p / 1e6:.2f} MB/s" for lan, p in payloads.items())
    console.print(f"  link payload rate (UDP payload in full-size datagrams, what tbf lets through): {rates}. "
                  "goodput = image bytes / (first process started -> last receiver exited), 0 unless every copy "
                  "is bit-exact; transfer = imgcast master's session_finished seconds / udpcast's slowest receiver's "
                  "own average; CPU = user+sys of every process of the tool (wait4); wire = bytes the master's uplink "
                  "carried (tbf counts Ethernet+IP+UDP headers) / image bytes; shim dropped = datagrams the loss shim "
                  "removed / datagrams the receivers were handed")
    for note in notes:
        console.print(f"  [red]{note}[/red]")


def print_share(row: Row, runs: list[ShareRun], payload: float) -> None:
    ordered = sorted(runs, key=lambda r: r.worst_share)
    chosen = ordered[(len(ordered) - 1) // 2]
    table = Table(title=f"Two imgcast sessions at once on the master's 100 Mbit/s uplink ({human(row.size)} each, "
                        f"2 clients each){'' if len(runs) == 1 else f'; median of {len(runs)} runs by the smaller share'}")
    for col in ("session", "goodput MB/s\n(whole session)", "transfer MB/s\n(tool's clock)",
                "share of link\nwhile both ran", "CPU s all", "verified", "target"):
        table.add_column(col, justify="left" if col in ("session", "target") else "right")
    shares, overlap = chosen.shares
    for name, run, share in zip(("A (c1, c2)", "B (c3, c4)"), chosen.runs, shares, strict=True):
        table.add_row(name, _goodput(run), _mb(_transfer_rate(run)),
                      f"{share:.0%}" if share is not None else "-", f"{run.cpu:.1f}", f"{run.verified}/{run.clients}",
                      _mark(bool(share is not None and share >= SHARE_TARGET and not run.error),
                            f"≥{SHARE_TARGET:.0%}, finished"))
    console.print(table)
    spread = [s or 0.0 for r in runs for s in r.shares[0]]
    console.print(f"  both sessions transferred at once for {overlap:.1f} s; share = the slower client's bytes in "
                  f"that time (progress events, stamped as they appeared) / {payload / 1e6:.2f} MB/s link payload "
                  f"rate; the uplink carried {human(chosen.wire)} ({chosen.queue_drops} queue drops)"
                  + (f"; shares over all runs {_range(spread, 1, 2)}" if len(runs) > 1 else ""))
    for run in chosen.runs:
        if run.error:
            console.print(f"  [red]{run.error}[/red]")


def print_tcp(row: Row, runs: list[TcpRun], payload: float) -> None:
    ordered = sorted(runs, key=lambda r: r.share)
    chosen = ordered[(len(ordered) - 1) // 2]
    run = chosen.run
    table = Table(title=f"One TCP flow (master -> c1) beside an imgcast session to 4 clients ({human(row.size)}), "
                        f"100 Mbit/s{'' if len(runs) == 1 else f'; median of {len(runs)} runs by TCP share'}")
    for col in ("TCP alone\nMB/s", "TCP during\nsession MB/s", "TCP share\nof link", "imgcast goodput\nMB/s (whole)",
                "imgcast transfer\nMB/s", "imgcast share\nof link", "verified", "target"):
        table.add_column(col, justify="left" if col == "target" else "right")
    rate = _transfer_rate(run)
    table.add_row(_mb(chosen.alone), _mb(chosen.during), f"{chosen.share:.0%}" if chosen.during else "-",
                  _goodput(run), _mb(rate), f"{rate / payload:.0%}" if rate else "-", f"{run.verified}/{run.clients}",
                  _mark(chosen.share >= TCP_TARGET and not run.error, f"TCP ≥{TCP_TARGET:.0%}, session finished"))
    console.print(table)
    console.print(f"  TCP alone: the {TCP_ALONE_SECONDS:g} s before the session (first second left out); during: from "
                  f"imgcast's transfer_started to its session_finished ({chosen.window:.1f} s); shares are of the "
                  f"link's UDP payload rate {payload / 1e6:.2f} MB/s (TCP's own payload per frame is ~2 % less)")
    for text in (run.error, chosen.note):
        if text:
            console.print(f"  [red]{text}[/red]")


def print_sim(result: SimResult, seconds_note: str) -> None:
    table = Table(title="Simulator (tests/simnet.py, virtual clock): many clients, every link losing independently")
    for col in ("clients", "loss", "image", "slices", "data\ndatagrams", "lost\n(all clients)", "repair\ndatagrams",
                "repair traffic\n% of image", "feedback per slice\n(during transfer)", "of which\nNAKs", "verified",
                "real s"):
        table.add_column(col, justify="right")
    r = result
    table.add_row(str(r.clients), f"{r.loss:.0%}", human(r.size), str(r.slices), str(r.data), str(r.lost),
                  str(r.repairs), f"{r.repairs / r.data * 100:.2f}" if r.data else "-",
                  f"{r.feedback / r.slices:.2f}", f"{r.naks / r.slices:.2f}", f"{r.verified}/{r.clients}",
                  f"{r.seconds:.0f}")
    console.print(table)
    console.print(f"  bench_session.sim_session; {seconds_note}")
    if r.error:
        console.print(f"  [red]{r.error}[/red]")


# --- main -----------------------------------------------------------------------------------

def run(args: argparse.Namespace, rows: list[Row], rig_module: Any) -> None:
    compare: dict[Row, tuple[list[RigRun], list[RigRun]]] = {}
    share: dict[Row, list[ShareRun]] = {}
    tcp: dict[Row, list[TcpRun]] = {}
    payloads: dict[str, float] = {}
    have_udpcast = bool(shutil.which("udp-sender") and shutil.which("udp-receiver"))
    rig_rows = [r for r in rows if r.lan]
    needed = sum(r.size * (r.clients + 1) for r in rig_rows) + max((r.size for r in rig_rows), default=0)
    folder = scratch_dir(needed)
    console.print(f"bench_rig: {len(rows)} row(s); load average before: "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs; files on {folder.parent}")
    try:
        for lan in LANS:
            todo = [r for r in rig_rows if r.lan == lan]
            if not todo:
                continue
            with rig_module.Rig(lan_specs(lan, rig_module.HostSpec)) as rig:
                lab = Lab(rig, folder, args, rig_module.read_fault_stats)
                payloads[lan] = lab.payload
                spec = rig.hosts["master"].spec
                console.print(f"  [dim]rig {lan}: {', '.join(rig.hosts)}; every link tbf {spec.rate} both ways, "
                              f"{spec.queue_ms:g} ms queue, MTU {spec.mtu}; payload rate "
                              f"{lab.payload / 1e6:.2f} MB/s[/dim]")
                for row in todo:
                    for _ in range(args.repeat):  # alternate the tools, so load on this shared host hits both
                        if row.kind == "compare":
                            img_runs, udp_runs = compare.setdefault(row, ([], []))
                            img_runs.append(lab.compare_once(row, "imgcast"))
                            _progress(row, img_runs[-1])
                            if have_udpcast:
                                udp_runs.append(lab.compare_once(row, "udpcast"))
                                _progress(row, udp_runs[-1])
                        elif row.kind == "share":
                            share.setdefault(row, []).append(lab.share_once(row))
                            for r in share[row][-1].runs:
                                _progress(row, r)
                        elif row.kind == "tcp":
                            tcp.setdefault(row, []).append(lab.tcp_once(row))
                            _progress(row, tcp[row][-1].run)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if compare:
        print_compare(compare, payloads, args.repeat)
        if not have_udpcast:
            console.print("  [yellow]udp-sender / udp-receiver not installed: imgcast rows only[/yellow]")
    for row, share_runs in share.items():
        print_share(row, share_runs, payloads[row.lan])
    for row, tcp_runs in tcp.items():
        print_tcp(row, tcp_runs, payloads[row.lan])
    for row in rows:
        if row.kind == "sim":
            result = sim_session(row.clients, row.loss, row.size, seed=args.seed)
            print_sim(result, f"image {human(row.size)}; every client parses every other client's datagrams "
                              "(joins, reports), so real time grows with the clients squared: with 1000 the lobby "
                              "and the end cost minutes each whatever the image size (--sim-clients, --sim-size)")


def _progress(row: Row, run: RigRun) -> None:
    """One dim line per run, so a long benchmark shows it is alive."""
    state = "verified" if not run.error else run.error[:120]
    console.print(f"  [dim]{row.id} {run.tool}: {run.wall:.1f} s, {run.verified}/{run.clients} {state}[/dim]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=size_argument, default=64 * MiB,
                        help="image of the 100 Mbit/s rows (default 64M); the 1 Gbit/s rows use 4x")
    parser.add_argument("--only", help="comma-separated row ids or groups: 100M, 100M:5, 1G, mtu, zero, share, tcp, sim")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the median counts, min-max shown")
    parser.add_argument("--timeout", type=float, default=0.0,
                        help="seconds before a run is killed (default: 60 + 20x its ideal time, at most 300)")
    parser.add_argument("--udpcast-bitrate", metavar="RATE",
                        help="pass --max-bitrate RATE to udp-sender (default: none, udpcast's own default)")
    parser.add_argument("--profile", metavar="DIR", help="run imgcast under py-spy, folded stacks in DIR "
                        "(py-spy's own CPU then counts in the CPU column)")
    parser.add_argument("--logs", metavar="DIR", help="keep every process's output (stdout, stderr) in DIR")
    parser.add_argument("--sim-clients", type=int, default=1000, help="simulator row: clients (default 1000)")
    parser.add_argument("--sim-size", type=size_argument, default=2 * MiB,
                        help="simulator row: image (default 2M; 1000 clients with 8M take about 7 minutes)")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed")
    args = parser.parse_args(argv)
    if args.size < MiB:
        parser.error("--size: at least 1M")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    compile_bytecode()
    try:
        rows = select_rows(all_rows(args.size, args.sim_clients, args.sim_size), args.only)
    except BenchError as error:
        parser.error(str(error))
    rig_module = None
    if any(r.lan for r in rows):
        if os.geteuid() != 0:
            print("bench_rig: needs root: the rig (tests/net/rig.py) builds network namespaces, veth pairs and tc "
                  "qdiscs", file=sys.stderr)
            return 2
        sys.path.insert(0, str(REPO / "tests" / "net"))
        try:
            import rig as rig_module  # the tests' own LAN on one machine
        except ImportError as error:
            print(f"bench_rig: cannot import tests/net/rig.py: {error}", file=sys.stderr)
            return 2
        reason = rig_module.rig_unavailable()
        if reason:
            print(f"bench_rig: {reason}", file=sys.stderr)
            return 2
    failures: tuple[type[BaseException], ...] = (BenchError, OSError, subprocess.SubprocessError)
    if rig_module is not None:
        failures += (rig_module.RigError,)  # a rig that could not be built or read: one line
    try:
        run(args, rows, rig_module)
    except failures as error:
        console.print(f"[red]bench_rig: {error}[/red]")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
