"""A minimal MBR/GPT reader: just enough to know which bytes of a disk belong to partitions and
partition-table structures, so the image-safe area is written only where nothing lives.

Kept here until engine/disk/ (issue 3) lands a full partition-table module; then this one should
be folded into it. Reads primary MBR entries (an extended partition counts as one range covering
its logical partitions and their EBRs) and GPT header + entries, checking the GPT CRCs.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from construct import Array, Bytes, Const, ConstructError, Int8ub, Int32ul, Int64ul, Padding, Struct

from ..errors import ImgcastError

MBR_SIZE = 512
GPT_SIGNATURE = b"EFI PART"
MBR_PROTECTIVE = 0xEE

MbrEntryLayout = Struct(
    "status" / Int8ub,
    "chs_first" / Bytes(3),
    "type" / Int8ub,
    "chs_last" / Bytes(3),
    "first_lba" / Int32ul,
    "sectors" / Int32ul,
)

MbrLayout = Struct(
    "boot_code" / Bytes(446),
    "entries" / Array(4, MbrEntryLayout),
    "signature" / Const(b"\x55\xaa"),
)

GptHeaderLayout = Struct(
    "signature" / Const(GPT_SIGNATURE),
    "revision" / Int32ul,
    "header_size" / Int32ul,
    "header_crc32" / Int32ul,
    Padding(4),
    "current_lba" / Int64ul,
    "backup_lba" / Int64ul,
    "first_usable_lba" / Int64ul,
    "last_usable_lba" / Int64ul,
    "disk_guid" / Bytes(16),
    "entries_lba" / Int64ul,
    "entry_count" / Int32ul,
    "entry_size" / Int32ul,
    "entries_crc32" / Int32ul,
)

GptEntryLayout = Struct(
    "type_guid" / Bytes(16),
    "unique_guid" / Bytes(16),
    "first_lba" / Int64ul,
    "last_lba" / Int64ul,
    "attributes" / Int64ul,
    "name" / Bytes(72),
)


class PartitionTableDamaged(ImgcastError):
    """The disk says it has a partition table, but the table does not add up."""


@dataclass(frozen=True)
class TablePartition:
    number: int  # 1-based, as the OS names it (sda1...)
    start: int  # first sector
    sectors: int
    type: str  # MBR: "0x83"; GPT: the type GUID, lower case

    def byte_range(self, sector_size: int) -> tuple[int, int]:
        return self.start * sector_size, (self.start + self.sectors) * sector_size


@dataclass(frozen=True)
class PartitionTable:
    kind: str | None  # "gpt", "mbr", or None for a disk without a table
    sector_size: int
    partitions: tuple[TablePartition, ...] = ()
    # Byte ranges [start, end) taken by the table itself, named for messages ("the GPT partition entries").
    structures: tuple[tuple[str, int, int], ...] = field(default=())


ReadAt = Callable[[int, int], bytes]  # (offset, length) -> bytes, short at the end of the disk


def read_table(read_at: ReadAt, sector_size: int | None = None) -> PartitionTable:
    """The partition table of a disk read through `read_at`.

    With no sector size given (a disk file), GPT is looked for with 512- and then 4096-byte
    sectors; MBR-only disks are taken as 512-byte.
    """
    first = read_at(0, MBR_SIZE)
    try:
        mbr = MbrLayout.parse(first)
    except ConstructError:
        return PartitionTable(None, sector_size or 512)
    entries = [e for e in mbr.entries if e.type != 0 and e.sectors != 0]
    if any(e.type == MBR_PROTECTIVE for e in entries):
        for size in ([sector_size] if sector_size else [512, 4096]):
            header = read_at(size, 92)
            if header.startswith(GPT_SIGNATURE):
                return _read_gpt(read_at, size, header)
        raise PartitionTableDamaged("the MBR announces a GPT disk but there is no GPT header")
    size = sector_size or 512
    parts = tuple(
        TablePartition(i + 1, e.first_lba, e.sectors, f"0x{e.type:02x}")
        for i, e in enumerate(mbr.entries)
        if e.type != 0 and e.sectors != 0
    )
    return PartitionTable("mbr", size, parts, (("the MBR", 0, MBR_SIZE),))


def _read_gpt(read_at: ReadAt, sector_size: int, header_bytes: bytes) -> PartitionTable:
    try:
        header = GptHeaderLayout.parse(header_bytes)
    except ConstructError:
        raise PartitionTableDamaged("the GPT header is cut short") from None
    if header.header_size < 92 or header.header_size > sector_size:
        raise PartitionTableDamaged("the GPT header has an impossible size")
    raw = bytearray(read_at(sector_size, header.header_size))
    raw[16:20] = bytes(4)
    if zlib.crc32(raw) != header.header_crc32:
        raise PartitionTableDamaged("the GPT header's checksum does not match; repair the partition table first")
    if not 128 <= header.entry_size <= 4096 or header.entry_count > 4096:
        raise PartitionTableDamaged("the GPT header describes impossible partition entries")
    length = header.entry_size * header.entry_count
    start = header.entries_lba * sector_size
    table = read_at(start, length)
    if len(table) != length or zlib.crc32(table) != header.entries_crc32:
        raise PartitionTableDamaged("the GPT partition entries' checksum does not match; repair the partition table first")
    parts = []
    for index in range(header.entry_count):
        entry = GptEntryLayout.parse(table[index * header.entry_size:])
        if entry.type_guid == bytes(16):
            continue
        if entry.last_lba < entry.first_lba:
            raise PartitionTableDamaged(f"GPT partition {index + 1} ends before it starts")
        type_guid = str(uuid.UUID(bytes_le=entry.type_guid))
        parts.append(TablePartition(index + 1, entry.first_lba, entry.last_lba - entry.first_lba + 1, type_guid))
    structures = (
        ("the protective MBR", 0, MBR_SIZE),
        ("the GPT header", sector_size, 2 * sector_size),
        ("the GPT partition entries", start, start + (length + sector_size - 1) // sector_size * sector_size),
    )
    return PartitionTable("gpt", sector_size, tuple(parts), structures)


def read_table_from_bytes(head: bytes, sector_size: int | None = None) -> PartitionTable:
    """The table found in the first bytes of a disk (for a stream on its way to a disk)."""
    return read_table(lambda offset, length: head[offset:offset + length], sector_size)
