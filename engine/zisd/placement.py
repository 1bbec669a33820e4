"""May the image-safe area be written on this disk? Decided from its partition table alone."""

from __future__ import annotations

from ..errors import ImgcastError
from ..safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET, overlaps_safe_area
from .table import PartitionTable


class NoSafeRoom(ImgcastError):
    """Something on the disk lives where the image-safe area would go; nothing was written."""


def check_safe_room(table: PartitionTable, disk_size: int, head: bytes | None = None) -> None:
    """Raise NoSafeRoom, with one line saying what is in the way, unless the area is free.

    A disk with no partition table has room only when it is blank (`head`, its first bytes before
    the area, all zeros): otherwise a file system or other data may span the whole disk.
    """
    if disk_size < SAFE_AREA_END:
        raise NoSafeRoom(
            f"no safe room: the disk holds {disk_size:,} bytes; the image-safe area needs the first 1 MiB"
        )
    if table.kind is None and head is not None and head.strip(b"\0"):
        raise NoSafeRoom(
            "no safe room: the disk has no partition table but holds data "
            "(a file system may span the whole disk)"
        )
    sector = table.sector_size
    area = f"sectors {SAFE_AREA_OFFSET // sector}-{SAFE_AREA_END // sector - 1}"
    for name, start, end in table.structures:
        if overlaps_safe_area(start, end):
            raise NoSafeRoom(f"no safe room: {name} reach sector {end // sector - 1}, into the image-safe area ({area})")
    ordered = sorted(table.partitions, key=lambda p: p.start)
    for index, part in enumerate(ordered):
        if overlaps_safe_area(*part.byte_range(sector)):
            which = "the first partition" if index == 0 else f"partition {part.number}"
            raise NoSafeRoom(
                f"no safe room: {which} starts at sector {part.start} and covers the image-safe area "
                f"({area}); partitions aligned to 1 MiB leave it free"
            )
