"""MBR and GPT partition tables: their on-disk layouts (construct) and a reader that summarises them.

The image header carries this summary so an operator can see what an image holds, and the
image builder uses it to map each partition's used blocks. Anything that does not look like a
sound table (a stray 0x55AA in random data, entries past the disk's end, a GPT whose CRC fails)
is reported as "no table": a wrong guess here would make imaging skip data that matters.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from construct import Array, Bytes, Const, ConstructError, Int8ub, Int32ul, Int64ul, Struct

MbrEntry = Struct(
    "status" / Int8ub,  # 0x80 bootable, 0x00 not; anything else means this is no MBR
    "chs_first" / Bytes(3),
    "type" / Int8ub,
    "chs_last" / Bytes(3),
    "lba_first" / Int32ul,
    "sectors" / Int32ul,
)

Mbr = Struct(
    "boot_code" / Bytes(440),
    "disk_signature" / Int32ul,
    "reserved" / Bytes(2),
    "entries" / Array(4, MbrEntry),
    "signature" / Const(b"\x55\xaa"),
)

GptHeader = Struct(
    "signature" / Const(b"EFI PART"),
    "revision" / Int32ul,
    "header_size" / Int32ul,
    "header_crc" / Int32ul,
    "reserved" / Int32ul,
    "current_lba" / Int64ul,
    "backup_lba" / Int64ul,
    "first_usable_lba" / Int64ul,
    "last_usable_lba" / Int64ul,
    "disk_guid" / Bytes(16),
    "entries_lba" / Int64ul,
    "entry_count" / Int32ul,
    "entry_size" / Int32ul,
    "entries_crc" / Int32ul,
)

GptEntry = Struct(
    "type_guid" / Bytes(16),
    "unique_guid" / Bytes(16),
    "first_lba" / Int64ul,
    "last_lba" / Int64ul,
    "attributes" / Int64ul,
    "name" / Bytes(72),  # UTF-16LE, NUL padded
)

MBR_PROTECTIVE = 0xEE
MBR_EXTENDED = {0x05, 0x0F, 0x85}
MAX_LOGICAL = 128  # bound on the EBR chain, so a looping chain cannot hang a read
MAX_GPT_ENTRIES = 1024
ZERO_GUID = bytes(16)

MBR_TYPE_NAMES = {
    0x01: "FAT12", 0x04: "FAT16 <32M", 0x06: "FAT16", 0x07: "NTFS/exFAT", 0x0B: "FAT32",
    0x0C: "FAT32 (LBA)", 0x0E: "FAT16 (LBA)", 0x82: "Linux swap", 0x83: "Linux",
    0x8E: "Linux LVM", 0xEF: "EFI System", 0xFD: "Linux RAID",
}


@dataclass(frozen=True)
class Partition:
    """One partition, in bytes from the disk's start. `type` is "0x83" (MBR) or a GUID (GPT)."""

    number: int
    start: int
    size: int
    type: str
    name: str = ""

    @property
    def end(self) -> int:
        return self.start + self.size


@dataclass(frozen=True)
class PartitionTable:
    kind: str  # "none", "mbr" or "gpt"
    disk_id: str  # MBR disk signature in hex, or the GPT disk GUID
    sector_size: int
    partitions: tuple[Partition, ...] = ()


ReadAt = Callable[[int, int], bytes]  # (offset, length) -> bytes, short at the disk's end


def no_table(sector_size: int) -> PartitionTable:
    return PartitionTable("none", "", sector_size)


def read_partition_table(read_at: ReadAt, disk_size: int, sector_size: int = 512) -> PartitionTable:
    """The disk's partition table as a summary; "none" when there is no sound MBR or GPT."""
    first = read_at(0, 512)
    try:
        mbr = Mbr.parse(first)
    except ConstructError:
        return no_table(sector_size)
    entries = list(mbr.entries)
    if any(entry.status not in (0x00, 0x80) for entry in entries):
        return no_table(sector_size)
    if any(entry.type == MBR_PROTECTIVE for entry in entries):
        for size in dict.fromkeys((sector_size, 512, 4096)):
            table = _read_gpt(read_at, disk_size, size)
            if table is not None:
                return table
        return no_table(sector_size)
    return _read_mbr(read_at, disk_size, sector_size, mbr) or no_table(sector_size)


def _read_mbr(read_at: ReadAt, disk_size: int, sector: int, mbr) -> PartitionTable | None:
    partitions: list[Partition] = []
    for number, entry in enumerate(mbr.entries, start=1):
        if entry.type == 0 or entry.sectors == 0:
            continue
        start, size = entry.lba_first * sector, entry.sectors * sector
        if entry.lba_first == 0 or start + size > disk_size:
            return None
        if entry.type in MBR_EXTENDED:
            logical = _read_logical(read_at, disk_size, sector, entry.lba_first, entry.lba_first + entry.sectors)
            if logical is None:
                return None
            partitions.extend(logical)
            continue
        partitions.append(Partition(number, start, size, f"0x{entry.type:02x}", MBR_TYPE_NAMES.get(entry.type, "")))
    partitions.sort(key=lambda p: p.number)
    return PartitionTable("mbr", f"{mbr.disk_signature:08x}", sector, tuple(partitions))


