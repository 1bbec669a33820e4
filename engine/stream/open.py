"""Turn a `from=` or `to=` path into a source or sink. The one place that decides what a path is."""

from __future__ import annotations

from .base import StreamFormat, StreamSink, StreamSource
from .rawfile import RawFileSink, RawFileSource


def open_source(path: str) -> StreamSource:
    """The master's source for `from=PATH`: for now any regular file, sent as raw bytes."""
    return RawFileSource(path)


def open_sink(
    path: str,
    *,
    stream_format: StreamFormat,
    disk_size: int,
    confirmed: bool,
    image_name: str = "",
    session_name: str | None = None,
) -> StreamSink:
    """The client's target for `to=PATH`, given what the master announced it will send.

    `confirmed` says the operator agreed to overwrite a disk (--yes or the wizard's dialog);
    `image_name` and `session_name` are what a verified put-down records as the last base image.
    """
    del stream_format, disk_size, confirmed, image_name, session_name  # raw files take any raw stream
    return RawFileSink(path)


def target_capacity(path: str) -> int | None:
    """Bytes a `to=` target can hold: a block device's size; None for a regular file (it grows)."""
    import os
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISBLK(info.st_mode):
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.lseek(fd, 0, os.SEEK_END)
    finally:
        os.close(fd)
