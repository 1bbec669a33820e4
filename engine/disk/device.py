"""Opening a disk (block device) or a raw disk file, and asking how big it is.

A block device's size and logical sector size come from the kernel (BLKGETSIZE64, BLKSSZGET);
a regular file is a disk exactly as large as the file, with 512-byte sectors.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path

from construct import Int32sn, Int64un

from ..errors import ImgcastError, UsageError

BLKGETSIZE64 = 0x80081272  # _IOR(0x12, 114, size_t)
BLKSSZGET = 0x1268  # _IO(0x12, 104): logical sector size, an int
DEFAULT_SECTOR_SIZE = 512


def permission_hint(role: str, path: Path | str, verb: str) -> str:
    """One line for a permission error: what failed and how to get the rights."""
    return (
        f"{role}={path}: permission denied; {verb} needs root (run 'sudo img ...') "
        "or membership of the 'disk' group"
    )


def is_block_device(path: str | os.PathLike[str]) -> bool:
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def block_device_size(fd: int) -> int:
    result = fcntl.ioctl(fd, BLKGETSIZE64, bytes(Int64un.sizeof()))
    return int(Int64un.parse(result))


def block_sector_size(fd: int) -> int:
    result = fcntl.ioctl(fd, BLKSSZGET, bytes(Int32sn.sizeof()))
    return int(Int32sn.parse(result))


class DiskReader:
    """A disk or raw disk file opened for reading, with positional reads (no shared file offset)."""

    def __init__(self, path: str | os.PathLike[str], role: str = "from") -> None:
        self.path = Path(path)
        try:
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise UsageError(f"{role}={self.path}: no such file or disk") from None
        except PermissionError:
            raise UsageError(permission_hint(role, self.path, "reading a disk")) from None
        except OSError as error:
            raise ImgcastError(f"{role}={self.path}: cannot open: {error.strerror}") from None
        mode = os.fstat(self.fd).st_mode
        if stat.S_ISDIR(mode):
            os.close(self.fd)
            raise UsageError(f"{role}={self.path}: is a directory, not a disk or image file")
        self.is_block_device = stat.S_ISBLK(mode)
        if self.is_block_device:
            self.size = block_device_size(self.fd)
            self.sector_size = block_sector_size(self.fd)
        elif stat.S_ISREG(mode):
            self.size = os.fstat(self.fd).st_size
            self.sector_size = DEFAULT_SECTOR_SIZE
        else:
            os.close(self.fd)
            raise UsageError(f"{role}={self.path}: not a disk, a raw disk file or an image file")
        try:
            os.posix_fadvise(self.fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        except OSError:
            pass

    def read_at(self, offset: int, length: int) -> bytes:
        """Exactly `length` bytes from `offset`, short only at the disk's end."""
        parts: list[bytes] = []
        while length > 0:
            try:
                data = os.pread(self.fd, length, offset)
            except OSError as error:
                raise ImgcastError(f"{self.path}: read error at byte {offset:,}: {error.strerror}") from None
            if not data:
                break
            parts.append(data)
            offset += len(data)
            length -= len(data)
        return b"".join(parts) if len(parts) != 1 else parts[0]

    def next_data(self, offset: int) -> int:
        """Where data starts at or after `offset` in a sparse file: holes read as zeros and are
        skipped without reading. Block devices (and file systems without SEEK_DATA) say `offset`."""
        if self.is_block_device:
            return offset
        try:
            return os.lseek(self.fd, offset, os.SEEK_DATA)
        except OSError as error:
            if error.errno == errno.ENXIO:  # only a hole from here to the end
                return self.size
            return offset

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> DiskReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
