"""Running `img` as separate processes on loopback (interface 127.0.0.1, TTL 0), for tests that
need a whole multicast session the way an operator runs it."""

from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

SESSION_TIMEOUT = 120


def img(*args: str | Path, env: dict[str, str] | None = None,
        stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """`img ARGS` as a process; `stdin=subprocess.PIPE` lets a test type keys (m, start)."""
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=stdin, env=env)


def loopback_options() -> list[str]:
    """A private port on 127.0.0.1 with TTL 0, JSON events: nothing leaves this machine."""
    return ["--interface", "127.0.0.1", "--ttl", "0", "--port", str(20000 + random.randrange(20000)), "--json"]


_unread: dict[int, str] = {}  # pid -> output read past the event a test waited for


def wait_for_event(process: subprocess.Popen[str], name: str, seconds: float = 30) -> list[dict]:
    """Read a --json process's events up to and including the first `name` event (bounded).
    Reads the pipe's descriptor directly (select and a text buffer do not mix); what was read
    past that event is kept for `finish`."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen: list[dict] = []
    text = _unread.pop(process.pid, "")
    deadline = time.monotonic() + seconds
    while True:
        while "\n" in text:
            line, text = text.split("\n", 1)
            if not line.strip():
                continue
            event = json.loads(line)
            seen.append(event)
            if event.get("event") == name:
                _unread[process.pid] = text
                return seen
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536).decode() if ready else ""
        if not chunk:
            break
        text += chunk
    if process.poll() is None:
        process.kill()
    pytest.fail(f"no {name} event within {seconds} s; saw {[e.get('event') for e in seen]}; "
                f"stderr: {process.communicate()[1][-2000:]}")


def finish(processes: list[subprocess.Popen[str]], seconds: float = SESSION_TIMEOUT) -> list[tuple[int, str, str]]:
    """Each process's (status, out, err) once it ends; every one is killed past `seconds`."""
    results = []
    deadline = time.monotonic() + seconds
    for process in processes:
        try:
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in processes:
                if other.poll() is None:
                    other.kill()
            out, err = process.communicate()
            others = [(p.returncode, p.communicate()[1][-1000:]) for p in processes if p is not process]
            pytest.fail(f"the session did not finish in {seconds} s: {err[-2000:]}; the others: {others}")
        results.append((process.returncode, _unread.pop(process.pid, "") + (out or ""), err))
    return results


def run_session(name: str, source: Path, targets: list[Path]) -> list[tuple[int, str, str]]:
    """One master sending `source`, one client per target; every process's (status, out, err),
    master first. Fails the test (killing every process) past SESSION_TIMEOUT."""
    common = loopback_options()
    clients = [img("session", name, "client", f"to={target}", *common) for target in targets]
    time.sleep(0.5)
    master = img("session", name, "master", f"clients={len(targets)}", f"from={source}", *common)
    return finish([master, *clients])
