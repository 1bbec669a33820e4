"""Secured sessions on real sockets (loopback: interface 127.0.0.1, TTL 0; nothing leaves this
computer), and rogue senders on the same group: a second process that knows the session name
but not the passphrase, and one that floods random datagrams."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imgcast.engine.events import (
    AuthenticationFailed,
    MasterFound,
    MasterIgnored,
    SessionFailed,
    SessionFinished,
)
from imgcast.engine.image.local import make_image
from imgcast.engine.naming import session_address
from imgcast.engine.protocol.client import NEEDS_PASSPHRASE
from imgcast.engine.secure.machine import NOT_SECURED, STALE_MASTER, WRONG_PASSPHRASE
from imgcast.engine.session import SessionRunner, SessionSettings
from test_disk_partitions import MIB, make_disk, write_at
from test_image_roundtrip import sha_beside_safe_area, text_like
from test_session_loopback import events_of, finish_all, spawn

PASS = b"the lab's passphrase"
ROGUE = Path(__file__).with_name("rogue.py")


def net(name: str, port: int, **more) -> dict:
    return {"name": name, "interface": "127.0.0.1", "ttl": 0, "port": port, **more}


def free_port() -> int:
    return 20000 + random.randrange(20000)


async def _run(settings_list, *, delay: float = 0.3):
    """Clients first, then the master; every runner's final event and every event seen."""
    seen: list = []
    runners = [SessionRunner(s, seen.append) for s in settings_list]
    tasks = [asyncio.create_task(r.run()) for r in runners[1:]]
    await asyncio.sleep(delay)
    tasks.insert(0, asyncio.create_task(runners[0].run()))
    finals = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 120)
    return finals, seen


def test_a_secured_session_copies_bit_exact_and_says_it_is_secured(tmp_path: Path, session_name: str) -> None:
    secret = tmp_path / "pass"
    secret.write_bytes(PASS + b"\n")
    os.chmod(secret, 0o600)
    source = tmp_path / "source.raw"
    source.write_bytes(os.urandom(16 << 20))
    port = str(free_port())
    targets = [tmp_path / f"t{i}.raw" for i in range(2)]
    clients = [spawn("session", session_name, "client", f"to={t}", "--passphrase-file", secret, "--port", port)
               for t in targets]
    time.sleep(0.5)
    master = spawn("session", session_name, "master", "clients=2", f"from={source}", "--passphrase-file", secret,
                   "--port", port)
    results = finish_all([master, *clients])
    for code, _out, err in results:
        assert code == 0, err
    opened = next(e for e in events_of(results[0][1]) if e["event"] == "lobby_opened")
    assert opened["secured"] is True
    for target in targets:
        assert target.read_bytes() == source.read_bytes()


def test_the_wrong_passphrase_is_told_within_a_few_seconds(tmp_path: Path, session_name: str) -> None:
    (tmp_path / "src").write_bytes(os.urandom(1 << 20))
    port = free_port()
    settings = [SessionSettings(role="master", source=str(tmp_path / "src"), passphrase=PASS, **net(session_name, port)),
                SessionSettings(role="client", target=str(tmp_path / "t"), passphrase=b"guess", **net(session_name, port))]

    async def main():
        master = SessionRunner(settings[0], lambda e: None)
        client = SessionRunner(settings[1], lambda e: None)
        master_task = asyncio.create_task(master.run())
        await asyncio.sleep(0.3)
        start = time.monotonic()
        final = await asyncio.wait_for(client.run(), 15)
        took = time.monotonic() - start
        master.cancel()
        await master_task
        return final, took

    final, took = asyncio.run(main())
    assert isinstance(final, SessionFailed) and final.reason == WRONG_PASSPHRASE
    assert took < 5
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("secured_master", [True, False])
def test_secured_and_unsecured_never_mix_and_each_says_why(tmp_path: Path, session_name: str,
                                                           secured_master: bool) -> None:
    (tmp_path / "src").write_bytes(os.urandom(1 << 20))
    port = free_port()
    settings = [SessionSettings(role="master", source=str(tmp_path / "src"), passphrase=PASS if secured_master else None,
                                **net(session_name, port)),
                SessionSettings(role="client", target=str(tmp_path / "t"), passphrase=None if secured_master else PASS,
                                **net(session_name, port))]

    async def main():
        master = SessionRunner(settings[0], lambda e: None)
        master_task = asyncio.create_task(master.run())
        await asyncio.sleep(0.3)
        final = await asyncio.wait_for(SessionRunner(settings[1], lambda e: None).run(), 15)
        master.cancel()
        await master_task
        return final

    final = asyncio.run(main())
    assert isinstance(final, SessionFailed)
    assert final.reason == (NEEDS_PASSPHRASE if secured_master else NOT_SECURED)


