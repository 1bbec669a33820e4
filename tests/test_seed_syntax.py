"""The ZENworks manual's syntax, verbatim: `img session doug client`, `img session doug master
clients=5 t=15` and `img session doug` image this computer's own disk.

Each process sees only its own loop device as a disk (IMGCAST_DISKS), so "this computer's disk"
is a file-backed loop device and never a real disk of this machine. The network options only
keep the session on loopback (127.0.0.1, TTL 0, a private port). The last test runs the same
words against this machine's real disks, which cannot qualify (one holds the running system),
and checks each is refused in one line, without anything being opened for writing.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imgcast.engine.disk.own import own_disks
from imgcast.engine.inventory.disks import list_disks
from loop_devices import attached, backing_loops, needs_loop, only_disks, zero_file
from loopback_cli import finish, img, loopback_options, wait_for_event
from test_disk_partitions import MIB

DISK = 24 * MIB


def random_disk(path: Path) -> bytes:
    """Incompressible bytes with no partition table (bytes 510-511 are not 55 AA): every byte is
    carried, so the copy must be bit-exact everywhere."""
    data = bytearray(os.urandom(DISK))
    data[510:512] = bytes(2)
    path.write_bytes(data)
    return bytes(data)


def device_bytes(device: str, size: int = DISK) -> bytes:
    with open(device, "rb") as disk:
        return disk.read(size)


@contextlib.contextmanager
def two_computers(tmp_path: Path) -> Iterator[tuple[bytes, str, str]]:
    """Two computers' own disks as loop devices: the first holds random bytes, the second zeros."""
    first_file, second_file = tmp_path / "first.raw", zero_file(tmp_path / "second.raw", DISK)
    data = random_disk(first_file)
    with attached(first_file, partscan=False) as first, attached(second_file, partscan=False) as second:
        yield data, first, second
    assert backing_loops(first_file) == backing_loops(second_file) == []


def events(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def of_kind(output: str, name: str) -> list[dict]:
    return [e for e in events(output) if e["event"] == name]


@needs_loop
def test_client_writes_this_computers_only_disk_chosen_before_join(tmp_path: Path) -> None:
    data = random_disk(tmp_path / "source.raw")
    target_file = zero_file(tmp_path / "own.raw", DISK)
    net = loopback_options()
    with attached(target_file, partscan=False) as own:
        client = img("session", "doug", "client", "--yes", *net, env=only_disks(own))
        time.sleep(0.5)
        master = img("session", "doug", "master", "clients=1", f"from={tmp_path / 'source.raw'}", *net)
        (m_status, m_out, m_err), (c_status, c_out, c_err) = finish([master, client])
        assert (m_status, c_status) == (0, 0), m_err + c_err
        chosen = of_kind(c_out, "disk_chosen")
        assert [(e["purpose"], e["device"]) for e in chosen] == [("write", own)]
        assert "24.0 MiB" in chosen[0]["description"] and str(target_file) in chosen[0]["description"]
        # chosen before JOIN: the master's lobby saw the real size of the target
        joined = of_kind(m_out, "client_joined")
        assert joined and joined[0]["client"]["target_size"] == DISK
        assert device_bytes(own) == data
    assert backing_loops(target_file) == []


@needs_loop
def test_master_with_clients_and_minutes_sends_this_computers_disk(tmp_path: Path) -> None:
    net = loopback_options()
    with two_computers(tmp_path) as (data, source, target):
        master = img("session", "doug", "master", "clients=5", "t=15", *net, env=only_disks(source),
                     stdin=subprocess.PIPE)
        client = img("session", "doug", "client", "--yes", *net, env=only_disks(target))
        seen = wait_for_event(master, "client_joined")
        assert [(e["purpose"], e["device"]) for e in seen if e["event"] == "disk_chosen"] == [("send", source)]
        master.stdin.write("start\n")  # the operator starts at once instead of waiting 15 minutes
        master.stdin.flush()
        (m_status, _, m_err), (c_status, _, c_err) = finish([master, client])
        assert (m_status, c_status) == (0, 0), m_err + c_err
        assert device_bytes(target) == data
        assert device_bytes(source) == data  # sending only reads


@needs_loop
def test_no_role_offers_the_disk_both_ways_and_m_decides(tmp_path: Path) -> None:
    net = loopback_options()
    with two_computers(tmp_path) as (data, first, second):
        one = img("session", "doug", *net, env=only_disks(first), stdin=subprocess.PIPE)
        two = img("session", "doug", "--yes", *net, env=only_disks(second), stdin=subprocess.PIPE)
        one_seen = wait_for_event(one, "waiting_for_master")
        two_seen = wait_for_event(two, "waiting_for_master")
        one.stdin.write("m\n")  # the operator on the first computer presses m
        one.stdin.flush()
        one_seen += wait_for_event(one, "client_joined")
        one.stdin.write("start\n")
        one.stdin.flush()
        (one_status, one_out, one_err), (two_status, two_out, two_err) = finish([one, two])
        assert (one_status, two_status) == (0, 0), one_err + two_err
        one_events, two_events = one_seen + events(one_out), two_seen + events(two_out)
        assert [e["role"] for e in one_events if e["event"] == "role_decided"] == ["master"]
        assert [e["role"] for e in two_events if e["event"] == "role_decided"] == ["client"]
        assert [(e["purpose"], e["device"]) for e in two_events if e["event"] == "disk_chosen"] == [
            ("send", second), ("write", second)]
        assert device_bytes(second) == data


def _drain(fd: int, into: list[bytes], stop: threading.Event) -> None:
    """Keep a pty read so the process never blocks writing its progress to it."""
    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)


