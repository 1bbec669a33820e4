"""Turn a `from=` or `to=` path into a source or sink. The one place that decides what a path is."""

from __future__ import annotations

from .base import StreamFormat, StreamSink, StreamSource
from .rawfile import RawFileSink, RawFileSource


def open_source(path: str) -> StreamSource:
    """The master's source for `from=PATH`: for now any regular file, sent as raw bytes."""
    return RawFileSource(path)


def open_sink(path: str, stream_format: StreamFormat, disk_size: int, confirmed: bool) -> StreamSink:
    """The client's target for `to=PATH`, given what the master announced it will send."""
    del stream_format, disk_size, confirmed  # raw files take any raw stream
    return RawFileSink(path)
