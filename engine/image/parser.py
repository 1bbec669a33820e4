"""Reading an image stream incrementally, in whatever slices it arrives.

A client receives the stream in pieces that do not line up with chunks, so the parser keeps a
small buffer (at most one chunk) and hands out each chunk only after its checksum and its
decompression have been verified: a corrupted chunk is found before anything of it is written,
and nothing after it is ever handed out.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass

import zstandard
from construct import ConstructError

from .checksum import crc32
from .format import (
    CHECK_SIZE,
    CHUNK_HEAD_SIZE,
    CHUNK_KIND,
    PREAMBLE_SIZE,
    TRAILER_KIND,
    TRAILER_SIZE,
    ChunkCheck,
    ChunkHead,
    ImageFormatError,
    Trailer,
)
from .header import ImageHeader, check_preamble, header_size, parse_header


class _Pieces:
    """The bytes fed but not yet parsed, kept as the pieces they came in: taking a record off
    the front copies it once, instead of shifting a buffer along at every step (a chunk is up
    to 1 MiB and arrives in many pieces)."""

    def __init__(self) -> None:
        self._pieces: deque[memoryview] = deque()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        view = memoryview(data)
        if not view.readonly:  # the caller may reuse its buffer: keep a copy
            view = memoryview(bytes(view))
        self._pieces.append(view.cast("B") if view.format != "B" or view.ndim != 1 else view)
        self._size += len(view)

    def peek(self, n: int) -> bytes:
        """The first n bytes (n small), left in place."""
        out = bytearray()
        for piece in self._pieces:
            out += piece[: n - len(out)]
            if len(out) >= n:
                break
        return bytes(out)

    def take(self, n: int) -> bytes:
        """The first n bytes (there must be that many), removed, as one bytes object."""
        parts = self.take_views(n)
        return parts[0].tobytes() if len(parts) == 1 else b"".join(parts)

    def take_views(self, n: int) -> list[memoryview]:
        """The first n bytes (there must be that many), removed, as views of the pieces they
        came in: nothing is copied."""
        parts = []
        while n:
            piece = self._pieces[0]
            if len(piece) <= n:
                parts.append(self._pieces.popleft())
                n -= len(piece)
                self._size -= len(piece)
            else:
                parts.append(piece[:n])
                self._pieces[0] = piece[n:]
                self._size -= n
                n = 0
        return parts


def _without_front(pieces: list[memoryview], n: int) -> tuple[memoryview, ...]:
    """The pieces minus their first n bytes."""
    out = []
    for piece in pieces:
        if n >= len(piece):
            n -= len(piece)
            continue
        out.append(piece[n:] if n else piece)
        n = 0
    return tuple(out)


@dataclass(frozen=True)
class Chunk:
    """One verified chunk. `pieces` are its decoded bytes, in order, as they arrived: a chunk
    of 1 MiB comes in many pieces from the network, and joining them would copy every byte of
    the image once more only to write it out again. Empty for a zero range."""

    offset: int
    length: int
    codec: str
    pieces: tuple[bytes | memoryview, ...]
    stream_offset: int

    @property
    def data(self) -> bytes | None:
        """The decoded bytes in one piece (a copy), or None for a zero range."""
        return None if self.codec == "zero" else b"".join(self.pieces)


@dataclass(frozen=True)
class TrailerInfo:
    chunk_count: int
    sha256: bytes
    stream_size: int


class ImageStreamParser:
    """Feed bytes in order; get back the header, verified chunks and the verified trailer."""

    def __init__(self) -> None:
        self.header: ImageHeader | None = None
        self.trailer: TrailerInfo | None = None
        self.chunk_count = 0
        self.consumed = 0  # stream offset of the first byte still in the buffer
        self._buffer = _Pieces()
        self._hash = hashlib.sha256()
        self._need = PREAMBLE_SIZE
        self._state = "preamble"
        self._disk_end = 0  # end of the last chunk's disk range: chunks must not go back
        self._head = None
        self._decompressor = zstandard.ZstdDecompressor()

    @property
    def done(self) -> bool:
        return self.trailer is not None

    def feed(self, data: bytes | memoryview) -> list[ImageHeader | Chunk | TrailerInfo]:
        if self.done:
            if len(data):
                raise ImageFormatError(self.consumed, "data follows the trailer")
            return []
        self._buffer.append(data)
        items: list[ImageHeader | Chunk | TrailerInfo] = []
        while len(self._buffer) >= self._need and not self.done:
            item = self._step()
            if item is not None:
                items.append(item)
        if self.done and len(self._buffer):
            raise ImageFormatError(self.consumed, "data follows the trailer")
        return items

    def finish(self) -> TrailerInfo:
        """The stream has ended: it must have ended exactly after the trailer."""
        if self.trailer is None:
            where = {"preamble": "in the preamble", "header": "in the header", "record": "before the trailer",
                     "payload": "inside a chunk"}[self._state]
            end = self.consumed + len(self._buffer)
            raise ImageFormatError(end, f"the image is truncated: it ends {where}")
        return self.trailer

    def _take(self, n: int) -> bytes:
        piece = self._buffer.take(n)
        self.consumed += n
        return piece

    def _step(self) -> ImageHeader | Chunk | TrailerInfo | None:
        if self._state == "preamble":
            length = check_preamble(self._buffer.peek(PREAMBLE_SIZE))
            self._need, self._state = header_size(length), "header"
            return None
        if self._state == "header":
            raw = self._take(self._need)
            self.header = parse_header(raw)
            self._hash.update(raw)
            self._need, self._state = 1, "record"
            return self.header
        if self._state == "record":
            return self._record()
        return self._payload()

    def _record(self) -> TrailerInfo | None:
        kind = self._buffer.peek(1)
        if kind == TRAILER_KIND:
            if len(self._buffer) < TRAILER_SIZE:
                self._need = TRAILER_SIZE
                return None
            return self._trailer()
        if kind != CHUNK_KIND:
            raise ImageFormatError(self.consumed, f"record kind {kind!r} is neither a chunk nor the trailer")
        if len(self._buffer) < CHUNK_HEAD_SIZE:
            self._need = CHUNK_HEAD_SIZE
            return None
        head = ChunkHead.parse(self._buffer.peek(CHUNK_HEAD_SIZE))
        self._check_head(head)
        self._head = head
        self._need, self._state = CHUNK_HEAD_SIZE + head.payload_length + CHECK_SIZE, "payload"
        return None

    def _check_head(self, head) -> None:
        assert self.header is not None
        at = self.consumed
        end = head.offset + head.length
        if head.length == 0:
            raise ImageFormatError(at, "chunk field length is 0")
        if head.offset < self._disk_end:
            raise ImageFormatError(at, f"chunk field offset {head.offset:,} goes back before byte "
                                   f"{self._disk_end:,} already written")
        if end > self.header.disk_size:
            raise ImageFormatError(at, f"chunk range {head.offset:,}+{head.length:,} ends past the "
                                   f"disk size {self.header.disk_size:,}")
        codec = str(head.codec)
        if codec == "zero" and head.payload_length:
            raise ImageFormatError(at, "zero chunk has a payload")
        if codec in ("raw", "zstd") and head.length > self.header.max_chunk:
            raise ImageFormatError(at, f"chunk field length {head.length:,} exceeds the header's "
                                   f"max_chunk {self.header.max_chunk:,}")
        if codec == "raw" and head.payload_length != head.length:
            raise ImageFormatError(at, "raw chunk field payload_length differs from its length")
        if codec == "zstd" and head.payload_length > head.length + 1024:
            raise ImageFormatError(at, "zstd chunk field payload_length is larger than its data")
        if codec not in ("zero", "raw", "zstd"):
            raise ImageFormatError(at + 17, f"chunk field codec {codec} is unknown")

    def _payload(self) -> Chunk:
        head, at = self._head, self.consumed
        body = self._buffer.take_views(self._need - CHECK_SIZE)  # views: nothing is copied
        check = self._buffer.take(CHECK_SIZE)
        self.consumed += self._need
        crc = 0
        for piece in body:
            crc = crc32(piece, crc)
        if crc != ChunkCheck.parse(check).crc32:
            raise ImageFormatError(at, f"chunk for disk bytes {head.offset:,}+{head.length:,} is corrupted "
                                   "(checksum mismatch)")
        codec = str(head.codec)
        payload = _without_front(body, CHUNK_HEAD_SIZE)
        pieces: tuple[bytes | memoryview, ...]
        if codec == "zero":
            pieces = ()
        elif codec == "raw":
            pieces = payload
        else:
            compressed = payload[0] if len(payload) == 1 else b"".join(payload)
            try:
                data = self._decompressor.decompress(compressed, max_output_size=head.length)
            except zstandard.ZstdError as error:
                raise ImageFormatError(at, f"chunk for disk bytes {head.offset:,} does not decompress: "
                                       f"{error}") from None
            if len(data) != head.length:
                raise ImageFormatError(at, f"chunk for disk bytes {head.offset:,} decompresses to "
                                       f"{len(data):,} bytes, not {head.length:,}")
            pieces = (data,)
        for piece in body:
            self._hash.update(piece)
        self._hash.update(check)
        self.chunk_count += 1
        self._disk_end = head.offset + head.length
        self._need, self._state, self._head = 1, "record", None
        return Chunk(head.offset, head.length, codec, pieces, at)

    def _trailer(self) -> TrailerInfo:
        at = self.consumed
        raw = self._take(TRAILER_SIZE)
        try:
            trailer = Trailer.parse(raw)
        except ConstructError:
            raise ImageFormatError(at + 41, "trailer field end is not the end mark") from None
        if trailer.chunk_count != self.chunk_count:
            raise ImageFormatError(at + 1, f"trailer field chunk_count says {trailer.chunk_count:,} "
                                   f"chunks but the image holds {self.chunk_count:,}")
        if trailer.sha256 != self._hash.digest():
            raise ImageFormatError(at + 9, "trailer field sha256 does not match the image's SHA-256")
        self.trailer = TrailerInfo(trailer.chunk_count, trailer.sha256, self.consumed)
        return self.trailer


def verify_stream_start(data: bytes) -> None:
    """Raise ImageFormatError unless `data` (an image's first bytes) starts a readable header."""
    if len(data) < PREAMBLE_SIZE:
        raise ImageFormatError(len(data), "the image is truncated: it ends in the preamble")
    try:
        check_preamble(data)
    except ConstructError as error:
        raise ImageFormatError(0, f"preamble cannot be read: {error}") from None