@needs_loop
@pytest.mark.parametrize("answer", ["y", "n"])
def test_on_a_terminal_the_client_asks_once_naming_the_disk(tmp_path: Path, answer: str) -> None:
    data = random_disk(tmp_path / "source.raw")
    target_file = zero_file(tmp_path / "own.raw", DISK)
    net = [o for o in loopback_options() if o != "--json"]
    with attached(target_file, partscan=False) as own:
        leader, follower = pty.openpty()
        command = [sys.executable, "-m", "imgcast.engine.cli.main", "session", "doug", "client", *net]
        client = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=subprocess.PIPE,
                                  env=only_disks(own), text=True)
        os.close(follower)
        master = img("session", "doug", "master", "clients=1", f"from={tmp_path / 'source.raw'}",
                     "--json", *net)
        screen: list[bytes] = []
        stop = threading.Event()
        reader = threading.Thread(target=_drain, args=(leader, screen, stop), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 30
            while b"[y/N]" not in b"".join(screen) and time.monotonic() < deadline:
                time.sleep(0.1)
            question = b"".join(screen).decode(errors="replace")
            assert "Overwrite this computer's disk" in question, question
            assert own in question and str(target_file) in question and "24.0 MiB" in question
            os.write(leader, f"{answer}\n".encode())
            if answer == "n":
                assert client.wait(timeout=30) == 1
                assert "was not confirmed; nothing was written" in client.stderr.read()
                master.kill()
                master.communicate()
                assert device_bytes(own) == bytes(DISK)
            else:
                (m_status, _, m_err), (c_status, _, c_err) = finish([master, client])
                assert (m_status, c_status) == (0, 0), m_err + c_err
                assert b"".join(screen).count(b"[y/N]") == 1  # asked once
                assert device_bytes(own) == data
        finally:
            stop.set()
            for process in (client, master):
                if process.poll() is None:
                    process.kill()
                    process.wait()
            reader.join(timeout=5)
            os.close(leader)
    assert backing_loops(target_file) == []


def real_disks() -> list[str]:
    """This machine's disks that are not loop devices (which other tests may be attaching)."""
    return [d.device for d in list_disks() if d.kind != "loop"]


@pytest.mark.parametrize("words", [["client"], ["master", "clients=5", "t=15"], []],
                         ids=["client", "master", "no-role"])
def test_on_this_machine_no_disk_qualifies_and_each_is_named_with_its_reason(
        words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    disks = real_disks()
    monkeypatch.setenv("IMGCAST_DISKS", ",".join(disks) or "/dev/no-disk")
    if own_disks("write").eligible or own_disks("send").eligible:
        pytest.skip("this machine has a disk that could be imaged; the test needs one that has none")
    process = img("session", "doug", *words, *loopback_options(), env={**os.environ})
    status, out, err = finish([process], seconds=30)[0]
    assert status == 1
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, err
    verb = "written" if words == ["client"] else "sent"
    assert line.startswith(f"img: no disk of this computer can be {verb}: ")
    for device in disks:
        assert device in line
    if disks:
        assert "holds the running system" in line
