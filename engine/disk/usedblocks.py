"""Which blocks of a partition its file system uses, from partclone's domain log.

`partclone.<fs> -s PARTITION -D -o MAP` writes a ddrescue domain log: one line per byte range,
"+" for used, "?" for unused. It reads the file system's own allocation bitmaps, so it is exact
and costs only a metadata read. The file system type comes from blkid's probe.

partclone opens its source by name and has no source offset. A partition of a block device has
a node of its own (/dev/sda1, found through sysfs by its start). A partition inside a raw disk
file has none, and a loop device needs root and leaves state behind; so it is copied (sparse,
zero blocks skipped) to a temporary file first. That costs one extra read and write of the
partition, and only happens for disk files; when the temporary space is short the partition
is simply sent whole.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .device import DiskReader
from .partitions import Partition

# blkid TYPE -> partclone program suffix
PARTCLONE_FOR = {
    "ext2": "extfs", "ext3": "extfs", "ext4": "extfs", "vfat": "fat", "msdos": "fat",
    "ntfs": "ntfs", "exfat": "exfat", "xfs": "xfs", "btrfs": "btrfs", "f2fs": "f2fs",
    "hfsplus": "hfsp", "minix": "minix",
}
DOMAIN_LINE = re.compile(r"^\s*0x([0-9A-Fa-f]+)\s+0x([0-9A-Fa-f]+)\s+([?*/\-+])\s*$")
COPY_PIECE = 4 << 20
PROBE_TIMEOUT = 30
MAP_TIMEOUT_PER_GIB = 60


@dataclass(frozen=True)
class UsedMap:
    """Used byte ranges of one partition, absolute on the disk, sorted and merged."""

    filesystem: str
    ranges: tuple[tuple[int, int], ...]  # (offset, length)

    @property
    def used_bytes(self) -> int:
        return sum(length for _, length in self.ranges)


def detect_filesystem(disk: DiskReader, partition: Partition) -> str:
    """blkid's name for the file system in a partition ("ext4", "vfat", ...), or "" if none found."""
    blkid = shutil.which("blkid")
    if blkid is None:
        return ""
    command = [blkid, "-p", "-o", "export", "-O", str(partition.start), "-S", str(partition.size), str(disk.path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "TYPE":
            return value.strip()
    return ""


def parse_domain_log(text: str, base: int, limit: int) -> tuple[tuple[int, int], ...]:
    """The "+" ranges of a domain log, shifted by `base` and clipped to `limit` bytes."""
    ranges: list[tuple[int, int]] = []
    for line in text.splitlines():
        match = DOMAIN_LINE.match(line)
        if not match or match.group(3) != "+":
            continue
        start, length = int(match.group(1), 16), int(match.group(2), 16)
        length = min(length, limit - start)
        if length <= 0:
            continue
        if ranges and ranges[-1][0] + ranges[-1][1] >= base + start:
            last_start, last_len = ranges.pop()
            ranges.append((last_start, max(last_len, base + start + length - last_start)))
        else:
            ranges.append((base + start, length))
    return tuple(ranges)


def partition_node(disk: DiskReader, partition: Partition) -> Path | None:
    """/dev/sdXN for a partition of a block device, matched through sysfs by its start sector."""
    if not disk.is_block_device:
        return None
    rdev = os.stat(disk.path).st_rdev
    sys_dir = Path(f"/sys/dev/block/{os.major(rdev)}:{os.minor(rdev)}")
    try:
        children = [child for child in sys_dir.resolve().iterdir() if (child / "partition").exists()]
    except OSError:
        return None
    for child in children:
        try:
            start = int((child / "start").read_text()) * 512  # sysfs counts 512-byte units
        except (OSError, ValueError):
            continue
        if start == partition.start and Path("/dev", child.name).exists():
            return Path("/dev", child.name)
    return None


def _copy_partition(disk: DiskReader, partition: Partition, folder: Path) -> Path | None:
    """A sparse copy of the partition in `folder`, or None if there is not room for it."""
    if shutil.disk_usage(folder).free < partition.size + (64 << 20):
        return None
    copy = folder / "partition"
    zero = bytes(COPY_PIECE)
    with open(copy, "wb") as out:
        offset = 0
        while offset < partition.size:
            data = disk.read_at(partition.start + offset, min(COPY_PIECE, partition.size - offset))
            if not data:
                break
            if data != zero[: len(data)]:
                out.seek(offset)
                out.write(data)
            offset += len(data)
        out.truncate(partition.size)
    return copy


def map_used_blocks(disk: DiskReader, partition: Partition, filesystem: str) -> UsedMap | None:
    """The partition's used ranges, or None when they cannot be known (no partclone for this
    file system, partclone refused it, no room for a copy): then the partition is sent whole."""
    program = PARTCLONE_FOR.get(filesystem)
    tool = shutil.which(f"partclone.{program}") if program else None
    if tool is None:
        return None
    timeout = PROBE_TIMEOUT + MAP_TIMEOUT_PER_GIB * (partition.size >> 30)
    with tempfile.TemporaryDirectory(prefix="imgcast-map-") as scratch:
        folder = Path(scratch)
        source = partition_node(disk, partition) or _copy_partition(disk, partition, folder)
        if source is None:
            return None
        log_file, map_file = folder / "partclone.log", folder / "domain.map"
        command = [tool, "-s", str(source), "-D", "-o", str(map_file), "-L", str(log_file), "-q"]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                           stdin=subprocess.DEVNULL)
            text = map_file.read_text(errors="replace")
        except (OSError, subprocess.TimeoutExpired):
            return None
    if "+" not in text:
        return None
    return UsedMap(filesystem, parse_domain_log(text, partition.start, partition.size))
