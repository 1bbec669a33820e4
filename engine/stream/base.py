"""What a session moves: a byte stream read once, in order, by the master, and written once, in
order, by each client. The protocol never sees files; raw files, disks and .imgcast image
files all hide behind these two small interfaces (DESIGN.md: "Image stream = image file").
"""

from __future__ import annotations

import hashlib
from enum import IntEnum
from typing import Protocol


class StreamFormat(IntEnum):
    """How a client must interpret the bytes it receives; carried in the master's announce."""

    RAW = 0  # the bytes are the disk, from offset 0
    IMGCAST = 1  # the bytes are an .imgcast image stream (header, chunks, trailer)
    SEALED_IMGCAST = 2  # an encrypted .imgcast file as it is: clients open it with the passphrase


class StreamSource(Protocol):
    """A master's stream. `read` is called from a worker thread, never from the event loop.

    IMGCAST sources also have `content_digest() -> bytes`: the image's own SHA-256 (its trailer),
    valid once the stream has been read to its end. For an image stream that is the digest the
    session announces and clients check, so no byte is hashed twice.
    """

    description: str
    stream_format: StreamFormat
    stream_size: int | None  # bytes on the wire, when known before sending (None: built on the fly)
    disk_size: int  # size of the disk the stream puts down; targets smaller than this are refused

    def read(self, n: int) -> bytes | memoryview:
        """Up to n bytes; b"" at the end of the stream. A read-only view where that saves a copy
        (an image built on the fly hands out views of its chunk records)."""
        ...

    def close(self) -> None: ...


class StreamSink(Protocol):
    """A client's target. `write` is called from a worker thread with the stream in order.

    Sinks for IMGCAST streams also have `content_digest() -> bytes`: the SHA-256 the image's
    trailer carried, which `finish()` has checked against the bytes received.
    """

    description: str
    capacity: int | None  # bytes the target can hold (None: grows, like a new regular file)

    def write(self, data: bytes | memoryview) -> None: ...

    def finish(self) -> None:
        """Flush and check everything written; raise ImgcastError if the result is not good."""
        ...

    def abort(self) -> None:
        """The session did not finish: leave the target marked incomplete, record nothing as done."""
        ...


class HashingReader:
    """Reads a source and hashes what it hands out, so the master's SHA-256 costs no extra pass."""

    def __init__(self, source: StreamSource) -> None:
        self.source = source
        self.bytes_read = 0
        self._hash = hashlib.sha256()

    def read(self, n: int) -> bytes | memoryview:
        data = self.source.read(n)
        self._hash.update(data)
        self.bytes_read += len(data)
        return data

    def digest(self) -> bytes:
        return self._hash.digest()


class DigestingReader:
    """Reads an image source that computes its own SHA-256: the session's digest is the image's."""

    def __init__(self, source: StreamSource) -> None:
        self.source = source
        self.bytes_read = 0

    def read(self, n: int) -> bytes | memoryview:
        data = self.source.read(n)
        self.bytes_read += len(data)
        return data

    def digest(self) -> bytes:
        return self.source.content_digest()  # type: ignore[attr-defined]


class DigestingWriter:
    """Writes to an image sink that checks its own SHA-256; the digest is valid after finish()."""

    def __init__(self, sink: StreamSink) -> None:
        self.sink = sink
        self.bytes_written = 0

    def write(self, data: bytes | memoryview) -> None:
        self.sink.write(data)
        self.bytes_written += len(data)

    def digest(self) -> bytes:
        return self.sink.content_digest()  # type: ignore[attr-defined]


def reader_for(source: StreamSource) -> HashingReader | DigestingReader:
    """Image streams carry their own SHA-256; raw streams are hashed as they are read."""
    return DigestingReader(source) if source.stream_format == StreamFormat.IMGCAST else HashingReader(source)


def writer_for(sink: StreamSink, stream_format: StreamFormat) -> HashingWriter | DigestingWriter:
    return DigestingWriter(sink) if stream_format == StreamFormat.IMGCAST else HashingWriter(sink)


class HashingWriter:
    """Writes to a sink and hashes what passes, so a client verifies without re-reading its target."""

    def __init__(self, sink: StreamSink) -> None:
        self.sink = sink
        self.bytes_written = 0
        self._hash = hashlib.sha256()

    def write(self, data: bytes | memoryview) -> None:
        self._hash.update(data)
        self.sink.write(data)
        self.bytes_written += len(data)

    def digest(self) -> bytes:
        return self._hash.digest()
