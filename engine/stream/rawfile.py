"""Regular files holding raw disk bytes: the simplest source and target."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ImgcastError, UsageError
from .base import StreamFormat


def open_to_read(path: Path, name: str, noun: str, expected: str, buffering: int = -1) -> Any:
    """Open `path` for reading; the usual failures become one-line UsageErrors naming `name`."""
    try:
        return open(path, "rb", buffering=buffering)
    except FileNotFoundError:
        raise UsageError(f"{name}: no such {noun}") from None
    except PermissionError:
        raise UsageError(f"{name}: permission denied; run as a user who can read it") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a directory, not {expected}") from None


class RawFileSource:
    """A regular file sent as it is: the disk it describes is exactly its bytes."""

    stream_format = StreamFormat.RAW

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = open_to_read(self.path, f"from={self.path}", "file", "a disk or image file", buffering=0)
        self.stream_size = os.fstat(self._file.fileno()).st_size
        self.disk_size = self.stream_size
        self.description = f"{self.path} ({self.stream_size:,} bytes)"

    def read(self, n: int) -> bytes:
        return self._file.read(n)

    def close(self) -> None:
        self._file.close()


class RawFileSink:
    """A regular file receiving raw disk bytes from offset 0; created if it does not exist.

    Writes go straight to the file; a session that does not finish leaves a file whose
    tail is stale, and says so. Existing bytes past the stream's end are left as they are,
    as they would be on a larger disk.
    """

    capacity: int | None = None

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        except PermissionError:
            raise UsageError(f"to={self.path}: permission denied; run as a user who can write it") from None
        except IsADirectoryError:
            raise UsageError(f"to={self.path}: is a directory; give a disk or a file name") from None
        except FileNotFoundError:
            raise UsageError(f"to={self.path}: the folder it would be in does not exist") from None
        self._file = os.fdopen(fd, "wb", buffering=0)
        self.description = str(self.path)

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written:]

    def finish(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as error:
            raise ImgcastError(f"{self.path}: could not flush the target: {error.strerror}") from None
        finally:
            self._file.close()

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()


class RawDiskSink:
    """A disk or raw disk file receiving a raw stream (StreamFormat.RAW): bytes in order from
    offset 0, after the same checks as an image put-down (mounted, system disk, confirmation,
    size). A raw stream is the disk itself, so every byte is written, image-safe area included."""

    def __init__(self, path: str | os.PathLike[str], *, disk_size: int, confirmed: bool) -> None:
        from ..disk.target import DiskWriter  # the disk package imports nothing from stream

        self.target = DiskWriter(path, disk_size=disk_size, confirmed=confirmed)
        self.capacity = self.target.capacity
        self.description = self.target.description
        self._offset = 0

    def write(self, data: bytes | memoryview) -> None:
        self.target.write_at(self._offset, data)
        self._offset += len(data)

    def finish(self) -> None:
        try:
            self.target.flush()
        finally:
            self.target.close()

    def abort(self) -> None:
        self.target.abandon()