def _read_logical(read_at: ReadAt, disk_size: int, sector: int, ext_start: int, ext_end: int) -> list[Partition] | None:
    """Follow the chain of extended boot records; logical partitions are numbered from 5."""
    found: list[Partition] = []
    ebr_lba = ext_start
    seen: set[int] = set()
    while len(found) < MAX_LOGICAL and ebr_lba not in seen:
        seen.add(ebr_lba)
        try:
            ebr = Mbr.parse(read_at(ebr_lba * sector, 512))
        except ConstructError:
            return None
        here, following = ebr.entries[0], ebr.entries[1]
        if here.type != 0 and here.sectors:
            start = (ebr_lba + here.lba_first) * sector
            size = here.sectors * sector
            if start + size > min(disk_size, ext_end * sector):
                return None
            found.append(Partition(5 + len(found), start, size, f"0x{here.type:02x}", MBR_TYPE_NAMES.get(here.type, "")))
        if following.type == 0 or following.lba_first == 0:
            break
        ebr_lba = ext_start + following.lba_first
        if ebr_lba >= ext_end:
            return None
    return found


def _read_gpt(read_at: ReadAt, disk_size: int, sector: int) -> PartitionTable | None:
    header = _sound_gpt_header(read_at(sector, sector), sector)
    if header is None:
        return None
    if header.entry_size < GptEntry.sizeof() or header.entry_count > MAX_GPT_ENTRIES:
        return None
    table = read_at(header.entries_lba * sector, header.entry_count * header.entry_size)
    if zlib.crc32(table) != header.entries_crc:
        return None
    partitions: list[Partition] = []
    for index in range(header.entry_count):
        entry = GptEntry.parse(table[index * header.entry_size:][: GptEntry.sizeof()])
        if entry.type_guid == ZERO_GUID:
            continue
        start = entry.first_lba * sector
        size = (entry.last_lba - entry.first_lba + 1) * sector
        if entry.last_lba < entry.first_lba or start + size > disk_size:
            return None
        name = entry.name.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
        type_guid = str(uuid.UUID(bytes_le=entry.type_guid)).upper()
        partitions.append(Partition(index + 1, start, size, type_guid, name))
    disk_guid = str(uuid.UUID(bytes_le=header.disk_guid)).upper()
    return PartitionTable("gpt", disk_guid, sector, tuple(partitions))


@dataclass(frozen=True)
class Write:
    """Bytes to put at a disk offset: what fitting a table to a larger disk changes."""

    offset: int
    data: bytes


def _sound_gpt_header(raw: bytes, sector: int):
    """The GPT header in `raw` (one sector) when its signature, size and CRC hold, else None."""
    try:
        header = GptHeader.parse(raw)
    except ConstructError:
        return None
    if not 92 <= header.header_size <= sector:
        return None
    check = bytearray(raw[: header.header_size])
    check[16:20] = bytes(4)
    return header if zlib.crc32(check) == header.header_crc else None


def _gpt_header_bytes(raw: bytes, header, **changes: int) -> bytes:
    """`raw` (a header sector) with `changes` applied and its CRC made good again; bytes past the
    92 the layout names (reserved, up to header_size, and the sector's padding) are kept."""
    fields = {key: value for key, value in header.items() if not key.startswith("_")}
    fields.update(changes, header_crc=0)
    built = bytearray(raw)
    built[: GptHeader.sizeof()] = GptHeader.build(fields)
    built[16:20] = Int32ul.build(zlib.crc32(bytes(built[: header.header_size])))
    return bytes(built)


def gpt_grown_writes(read_at: ReadAt, disk_size: int, new_size: int, sector_size: int = 512) -> list[Write]:
    """What `sgdisk -e` writes to fit a GPT made for a `disk_size` disk to a `new_size` one: the
    backup entry array and header moved to the new end, the primary header's alternate and last
    usable LBA (and CRC) updated, the protective MBR's entry grown to the whole disk.

    Empty when there is nothing to do: no sound GPT (an MBR disk), a disk no larger, or a backup
    that is not where a `disk_size` disk has it (already moved, or a layout we do not understand:
    better a disk left as the image made it than a guess). Partitions and their data, and the
    primary entry array, are never touched, so everything the image put down stays as it was.
    """
    if new_size <= disk_size:
        return []
    try:
        mbr = Mbr.parse(read_at(0, 512))
    except ConstructError:
        return []
    if not any(entry.type == MBR_PROTECTIVE for entry in mbr.entries):
        return []
    for sector in dict.fromkeys((sector_size, 512, 4096)):
        raw = read_at(sector, sector)
        header = _sound_gpt_header(raw, sector) if len(raw) == sector else None
        if header is not None:
            break
    else:
        return []
    old_last, new_last = disk_size // sector - 1, new_size // sector - 1
    if header.current_lba != 1 or header.backup_lba != old_last or new_last <= old_last:
        return []
    if header.entry_size < GptEntry.sizeof() or header.entry_count > MAX_GPT_ENTRIES:
        return []
    entries = read_at(header.entries_lba * sector, header.entry_count * header.entry_size)
    if zlib.crc32(entries) != header.entries_crc:
        return []
    entry_sectors = -(-len(entries) // sector)
    backup_entries_lba = new_last - entry_sectors
    primary = _gpt_header_bytes(raw, header, backup_lba=new_last, last_usable_lba=backup_entries_lba - 1)
    backup = _gpt_header_bytes(raw, header, current_lba=new_last, backup_lba=1,
                               last_usable_lba=backup_entries_lba - 1, entries_lba=backup_entries_lba)
    writes = [Write(backup_entries_lba * sector, entries.ljust(entry_sectors * sector, b"\0")),
              Write(new_last * sector, backup),
              Write(sector, primary)]
    protective = [i for i, e in enumerate(mbr.entries)
                  if e.type == MBR_PROTECTIVE and e.lba_first == 1 and e.sectors == min(old_last, 0xFFFFFFFF)]
    if protective:
        mbr.entries[protective[0]].sectors = min(new_last, 0xFFFFFFFF)
        writes.append(Write(0, Mbr.build(mbr)))
    return writes
