"""Disk -> image stream, on the fly, with sequential reads and bounded memory.

The planned ranges are read in large aligned pieces and cut into 64 KiB blocks; runs of all-zero
blocks become zero chunks (no payload), runs of data become chunks of at most 1 MiB, compressed
with zstd on a small thread pool (zstandard releases the GIL, so the cores work in parallel)
while results are emitted strictly in disk order. A chunk that zstd cannot shrink is sent raw.
Holes of sparse files are found with SEEK_DATA and never read.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import zstandard

from ..disk.device import DiskReader
from .checksum import crc32
from .format import TRAILER_KIND, ChunkCheck, ChunkHead, Trailer
from .header import ImageHeader, build_header
from .positions import DiskPositions

ZSTD_LEVELS = {"speed": 1, "balanced": 3, "size": 12}
BLOCK = 64 << 10
MAX_CHUNK = 1 << 20
READ_SIZE = 4 << 20
ZERO_BLOCK = bytes(BLOCK)
ZERO_VIEW = memoryview(ZERO_BLOCK)


def encode_chunk(offset: int, length: int, codec: str, payload: bytes | Sequence[bytes | memoryview] = b"") -> bytes:
    """One chunk record: head, payload, CRC-32 over both. The payload may come in pieces (the
    blocks of a raw run, as read): they are joined once, into the record."""
    pieces = (payload,) if isinstance(payload, bytes | bytearray | memoryview) else tuple(payload)
    size = sum(len(piece) for piece in pieces)
    head = ChunkHead.build({"offset": offset, "length": length, "codec": codec, "payload_length": size})
    crc = crc32(head)
    for piece in pieces:
        crc = crc32(piece, crc)
    return b"".join((head, *pieces, ChunkCheck.build({"crc32": crc})))  # one copy of the payload


def encode_trailer(chunk_count: int, sha256: bytes) -> bytes:
    return Trailer.build({"kind": TRAILER_KIND, "chunk_count": chunk_count, "sha256": sha256})


SAMPLE = 16 << 10  # what is tried first once data has stopped compressing
INCOMPRESSIBLE = 0.97  # a chunk or sample that zstd shrinks less than this is sent raw
RETRY_EVERY = 16  # while skipping, still compress every this-many-th chunk whole


class _Compressor:
    """zstd compressors are not thread-safe: one per pool thread.

    Data that does not compress (media, archives, encrypted volumes, random test files) costs
    zstd as much CPU as data that does, for nothing. A chunk larger than two samples is judged
    by a 16 KiB sample from its middle first: if the sample does not shrink, the chunk is sent
    raw, except every RETRY_EVERY-th chunk, which is still compressed whole, so that data that
    would compress after all is not missed. Compressible data pays one extra 16 KiB compression
    per chunk (under 2 % of a 1 MiB chunk).

    The decision depends on the chunk alone (its bytes and its number), never on which thread
    compressed what before: the same disk gives the same image stream byte for byte, which a
    catch-up pass relies on when it builds the stream a second time.
    """

    def __init__(self, level: int) -> None:
        self.level = level
        self._local = threading.local()

    def chunk(self, offset: int, parts: Sequence[bytes | memoryview], number: int = 0) -> bytes:
        """The record of the data run `parts` (blocks as read, in order). A run sent raw is
        copied once, into its record; only one that is compressed whole is joined first."""
        local = self._local
        compressor = getattr(local, "compressor", None)
        if compressor is None:
            compressor = local.compressor = zstandard.ZstdCompressor(level=self.level)
        length = sum(len(part) for part in parts)
        if number % RETRY_EVERY and length > 2 * SAMPLE:
            if len(compressor.compress(_middle(parts, length, SAMPLE))) >= INCOMPRESSIBLE * SAMPLE:
                return encode_chunk(offset, length, "raw", parts)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        packed = compressor.compress(data)
        if len(packed) >= INCOMPRESSIBLE * len(data):
            return encode_chunk(offset, len(data), "raw", data)
        return encode_chunk(offset, len(data), "zstd", packed)


def _middle(parts: Sequence[bytes | memoryview], length: int, size: int) -> bytes:
    """`size` bytes from the middle of the run `parts` (of `length` bytes in all)."""
    start, out, at = length // 2, [], 0
    for part in parts:
        lo, hi = max(start - at, 0), min(start + size - at, len(part))
        if lo < hi:
            out.append(part[lo:hi])
        at += len(part)
    return b"".join(out)


class ImageBuilder:
    """Yields the image stream of `regions` of `disk`; counts progress as it goes."""

    def __init__(self, disk: DiskReader, header: ImageHeader, regions: Sequence[tuple[int, int]],
                 threads: int | None = None) -> None:
        self.disk = disk
        self.header = header
        self.regions = list(regions)
        self.disk_total = sum(length for _, length in self.regions)
        self.disk_done = 0
        self.positions = DiskPositions()  # how far on the disk each stream byte reaches
        self.chunk_count = 0
        self.sha256 = b""
        self._threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._compressor = _Compressor(ZSTD_LEVELS[header.level])

    def stream(self) -> Iterator[bytes]:
        """The whole image stream, piece by piece: header, chunks in disk order, trailer."""
        digest = hashlib.sha256()
        first = build_header(self.header)
        digest.update(first)
        out = len(first)
        yield first
        with ThreadPoolExecutor(self._threads, thread_name_prefix="imgcast-zstd") as pool:
            pending: deque[tuple[Future[bytes] | bytes, int]] = deque()
            depth = self._threads * 3
            for item in self._chunks(pool):
                pending.append(item)
                while len(pending) > depth or (pending and not isinstance(pending[0][0], Future)):
                    out += yield from self._record(pending.popleft(), digest, out)
            while pending:
                out += yield from self._record(pending.popleft(), digest, out)
        self.sha256 = digest.digest()
        yield encode_trailer(self.chunk_count, self.sha256)

    def _record(self, item: tuple[Future[bytes] | bytes, int], digest: Any, out: int) -> Iterator[bytes]:
        """One chunk record out, noted with the disk offset its end reaches; returns its length."""
        record, end = _result(item[0]), item[1]
        digest.update(record)
        self.positions.note(out + len(record), end)
        yield record
        return len(record)

    def _chunks(self, pool: ThreadPoolExecutor) -> Iterator[tuple[Future[bytes] | bytes, int]]:
        """Chunk records (ready zero chunks, or futures of compressed ones) in disk order, each
        with the disk offset where it ends."""
        runs = _Runs(self._zero_chunk, lambda offset, parts: self._data_chunk(pool, offset, parts))
        for start, length in self.regions:
            position, end = start, start + length
            while position < end:
                next_data = min(self.disk.next_data(position), end)
                if next_data > position:  # a hole of a sparse file: zeros, and nothing to read
                    yield from runs.zeros(position, next_data - position)
                    self.disk_done += next_data - position
                    position = next_data
                    continue
                want = min(READ_SIZE - position % READ_SIZE, end - position)
                data = self.disk.read_at(position, want)
                if len(data) < want:
                    data += bytes(want - len(data))  # a file that shrank while read: its end reads as zero
                view = memoryview(data)
                cut = 0
                while cut < want:
                    size = min(BLOCK - (position + cut) % BLOCK, want - cut)
                    if view[cut:cut + size] == ZERO_VIEW[:size]:  # views: no copies
                        yield from runs.zeros(position + cut, size)
                    else:
                        yield from runs.data(position + cut, view[cut:cut + size])
                    cut += size
                position += want
                self.disk_done += want
        yield from runs.flush()

    def _zero_chunk(self, offset: int, length: int) -> tuple[bytes, int]:
        self.chunk_count += 1
        return encode_chunk(offset, length, "zero"), offset + length

    def _data_chunk(self, pool: ThreadPoolExecutor, offset: int, parts: list[memoryview]) -> tuple[Future[bytes], int]:
        self.chunk_count += 1
        end = offset + sum(len(part) for part in parts)
        return pool.submit(self._compressor.chunk, offset, parts, self.chunk_count), end


class _Runs:
    """Joins blocks, in disk order, into runs: adjacent zero blocks into one zero chunk, adjacent
    data blocks into data chunks of at most MAX_CHUNK. At most one run is open at a time, so
    chunks come out in disk order."""

    def __init__(self, zero_chunk, data_chunk) -> None:
        self._zero_chunk = zero_chunk
        self._data_chunk = data_chunk
        self._zero_start = self._zero_length = 0
        self._data_start = self._data_end = 0
        self._parts: list[memoryview] = []

    def zeros(self, offset: int, length: int) -> list:
        out = self._end_data()
        if self._zero_length and self._zero_start + self._zero_length == offset:
            self._zero_length += length
        else:
            out += self._end_zeros()
            self._zero_start, self._zero_length = offset, length
        return out

    def data(self, offset: int, block: memoryview) -> list:
        out = self._end_zeros()
        if self._parts and (offset != self._data_end or offset + len(block) - self._data_start > MAX_CHUNK):
            out += self._end_data()
        if not self._parts:
            self._data_start = offset
        self._parts.append(block)
        self._data_end = offset + len(block)
        return out

    def flush(self) -> list:
        return self._end_data() + self._end_zeros()

    def _end_zeros(self) -> list:
        if not self._zero_length:
            return []
        length, self._zero_length = self._zero_length, 0
        return [self._zero_chunk(self._zero_start, length)]

    def _end_data(self) -> list:
        if not self._parts:
            return []
        parts, self._parts = self._parts, []
        return [self._data_chunk(self._data_start, parts)]


def _result(item: Future[bytes] | bytes) -> bytes:
    return item.result() if isinstance(item, Future) else item
