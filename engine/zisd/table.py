"""The partition table as the image-safe area needs it: the byte ranges that belong to partitions
and to the table's own structures.

Reading the table is engine/disk/partitions.py's job (one MBR/GPT reader for the project); this
module adds what its summary leaves out and the safe-room check needs: where the GPT header and
entries lie, and the MBR's extended containers (their EBRs sit between logical partitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from construct import ConstructError

from ..disk.partitions import (
    MBR_EXTENDED,
    MBR_PROTECTIVE,
    GptHeader,
    Mbr,
    ReadAt,
    read_partition_table,
)
from ..errors import ImgcastError

MBR_SIZE = 512
UNKNOWN_SIZE = 1 << 62  # a stream's first bytes: the disk it describes may be any size


class PartitionTableDamaged(ImgcastError):
    """The disk says it has a partition table, but the table does not add up."""


@dataclass(frozen=True)
class TablePartition:
    number: int  # 1-based, as the OS names it (sda1...)
    start: int  # first sector
    sectors: int
    type: str  # MBR: "0x83"; GPT: the type GUID

    def byte_range(self, sector_size: int) -> tuple[int, int]:
        return self.start * sector_size, (self.start + self.sectors) * sector_size


@dataclass(frozen=True)
class PartitionTable:
    kind: str | None  # "gpt", "mbr", or None for a disk without a table
    sector_size: int
    partitions: tuple[TablePartition, ...] = ()
    # Byte ranges [start, end) taken by the table itself, named for messages ("the GPT partition entries").
    structures: tuple[tuple[str, int, int], ...] = field(default=())


def read_table(read_at: ReadAt, sector_size: int | None = None, disk_size: int = UNKNOWN_SIZE) -> PartitionTable:
    """The partition table of a disk read through `read_at` (GPT is looked for with 512- and
    4096-byte sectors when the sector size is not known, as for a disk file)."""
    summary = read_partition_table(read_at, disk_size, sector_size or 512)
    sector = summary.sector_size
    try:
        mbr = Mbr.parse(read_at(0, MBR_SIZE))
    except ConstructError:
        mbr = None
    if summary.kind == "none":
        if mbr is not None and any(e.type == MBR_PROTECTIVE for e in mbr.entries):
            raise PartitionTableDamaged(
                "the GPT is damaged (a checksum does not match or it runs past the disk's end); "
                "repair the partition table first"
            )
        return PartitionTable(None, sector)
    parts = [TablePartition(p.number, p.start // sector, p.size // sector, p.type.lower()) for p in summary.partitions]
    if summary.kind == "gpt":
        header = GptHeader.parse(read_at(sector, GptHeader.sizeof()))
        start = header.entries_lba * sector
        length = header.entry_count * header.entry_size
        structures = (
            ("the protective MBR", 0, MBR_SIZE),
            ("the GPT header", sector, 2 * sector),
            ("the GPT partition entries", start, start + (length + sector - 1) // sector * sector),
        )
        return PartitionTable("gpt", sector, tuple(parts), structures)
    assert mbr is not None  # an MBR summary comes from a sound MBR
    for number, entry in enumerate(mbr.entries, start=1):
        if entry.type in MBR_EXTENDED and entry.sectors:
            parts.append(TablePartition(number, entry.lba_first, entry.sectors, f"0x{entry.type:02x}"))
    return PartitionTable("mbr", sector, tuple(parts), (("the MBR", 0, MBR_SIZE),))


def read_table_from_bytes(head: bytes, sector_size: int | None = None) -> PartitionTable:
    """The table found in the first bytes of a disk (for a stream on its way to a disk)."""
    return read_table(lambda offset, length: head[offset:offset + length], sector_size)
