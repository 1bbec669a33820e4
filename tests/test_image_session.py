"""A multicast session on loopback moves images: from a saved .imgcast file (sent byte for byte)
and from a raw disk file (the image stream built on the fly), to three clients at once.

Network safety: multicast interface 127.0.0.1, TTL 0, every process bounded in time.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from imgcast.engine.cli import main as cli_main
from imgcast.engine.image.local import make_image
from test_disk_partitions import MIB, make_disk, stale_bytes, write_at
from test_image_roundtrip import sha_beside_safe_area, text_like

SESSION_TIMEOUT = 120

pytestmark = pytest.mark.skipif("cmd_session" not in cli_main.COMMANDS,
                                reason="img session is not on this branch yet")


def img(*args: str | Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def run_session(source: Path, targets: list[Path]) -> list[tuple[int, str, str]]:
    """One master sending `source`, one client per target; every process's (status, out, err)."""
    name = f"imgcast-test-{os.getpid()}-{random.randrange(1 << 30)}"
    port = str(20000 + random.randrange(20000))
    common = ["--interface", "127.0.0.1", "--ttl", "0", "--port", port, "--json"]
    clients = [img("session", name, "client", f"to={target}", *common) for target in targets]
    time.sleep(0.5)
    master = img("session", name, "master", f"clients={len(targets)}", f"from={source}", *common)
    results = []
    deadline = time.monotonic() + SESSION_TIMEOUT
    for process in [master, *clients]:
        try:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in [master, *clients]:
                if other.poll() is None:
                    other.kill()
            out, err = process.communicate()
            pytest.fail(f"the session did not finish in {SESSION_TIMEOUT} s: {err[-2000:]}")
        results.append((process.returncode, out, err))
    return results


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("session")
    disk = make_disk(folder / "disk.raw", 32 * MIB, "label: gpt\nstart=2048, size=28MiB, type=L\n")
    write_at(disk, 2 * MIB, text_like(3 * MIB, 1))
    write_at(disk, 12 * MIB, stale_bytes(2 * MIB, 2))
    return disk


@pytest.mark.parametrize("send", ["image file", "raw disk"])
def test_a_session_puts_the_same_disk_down_on_three_clients(disk: Path, tmp_path: Path, send: str) -> None:
    if send == "image file":
        source = Path(make_image(str(tmp_path / "disk.imgcast"), str(disk)).path)
    else:
        source = disk
    targets = [tmp_path / f"client{n}.raw" for n in range(3)]
    results = run_session(source, targets)
    for status, out, err in results:
        assert status == 0, err[-2000:]
        for line in out.splitlines():
            json.loads(line)
    for target in targets:
        assert sha_beside_safe_area(target) == sha_beside_safe_area(disk)
