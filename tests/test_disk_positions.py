"""Progress through the disk for a stream built from a disk as it is sent (its size unknown until
its end): the builder's notes map stream bytes to disk offsets, never ahead of the copy, and a
real session's master, its view of each client, and each client report position of span.

Network safety: the session runs on 127.0.0.1 with TTL 0.
"""

from __future__ import annotations

import asyncio
import random

from imgcast.engine.events import ClientProgress, Progress, SessionFinished
from imgcast.engine.image.builder import ImageBuilder
from imgcast.engine.image.parser import Chunk, ImageStreamParser
from imgcast.engine.image.positions import DiskPositions
from imgcast.engine.image.source import DiskImageSource
from imgcast.engine.session import SessionRunner, SessionSettings

MIB = 1 << 20


def _disk_file(path, size: int) -> None:
    """Random data with zero stretches between: zero chunks and data chunks, as a disk has."""
    rng = random.Random(7)
    with open(path, "wb") as out:
        for at in range(0, size, MIB):
            out.write(bytes(MIB) if at // MIB % 3 == 1 else rng.randbytes(MIB))


def test_notes_map_stream_bytes_to_the_last_disk_offset_at_or_before_them() -> None:
    positions = DiskPositions(step=100)
    for stream, disk in ((10, 64), (150, 128), (160, 200), (400, 900)):
        positions.note(stream, disk)
    # 150 and 160 fall within one step: the later note replaced the earlier
    assert [positions.at(n) for n in (0, 9, 10, 149, 159, 160, 399, 400, 10**9)] == [0, 0, 64, 64, 64, 200, 200, 900, 900]


def test_the_builders_positions_never_run_ahead_of_what_a_copy_holds(tmp_path) -> None:
    path = tmp_path / "disk.raw"
    _disk_file(path, 24 * MIB)
    source = DiskImageSource(path, raw=True)
    try:
        stream = bytearray()
        while piece := source.read(300_000):
            stream += piece
    finally:
        source.close()
    builder: ImageBuilder = source.builder
    parser, reached, fed = ImageStreamParser(), 0, 0
    rng = random.Random(3)
    checked = 0
    while fed < len(stream):
        take = rng.randrange(1, 3 * MIB)
        for item in parser.feed(memoryview(stream)[fed : fed + take]):
            if isinstance(item, Chunk):
                reached = max(reached, item.offset + item.length)
        fed = min(len(stream), fed + take)
        said = builder.positions.at(fed)
        assert said <= reached, f"{said} ahead of the {reached} a copy of {fed} stream bytes holds"
        assert said >= reached - 3 * MIB  # behind by at most a step of notes and a chunk or two
        checked += 1
    assert checked > 5
    assert builder.positions.at(len(stream)) == 24 * MIB


def test_a_session_from_a_disk_file_reports_progress_through_the_disk(tmp_path, session_name) -> None:
    size = 12 * MIB
    _disk_file(tmp_path / "src", size)
    net = {"name": session_name, "interface": "127.0.0.1", "ttl": 0, "rate": 6e6}  # 2 s: several reports
    settings = [SessionSettings(role="master", clients=1, source=str(tmp_path / "src"), **net),
                SessionSettings(role="client", target=str(tmp_path / "t0"), **net)]
    seen: list[list[object]] = [[], []]

    async def main():
        runners = [SessionRunner(s, seen[i].append) for i, s in enumerate(settings)]
        client = asyncio.create_task(runners[1].run())
        await asyncio.sleep(0.05)
        return await asyncio.wait_for(asyncio.gather(runners[0].run(), client), 60)

    finals = asyncio.run(main())
    assert all(isinstance(f, SessionFinished) for f in finals)
    assert (tmp_path / "t0").read_bytes() == (tmp_path / "src").read_bytes()
    master_own = [e for e in seen[0] if isinstance(e, Progress)]
    master_view = [e for e in seen[0] if isinstance(e, ClientProgress)]
    client_own = [e for e in seen[1] if isinstance(e, Progress)]
    for events in (master_own, master_view, client_own):
        assert events and all(e.position is not None and 0 <= e.position <= size for e in events), [e for e in events if e.position is None]
        positions = [e.position for e in events]
        assert positions == sorted(positions)
        assert any(0 < p < size for p in positions), positions  # a fraction, not just 0 and the end
    assert all(e.span == size for e in master_own + client_own)
    assert any(e.total is None and 0 < e.position < size for e in master_own)  # (its size: at the end)