@pytest.mark.parametrize(("master_pass", "client_pass", "verdict"), [
    (PASS, b"guess", WRONG_PASSPHRASE), (PASS, None, NEEDS_PASSPHRASE), (None, PASS, NOT_SECURED)])
def test_a_client_for_its_own_disk_gives_the_same_verdicts(tmp_path: Path, session_name: str, monkeypatch,
                                                            master_pass, client_pass, verdict) -> None:
    """`img session NAME client` (no to=): the listener that hears the master before a disk is
    chosen says the same one line as a client with to= would, and no disk is chosen."""
    import types

    from imgcast.engine.disk import own

    chosen = []
    monkeypatch.setattr(own, "own_disks", lambda *a, **k: types.SimpleNamespace(eligible=[object()]))
    monkeypatch.setattr(own, "choose_own_disk", lambda *a, **k: chosen.append(a))
    (tmp_path / "src").write_bytes(os.urandom(1 << 20))
    port = free_port()
    settings = [SessionSettings(role="master", source=str(tmp_path / "src"), passphrase=master_pass,
                                **net(session_name, port)),
                SessionSettings(role="client", passphrase=client_pass, **net(session_name, port))]

    async def main():
        master = SessionRunner(settings[0], lambda e: None)
        master_task = asyncio.create_task(master.run())
        await asyncio.sleep(0.3)
        start = time.monotonic()
        final = await asyncio.wait_for(SessionRunner(settings[1], lambda e: None).run(), 15)
        took = time.monotonic() - start
        master.cancel()
        await master_task
        return final, took

    final, took = asyncio.run(main())
    assert isinstance(final, SessionFailed) and final.reason == verdict
    assert took < 5 and not chosen


def test_an_encrypted_image_goes_through_a_secured_session_as_it_is(tmp_path: Path, session_name: str) -> None:
    disk = make_disk(tmp_path / "disk.raw", 16 * MIB, "label: dos\nstart=2048, size=12MiB, type=83\n")
    write_at(disk, 2 * MIB, text_like(3 * MIB))
    image = tmp_path / "lab.imgcast"
    make_image(str(image), str(disk), level="speed", passphrase=PASS)
    port = free_port()
    settings = [SessionSettings(role="master", clients=1, source=str(image), passphrase=PASS, **net(session_name, port)),
                SessionSettings(role="client", target=str(tmp_path / "t.raw"), passphrase=PASS, **net(session_name, port))]
    finals, _ = asyncio.run(_run(settings))
    assert isinstance(finals[0], SessionFinished) and finals[0].all_verified, finals
    assert sha_beside_safe_area(tmp_path / "t.raw") == sha_beside_safe_area(disk)
    open_master = SessionSettings(role="master", source=str(image), **net(session_name, port))
    with pytest.raises(Exception, match="encrypted image: give its passphrase"):
        asyncio.run(SessionRunner(open_master, lambda e: None).run())


def rogue(name: str, port: int, seconds: float, rate: float, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROGUE), name, "--port", str(port), "--seconds", str(seconds),
                             "--rate", str(rate), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _timed_session(tmp_path: Path, name: str, port: int, data: bytes, *, passphrase: bytes | None, clients: int = 2,
                   rate: float = 16e6, during=None):
    """A rate-capped session (so its length is the cap's, not the CPU's); `during(port)` starts
    a rogue once the clients have joined. The master's final event, all events, the rogue."""
    (tmp_path / "src").write_bytes(data)
    settings = [SessionSettings(role="master", clients=clients, source=str(tmp_path / "src"), passphrase=passphrase,
                                rate=rate, **net(name, port))]
    settings += [SessionSettings(role="client", target=str(tmp_path / f"t{i}"), passphrase=passphrase,
                                 **net(name, port)) for i in range(clients)]
    attacker = during(port) if during else None
    try:
        finals, seen = asyncio.run(_run(settings))
    finally:
        if attacker is not None:
            attacker.kill()
            attacker.communicate()
    for i in range(clients):
        (tmp_path / f"t{i}").unlink(missing_ok=True)
    return finals, seen


