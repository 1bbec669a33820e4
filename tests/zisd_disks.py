"""Disk files with real MBR and GPT partition tables, built byte by byte with struct.

Deliberately independent of engine/zisd/table.py (which reads tables with construct), so a test
that builds a disk here and reads it there checks the reader against a second implementation of
the on-disk formats (UEFI spec 2.10 §5.3, the classic MBR).
"""

from __future__ import annotations

import os
import struct
import uuid
import zlib
from pathlib import Path

LINUX_FS_GUID = "0fc63daf-8483-4772-8e79-3d69d8477de4"
ESP_GUID = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
MiB = 1024 * 1024


def make_mbr_disk(path: Path, size: int, partitions: list[tuple[int, int, int]]) -> Path:
    """partitions: (first sector, sector count, type byte); 512-byte sectors."""
    with open(path, "wb") as disk:
        disk.truncate(size)
        mbr = bytearray(512)
        mbr[0:3] = b"\xeb\x63\x90"  # a boot code start, as a real MBR has
        for i, (first, count, kind) in enumerate(partitions):
            entry = struct.pack("<B3sB3sII", 0x80 if i == 0 else 0, b"\xfe\xff\xff", kind, b"\xfe\xff\xff", first, count)
            mbr[446 + 16 * i: 462 + 16 * i] = entry
        mbr[510:512] = b"\x55\xaa"
        disk.write(mbr)
    return path


def make_gpt_disk(path: Path, size: int, partitions: list[tuple[int, int, str]], sector: int = 512) -> Path:
    """partitions: (first LBA, last LBA inclusive, type GUID); primary and backup GPT written."""
    sectors = size // sector
    entries = bytearray(128 * 128)
    for i, (first, last, type_guid) in enumerate(partitions):
        entries[i * 128:(i + 1) * 128] = (
            uuid.UUID(type_guid).bytes_le + uuid.uuid4().bytes_le
            + struct.pack("<QQQ", first, last, 0) + f"part{i + 1}".encode("utf-16-le").ljust(72, b"\0")
        )
    entries_crc = zlib.crc32(entries)
    entry_sectors = len(entries) // sector if len(entries) >= sector else 1

    def header(current: int, backup: int, entries_lba: int) -> bytes:
        fields = struct.pack(
            "<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, 0, 0, current, backup,
            2 + entry_sectors, sectors - 2 - entry_sectors, uuid.uuid4().bytes_le, entries_lba, 128, 128, entries_crc,
        )
        crc = zlib.crc32(fields)
        return (fields[:16] + struct.pack("<I", crc) + fields[20:]).ljust(sector, b"\0")

    with open(path, "wb") as disk:
        disk.truncate(size)
        protective = bytearray(512)
        protective[446:462] = struct.pack("<B3sB3sII", 0, b"\0\x02\0", 0xEE, b"\xff\xff\xff", 1, min(sectors - 1, 0xFFFFFFFF))
        protective[510:512] = b"\x55\xaa"
        disk.write(protective)
        disk.seek(sector)
        disk.write(header(1, sectors - 1, 2))
        disk.seek(2 * sector)
        disk.write(entries)
        disk.seek((sectors - 1 - entry_sectors) * sector)
        disk.write(entries)
        disk.seek((sectors - 1) * sector)
        disk.write(header(sectors - 1, 1, sectors - 1 - entry_sectors))
    return path


def fill_partitions(path: Path, ranges: list[tuple[int, int]], seed: int) -> None:
    """Write recognisable pseudo-random bytes over each byte range [start, end)."""
    import random

    rng = random.Random(seed)
    with open(path, "r+b") as disk:
        for start, end in ranges:
            disk.seek(start)
            disk.write(rng.randbytes(end - start))


def file_digest(path: Path) -> str:
    import hashlib

    with open(path, "rb") as disk:
        return hashlib.file_digest(disk, "sha256").hexdigest()


def area_bytes(path: Path) -> bytes:
    from imgcast.engine.safe_area import SAFE_AREA_OFFSET, SAFE_AREA_SIZE

    with open(path, "rb") as disk:
        return os.pread(disk.fileno(), SAFE_AREA_SIZE, SAFE_AREA_OFFSET)
