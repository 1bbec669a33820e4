"""Every disk, its partitions, and whether imaging may write it.

On Linux the facts come from /sys/block (sizes, starts, rotational, removable, model, serial),
/proc/mounts and /proc/swaps (what is in use), udev's database when it runs (table and file
system types) and, failing udev, the partition table read from the disk itself. Elsewhere
psutil's mounted partitions are all there is.
"""

from __future__ import annotations

import os
import sys

import psutil

from ..errors import ImgcastError
from ..zisd.table import read_table
from .model import DiskInfo, PartitionInfo
from .tables import Tables

SECTOR = 512  # /sys/block sizes and starts are always in 512-byte units
READ_ONLY_REASON = "is read-only"
_VIRTUAL_PREFIXES = ("loop", "ram", "zram", "dm-", "md", "nbd", "sr", "fd")


def list_disks(root: str = "/") -> list[DiskInfo]:
    """Every physical disk with its partitions; `unusable_reason` says why one cannot be a target."""
    tables = Tables(root)
    if not tables.exists("sys/block"):
        return _disks_from_psutil() if tables.is_live else []
    mounts = tables.mounts()
    swaps = {line.split()[0] for line in tables.lines("proc/swaps")[1:] if line.split()}
    system_names = _system_disk_names(tables, mounts)
    disks = []
    for name in tables.listdir("sys/block"):
        backing = tables.text(f"sys/block/{name}/loop/backing_file") if name.startswith("loop") else None
        if backing is None and (name.startswith(_VIRTUAL_PREFIXES)
                                or not tables.exists(f"sys/block/{name}/device")):
            continue  # a RAM disk, a mapper or an unattached loop device: no disk of its own
        size = (tables.integer(f"sys/block/{name}/size") or 0) * SECTOR
        if size == 0:
            continue  # an empty card reader or tray
        disk = _disk(tables, name, size, mounts, swaps, name in system_names)
        if backing is not None:
            # A loop device that backs a file is a disk to imaging (a file made to look like
            # one, as tests and virtual-machine images do); it says which file it stands for.
            disk.kind, disk.backing_file = "loop", backing
            disk.model = disk.model or "loop device"
        disks.append(disk)
    return disks


def system_disk(root: str = "/") -> str | None:
    """The device of the disk the running system lives on ("/dev/sda"), or None if unknown."""
    for disk in list_disks(root):
        if disk.system:
            return disk.device
    return None


def _disk(tables: Tables, name: str, size: int, mounts: list[tuple[str, str, str]],
          swaps: set[str], system: bool) -> DiskInfo:
    base = f"sys/block/{name}"
    udev = tables.udev(tables.text(f"{base}/dev"))
    disk = DiskInfo(
        device=f"/dev/{name}",
        model=tables.text(f"{base}/device/model") or udev.get("ID_MODEL"),
        serial=(tables.text(f"{base}/device/serial") or tables.text(f"{base}/serial")
                or udev.get("ID_SERIAL_SHORT")),
        size=size,
        rotational=_flag(tables.integer(f"{base}/queue/rotational")),
        removable=_flag(tables.integer(f"{base}/removable")),
        system=system,
        read_only=tables.integer(f"{base}/ro") == 1,
    )
    kind = udev.get("ID_PART_TABLE_TYPE")
    disk.table = {"dos": "mbr", "gpt": "gpt"}.get(kind) if kind else None
    read_types = _types_from_disk(tables, name, disk) if not udev else {}
    for part in [p for p in tables.listdir(base) if tables.exists(f"{base}/{p}/partition")]:
        pudev = tables.udev(tables.text(f"{base}/{part}/dev"))
        number = tables.integer(f"{base}/{part}/partition")
        start = tables.integer(f"{base}/{part}/start")
        length = tables.integer(f"{base}/{part}/size")
        device = f"/dev/{part}"
        mount = _mount_of(device, mounts)
        disk.partitions.append(PartitionInfo(
            device=device,
            start=None if start is None else start * SECTOR,
            size=None if length is None else length * SECTOR,
            type=pudev.get("ID_PART_ENTRY_TYPE") or read_types.get(number or -1),
            fstype=pudev.get("ID_FS_TYPE") or (mount[1] if mount else None),
            mountpoint=mount[0] if mount else None,
        ))
    disk.partitions.sort(key=lambda p: p.start if p.start is not None else 0)
    disk.unusable_reason = _unusable_reason(tables, name, disk, mounts, swaps)
    disk.mounted = any(p.mountpoint for p in disk.partitions) or _mount_of(disk.device, mounts) is not None
    return disk


