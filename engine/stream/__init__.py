"""Sources and targets of a session's byte stream: base.py holds the two interfaces, open.py
decides what a path is. This package imports neither eagerly beyond base, because the image
code that open.py builds on imports base too (an import cycle otherwise)."""

from .base import HashingReader, HashingWriter, StreamFormat, StreamSink, StreamSource

__all__ = ["HashingReader", "HashingWriter", "StreamFormat", "StreamSink", "StreamSource"]
