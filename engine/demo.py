"""A whole session on this computer: a master and N clients over loopback, with a generated disk.

The one-command way to see imgcast work (`img demo`, the wizard's demo button). Everything
stays on the loopback interface with TTL 0, and the session name is random so two demos
never meet.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from .events import Event
from .session import SessionRunner, SessionSettings

DEMO_INTERFACE = "127.0.0.1"
DEMO_TTL = 0


def write_demo_disk(path: Path, size: int, seed: int = 0) -> None:
    """A disk-like image: a boot sector, runs of zeros, random blocks and repetitive text."""
    rng = random.Random(seed)
    block = 1 << 20
    with open(path, "wb") as out:
        written = 0
        while written < size:
            n = min(block, size - written)
            kind = rng.random()
            if kind < 0.3:
                data = bytes(n)
            elif kind < 0.7:
                data = rng.randbytes(n)
            else:
                line = f"imgcast demo line {written:012d} " * 4 + "\n"
                data = (line.encode() * (n // len(line) + 1))[:n]
            out.write(data)
            written += n


def demo_name() -> str:
    """A session name no other demo (or test) on this computer uses at the same time."""
    return f"demo-{os.getpid()}-{random.SystemRandom().getrandbits(32):08x}"


async def _run_after(delay: float, runner: SessionRunner) -> Event:
    """A client that arrives `delay` seconds into the demo, as people switch computers on."""
    await asyncio.sleep(delay)
    return await runner.run()


async def run_demo(
    clients: int,
    on_event: Callable[[str, Event], None],
    size: int = 64 << 20,
    workdir: str | None = None,
    rate: float | None = None,
    join_interval: float = 0.0,
    name: str | None = None,
) -> list[Event]:
    """Run it; on_event(participant_label, event); returns each participant's final event,
    master first. The generated files live in `workdir` (a temporary folder by default).

    `name`: the session's name (by default a fresh one, see demo_name); the wizard picks it
    first, so its report names the session that ran. `join_interval` > 0 starts the master first and the clients that many seconds apart, so a
    trainer can show the lobby filling up; 0 starts them all at once (the quickest demo)."""
    own_dir = None
    if workdir is None:
        own_dir = tempfile.TemporaryDirectory(prefix="imgcast-demo-")
        workdir = own_dir.name
    try:
        folder = Path(workdir)
        source = folder / "demo-disk.raw"
        write_demo_disk(source, size)
        name = name or demo_name()
        common = {"name": name, "interface": DEMO_INTERFACE, "ttl": DEMO_TTL, "rate": rate}
        runners = [SessionRunner(SessionSettings(role="master", clients=clients, source=str(source),
                                                 host="demo-master", **common),
                                 lambda e: on_event("master", e))]
        for i in range(1, clients + 1):
            label = f"client-{i}"
            runners.append(SessionRunner(
                SessionSettings(role="client", target=str(folder / f"{label}.raw"), host=f"demo-{label}", **common),
                lambda e, label=label: on_event(label, e)))
        if join_interval > 0:
            tasks = [asyncio.create_task(runners[0].run())]
            tasks += [asyncio.create_task(_run_after(i * join_interval, r)) for i, r in enumerate(runners[1:], 1)]
        else:
            tasks = [asyncio.create_task(r.run()) for r in runners[1:]]
            await asyncio.sleep(0)  # clients listen before the master announces
            tasks.insert(0, asyncio.create_task(runners[0].run()))
        try:
            return list(await asyncio.gather(*tasks))
        except asyncio.CancelledError:
            for runner in runners:
                runner.cancel()
            await asyncio.wait(tasks, timeout=5)
            raise
    finally:
        if own_dir is not None:
            own_dir.cleanup()
