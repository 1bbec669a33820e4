"""Which byte ranges of a disk an image carries.

Raw mode: the whole disk. Used-blocks mode: the whole disk, except that each partition whose
file system partclone mapped contributes only its used ranges plus its first and last sectors;
partition tables, gaps between partitions and unknown file systems are carried whole (zero runs
in them still cost nothing). The edges are there because file systems keep things outside their
own allocation map: NTFS writes its alternate boot sector in the partition's last sector, beyond
the volume's sector count, and without it `ntfsfix` and Windows' chkdsk call the volume damaged.
In both modes the image-safe area is left out when it lies outside every partition: it belongs
to the computer, not to the image.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET

Range = tuple[int, int]  # (offset, length)
# A mapped partition's edges carried whatever its map says: one sector of any size up to 4Kn.
EDGE_BYTES = 4096


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, with overlapping or touching ranges joined and empty ones dropped."""
    merged: list[Range] = []
    for start, length in sorted(r for r in ranges if r[1] > 0):
        if merged and merged[-1][0] + merged[-1][1] >= start:
            last_start, last_length = merged[-1]
            merged[-1] = (last_start, max(last_length, start + length - last_start))
        else:
            merged.append((start, length))
    return merged


def subtract(ranges: Sequence[Range], holes: Sequence[Range]) -> list[Range]:
    """`ranges` minus `holes` (both lists of ranges)."""
    result: list[Range] = []
    holes = merge(holes)
    for start, length in merge(ranges):
        pieces = [(start, start + length)]
        for hole_start, hole_length in holes:
            hole_end = hole_start + hole_length
            next_pieces = []
            for a, b in pieces:
                if hole_end <= a or hole_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < hole_start:
                    next_pieces.append((a, hole_start))
                if hole_end < b:
                    next_pieces.append((hole_end, b))
            pieces = next_pieces
        result.extend((a, b - a) for a, b in pieces)
    return result


def safe_area_is_free(partitions: Sequence[Range], disk_size: int, partitioned: bool) -> bool:
    """Whether the image-safe area exists on such a disk: a partitioned disk big enough to hold
    it, with no partition covering it. On any other disk those bytes are ordinary data."""
    if not partitioned or disk_size < SAFE_AREA_END:
        return False
    return all(start >= SAFE_AREA_END or start + size <= SAFE_AREA_OFFSET for start, size in partitions)


def plan_regions(
    disk_size: int,
    mapped: Sequence[tuple[Range, Sequence[Range]]],
    skip_safe_area: bool,
    edge: int = 0,
) -> list[Range]:
    """The ranges to image: the disk minus each mapped partition, plus that partition's used ranges
    and its first and last `edge` bytes.

    `mapped` pairs a partition's (start, size) with its used ranges (empty in raw mode)."""
    regions = subtract([(0, disk_size)], [partition for partition, _ in mapped])
    for (start, size), used in mapped:
        end = min(start + size, disk_size)
        regions.extend((max(start, u), min(end, u + n) - max(start, u)) for u, n in used)
        if edge > 0 and end > start:
            regions.append((start, min(edge, end - start)))
            regions.append((max(start, end - edge), end - max(start, end - edge)))
    regions = merge(regions)
    holes = [(SAFE_AREA_OFFSET, SAFE_AREA_END - SAFE_AREA_OFFSET)] if skip_safe_area else []
    return subtract(regions, holes)
