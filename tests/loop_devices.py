"""Real block devices for tests: loop devices attached to files in the test's folder.

Only loop devices made here are ever written; each is detached when its `with` block (or the
fixture) ends, also when the test fails. Without root (or without losetup / the loop driver)
the tests that need them skip and say why. `only_disks` sets IMGCAST_DISKS, so a session that
picks "this computer's own disk" considers these devices and never the machine's real disks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

LOSETUP_TIMEOUT = 30


def loop_unavailable() -> str | None:
    """Why this machine's tests cannot attach loop devices, or None when they can."""
    if os.geteuid() != 0:
        return "attaching loop devices needs root (CI runs these tests as root)"
    if shutil.which("losetup") is None:
        return "losetup (util-linux) is not installed"
    if not os.path.exists("/dev/loop-control"):
        return "this kernel has no loop driver (/dev/loop-control is missing)"
    return None


needs_loop = pytest.mark.skipif(loop_unavailable() is not None, reason=str(loop_unavailable()))


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          timeout=LOSETUP_TIMEOUT, check=False)


def settle() -> None:
    """Let udev (when it runs) finish creating or removing partition nodes."""
    if shutil.which("udevadm"):
        _run("udevadm", "settle", "--timeout=10")


def detach(device: str) -> None:
    """Detach, retrying briefly: a partition scan or udev probe may hold the device a moment."""
    deadline = time.monotonic() + 10
    while True:
        done = _run("losetup", "--detach", device)
        if done.returncode == 0 or "No such device" in done.stderr or time.monotonic() > deadline:
            return
        time.sleep(0.2)


@contextlib.contextmanager
def attached(file: Path, *, sector_size: int = 512, partscan: bool = True) -> Iterator[str]:
    """/dev/loopN backed by `file` for the length of the block; always detached afterwards."""
    command: list[str | Path] = ["losetup", "--find", "--show"]
    if partscan:
        command.append("--partscan")
    if sector_size != 512:
        command += ["--sector-size", str(sector_size)]
    done = _run(*command, file)
    assert done.returncode == 0, f"losetup failed: {done.stderr.strip()}"
    device = done.stdout.strip()
    try:
        settle()
        yield device
    finally:
        detach(device)


def backing_loops(file: Path) -> list[str]:
    """Loop devices still attached to `file` (empty once a test cleaned up)."""
    done = _run("losetup", "--associated", file, "--noheadings", "--output", "NAME")
    return done.stdout.split()


def show_partitions(device: str) -> None:
    """After partitioning in a test: have the kernel list the new partitions. `partx --update`
    (BLKPG) works also where the kernel has no parser of its own for the table (this CI kernel
    has none), unlike sfdisk's BLKRRPART."""
    done = _run("partx", "--update", device)
    assert done.returncode == 0, f"partx failed: {done.stderr.strip()}"
    settle()


def zero_file(path: Path, size: int) -> Path:
    with open(path, "wb") as file:
        file.truncate(size)
    return path


def only_disks(*devices: str) -> dict[str, str]:
    """The environment for an `img` process whose own-disk search sees only `devices`."""
    return {**os.environ, "IMGCAST_DISKS": ",".join(devices)}


def partition_node(device: str, number: int) -> str:
    """/dev/loop3p1: the node the kernel makes for a partition of a loop device."""
    return f"{device}p{number}"


def wait_for_node(path: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return os.path.exists(path)
