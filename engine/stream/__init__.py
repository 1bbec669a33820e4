"""Sources and targets of a session's byte stream; see base.py for the two interfaces."""

from .base import HashingReader, HashingWriter, StreamFormat, StreamSink, StreamSource
from .open import open_sink, open_source

__all__ = [
    "HashingReader",
    "HashingWriter",
    "StreamFormat",
    "StreamSink",
    "StreamSource",
    "open_sink",
    "open_source",
]
