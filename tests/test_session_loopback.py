"""Real sockets on loopback (interface 127.0.0.1, TTL 0): nothing leaves this computer."""

import asyncio
import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from imgcast.engine.events import ClientDropped, SessionFailed, SessionFinished
from imgcast.engine.net.faults import FaultInjector
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.session import SessionRunner, SessionSettings

IMG = [sys.executable, "-m", "imgcast.engine.cli.main"]
NET = ["--interface", "127.0.0.1", "--ttl", "0", "--json"]


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*IMG, *args, *NET], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)


def wait_for_file(path, seconds: float = 30) -> None:
    """Until the client has opened its target (it has joined), at most `seconds`."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def events_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def finish_all(procs, timeout=120):
    deadline = time.monotonic() + timeout
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results.append((proc.returncode, out, err))
    return results


def test_master_and_three_client_processes_copy_64_mib_bit_exact(tmp_path, session_name):
    source = tmp_path / "source.raw"
    source.write_bytes(os.urandom(64 << 20))
    targets = [tmp_path / f"target{i}.raw" for i in range(3)]
    clients = [spawn("session", session_name, "client", f"to={t}") for t in targets]
    time.sleep(0.3)
    master = spawn("session", session_name, "master", "clients=3", f"from={source}")
    results = finish_all([master, *clients])
    for code, _out, err in results:
        assert code == 0, err
    finished = events_of(results[0][1])[-1]
    assert finished["event"] == "session_finished" and len(finished["verified"]) == 3
    expected = source.read_bytes()
    for target in targets:
        assert target.read_bytes() == expected
    for _code, out, _ in results[1:]:
        kinds = [e["event"] for e in events_of(out)]
        assert "target_verified" in kinds and kinds[-1] == "session_finished"


async def _session(settings_list, faults=None, config=None, on_event=None):
    runners = [SessionRunner(s, on_event or (lambda e: None), faults=f, config=config)
               for s, f in zip(settings_list, faults or [None] * len(settings_list), strict=True)]
    tasks = [asyncio.create_task(r.run()) for r in runners[1:]]
    await asyncio.sleep(0.05)
    tasks.insert(0, asyncio.create_task(runners[0].run()))
    return runners, await asyncio.wait_for(asyncio.gather(*tasks), 120)


def test_three_clients_at_five_percent_loss_on_real_sockets(tmp_path, session_name):
    data = os.urandom(8 << 20)
    (tmp_path / "src").write_bytes(data)
    net = {"name": session_name, "interface": "127.0.0.1", "ttl": 0}
    settings = [SessionSettings(role="master", clients=3, source=str(tmp_path / "src"), **net)]
    settings += [SessionSettings(role="client", target=str(tmp_path / f"t{i}"), **net) for i in range(3)]
    faults = [FaultInjector(drop=0.05, seed=1)] + [
        FaultInjector(drop=0.05, duplicate=0.01, reorder=0.01, seed=i + 2) for i in range(3)]
    _, finals = asyncio.run(_session(settings, faults))
    assert isinstance(finals[0], SessionFinished) and len(finals[0].verified) == 3
    for i in range(3):
        assert (tmp_path / f"t{i}").read_bytes() == data
    assert all(f.dropped > 0 for f in faults[1:])  # the loss really happened


def test_a_client_that_stops_mid_transfer_is_dropped_and_the_rest_verify(tmp_path, session_name):
    data = os.urandom(24 << 20)
    (tmp_path / "src").write_bytes(data)
    net = {"name": session_name, "interface": "127.0.0.1", "ttl": 0, "rate": 40e6}
    settings = [SessionSettings(role="master", clients=2, source=str(tmp_path / "src"), **net)]
    settings += [SessionSettings(role="client", target=str(tmp_path / f"t{i}"), **net) for i in range(2)]
    config = ProtocolConfig(client_timeout=1.5, master_timeout=3.0)
    seen = []

    async def main():
        runners = [SessionRunner(s, seen.append, config=config) for s in settings]
        tasks = [asyncio.create_task(r.run()) for r in runners[1:]]
        await asyncio.sleep(0.05)
        tasks.insert(0, asyncio.create_task(runners[0].run()))
        while not (tmp_path / "t0").exists() or (tmp_path / "t0").stat().st_size < (4 << 20):
            await asyncio.sleep(0.01)
        tasks[1].cancel()  # this client's process vanishes: no goodbye at all
        runners[1].driver.endpoint.close() if runners[1].driver else None
        return await asyncio.wait_for(asyncio.gather(tasks[0], tasks[2]), 60)

    master_final, client_final = asyncio.run(main())
    assert isinstance(master_final, SessionFinished)
    assert len(master_final.verified) == 1 and len(master_final.dropped) == 1
    assert any(isinstance(e, ClientDropped) for e in seen)
    assert (tmp_path / "t1").read_bytes() == data


def test_ctrl_c_on_the_master_fails_every_client_and_leaves_no_process(tmp_path, session_name):
    source = tmp_path / "source.raw"
    source.write_bytes(os.urandom(32 << 20))
    clients = [spawn("session", session_name, "client", f"to={tmp_path / f't{i}'}") for i in range(2)]
    time.sleep(0.3)
    master = spawn("session", session_name, "master", "clients=2", f"from={source}", "--rate", "8M")
    wait_for_file(tmp_path / "t0")
    time.sleep(0.5)
    master.send_signal(signal.SIGINT)
    results = finish_all([master, *clients], timeout=30)
    assert results[0][0] == 1 and "cancelled" in results[0][2]
    for code, _out, err in results[1:]:
        assert code == 1
        assert "the master ended the session" in err and "incomplete" in err
        assert len(err.strip().splitlines()) == 1


def test_ctrl_c_on_a_client_leaves_and_says_the_target_is_incomplete(tmp_path, session_name):
    source = tmp_path / "source.raw"
    source.write_bytes(os.urandom(32 << 20))
    client = spawn("session", session_name, "client", f"to={tmp_path / 't0'}")
    keeper = spawn("session", session_name, "client", f"to={tmp_path / 't1'}")
    time.sleep(0.3)
    master = spawn("session", session_name, "master", "clients=2", f"from={source}", "--rate", "16M")
    wait_for_file(tmp_path / "t0")
    time.sleep(0.3)
    client.send_signal(signal.SIGINT)
    results = finish_all([client, master, keeper], timeout=60)
    code, _, err = results[0]
    assert code == 1 and "incomplete" in err
    master_events = events_of(results[1][1])
    dropped = [e for e in master_events if e["event"] == "client_dropped"]
    assert len(dropped) == 1 and "left" in dropped[0]["reason"]
    assert results[2][0] == 0 and (tmp_path / "t1").read_bytes() == source.read_bytes()


def test_undecided_participants_elect_the_one_that_pressed_m(tmp_path, session_name):
    data = os.urandom(2 << 20)
    (tmp_path / "src").write_bytes(data)
    net = {"name": session_name, "interface": "127.0.0.1", "ttl": 0}
    settings = [SessionSettings(source=str(tmp_path / "src"), target=str(tmp_path / "own"), clients=2, **net)]
    settings += [SessionSettings(target=str(tmp_path / f"t{i}"), **net) for i in range(2)]

    async def main():
        runners = [SessionRunner(s, lambda e: None) for s in settings]
        tasks = [asyncio.create_task(r.run()) for r in runners]
        await asyncio.sleep(0.3)
        assert runners[0].become_master() is None  # the operator presses m on the first computer
        return await asyncio.wait_for(asyncio.gather(*tasks), 60)

    finals = asyncio.run(main())
    assert isinstance(finals[0], SessionFinished) and len(finals[0].verified) == 2
    assert all(isinstance(f, SessionFinished) for f in finals)
    assert (tmp_path / "t0").read_bytes() == data and (tmp_path / "t1").read_bytes() == data
    assert not (tmp_path / "own").exists()


def test_a_missing_source_fails_before_any_socket_opens(tmp_path, session_name):
    settings = SessionSettings(name=session_name, role="master", source=str(tmp_path / "nope"),
                               interface="127.0.0.1", ttl=0)
    from imgcast.engine.errors import UsageError

    with pytest.raises(UsageError, match="no such file"):
        asyncio.run(SessionRunner(settings, lambda e: None).run())


def test_demo_runs_a_whole_session(tmp_path):
    from imgcast.engine.demo import run_demo

    labels = set()
    finals = asyncio.run(run_demo(2, lambda label, e: labels.add(label), size=4 << 20, workdir=str(tmp_path)))
    assert isinstance(finals[0], SessionFinished) and len(finals[0].verified) == 2
    assert labels == {"master", "client-1", "client-2"}
    source = (tmp_path / "demo-disk.raw").read_bytes()
    assert (tmp_path / "client-1.raw").read_bytes() == source == (tmp_path / "client-2.raw").read_bytes()


def test_no_socket_is_left_open_after_a_failed_session(tmp_path, session_name):
    import psutil

    before = len(psutil.Process().net_connections(kind="udp"))
    settings = SessionSettings(name=session_name, role="client", target=str(tmp_path / "t"),
                               interface="127.0.0.1", ttl=0)

    async def main():
        runner = SessionRunner(settings, lambda e: None)
        task = asyncio.create_task(runner.run())
        await asyncio.sleep(0.2)
        runner.cancel()
        return await asyncio.wait_for(task, 10)

    final = asyncio.run(main())
    assert isinstance(final, SessionFailed)
    assert len(psutil.Process().net_connections(kind="udp")) == before





def test_a_target_in_a_missing_folder_fails_with_one_line(tmp_path, session_name):
    (tmp_path / "src").write_bytes(os.urandom(1 << 20))
    (tmp_path / "file").write_bytes(b"")
    net = {"name": session_name, "interface": "127.0.0.1", "ttl": 0}
    settings = [SessionSettings(role="master", clients=1, source=str(tmp_path / "src"), **net),
                SessionSettings(role="client", target=str(tmp_path / "file" / "t"), **net)]
    config = ProtocolConfig(client_timeout=1.0)
    _, finals = asyncio.run(_session(settings, config=config))
    assert isinstance(finals[1], SessionFailed) and "to=" in finals[1].reason
    assert "\n" not in finals[1].reason


def test_cancel_before_the_session_is_set_up_still_ends_it(tmp_path, session_name):
    (tmp_path / "src").write_bytes(os.urandom(1 << 20))
    settings = SessionSettings(name=session_name, role="master", clients=1, source=str(tmp_path / "src"),
                               interface="127.0.0.1", ttl=0)

    async def main():
        runner = SessionRunner(settings, lambda e: None)
        runner.cancel()
        return await asyncio.wait_for(runner.run(), 10)

    assert isinstance(asyncio.run(main()), SessionFailed)


def test_the_kernel_drops_only_our_own_looped_back_blocks(session_name):
    from imgcast.engine import wire
    from imgcast.engine.naming import session_address
    from imgcast.engine.net.sockets import ignore_own_blocks, open_multicast_socket

    address = session_address(session_name)
    port = 20000 + os.getpid() % 20000
    listener = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    sender = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    try:
        assert ignore_own_blocks(listener, 1234)
        sid = address.session_id
        ours = wire.build_block(wire.Kind.DATA, sid, 1234, 0, 0, 1, 0, b"x" * 100)
        ours_parity = wire.build_block(wire.Kind.PARITY, sid, 1234, 0, 1, 1, 0, b"x" * 100)
        theirs = wire.build_block(wire.Kind.DATA, sid, 999, 0, 0, 1, 0, b"y" * 100)
        our_abort = wire.build(wire.Kind.ABORT, sid, 1234, reason="bye")
        for datagram in (ours, ours_parity, theirs, our_abort):
            sender.sock.sendto(datagram, sender.destination)
        received, deadline = [], time.monotonic() + 5
        while len(received) < 2 and time.monotonic() < deadline:
            try:
                received.append(listener.sock.recv(65536))
            except BlockingIOError:
                time.sleep(0.01)
        time.sleep(0.1)
        with pytest.raises(BlockingIOError):
            listener.sock.recv(65536)
        assert received == [theirs, our_abort]
    finally:
        listener.close()
        sender.close()


class _NoGsoCard:
    """A socket whose card takes GSO sends and then fails them (EIO), as virtio-net without
    checksum offload does in a VM; everything else goes to the real socket."""

    def __init__(self, sock) -> None:
        self._sock = sock
        self.refused = 0

    def sendmsg(self, buffers, control=(), *rest):
        if control:
            self.refused += 1
            raise OSError(errno.EIO, "Input/output error")
        return self._sock.sendmsg(buffers, control, *rest)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def test_a_card_that_fails_gso_sends_gets_the_datagrams_one_by_one(session_name):
    from imgcast.engine.naming import session_address
    from imgcast.engine.net.driver import Driver
    from imgcast.engine.net.sockets import open_multicast_socket
    from imgcast.engine.protocol.common import Transmit

    address = session_address(session_name)
    port = 20000 + (os.getpid() + 7) % 20000
    listener = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    sender = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    card = _NoGsoCard(sender.sock)
    sender.sock, sender.gso = card, True
    datagrams = [bytes([i]) * 1000 for i in range(10)]

    class OneBurst:
        """A machine that sends one GSO transmit and closes."""
        closed = False

        def get_timer(self):
            return None

        def datagrams_to_send(self, now):
            if self.closed:
                return []
            self.closed = True
            return [Transmit(b"".join(datagrams), 1000)]

        def events(self):
            return []

    async def main():
        await asyncio.wait_for(Driver(OneBurst(), sender, lambda e: None).run(), 5)

    try:
        asyncio.run(main())
        received, deadline = [], time.monotonic() + 5
        while len(received) < 10 and time.monotonic() < deadline:
            try:
                received.append(listener.sock.recv(65536))
            except BlockingIOError:
                time.sleep(0.01)
        assert card.refused == 1 and not sender.gso  # tried once, then one by one for good
        assert received == datagrams
    finally:
        listener.close()
        card._sock.close()


def test_a_transferring_master_reads_its_socket_every_few_ms_not_per_datagram() -> None:
    """Forged traffic must not cost a transferring master a turn of its loop per datagram;
    feedback still gets read within a few milliseconds. A client pauses longer."""
    import types

    from imgcast.engine.net.driver import MASTER_RECV_COALESCE, RECV_COALESCE, Driver

    def machine(**fields):
        return types.SimpleNamespace(**{k: types.SimpleNamespace(value=v) for k, v in fields.items()})

    assert Driver._coalesce(machine(phase="transfer")) == MASTER_RECV_COALESCE <= 0.005
    assert Driver._coalesce(machine(phase="ending")) == MASTER_RECV_COALESCE
    assert Driver._coalesce(machine(phase="lobby")) == 0.0  # joins answered at once
    assert Driver._coalesce(machine(state="transfer")) == RECV_COALESCE
    assert Driver._coalesce(machine(state="waiting")) == 0.0
    assert Driver._coalesce(types.SimpleNamespace()) == 0.0  # an undecided participant


def test_a_client_pauses_reading_no_longer_than_a_share_of_its_buffer_takes_to_fill() -> None:
    """At 100 Mbit/s a client reads every 20 ms (hundreds of datagrams a wake-up); at loopback
    or 10 Gbit/s speed the pause shrinks so that the socket's buffer never comes near full."""
    from imgcast.engine.net.driver import MIN_RECV_PAUSE, RECV_COALESCE, reading_pause

    room = 8 << 20  # a 32 MiB buffer (64 MiB as the kernel counts it), an eighth of it
    assert reading_pause(RECV_COALESCE, 60_000, 0.005, room) == RECV_COALESCE  # 12 MB/s
    fast = reading_pause(RECV_COALESCE, 10_000_000, 0.010, room)  # 1 GB/s
    assert fast * 1e9 <= room * 1.01 and fast < RECV_COALESCE
    assert reading_pause(RECV_COALESCE, 50_000_000, 0.001, 50_000) == MIN_RECV_PAUSE  # never a spin
    assert reading_pause(RECV_COALESCE, 0, 0.01, room) == RECV_COALESCE  # a wake-up that read nothing
    assert reading_pause(0.002, 60_000, 0.005, room) == 0.002  # a master's ceiling stays its own


