"""Before a disk is written: is it mounted, or the disk the running system lives on?

The mount table is read by one small function, `read_mount_table`, so tests can fake a mount
without mounting anything. A target counts as in use when it, or any partition on it, or a loop
device backed by it, is the source of a mount or active swap.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

SYS_DEV_BLOCK = Path("/sys/dev/block")
SYS_BLOCK = Path("/sys/block")


@dataclass(frozen=True)
class Mount:
    source: str  # "/dev/sda1", a file path, or a pseudo source such as "proc"
    mountpoint: str


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces and the like as octal escapes (\\040)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def read_mount_table() -> list[Mount]:
    """Every mount the kernel knows of, plus active swap areas (mountpoint "[swap]")."""
    mounts: list[Mount] = []
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as table:
            for line in table:
                fields = line.split()
                if len(fields) >= 2:
                    mounts.append(Mount(_unescape(fields[0]), _unescape(fields[1])))
    except OSError:
        pass
    try:
        with open("/proc/swaps", encoding="utf-8", errors="replace") as swaps:
            for line in list(swaps)[1:]:
                fields = line.split()
                if fields:
                    mounts.append(Mount(_unescape(fields[0]), "[swap]"))
    except OSError:
        pass
    return mounts


def _device_number(path: str) -> int | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_rdev if stat.S_ISBLK(st.st_mode) else None


def _whole_disks(rdev: int) -> set[int]:
    """The whole disks a block device lives on: a partition's parent, a device mapper's slaves."""
    found: set[int] = set()
    todo = [rdev]
    while todo and len(found) < 64:
        number = todo.pop()
        node = SYS_DEV_BLOCK / f"{os.major(number)}:{os.minor(number)}"
        try:
            real = node.resolve(strict=True)
        except OSError:
            found.add(number)
            continue
        if (real / "partition").exists():
            real = real.parent
        slaves = [s for s in (real / "slaves").glob("*")] if (real / "slaves").is_dir() else []
        if slaves:
            for slave in slaves:
                try:
                    major, minor = (slave / "dev").read_text().strip().split(":")
                    todo.append(os.makedev(int(major), int(minor)))
                except (OSError, ValueError):
                    continue
            continue
        try:
            major, minor = (real / "dev").read_text().strip().split(":")
            found.add(os.makedev(int(major), int(minor)))
        except (OSError, ValueError):
            found.add(number)
    return found


def _loop_devices_backed_by(path: Path) -> set[int]:
    devices: set[int] = set()
    for backing in SYS_BLOCK.glob("loop*/loop/backing_file"):
        try:
            if Path(backing.read_text().strip()) == path:
                major, minor = (backing.parent.parent / "dev").read_text().strip().split(":")
                devices.add(os.makedev(int(major), int(minor)))
        except (OSError, ValueError):
            continue
    return devices


def find_use(path: str | os.PathLike[str], mounts: list[Mount] | None = None) -> Mount | None:
    """The mount (or swap) that uses this disk or file, directly or through a partition; or None."""
    target = Path(os.path.realpath(path))
    mounts = read_mount_table() if mounts is None else mounts
    target_rdev = _device_number(str(target))
    disks: set[int] = set()
    if target_rdev is not None:
        disks = _whole_disks(target_rdev) | {target_rdev}
    else:
        for loop in _loop_devices_backed_by(target):
            disks |= _whole_disks(loop) | {loop}
    for mount in mounts:
        if not mount.source.startswith("/"):
            continue
        if Path(os.path.realpath(mount.source)) == target:
            return mount
        rdev = _device_number(mount.source)
        if rdev is not None and disks and (rdev in disks or _whole_disks(rdev) & disks):
            return mount
    return None


def check_writable_target(path: str | os.PathLike[str], role: str = "to") -> None:
    """Refuse a target that is mounted, used as swap, or holds the running system (UsageError)."""
    use = find_use(path)
    if use is None:
        return
    if use.mountpoint == "/":
        raise UsageError(f"{role}={path} holds the running system ({use.source} is mounted on /); "
                         "choose another disk")
    if use.mountpoint == "[swap]":
        raise UsageError(f"{role}={path} is in use as swap ({use.source}); run 'swapoff {use.source}' first")
    raise UsageError(f"{role}={path} is mounted ({use.source} on {use.mountpoint}); "
                     f"unmount it first (umount {use.mountpoint})")


def check_quiet_source(path: str | os.PathLike[str], role: str = "from") -> None:
    """Refuse to image a disk that is mounted or used as swap: a live file system changes while it
    is read, and its image would not be consistent (ZENworks images from its own boot medium)."""
    use = find_use(path)
    if use is None:
        return
    where = "swap" if use.mountpoint == "[swap]" else f"{use.source} on {use.mountpoint}"
    raise UsageError(f"{role}={path} is in use ({where}); an image of a live disk is not consistent: "
                     "unmount it, or start imgcast from another system")
