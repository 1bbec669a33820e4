"""Reading and writing the image-safe area of a disk or disk file.

Every write goes through one path: read the partition table, check there is safe room, then write
the whole 4 KiB area at once and flush. Refusals and bad input raise before anything is written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..errors import ImgcastError, UsageError
from ..safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET, SAFE_AREA_SIZE
from .fields import ImageSafeData, make_last_base_image
from .placement import check_safe_room
from .record import decode_area, encode_area
from .table import PartitionTable, read_table


@contextmanager
def _open_disk(disk_path: str | os.PathLike[str], write: bool) -> Iterator[tuple[int, int, int | None]]:
    """(fd, size in bytes, logical sector size or None for a file) of a whole disk or disk file."""
    path = Path(disk_path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such disk or file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    sector_size: int | None = None
    if stat.S_ISBLK(info.st_mode):
        sys_block = Path("/sys/class/block") / path.resolve().name
        if (sys_block / "partition").exists():
            raise UsageError(f"{path} is a partition; give the whole disk it belongs to")
        try:
            sector_size = int((sys_block / "queue" / "logical_block_size").read_text())
        except (OSError, ValueError):
            sector_size = 512
    elif not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is neither a disk nor a disk file")
    try:
        fd = os.open(path, os.O_RDWR if write else os.O_RDONLY)
    except PermissionError:
        raise UsageError(f"{path}: permission denied; run as a user who can {'write' if write else 'read'} it") from None
    except OSError as error:
        raise ImgcastError(f"{path}: cannot open: {error.strerror}") from None
    try:
        size = os.lseek(fd, 0, os.SEEK_END)
        yield fd, size, sector_size
    finally:
        os.close(fd)


def _reader(fd: int):  # noqa: ANN202 - a ReadAt
    return lambda offset, length: os.pread(fd, length, offset)


def disk_table(disk_path: str | os.PathLike[str]) -> PartitionTable:
    """The partition table of a disk or disk file (read only)."""
    with _open_disk(disk_path, write=False) as (fd, size, sector_size):
        return read_table(_reader(fd), sector_size, size)


def read_area(disk_path: str | os.PathLike[str]) -> bytes | None:
    """The raw safe area, or None when the disk is too small to have one."""
    with _open_disk(disk_path, write=False) as (fd, size, _sector):
        if size < SAFE_AREA_END:
            return None
        return os.pread(fd, SAFE_AREA_SIZE, SAFE_AREA_OFFSET)


def read_zisd(disk_path: str | os.PathLike[str]) -> ImageSafeData | None:
    """The disk's image-safe data; None when it has none.

    Raises RecordCorrupted (or RecordTooNew) when the area holds a record that cannot be trusted,
    so a damaged record is reported as damaged and never misread as empty.
    """
    area = read_area(disk_path)
    return None if area is None else decode_area(area)


def write_area(disk_path: str | os.PathLike[str], area: bytes) -> None:
    """Write a whole safe area (SAFE_AREA_SIZE bytes) after the safe-room check; the one write path."""
    assert len(area) == SAFE_AREA_SIZE
    with _open_disk(disk_path, write=True) as (fd, size, sector_size):
        table = read_table(_reader(fd), sector_size, size)
        head = os.pread(fd, SAFE_AREA_OFFSET, 0) if table.kind is None else None
        check_safe_room(table, size, head)
        os.pwrite(fd, area, SAFE_AREA_OFFSET)
        os.fsync(fd)


def write_zisd(disk_path: str | os.PathLike[str], data: ImageSafeData) -> None:
    """Validate `data` and store it; NoSafeRoom or UsageError leave the disk as it was."""
    write_area(disk_path, encode_area(data.validated()))


def clear_zisd(disk_path: str | os.PathLike[str]) -> None:
    """Remove the record (zero the area), after the same safe-room check as a write."""
    write_area(disk_path, bytes(SAFE_AREA_SIZE))


def record_base_image(
    disk_path: str | os.PathLike[str],
    image_name: str,
    sha256_hex: str,
    session_name: str | None,
    when: datetime | None = None,
) -> ImageSafeData:
    """Record the last base image put down, keeping the disk's identity; returns the new data.

    A disk with no record gets one with only the last base image (DHCP, nothing else set). A
    corrupted or newer record is not replaced: the error is raised and nothing is written.
    """
    current = read_zisd(disk_path) or ImageSafeData()
    last = make_last_base_image(image_name, sha256_hex, session_name, when)
    updated = replace(current, last_base_image=last)
    write_area(disk_path, encode_area(updated))
    return updated
