"""A disk or raw disk file opened for writing, after every check that must come first.

Order matters: safety (mounted? system disk? confirmed?) and size are checked before the target
is opened for writing, so a refusal never leaves a trace. An existing raw file stands for a disk
of its size, and grows when the source disk is larger (only a disk's size is a hard limit); a
missing (or empty) one is created sparse at the source disk's size.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
from pathlib import Path

from ..errors import ImgcastError, UsageError
from ..safe_area import overlaps_safe_area
from .device import block_device_size, block_sector_size, permission_hint
from .kernel_table import tell_kernel
from .partitions import gpt_grown_writes
from .safety import check_writable_target

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10
ZERO_PIECE = bytes(1 << 20)

# The process's own symbols include libc's: no find_library, which runs `ldconfig -p` in a
# subprocess (25 ms of CPU at every start).
_libc = ctypes.CDLL(None, use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]


def _fallocate(fd: int, mode: int, offset: int, length: int) -> bool:
    """Linux fallocate(2), which Python's os module lacks for anything but plain allocation."""
    return _libc.fallocate(fd, mode, offset, length) == 0


def size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _target_kind(path: Path, role: str) -> os.stat_result | None:
    """The target's stat if it is a disk or a regular file, None if it does not exist yet;
    anything else (a folder, a fifo...) is refused in one line."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if Path(os.path.abspath(path)).parent == Path("/dev"):  # a mistyped disk: a file made in
            raise UsageError(f"{role}={path}: no such disk (img info lists this computer's disks)") from None  # /dev fills RAM
        return None
    except PermissionError:
        raise UsageError(permission_hint(role, path, "writing a disk")) from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{role}={path}: is a directory; give a disk or a file name")
    if not (stat.S_ISBLK(st.st_mode) or stat.S_ISREG(st.st_mode)):
        raise UsageError(f"{role}={path}: not a disk or a regular file")
    return st


def check_target_early(path: str | os.PathLike[str], role: str = "to") -> None:
    """What can be known of a target before the master's announce, checked before a client
    joins: otherwise it is counted, the transfer starts, and only then does it fail, while the
    master sends the whole image to nobody. Opens nothing and changes nothing (an existing file
    is not truncated); the checks that need the image's size (mounted, system disk, too small)
    stay in DiskWriter."""
    target = Path(path)
    st = _target_kind(target, role)
    if st is None:
        folder = target.parent
        if not folder.is_dir():
            raise UsageError(f"{role}={target}: the folder it would be in does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"{role}={target}: cannot create a file in {folder} (permission denied); "
                             "run as a user who can write there, or give another path")
    elif stat.S_ISREG(st.st_mode) and not os.access(target, os.W_OK):
        raise UsageError(f"{role}={target}: permission denied; run as a user who can write it")


class DiskWriter:
    """Positional writes to a checked target; `fresh` means every byte still reads as zero."""

    def __init__(self, path: str | os.PathLike[str], *, disk_size: int, confirmed: bool, role: str = "to") -> None:
        self.path = Path(path)
        self.role = role
        self.fresh = False
        self.written = False
        self.disk_size = disk_size  # the disk the stream puts down (the image's source disk)
        self.notes: list[str] = []  # what the operator should know about a put-down that went well
        self._size_found: int | None = None  # an existing file's size before it grew
        st = _target_kind(self.path, role)
        self.is_block_device = st is not None and stat.S_ISBLK(st.st_mode)
        if st is not None:
            check_writable_target(self.path, role)
        if self.is_block_device and not confirmed:
            raise UsageError(f"{role}={self.path} is a disk: writing it destroys everything on it; "
                             "add --yes to confirm")
        flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
        if self.is_block_device:
            flags |= os.O_EXCL  # the kernel refuses a device that is mounted or held by another
        elif st is None or st.st_size == 0:
            flags |= os.O_CREAT
            self.fresh = True
        try:
            self.fd = os.open(self.path, flags, 0o644)
        except PermissionError:
            raise UsageError(permission_hint(role, self.path, "writing a disk")) from None
        except FileNotFoundError:
            raise UsageError(f"{role}={self.path}: the folder it would be in does not exist") from None
        except OSError as error:
            if error.errno == errno.EBUSY:
                raise ImgcastError(f"{role}={self.path} is in use by another program (a mount, RAID, "
                                   "LVM, or another imgcast): the kernel refuses to share it; "
                                   "stop that use first") from None
            raise ImgcastError(f"{role}={self.path}: cannot open for writing: {error.strerror}") from None
        if self.is_block_device:
            self.capacity: int | None = block_device_size(self.fd)
        elif self.fresh:
            self.capacity = None
        else:
            self.capacity = os.fstat(self.fd).st_size
        try:
            self.require_size(disk_size)
        except ImgcastError:
            self.close()
            raise
        if self.fresh:
            try:
                os.ftruncate(self.fd, disk_size)
            except OSError as error:
                self.close()
                raise ImgcastError(f"{role}={self.path}: cannot create a {size_text(disk_size)} file: "
                                   f"{error.strerror}") from None
            self.capacity = disk_size
        self.description = f"{self.path} ({size_text(self.capacity or disk_size)})"

    def require_size(self, disk_size: int) -> None:
        """Refuse (before writing anything) a disk smaller than the disk the stream puts down.
        A regular file grows to that size instead: a file has no hard limit, and refusing it
        would only send the operator to delete it first. A disk's size is a hard limit."""
        self.disk_size = disk_size
        if not self.is_block_device and self.capacity is not None and self.capacity < disk_size:
            try:
                os.ftruncate(self.fd, disk_size)
            except OSError as error:
                raise ImgcastError(f"{self.role}={self.path}: cannot grow the file to {size_text(disk_size)}: "
                                   f"{error.strerror}") from None
            if not self.fresh and self._size_found is None:
                self._size_found = self.capacity
            self.capacity = disk_size
        if self.capacity is not None and self.capacity < disk_size:
            raise UsageError(
                f"{self.role}={self.path} is too small: it holds {size_text(self.capacity)} "
                f"({self.capacity:,} bytes) but the source disk is {size_text(disk_size)} "
                f"({disk_size:,} bytes); use a disk at least that large"
            )

    def write_at(self, offset: int, data: bytes | memoryview) -> None:
        self.written = True
        view = memoryview(data)
        while view:
            try:
                written = os.pwrite(self.fd, view, offset)
            except OSError as error:
                raise ImgcastError(f"{self.path}: write error at byte {offset:,}: {error.strerror}") from None
            view = view[written:]
            offset += written

    def zero_range(self, offset: int, length: int) -> None:
        """Make a range read as zeros: nothing to do on a fresh file, a punched hole on a file,
        a zero-range request on a disk, plain zero writes where neither is supported."""
        if self.fresh or length <= 0:
            return
        mode = FALLOC_FL_ZERO_RANGE if self.is_block_device else FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
        if _fallocate(self.fd, mode, offset, length):
            return
        end = offset + length
        while offset < end:
            piece = min(len(ZERO_PIECE), end - offset)
            self.write_at(offset, ZERO_PIECE[:piece])
            offset += piece

    def flush(self) -> None:
        """Everything written reaches the disk; a disk's kernel then reads its new partition
        table, so /dev/sdb1 (or /dev/loop0p1) is the new file system at once, not the old one
        until a reboot.

        Called once the whole stream is written (and, for an image, its SHA-256 checked): on a
        target larger than the image's disk a GPT is first fitted to the target's size (see
        fit_table_to_disk). The digest covers the stream as received, so it says the same."""
        self.fit_table_to_disk()
        try:
            os.fsync(self.fd)
        except OSError as error:
            raise ImgcastError(f"{self.path}: could not flush the target: {error.strerror}") from None
        if self.is_block_device and not self.reread_partitions():
            self.notes.append(f"the kernel did not re-read the partition table of {self.path} (a loop device "
                              f"attached without -P, or a partition in use): run 'partx -u {self.path}', "
                              "or re-attach it with -P, or reboot, to see the new partitions")

    def fit_table_to_disk(self) -> None:
        """On a target larger than the image's disk, do what `sgdisk -e` does: move the backup GPT
        to the target's end and update the primary header and the protective MBR, so the put-down
        is a valid disk of its own size whose extra space can be partitioned. MBR disks need
        nothing. Only the table's own sectors are written (LBA 0, LBA 1, the target's last
        sectors): never a partition, never the image-safe area (a zisd record lives at 1 MiB,
        past the primary entries, and a disk large enough to grow ends far beyond it)."""
        if self.capacity is None or self.capacity <= self.disk_size:
            return
        try:
            reader = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            self.notes.append(f"the partition table was not fitted to {self.path}'s size: {error.strerror}")
            return
        try:
            sector = block_sector_size(reader) if self.is_block_device else 512
            writes = gpt_grown_writes(lambda offset, n: os.pread(reader, n, offset), self.disk_size,
                                      self.capacity, sector)
        finally:
            os.close(reader)
        if any(overlaps_safe_area(w.offset, w.offset + len(w.data)) for w in writes):
            return  # a disk so small its end is the safe area: leave the table as the image made it
        for write in writes:
            self.write_at(write.offset, write.data)
        if writes:
            self.notes.append(f"the GPT was fitted to {self.path}'s size: the last "
                              f"{size_text(self.capacity - self.disk_size)} are free for partitions")

    def reread_partitions(self) -> bool:
        """The kernel's partitions of this disk follow the table just written (see kernel_table)."""
        return tell_kernel(self.fd, self.capacity or 0, block_sector_size(self.fd))

    def abandon(self) -> None:
        """Close after a put-down that did not finish. A file this writer created (or found
        empty) and never wrote is emptied again, one it grew is cut back to its size: the next
        attempt, perhaps for another master's disk size, finds it as the operator left it."""
        if not self.written and getattr(self, "fd", -1) >= 0:
            size = 0 if self.fresh else self._size_found
            if size is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self.fd, size)
        self.close()

    def close(self) -> None:
        if getattr(self, "fd", -1) >= 0:
            os.close(self.fd)
            self.fd = -1
