"""Image stream -> disk: each verified chunk written at its offset, the trailer checked at the end.

The target's checks (mounted, system disk, confirmation, size) all happen before the first byte
is written. The image-safe area is never written when the image's partition table leaves room
for it (see plan.py); `finish()` is the one place a put-down is declared good, so a wrapper that
records the last base image only has to wrap it.
"""

from __future__ import annotations

import os

from ..disk.target import DiskWriter
from ..errors import ImgcastError
from ..safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET
from .format import ImageFormatError
from .header import ImageHeader
from .parser import Chunk, ImageStreamParser, TrailerInfo
from .plan import safe_area_is_free


class ImageSink:
    """A StreamSink for StreamFormat.IMGCAST: parses the stream incrementally and writes chunks."""

    def __init__(self, path: str | os.PathLike[str], *, disk_size: int, confirmed: bool, role: str = "to") -> None:
        self.target = DiskWriter(path, disk_size=disk_size, confirmed=confirmed, role=role)
        self.capacity = self.target.capacity
        self.description = self.target.description
        self.notes = self.target.notes  # said after a good finish(): a table fitted, a kernel not told
        self.header: ImageHeader | None = None
        self.trailer: TrailerInfo | None = None
        self.written = 0  # disk bytes written from data chunks
        self.zeroed = 0  # disk bytes covered by zero chunks
        self.position = 0  # the disk offset the chunks put down so far reach (progress, of header.disk_size)
        self._parser = ImageStreamParser()
        self._protect_safe_area = False
        self._failed: ImgcastError | None = None

    @property
    def stream_bytes(self) -> int:
        return self._parser.consumed

    def write(self, data: bytes | memoryview) -> None:
        if self._failed is not None:
            raise self._failed
        try:
            for item in self._parser.feed(data):
                if isinstance(item, ImageHeader):
                    self._start(item)
                elif isinstance(item, Chunk):
                    self._put(item)
                else:
                    self.trailer = item
        except ImgcastError as error:
            self._failed = error
            raise

    def _start(self, header: ImageHeader) -> None:
        self.target.require_size(header.disk_size)
        self.capacity = self.target.capacity
        self.header = header
        self._protect_safe_area = safe_area_is_free(
            [(p.start, p.size) for p in header.partitions], header.disk_size, header.table_kind != "none")

    def _put(self, chunk: Chunk) -> None:
        for start, end in self._writable(chunk.offset, chunk.offset + chunk.length):
            if chunk.codec == "zero":
                self.target.zero_range(start, end - start)
                self.zeroed += end - start
                continue
            at = chunk.offset  # where the piece in hand starts on the disk
            for piece in chunk.pieces:  # each written where it lies: the pieces are never joined
                lo, hi = max(start, at), min(end, at + len(piece))
                if lo < hi:
                    self.target.write_at(lo, memoryview(piece)[lo - at:hi - at])
                at += len(piece)
            self.written += end - start
        self.position = max(self.position, chunk.offset + chunk.length)

    def _writable(self, start: int, end: int) -> list[tuple[int, int]]:
        """The range minus the image-safe area, when that area is protected."""
        if not self._protect_safe_area or end <= SAFE_AREA_OFFSET or start >= SAFE_AREA_END:
            return [(start, end)]
        pieces = []
        if start < SAFE_AREA_OFFSET:
            pieces.append((start, SAFE_AREA_OFFSET))
        if end > SAFE_AREA_END:
            pieces.append((SAFE_AREA_END, end))
        return pieces

    def finish(self) -> None:
        """Check the stream ended with a trailer whose SHA-256 matched, then flush the target.

        The SHA-256 is of the image as received and is checked before the target's flush, which
        on a larger disk also fits a GPT to the disk's size (DiskWriter.fit_table_to_disk): the
        digest still says the image was put down whole, and the fitting only writes table sectors
        outside every partition."""
        try:
            if self._failed is not None:
                raise self._failed
            self.trailer = self._parser.finish()
            if self.header is None:  # pragma: no cover - a trailer implies a header
                raise ImageFormatError(0, "the image has no header")
            self.target.flush()
        finally:
            self.target.close()

    def content_digest(self) -> bytes:
        """The SHA-256 of the image received, as its trailer stated and finish() checked."""
        return self.trailer.sha256 if self.trailer is not None else b""

    def abort(self) -> None:
        """Leave the target as it is (incomplete); nothing is declared good."""
        self.target.abandon()
