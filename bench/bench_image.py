"""How fast `img make` and `img restore` are, and how small the images get.

    .venv/bin/python bench/bench_image.py [--size-mib 128] [--levels speed,balanced,size] [--repeat 2] [--dir /tmp]

Disks (raw files, built here): (a) random data, (b) 70 % zeros and 30 % text-like data, (c) a GPT
disk with one ext4 file system 25 % full whose free space holds stale data, imaged with used
blocks only and with --raw; then a loopback session (TTL 0) of disk (b) sent as an image stream,
as a saved image file and as plain raw bytes. MB/s counts the source disk's size per second of wall time (page
cache warm: this measures imgcast, not the disk; restore includes the final fsync; make of the
ext4 disk includes partclone's mapping and, for a disk file, the copy of the partition it needs).
Prints a rich table; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from imgcast.engine.image.local import make_image, restore_image
from rich.console import Console
from rich.table import Table

MIB = 1 << 20
WORDS = [b"imaging", b"session", b"multicast", b"disk", b"partition", b"client", b"master", b"\n",
         b"2026-11-25", b"INFO", b"kernel:", b"eth0", b"sector", b"verified", b"0x7f3a"]


def text_like(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    words = [rng.choice(WORDS) for _ in range(4096)]
    out = bytearray()
    while len(out) < size:
        rng.shuffle(words)
        out += b" ".join(words[: rng.randint(200, 4000)]) + b"\n"
    return bytes(out[:size])


def random_disk(path: Path, size: int) -> None:
    rng = random.Random(1)
    with open(path, "wb") as disk:
        for _ in range(size // MIB):
            disk.write(rng.randbytes(MIB))


def sparse_text_disk(path: Path, size: int) -> None:
    """30 % text in 1 MiB stretches spread over the disk, zeros elsewhere (written, not holes)."""
    text = text_like(4 * MIB, 2)
    rng = random.Random(3)
    with open(path, "wb") as disk:
        for _ in range(size // MIB):
            if rng.random() < 0.3:
                start = rng.randrange(0, 3 * MIB)
                disk.write(text[start:start + MIB])
            else:
                disk.write(bytes(MIB))


def ext4_disk(path: Path, size: int) -> bool:
    """GPT disk, one ext4 partition 25 % full of files, free space full of stale (random) data."""
    if not all(shutil.which(tool) for tool in ("sfdisk", "mkfs.ext4", "partclone.extfs", "blkid")):
        return False
    random_disk(path, size)
    script = "label: gpt\nstart=2048, type=L, name=bench\n"
    subprocess.run(["sfdisk", "-q", "--no-reread", "--no-tell-kernel", str(path)], input=script.encode(),
                   check=True, capture_output=True)
    part_size = size - 2 * MIB
    part = path.with_suffix(".part")
    tree = path.with_suffix(".tree")
    tree.mkdir()
    rng = random.Random(4)
    text = text_like(4 * MIB, 5)
    used, index = 0, 0
    while used < part_size // 4:
        length = rng.randint(64 << 10, 2 * MIB)
        data = rng.randbytes(length) if index % 3 == 0 else (text * 2)[rng.randrange(0, 4 * MIB):][:length]
        (tree / f"file{index:04d}").write_bytes(data)
        used += len(data)
        index += 1
    shutil.copyfile(path, part)  # stale random data under the new file system
    with open(part, "r+b") as file:
        file.seek(MIB)
        data = file.read(part_size)
        file.seek(0)
        file.write(data)
        file.truncate(part_size)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "nodiscard", "-d", str(tree), str(part)], check=True)
    with open(part, "rb") as source, open(path, "r+b") as target:
        target.seek(MIB)
        shutil.copyfileobj(source, target, 4 * MIB)
    part.unlink()
    shutil.rmtree(tree)
    return True


def measure(disk: Path, folder: Path, level: str, raw: bool, repeat: int) -> tuple[float, float, float]:
    """Best of `repeat` runs: this machine is shared, and the best run is the least disturbed."""
    runs = [_measure_once(disk, folder, level, raw) for _ in range(repeat)]
    return max(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]


def _measure_once(disk: Path, folder: Path, level: str, raw: bool) -> tuple[float, float, float]:
    image = folder / "bench.imgcast"
    target = folder / "target.raw"
    image.unlink(missing_ok=True)
    target.unlink(missing_ok=True)
    size = disk.stat().st_size
    start = time.perf_counter()
    made = make_image(str(image), str(disk), raw=raw, level=level)
    make_seconds = time.perf_counter() - start
    start = time.perf_counter()
    restore_image(str(image), str(target))
    restore_seconds = time.perf_counter() - start
    return size / MIB / make_seconds, size / MIB / restore_seconds, made.image_size / size


def session_seconds(source: Path, folder: Path, clients: int, plain_raw: bool) -> float:
    """Wall time of a loopback session (master and clients in this process, TTL 0) sending `source`.

    `plain_raw` sends the disk's bytes as they are (StreamFormat.RAW, the pre-image path) instead
    of the image stream, for comparison; it swaps the session's open_source for this run only."""
    import asyncio

    from imgcast.engine import session as session_module
    from imgcast.engine.events import SessionFinished
    from imgcast.engine.session import SessionRunner, SessionSettings
    from imgcast.engine.stream.rawfile import RawFileSource

    name = f"bench-{os.getpid()}-{random.randrange(1 << 30)}"
    net = {"name": name, "interface": "127.0.0.1", "ttl": 0, "port": 20000 + random.randrange(20000)}
    targets = [folder / f"session{n}.raw" for n in range(clients)]
    for target in targets:
        target.unlink(missing_ok=True)
    settings = [SessionSettings(role="master", source=str(source), clients=clients, **net)]
    settings += [SessionSettings(role="client", target=str(target), **net) for target in targets]

    async def run() -> list:
        runners = [SessionRunner(s, lambda event: None) for s in settings]
        tasks = [asyncio.create_task(r.run()) for r in runners[1:]]
        await asyncio.sleep(0.05)
        tasks.insert(0, asyncio.create_task(runners[0].run()))
        return await asyncio.wait_for(asyncio.gather(*tasks), 600)

    original = session_module.open_source
    if plain_raw:
        session_module.open_source = lambda path, **options: RawFileSource(path)
    try:
        start = time.perf_counter()
        finals = asyncio.run(run())
        seconds = time.perf_counter() - start
    finally:
        session_module.open_source = original
    if not all(isinstance(final, SessionFinished) for final in finals):
        raise SystemExit(f"the bench session failed: {finals}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=128, help="size of each test disk (default 128)")
    parser.add_argument("--levels", default="speed,balanced,size", help="compression levels to measure")
    parser.add_argument("--repeat", type=int, default=2, help="runs per cell, the best is shown (default 2)")
    parser.add_argument("--session-clients", type=int, default=2,
                        help="clients of the loopback session comparison (0: skip it; default 2)")
    parser.add_argument("--dir", default=None, help="folder for the scratch disks (default: system temp)")
    args = parser.parse_args()
    size = args.size_mib * MIB
    levels = [level for level in args.levels.split(",") if level]
    console = Console(width=110)
    table = Table(title=f"imgcast make / restore, {args.size_mib} MiB disks, {os.cpu_count()} CPUs")
    for column in ("disk", "mode", "level", "make MB/s", "restore MB/s", "image / disk"):
        table.add_column(column, justify="right" if "MB/s" in column or "/" in column else "left")
    with tempfile.TemporaryDirectory(prefix="imgcast-bench-", dir=args.dir) as scratch:
        folder = Path(scratch)
        disks = []
        for name, build in (("random", random_disk), ("70% zero + 30% text", sparse_text_disk),
                            ("ext4 25% full, stale free", ext4_disk)):
            path = folder / f"{len(disks)}.raw"
            with console.status(f"building {name} disk"):
                if build(path, size) is False:
                    console.print(f"[yellow]skipped {name}: sfdisk, mkfs.ext4, partclone or blkid missing")
                    continue
            disks.append((name, path))
        for name, path in disks:
            modes = [("used blocks", False), ("--raw", True)] if name.startswith("ext4") else [("used blocks", False)]
            for mode, raw in modes:
                for level in levels:
                    with console.status(f"{name}, {mode}, {level}"):
                        make_rate, restore_rate, ratio = measure(path, folder, level, raw, args.repeat)
                    table.add_row(name, mode, level, f"{make_rate:,.0f}", f"{restore_rate:,.0f}", f"{ratio:.3f}")
        if args.session_clients and len(disks) > 1:
            name, path = disks[1]
            session_table = Table(title=f"loopback session, {name} disk, {args.session_clients} clients")
            for column in ("sent as", "seconds", "disk MB/s"):
                session_table.add_column(column, justify="left" if column == "sent as" else "right")
            image = folder / "session.imgcast"
            image.unlink(missing_ok=True)
            make_image(str(image), str(path))
            for label, source, plain in (("image stream built on the fly", path, False),
                                         ("saved .imgcast file", image, False),
                                         ("raw bytes (no image stream)", path, True)):
                with console.status(f"session: {label}"):
                    seconds = session_seconds(source, folder, args.session_clients, plain)
                session_table.add_row(label, f"{seconds:.2f}", f"{size / MIB / seconds:,.0f}")
    console.print(table)
    if args.session_clients:
        console.print(session_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