def test_a_client_pauses_only_once_its_socket_is_empty(session_name):
    """A wake-up reads at most RECV_BATCH times; with more waiting (1 Gbit/s), the client reads
    again at once. Pausing 20 ms after every 128 reads capped a client at 25 MB/s."""
    import types

    from imgcast.engine.naming import session_address
    from imgcast.engine.net.driver import RECV_BATCH, Driver
    from imgcast.engine.net.sockets import open_multicast_socket

    address = session_address(session_name)
    port = 20000 + (os.getpid() + 11) % 20000
    listener = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    sender = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    received: list[int] = []

    class Transferring:
        state = types.SimpleNamespace(value="transfer")

        def receive_datagram(self, data, address, now):
            received.append(len(data))

    async def main():
        driver = Driver(Transferring(), listener, lambda e: None)
        paused: list[float] = []
        driver.loop.call_later = lambda delay, *args: paused.append(delay)  # type: ignore[method-assign]
        driver.loop.remove_reader = lambda fd: True  # type: ignore[method-assign]
        for i in range(RECV_BATCH + 20):
            sender.sock.sendto(bytes([i % 256]) * 100, sender.destination)
        time.sleep(0.05)  # all on lo by now
        driver._on_readable()
        assert len(received) == RECV_BATCH and paused == []  # more to read: no pause
        driver._on_readable()
        assert len(received) == RECV_BATCH + 20 and len(paused) == 1 and paused[0] > 0  # empty: pause

    try:
        asyncio.run(main())
    finally:
        listener.close()
        sender.close()


