"""make -> restore on raw disk files with MBR and GPT tables: bit-identical disks, zero runs that
cost nothing, a header that says what the image holds, a stream parsed in any slicing."""

from __future__ import annotations

import hashlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine import imgcast_version
from imgcast.engine.image.local import make_image, restore_image
from imgcast.engine.image.sink import ImageSink
from imgcast.engine.image.source import ImageFileSource
from imgcast.engine.safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET
from imgcast.engine.stream import StreamFormat
from imgcast.engine.stream.open import open_sink, open_source
from imgcast.engine.zisd import clear_zisd, read_zisd
from test_disk_partitions import (
    MIB,
    make_disk,
    read_region,
    same_sparse_disk,
    sfdisk_partitions,
    stale_bytes,
    write_at,
)


def text_like(size: int, seed: int = 3) -> bytes:
    words = [b"imaging", b"session", b"multicast", b"disk", b"partition", b"client", b"\n", b"master"]
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


def sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def sha_beside_safe_area(path: Path) -> str:
    """SHA-256 of a disk file with the image-safe area left out: a verified put-down records the
    last base image there (docs/zisd.md), so everything else is what the image must reproduce."""
    digest = hashlib.sha256()
    digest.update(read_region(path, 0, SAFE_AREA_OFFSET))
    with open(path, "rb") as file:
        file.seek(SAFE_AREA_END)
        for block in iter(lambda: file.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def fill_partitions(disk: Path) -> None:
    """Text in the first partition, random bytes in the second, a zero run in between."""
    parts = sfdisk_partitions(disk)
    write_at(disk, parts[0]["start"], text_like(3 * MIB))
    write_at(disk, parts[0]["start"] + 6 * MIB, stale_bytes(MIB + 12345, 11))
    write_at(disk, parts[1]["start"] + 4096, stale_bytes(2 * MIB, 12))


def mbr_disk(tmp_path: Path) -> Path:
    disk = make_disk(tmp_path / "mbr.raw", 48 * MIB,
                     "label: dos\nstart=2048, size=20MiB, type=83\nsize=16MiB, type=7\n")
    fill_partitions(disk)
    return disk


def gpt_disk(tmp_path: Path) -> Path:
    disk = make_disk(tmp_path / "gpt.raw", 48 * MIB,
                     "label: gpt\nstart=2048, size=20MiB, type=L, name=root\nsize=16MiB, type=L, name=home\n")
    fill_partitions(disk)
    return disk


@pytest.mark.parametrize("build", [mbr_disk, gpt_disk], ids=["mbr", "gpt"])
def test_make_then_restore_gives_a_bit_identical_disk(tmp_path: Path, build) -> None:
    disk = build(tmp_path)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    restored = restore_image(made.path, str(tmp_path / "out.raw"))
    assert sha_beside_safe_area(tmp_path / "out.raw") == sha_beside_safe_area(disk)
    assert os.path.getsize(tmp_path / "out.raw") == os.path.getsize(disk)
    assert restored.sha256 == made.sha256
    # 3 MiB of text compresses, 3 MiB of random data does not, 42 MiB of zeros cost nothing
    assert 3 * MIB < made.image_size < 5 * MIB


def test_restore_over_old_data_zeroes_what_was_zero_and_keeps_the_image_safe_area(tmp_path: Path) -> None:
    disk = gpt_disk(tmp_path)
    target = tmp_path / "old.raw"
    target.write_bytes(stale_bytes(48 * MIB, 99))
    old_safe_area = read_region(target, SAFE_AREA_OFFSET, SAFE_AREA_END - SAFE_AREA_OFFSET)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    restore_image(made.path, str(target))
    size = os.path.getsize(disk)
    assert read_region(target, 0, SAFE_AREA_OFFSET) == read_region(disk, 0, SAFE_AREA_OFFSET)
    assert read_region(target, SAFE_AREA_END, size) == read_region(disk, SAFE_AREA_END, size)
    assert read_region(target, SAFE_AREA_OFFSET, SAFE_AREA_END - SAFE_AREA_OFFSET) != read_region(
        disk, SAFE_AREA_OFFSET, SAFE_AREA_END - SAFE_AREA_OFFSET)
    del old_safe_area  # it held no record, so the put-down wrote one: the image's bytes never went there
    recorded = read_zisd(target)
    assert recorded is not None and recorded.last_base_image is not None
    assert recorded.last_base_image.name == "disk.imgcast"


def test_unpartitioned_disk_is_imaged_whole_including_the_safe_area_bytes(tmp_path: Path) -> None:
    """Without a partition table there is no image-safe area: those bytes are data like any other."""
    disk = tmp_path / "plain.raw"
    disk.write_bytes(stale_bytes(3 * MIB, 5))
    made = make_image(str(tmp_path / "plain.imgcast"), str(disk))
    restore_image(made.path, str(tmp_path / "out.raw"))
    assert sha(tmp_path / "out.raw") == sha(disk)


def test_zero_regions_take_no_space_in_the_image(tmp_path: Path) -> None:
    small = make_disk(tmp_path / "small.raw", 16 * MIB, "label: gpt\nstart=2048, size=12MiB, type=L\n")
    large = make_disk(tmp_path / "large.raw", 512 * MIB, "label: gpt\nstart=2048, size=500MiB, type=L\n")
    for disk in (small, large):
        write_at(disk, 2 * MIB, stale_bytes(MIB, 21))
        write_at(disk, 9 * MIB, stale_bytes(MIB, 22))
    small_image = make_image(str(tmp_path / "small.imgcast"), str(small))
    large_image = make_image(str(tmp_path / "large.imgcast"), str(large))
    # 2 MiB of random data plus headers, chunks and tables: 496 more MiB of zeros add only bytes
    assert 2 * MIB < small_image.image_size < 2 * MIB + 64 * 1024
    assert abs(large_image.image_size - small_image.image_size) < 1024


def test_a_1gib_mostly_empty_disk_makes_an_image_of_a_few_mb(tmp_path: Path) -> None:
    disk = make_disk(tmp_path / "big.raw", 1024 * MIB,
                     "label: gpt\nstart=2048, size=600MiB, type=L\nsize=400MiB, type=L\n")
    for offset in (5 * MIB, 300 * MIB, 700 * MIB, 1000 * MIB):
        write_at(disk, offset, text_like(MIB, offset) + stale_bytes(256 * 1024, offset))
    made = make_image(str(tmp_path / "big.imgcast"), str(disk))
    assert made.image_size < 4 * MIB
    restore_image(made.path, str(tmp_path / "out.raw"))
    assert read_zisd(tmp_path / "out.raw") is not None  # the put-down recorded itself...
    clear_zisd(tmp_path / "out.raw")  # ...and with that record gone the disk is the image, byte for byte
    assert same_sparse_disk(tmp_path / "out.raw", disk)
    assert os.stat(tmp_path / "out.raw").st_blocks * 512 < 64 * MIB  # the restored file stays sparse


def test_every_compression_level_round_trips_and_size_is_smallest(tmp_path: Path) -> None:
    disk = tmp_path / "text.raw"
    disk.write_bytes(text_like(8 * MIB, 8) + bytes(4 * MIB))
    sizes = {}
    for level in ("speed", "balanced", "size"):
        made = make_image(str(tmp_path / f"{level}.imgcast"), str(disk), level=level)
        restore_image(made.path, str(tmp_path / f"{level}.raw"))
        assert sha(tmp_path / f"{level}.raw") == sha(disk)
        sizes[level] = made.image_size
    assert sizes["size"] <= sizes["balanced"] <= sizes["speed"] < 8 * MIB // 2


def test_header_records_the_disk_the_table_and_who_made_it(tmp_path: Path) -> None:
    disk = gpt_disk(tmp_path)
    make_image(str(tmp_path / "disk.imgcast"), str(disk), raw=True, level="speed")
    source = ImageFileSource(tmp_path / "disk.imgcast")
    header = source.header
    source.close()
    expected = sfdisk_partitions(disk)
    assert header.disk_size == 48 * MIB and header.sector_size == 512
    assert header.mode == "raw" and header.level == "speed"
    assert header.table_kind == "gpt"
    assert [(p.start, p.size, p.name) for p in header.partitions] == [(e["start"], e["size"], e["name"]) for e in expected]
    assert header.host == socket.gethostname()
    assert header.imgcast_version == imgcast_version()
    assert header.safe_area_skipped


def test_the_image_sink_accepts_the_stream_in_any_slicing(tmp_path: Path) -> None:
    disk = mbr_disk(tmp_path)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    stream = (tmp_path / "disk.imgcast").read_bytes()
    rng = random.Random(4)
    for attempt in range(3):
        target = tmp_path / f"sliced{attempt}.raw"
        sink = ImageSink(target, disk_size=made.disk_size, confirmed=False)
        position = 0
        while position < len(stream):
            size = rng.choice([1, 7, 1400, 8972, 65536, 3 * MIB])
            sink.write(memoryview(stream)[position:position + size])
            position += size
        sink.finish()
        assert sha(target) == sha(disk)


def test_open_source_sends_an_image_file_unchanged_and_builds_disks_on_the_fly(tmp_path: Path) -> None:
    disk = gpt_disk(tmp_path)
    image = tmp_path / "disk.imgcast"
    make_image(str(image), str(disk))

    from_file = open_source(str(image))
    assert from_file.stream_format == StreamFormat.IMGCAST
    assert from_file.stream_size == image.stat().st_size and from_file.disk_size == 48 * MIB
    sent = b"".join(iter(lambda: from_file.read(100_000), b""))
    from_file.close()
    assert sent == image.read_bytes()

    from_disk = open_source(str(disk), level="speed")
    assert from_disk.stream_format == StreamFormat.IMGCAST and from_disk.stream_size is None
    assert from_disk.disk_size == 48 * MIB
    sink = open_sink(str(tmp_path / "client.raw"), stream_format=from_disk.stream_format,
                     disk_size=from_disk.disk_size, confirmed=False)
    while data := from_disk.read(65536):
        sink.write(data)
    sink.finish()
    from_disk.close()
    assert sha_beside_safe_area(tmp_path / "client.raw") == sha_beside_safe_area(disk)


def test_a_raw_stream_is_written_in_order(tmp_path: Path) -> None:
    data = stale_bytes(3 * MIB + 17, 31)
    sink = open_sink(str(tmp_path / "raw.raw"), stream_format=StreamFormat.RAW, disk_size=len(data), confirmed=False)
    for position in range(0, len(data), 100_003):
        sink.write(data[position:position + 100_003])
    sink.finish()
    assert (tmp_path / "raw.raw").read_bytes() == data


@settings(max_examples=30, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.sampled_from(["zero", "text", "random"]), st.integers(1, 300_000)),
                    min_size=1, max_size=12),
    slices=st.lists(st.integers(1, 200_000), min_size=1, max_size=8),
)
def test_any_mix_of_zeros_and_data_round_trips_through_any_slicing(pieces, slices) -> None:
    content = b"".join(
        bytes(n) if kind == "zero" else text_like(n, n) if kind == "text" else stale_bytes(n, n)
        for kind, n in pieces
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "disk.raw").write_bytes(content)
        made = make_image(str(folder / "disk.imgcast"), str(folder / "disk.raw"), level="speed")
        stream = (folder / "disk.imgcast").read_bytes()
        sink = ImageSink(folder / "out.raw", disk_size=made.disk_size, confirmed=False)
        position, turn = 0, 0
        while position < len(stream):
            size = slices[turn % len(slices)]
            sink.write(stream[position:position + size])
            position, turn = position + size, turn + 1
        sink.finish()
        assert (folder / "out.raw").read_bytes() == content