def _types_from_disk(tables: Tables, name: str, disk: DiskInfo) -> dict[int, str]:
    """Without udev: read the partition table from the device node itself (read only)."""
    sector = tables.integer(f"sys/block/{name}/queue/logical_block_size")
    try:
        fd = os.open(tables.path(f"dev/{name}"), os.O_RDONLY)
    except OSError:
        return {}
    try:
        table = read_table(lambda offset, length: os.pread(fd, length, offset), sector)
    except (ImgcastError, OSError):
        return {}
    finally:
        os.close(fd)
    disk.table = table.kind
    return {p.number: p.type for p in table.partitions}


def _unusable_reason(tables: Tables, name: str, disk: DiskInfo, mounts: list[tuple[str, str, str]],
                     swaps: set[str]) -> str | None:
    """One line saying why imaging must not write this disk, or None."""
    if disk.system:
        return "holds the running system (/)"
    whole = _mount_of(disk.device, mounts)
    if whole:
        return f"mounted at {whole[0]}"
    for part in disk.partitions:
        if part.mountpoint:
            return f"{part.device} is mounted at {part.mountpoint}"
    for device in [disk.device] + [p.device for p in disk.partitions]:
        if device in swaps:
            return f"{device} is in use as swap space"
    for node in [name] + [p.device.removeprefix("/dev/") for p in disk.partitions]:
        holders = tables.listdir(f"sys/block/{name}/holders" if node == name else f"sys/block/{name}/{node}/holders")
        if holders:
            return f"{'/dev/' + node} is in use by {holders[0]} (LVM, RAID or encryption)"
    if tables.integer(f"sys/block/{name}/ro") == 1:
        return READ_ONLY_REASON
    return None


def _system_disk_names(tables: Tables, mounts: list[tuple[str, str, str]]) -> set[str]:
    """Names of the disks under "/": via the root file system's device number when live, else
    via the mount source, following device-mapper and RAID slaves down to the disks."""
    start: str | None = None
    if tables.is_live:
        try:
            dev = os.stat("/").st_dev
            link = os.path.realpath(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}")
            start = os.path.basename(link) if os.path.exists(link) else None
        except OSError:
            start = None
    if start is None:
        source = next((src for src, point, _ in mounts if point == "/"), None)
        if source is None or not source.startswith("/dev/"):
            return set()
        target = tables.path(source)
        start = os.path.basename(os.path.realpath(target)) if target.is_symlink() else os.path.basename(source)
    return _disks_under(tables, start, depth=0)


def _disks_under(tables: Tables, name: str, depth: int) -> set[str]:
    if depth > 8:
        return set()
    if tables.exists(f"sys/block/{name}/device") or tables.exists(f"sys/block/{name}/loop"):
        return {name}
    for disk in tables.listdir("sys/block"):
        if tables.exists(f"sys/block/{disk}/{name}/partition"):
            return {disk}
    found: set[str] = set()
    for slave in tables.listdir(f"sys/block/{name}/slaves"):
        found |= _disks_under(tables, slave, depth + 1)
    return found


def _mount_of(device: str, mounts: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    for source, point, fstype in mounts:
        if source == device:
            return point, fstype
    return None


def _flag(value: int | None) -> bool | None:
    return None if value is None else value != 0


def _disks_from_psutil() -> list[DiskInfo]:
    """Not Linux: group psutil's mounted partitions by the device they are on (no sizes of disks)."""
    disks: dict[str, DiskInfo] = {}
    try:
        partitions = psutil.disk_partitions(all=False)
    except (OSError, RuntimeError):
        return []
    for part in partitions:
        device = part.device or part.mountpoint
        disk = disks.setdefault(device, DiskInfo(device=device, mounted=True,
                                                 unusable_reason=f"mounted at {part.mountpoint}"))
        try:
            size = psutil.disk_usage(part.mountpoint).total
        except OSError:
            size = None
        disk.partitions.append(PartitionInfo(device, None, size, None, part.fstype or None, part.mountpoint))
        if part.mountpoint in ("/", "C:\\") or (sys.platform == "darwin" and part.mountpoint == "/System/Volumes/Data"):
            disk.system = True
            disk.unusable_reason = "holds the running system (/)"
    return list(disks.values())