def test_a_fast_master_sleeps_between_bursts_instead_of_going_round_for_every_datagram(session_name):
    """At 1 Gbit/s a master's next burst is due in half a millisecond. The driver sleeps until
    then (a millisecond, as epoll rounds) and does not go round again at once, even after
    something woke it once: that wake-up, never cleared, kept a master on the rig turning
    its loop 50,000 times in 3 s for one or two datagrams each, at twice the CPU."""
    from imgcast.engine.naming import session_address
    from imgcast.engine.net.driver import Driver
    from imgcast.engine.net.sockets import open_multicast_socket
    from imgcast.engine.protocol.common import Transmit

    address = session_address(session_name)
    port = 20000 + (os.getpid() + 17) % 20000
    endpoint = open_multicast_socket(address.group, port, "127.0.0.1", 0)
    # A real master's socket filters out its own blocks (see above); on lo every send would come
    # back to this one, so it sends to a port nobody listens on.
    endpoint.port = port + 1  # (the socket stays bound to `port`)

    class Paced:
        """A master at 1 Gbit/s: whenever called, it may send what accrued since its last send
        (a datagram every 12 us); its timer says when a whole burst will have, 0.5 ms on."""

        closed = False
        phase = None

        def __init__(self) -> None:
            self.sent_at = 0.0
            self.turns = 0

        def get_timer(self) -> float:
            return self.sent_at + 0.0005

        def handle_timer(self, now: float) -> None:
            pass

        def datagrams_to_send(self, now: float) -> list[Transmit]:
            self.turns += 1
            if now - self.sent_at < 12e-6:
                return []
            self.sent_at = now
            return [Transmit(b"x" * 100, 100)]

        def events(self) -> list:
            return []

        def receive_datagram(self, data, address, now) -> None:
            pass

    async def main() -> int:
        machine = Paced()
        driver = Driver(machine, endpoint, lambda e: None)
        driver.poke()  # something woke it once, as a datagram or the source reader would
        started = driver.loop.time()
        await driver.run(until=lambda: driver.loop.time() - started > 0.2)
        return machine.turns

    try:
        turns = asyncio.run(main())
    finally:
        endpoint.close()
    assert 50 <= turns <= 2 * 0.2 / 0.0005 + 10  # at most one turn per burst (and a wake-up's)