def test_making_a_large_disk_keeps_memory_bounded(tmp_path: Path) -> None:
    """A 192 MiB disk of random data through `img make` in a child process: its peak RSS stays
    far below the disk's size (the image is streamed, never held)."""
    disk = tmp_path / "big.raw"
    with open(disk, "wb") as file:
        for n in range(192):
            file.write(stale_bytes(MIB, n))
    # VmHWM is this process's own peak (ru_maxrss would include the forking parent's pages)
    code = ("import sys; from imgcast.engine.image.local import make_image; "
            "make_image(sys.argv[1], sys.argv[2]); "
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "big.imgcast"), str(disk)],
                          capture_output=True, text=True, timeout=120, check=True)
    peak_mib = int(done.stdout.strip()) / 1024
    assert peak_mib < 120, f"peak RSS {peak_mib:.0f} MiB"


def test_a_source_closed_early_stops_cleanly(tmp_path: Path) -> None:
    """A session that ends early closes its source mid-stream: no thread or file is left behind."""
    disk = tmp_path / "disk.raw"
    disk.write_bytes(stale_bytes(16 * MIB, 9))
    source = open_source(str(disk))
    assert len(source.read(3 * MIB)) == 3 * MIB
    source.close()
    assert source.disk.fd == -1
    assert not [t for t in threading.enumerate() if t.name.startswith("imgcast-zstd")]


def test_building_the_same_disk_twice_gives_the_same_stream(tmp_path: Path) -> None:
    """A catch-up pass builds the image stream again and sends the slices a client lacks: they
    must be the bytes of the first build (compression threads finish in any order)."""
    rng = random.Random(5)
    parts = []
    for i in range(40):  # 1 MiB pieces: random, zeros, text, random again... in no pattern
        kind = rng.choice(("random", "zeros", "text"))
        parts.append(rng.randbytes(1 << 20) if kind == "random" else bytes(1 << 20) if kind == "zeros"
                     else (f"line {i} of a log file that compresses well\n" * 30000).encode()[: 1 << 20])
    disk = tmp_path / "disk.raw"
    disk.write_bytes(b"".join(parts))

    first = open_source(str(disk), raw=True)
    second = open_source(str(disk), raw=True, again=first)  # what the session does for a pass
    try:
        one = b"".join(iter(lambda: first.read(1 << 20), b""))
        two = b"".join(iter(lambda: second.read(1 << 20), b""))
    finally:
        first.close()
        second.close()
    assert hashlib.sha256(one).digest() == hashlib.sha256(two).digest()
