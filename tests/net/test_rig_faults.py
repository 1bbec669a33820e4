"""Whole `img session` processes, one per host of the rig, over shaped links with loss,
duplication and reordering from the fault shim: every copy must come out bit for bit, a
client or master that dies must be handled the way README.md "How a session works" says,
and a slow link must not stop the session. No datagram may be fragmented on any host."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .rig import Host, HostSpec, Rig, read_fault_stats, rig_unavailable

pytestmark = pytest.mark.skipif(rig_unavailable() is not None, reason=rig_unavailable() or "")

IMG = [sys.executable, "-m", "imgcast.engine.cli.main"]
CLIENTS = ["h1", "h2", "h3", "h4"]
MASTER_TIMEOUT = 10.0  # ProtocolConfig.master_timeout / client_timeout; the CLI has no option for them
MiB = 1 << 20


class Participant:
    """One `img session` process on a rig host; its stdout (JSON events) and stderr are read
    by threads as they come, so a full pipe never stalls it."""

    def __init__(self, host: Host, argv: list[str], **faults: object) -> None:
        self.host = host
        self.process = host.popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, **faults)
        self.out: list[str] = []
        self.err: list[str] = []
        self.arrivals: list[float] = []  # when each stdout line came (monotonic), for timelines
        self.started = time.monotonic()
        self.ended: float | None = None
        self._threads = [threading.Thread(target=self._read, args=(stream, lines, times), daemon=True)
                         for stream, lines, times in ((self.process.stdout, self.out, self.arrivals),
                                                      (self.process.stderr, self.err, None))]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _read(stream, lines: list[str], times: list[float] | None) -> None:
        for line in stream:
            if times is not None:
                times.append(time.monotonic())
            lines.append(line.rstrip("\n"))

    def timeline(self, since: float) -> str:
        """"event@seconds" for every event but progress, for messages about slow sessions."""
        marks = []
        for line, at in zip(list(self.out), list(self.arrivals), strict=False):
            if line.startswith("{"):
                kind = json.loads(line)["event"]
                if kind != "progress":
                    marks.append(f"{kind}@{at - since:.1f}")
        return " ".join(marks)

    def events(self) -> list[dict]:
        return [json.loads(line) for line in list(self.out) if line.startswith("{")]

    def final(self) -> dict:
        ends = [e for e in self.events() if e["event"] in ("session_finished", "session_failed")]
        return ends[-1] if ends else {}

    def poll(self) -> int | None:
        code = self.process.poll()
        if code is not None and self.ended is None:
            self.ended = time.monotonic()
        return code

    def finish(self) -> None:
        for thread in self._threads:
            thread.join(timeout=5)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.finish()

    def describe(self) -> str:
        tail = " | ".join(self.err[-3:])
        return f"{self.host.name}: exit {self.process.poll()}, last event {self.final().get('event')}, stderr {tail!r}"


class Session:
    """A master on host "master" and clients on the given hosts, all with --ttl 1 on the rig."""

    def __init__(self, rig: Rig, tmp_path: Path, source: Path, clients: list[str], *,
                 loss: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0,
                 master_options: tuple[str, ...] = (), interface: bool = True) -> None:
        """`interface`: False leaves --interface out, as a person typing the command would."""
        self.rig = rig
        self.interface = interface
        self.source = source
        self.name = f"rig-{os.getpid()}-{random.randrange(1 << 30):x}"
        self.port = str(20000 + random.randrange(20000))
        self.targets = {name: tmp_path / f"{name}.raw" for name in clients}
        self.stats = {name: tmp_path / f"{name}.shim" for name in ["master", *clients]}
        self.faults = {"loss": loss, "duplicate": duplicate, "reorder": reorder}
        self.clients: dict[str, Participant] = {}
        for index, name in enumerate(clients):
            self.clients[name] = Participant(rig.hosts[name], [
                *IMG, "session", self.name, "client", f"to={self.targets[name]}", *self._network(name)],
                seed=index + 1, stats=self.stats[name], **self.faults)
        time.sleep(0.3)
        self.master = Participant(rig.hosts["master"], [
            *IMG, "session", self.name, "master", f"clients={len(clients)}", f"from={source}",
            *self._network("master"), *master_options], seed=99, stats=self.stats["master"], **self.faults)
        self.started = time.monotonic()

    def _network(self, host: str) -> list[str]:
        chosen = ["--interface", self.rig.hosts[host].address] if self.interface else []
        return [*chosen, "--ttl", "1", "--port", self.port, "--json"]

    @property
    def everyone(self) -> list[Participant]:
        return [self.master, *self.clients.values()]

    def wait(self, participants: list[Participant], seconds: float) -> None:
        """Until they have all exited; fails the test (with what each said) past `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            # poll every one each time (no short-circuit): poll() stamps when each one ended
            if all([p.poll() is not None for p in participants]):
                for p in participants:
                    p.finish()
                return
            time.sleep(0.05)
        pytest.fail(f"not finished within {seconds:g} s:\n" + "\n".join(p.describe() for p in self.everyone))

    def wait_for_progress(self, client: str, done: int, seconds: float = 30) -> None:
        """Until `client` reports (a JSON progress event) that it has written `done` bytes.
        The target's size says nothing: a client sizes it when it joins."""
        participant = self.clients[client]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(e["event"] == "progress" and e["done"] >= done for e in participant.events()):
                return
            if self.master.poll() is not None or participant.poll() is not None:
                break
            time.sleep(0.02)
        pytest.fail(f"{client} did not report {done} bytes written within {seconds:g} s:\n"
                    + "\n".join(p.describe() for p in self.everyone))

    def kill_all(self) -> None:
        for p in self.everyone:
            p.kill()

    def complete(self, seconds: float) -> None:
        """Wait for every process (killing them past `seconds`); each must exit 0 and every
        copy must equal the source bit for bit."""
        try:
            self.wait(self.everyone, seconds)
        finally:
            self.kill_all()
        for p in self.everyone:
            assert p.process.returncode == 0, p.describe()
        expected = sha256(self.source)
        for name, target in self.targets.items():
            assert sha256(target) == expected, f"{name}'s copy differs"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def random_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def assert_no_fragments(rig: Rig) -> None:
    created = {name: host.snmp()["Ip"]["FragCreates"] for name, host in rig.hosts.items()}
    assert not any(created.values()), f"IP fragments created: {created}"


@pytest.fixture(scope="module")
def lan() -> Iterator[Rig]:
    """A master and four clients, every link 100mbit (one rig for the module's tests)."""
    with Rig([HostSpec("master"), *(HostSpec(name) for name in CLIENTS)]) as rig:
        yield rig


@pytest.mark.timeout(150)
@pytest.mark.parametrize(("loss", "bound"), [(0.0, 15.0), (0.02, 25.0), (0.10, 40.0)])
def test_four_clients_copy_bit_exact_over_lossy_100mbit_links(lan: Rig, tmp_path: Path, loss: float,
                                                              bound: float) -> None:
    """8 MiB to four clients; with loss, every host (master too) also sees 1 % duplicated and
    1 % reordered datagrams. `bound` is the session's own transfer time limit: 8 MiB take
    0.7 s at the link rate, so it allows for repairs and a slow start, not for a stall."""
    size = 8 * MiB
    source = random_file(tmp_path / "source.raw", size)
    extra = 0.01 if loss else 0.0
    session = Session(lan, tmp_path, source, CLIENTS, loss=loss, duplicate=extra, reorder=extra)
    session.complete(120)
    finished = session.master.final()
    assert finished["event"] == "session_finished" and len(finished["verified"]) == 4, finished
    seconds = finished["seconds"]
    shim = {name: read_fault_stats(path) for name, path in session.stats.items()}
    if loss:
        for name in CLIENTS:
            assert shim[name]["dropped"] > 0, f"no loss happened on {name}: {shim[name]}"
    wall = max(p.ended or 0.0 for p in session.everyone) - session.started
    print(f"\n{loss:.0%} loss: 8 MiB to 4 clients in {seconds:.2f} s ({size / seconds / 1e6:.2f} MB/s, "
          f"link {lan.payload_rate('h1') / 1e6:.2f} MB/s; {wall:.1f} s from the master's start); shim {shim}")
    assert seconds < bound, f"{seconds:.1f} s for 8 MiB ({size / seconds / 1e6:.2f} MB/s)"
    assert_no_fragments(lan)


@pytest.mark.timeout(150)
def test_a_client_killed_mid_transfer_is_dropped_and_the_others_verify(lan: Rig, tmp_path: Path) -> None:
    source = random_file(tmp_path / "source.raw", 16 * MiB)
    # 4 MB/s: the transfer lasts about 4 s, long enough to kill a client in the middle
    session = Session(lan, tmp_path, source, CLIENTS, master_options=("--rate", "4M"))
    try:
        session.wait_for_progress("h2", 2 * MiB)
        victim = session.clients["h2"]
        victim.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        survivors = [session.clients[name] for name in CLIENTS if name != "h2"]
        session.wait([session.master, *survivors], 90)
    finally:
        session.kill_all()
    for p in survivors:
        assert p.process.returncode == 0, p.describe()
    expected = sha256(source)
    for name in CLIENTS:
        if name != "h2":
            assert sha256(session.targets[name]) == expected, f"{name}'s copy differs"
    finished = session.master.final()
    assert finished["event"] == "session_finished", session.master.describe()
    assert len(finished["verified"]) == 3
    assert [peer["address"] for peer in finished["dropped"]] == [lan.hosts["h2"].address]
    assert session.master.process.returncode == 1  # not every client verified: the session failed
    assert "dropped" in " ".join(session.master.err)
    # dropped once silent for the client timeout, not much later
    assert session.master.ended is not None and session.master.ended - killed < MASTER_TIMEOUT + 15
    assert_no_fragments(lan)


@pytest.mark.timeout(150)
def test_when_the_master_dies_every_client_gives_up_within_the_master_timeout(lan: Rig, tmp_path: Path) -> None:
    source = random_file(tmp_path / "source.raw", 16 * MiB)
    session = Session(lan, tmp_path, source, CLIENTS, master_options=("--rate", "4M"))
    try:
        session.wait_for_progress("h1", 2 * MiB)
        session.master.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        clients = list(session.clients.values())
        session.wait(clients, MASTER_TIMEOUT + 20)
    finally:
        session.kill_all()
    for p in clients:
        assert p.process.returncode == 1, p.describe()
        assert "the master stopped answering" in " ".join(p.err), p.describe()
        assert p.ended is not None
        assert p.ended - killed < MASTER_TIMEOUT + 5, f"{p.host.name} took {p.ended - killed:.1f} s"
    assert_no_fragments(lan)


@pytest.mark.timeout(150)
def test_one_client_on_a_10mbit_link_does_not_stop_the_session(tmp_path: Path) -> None:
    """Three clients at 100mbit, one at 10mbit: 4 MiB take 3.5 s at the slow link's rate;
    everyone verifies well within 10x that."""
    size = 4 * MiB
    source = random_file(tmp_path / "source.raw", size)
    specs = [HostSpec("master"), *(HostSpec(name) for name in CLIENTS[:3]), HostSpec("h4", rate="10mbit")]
    with Rig(specs) as rig:
        session = Session(rig, tmp_path, source, CLIENTS)
        session.complete(90)
        finished = session.master.final()
        assert len(finished["verified"]) == 4
        slowest = size / rig.payload_rate("h4")
        ends = {name: p.final().get("seconds") for name, p in session.clients.items()}
        print(f"\n10mbit client: session {finished['seconds']:.2f} s (the slow link alone needs {slowest:.2f} s); "
              f"clients {ends}; h4 link {rig.hosts['h4'].link_stats()}")
        assert finished["seconds"] < 10 * slowest
        assert_no_fragments(rig)
