"""Running `img` as separate processes on loopback (interface 127.0.0.1, TTL 0), for tests that
need a whole multicast session the way an operator runs it."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

SESSION_TIMEOUT = 120


def img(*args: str | Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def run_session(name: str, source: Path, targets: list[Path]) -> list[tuple[int, str, str]]:
    """One master sending `source`, one client per target; every process's (status, out, err),
    master first. Fails the test (killing every process) past SESSION_TIMEOUT."""
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