def test_rogue_forgeries_change_nothing_in_a_secured_session(tmp_path: Path, session_name: str) -> None:
    """Every client verifies, and the session is not held up: the time bound here is loose
    (this 2-core machine is shared, so timings wobble); bench/bench_secure.py measures the
    slowdown properly, master, clients and rogue each in their own process."""
    data = os.urandom(24 << 20)
    port = free_port()
    calm, _ = _timed_session(tmp_path, session_name, port, data, passphrase=PASS)
    attacked, seen = _timed_session(tmp_path, session_name, port, data, passphrase=PASS,
                                    during=lambda p: rogue(session_name, p, 20, 3000))
    for final in (calm, attacked):
        assert isinstance(final[0], SessionFinished) and final[0].all_verified, final
        assert all(isinstance(f, SessionFinished) for f in final[1:]), final
    assert any(isinstance(e, AuthenticationFailed) for e in seen)  # the forgeries did arrive
    assert attacked[0].seconds <= calm[0].seconds * 2 + 1, (calm[0].seconds, attacked[0].seconds)


def test_forged_data_in_an_open_session_fails_the_check_never_succeeds(tmp_path: Path, session_name: str) -> None:
    data = os.urandom(8 << 20)
    finals, _ = _timed_session(tmp_path, session_name, free_port(), data, passphrase=None, clients=1, rate=4e6,
                               during=lambda p: rogue(session_name, p, 20, 3000, "--kinds", "data"))
    assert not isinstance(finals[1], SessionFinished), finals
    assert isinstance(finals[0], SessionFinished) and not finals[0].verified


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["open", "secured"])
def test_a_flood_of_random_datagrams_at_ten_times_the_data_rate_does_not_stop_a_session(
        tmp_path: Path, session_name: str, passphrase: bytes | None) -> None:
    rate = 2e6  # bytes/s: about 1,400 datagrams a second; the flood sends 14,000
    finals, _ = _timed_session(tmp_path, session_name, free_port(), os.urandom(4 << 20), passphrase=passphrase,
                               rate=rate, during=lambda p: rogue(session_name, p, 30, 10 * rate / 1446, "--random"))
    assert isinstance(finals[0], SessionFinished) and finals[0].all_verified, finals


def _group_socket(name: str, port: int) -> socket.socket:
    group = session_address(name).group
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((group, port))  # this group only; it sends on loopback (below) with TTL 0
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    socket.inet_aton(group) + socket.inet_aton("127.0.0.1"))
    sock.setblocking(False)
    return sock


def test_a_client_lured_by_a_replayed_master_joins_the_live_one(tmp_path: Path, session_name: str) -> None:
    """An earlier run's lobby (same name, same passphrase, a 1 MiB image) is recorded and played
    back to a waiting client: it tries to join, says it is ignoring that master, lets go of the
    target it opened for that image, and then copies the live master's 2 MiB image bit-exact."""
    port = free_port()
    group = session_address(session_name).group
    (tmp_path / "old").write_bytes(os.urandom(1 << 20))
    (tmp_path / "new").write_bytes(os.urandom(2 << 20))
    seen: list = []

    async def main():
        recorder = _group_socket(session_name, port)
        old = SessionRunner(SessionSettings(role="master", source=str(tmp_path / "old"), passphrase=PASS,
                                            **net(session_name, port)), lambda e: None)
        old_task = asyncio.create_task(old.run())
        recording: list[bytes] = []
        until = time.monotonic() + 7.0  # 14 announces: the lure outlasts the client's 5 s of patience
        while time.monotonic() < until:
            with contextlib.suppress(BlockingIOError):
                while True:
                    recording.append(recorder.recv(65536))
            await asyncio.sleep(0.05)
        old.cancel()
        await old_task
        client = SessionRunner(SessionSettings(role="client", target=str(tmp_path / "t"), passphrase=PASS,
                                               **net(session_name, port)), seen.append)
        client_task = asyncio.create_task(client.run())
        for datagram in recording:  # the replay, at the pace of the announces
            recorder.sendto(datagram, (group, port))
            await asyncio.sleep(0.5)
            if any(isinstance(e, MasterIgnored) for e in seen):
                break
        assert any(isinstance(e, MasterIgnored) for e in seen), seen
        live = SessionRunner(SessionSettings(role="master", clients=1, source=str(tmp_path / "new"), passphrase=PASS,
                                             **net(session_name, port)), lambda e: None)
        finals = await asyncio.wait_for(asyncio.gather(client_task, live.run()), 60)
        recorder.close()
        return finals

    client_final, master_final = asyncio.run(main())
    assert isinstance(client_final, SessionFinished), client_final
    assert master_final.all_verified
    assert (tmp_path / "t").read_bytes() == (tmp_path / "new").read_bytes()
    ignored = next(e for e in seen if isinstance(e, MasterIgnored))
    assert ignored.reason == STALE_MASTER
    found = [e for e in seen if isinstance(e, MasterFound)]
    assert [f.disk_size for f in found] == [1 << 20, 2 << 20]
