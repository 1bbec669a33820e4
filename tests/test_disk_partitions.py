"""Partition tables as imgcast reads them, checked against sfdisk, which wrote them.

This module also holds the disk builders the image tests share: raw disk files partitioned by
sfdisk, file systems made by mkfs directly in image files (no loop devices) and spliced in.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from imgcast.engine.disk.device import DiskReader
from imgcast.engine.disk.partitions import read_partition_table

MIB = 1 << 20


def need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def run(*command: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(c) for c in command], input=stdin, capture_output=True, timeout=60, check=False)


def make_disk(path: Path, size: int, script: str) -> Path:
    """A sparse raw disk file of `size` bytes partitioned by sfdisk from `script`."""
    need("sfdisk")
    with open(path, "wb") as disk:
        disk.truncate(size)
    done = run("sfdisk", "--no-reread", "--no-tell-kernel", "-q", path, stdin=script.encode())
    assert done.returncode == 0, done.stderr.decode()
    return path


def sfdisk_partitions(path: Path) -> list[dict]:
    """sfdisk's own reading of the table, in bytes: the oracle for imgcast's reader."""
    table = json.loads(run("sfdisk", "--json", path).stdout)["partitiontable"]
    sector = table.get("sectorsize", 512)
    return [
        {"start": p["start"] * sector, "size": p["size"] * sector, "type": p["type"], "name": p.get("name", "")}
        for p in table["partitions"]
    ]


def write_at(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as disk:
        disk.seek(offset)
        disk.write(data)


def splice(disk: Path, offset: int, part: Path) -> None:
    """Copy a partition image file into the disk file at `offset`."""
    with open(part, "rb") as source, open(disk, "r+b") as target:
        target.seek(offset)
        shutil.copyfileobj(source, target, 4 * MIB)


def stale_bytes(size: int, seed: int) -> bytes:
    """Non-zero leftovers, as a used disk's free space holds: incompressible, never all zero."""
    return random.Random(seed).randbytes(size)


def make_ext4(path: Path, size: int, files: dict[str, bytes], seed: int = 1) -> Path:
    """An ext4 file system in a file, over stale data (nodiscard keeps it), holding `files`."""
    need("mkfs.ext4")
    path.write_bytes(stale_bytes(size, seed))
    tree = path.with_suffix(".tree")
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    done = run("mkfs.ext4", "-q", "-F", "-E", "nodiscard", "-d", tree, path)
    assert done.returncode == 0, done.stderr.decode()
    shutil.rmtree(tree)
    return path


def make_fat(path: Path, size: int, files: dict[str, bytes], seed: int = 2) -> Path:
    """A FAT file system in a file, over stale data, holding `files` (copied in with mtools)."""
    need("mkfs.vfat", "mcopy")
    path.write_bytes(stale_bytes(size, seed))
    done = run("mkfs.vfat", path)
    assert done.returncode == 0, done.stderr.decode()
    for name, data in files.items():
        source = path.with_name(f"fat-{os.path.basename(name)}")
        source.write_bytes(data)
        done = run("mcopy", "-i", path, source, f"::/{name}")
        assert done.returncode == 0, done.stderr.decode()
        source.unlink()
    return path


def read_region(path: Path, offset: int, size: int) -> bytes:
    with open(path, "rb") as disk:
        disk.seek(offset)
        return disk.read(size)


def table_of(path: Path):
    with DiskReader(path) as disk:
        return read_partition_table(disk.read_at, disk.size, disk.sector_size)


# --- the reader against sfdisk ---------------------------------------------------------------


def test_gpt_partitions_match_what_sfdisk_wrote(tmp_path: Path) -> None:
    disk = make_disk(tmp_path / "gpt.raw", 64 * MIB, (
        "label: gpt\n"
        "start=2048, size=20MiB, type=L, name=\"root fs\"\n"
        "size=10MiB, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=\"Daten ü\"\n"
        "size=8MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
    ))
    table = table_of(disk)
    expected = sfdisk_partitions(disk)
    assert table.kind == "gpt"
    assert [(p.start, p.size, p.type, p.name) for p in table.partitions] == [
        (e["start"], e["size"], e["type"], e["name"]) for e in expected
    ]
    assert table.partitions[1].name == "Daten ü"


def test_mbr_with_logical_partitions_matches_sfdisk(tmp_path: Path) -> None:
    disk = make_disk(tmp_path / "mbr.raw", 64 * MIB, (
        "label: dos\n"
        "start=2048, size=16MiB, type=83\n"
        "size=8MiB, type=c\n"
        "size=4MiB, type=82\n"
        "size=30MiB, type=5\n"
        "size=10MiB, type=83\n"
        "size=12MiB, type=7\n"
    ))
    table = table_of(disk)
    expected = [p for p in sfdisk_partitions(disk) if p["type"] != "5"]
    assert table.kind == "mbr"
    assert [(p.start, p.size) for p in table.partitions] == [(e["start"], e["size"]) for e in expected]
    assert [p.number for p in table.partitions] == [1, 2, 3, 5, 6]
    assert [p.type for p in table.partitions] == ["0x83", "0x0c", "0x82", "0x83", "0x07"]


def test_random_bytes_and_a_broken_gpt_are_no_table(tmp_path: Path) -> None:
    noise = tmp_path / "noise.raw"
    data = bytearray(stale_bytes(4 * MIB, 7))
    data[510:512] = b"\x55\xaa"  # the MBR signature alone does not make a table
    noise.write_bytes(bytes(data))
    assert table_of(noise).kind == "none"

    disk = make_disk(tmp_path / "gpt.raw", 16 * MIB, "label: gpt\nstart=2048, size=8MiB, type=L\n")
    assert table_of(disk).kind == "gpt"
    write_at(disk, 1024 + 100, b"\xff")  # inside the partition entries: their CRC no longer matches
    assert table_of(disk).kind == "none"


def data_ranges(path: Path) -> list[tuple[int, int]]:
    """The non-hole ranges of a sparse file (start, end), via SEEK_DATA / SEEK_HOLE."""
    ranges = []
    fd = os.open(path, os.O_RDONLY)
    try:
        size, position = os.fstat(fd).st_size, 0
        while position < size:
            try:
                start = os.lseek(fd, position, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(fd, start, os.SEEK_HOLE)
            ranges.append((start, end))
            position = end
    finally:
        os.close(fd)
    return ranges


def same_sparse_disk(a: Path, b: Path) -> bool:
    """Byte-for-byte equality of two large sparse files, reading only where either has data
    (holes read as zeros in both, so they need no reading)."""
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    for start, end in sorted(data_ranges(a) + data_ranges(b)):
        if read_region(a, start, end - start) != read_region(b, start, end - start):
            return False
    return True
