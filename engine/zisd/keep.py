"""A put-down keeps the target's image-safe data and, once verified, records the new base image.

`KeepImageSafeData` wraps the sink a client writes to. For a raw stream (the bytes are the disk
from offset 0) it replaces the stream's bytes in the safe area with the target's own, so the area
is never overwritten, not even for a moment; it only does so when the incoming image's own
partition table leaves the area free (otherwise the image's data lives there and wins). For other
stream formats (image files, whose chunks carry their own offsets) it saves the area before the
put-down and puts it back after finish() or abort(), again only where the new table leaves room.

After the inner sink's finish() succeeds, the last base image (name, SHA-256, time, session) is
recorded. abort() records nothing. Problems recording never fail a
put-down that succeeded: they are kept in `note` for the caller to show.
"""

from __future__ import annotations

import hashlib
import os

from ..errors import ImgcastError
from ..safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET, SAFE_AREA_SIZE
from ..stream.base import StreamFormat, StreamSink
from .placement import NoSafeRoom, check_safe_room
from .store import disk_table, read_area, record_base_image, write_area
from .table import PartitionTable, read_table_from_bytes


class KeepImageSafeData:
    """A StreamSink around another, for a target that is a disk or a disk file."""

    def __init__(
        self,
        inner: StreamSink,
        disk_path: str | os.PathLike[str],
        *,
        stream_format: StreamFormat,
        image_name: str,
        session_name: str | None,
    ) -> None:
        self.inner = inner
        self.disk_path = disk_path
        self.stream_format = stream_format
        self.image_name = image_name or "unnamed image"
        self.session_name = session_name
        self.description = inner.description
        self.capacity = inner.capacity
        self.note: str | None = None  # what could not be kept or recorded, for the operator
        self.recorded = False
        self._hash = hashlib.sha256()
        # An image sink verifies the image's own SHA-256 (its trailer): no second hash of the stream.
        self._hashing = stream_format == StreamFormat.RAW or not hasattr(inner, "trailer")
        self._offset = 0
        self._head = bytearray()  # the stream's first SAFE_AREA_OFFSET bytes: its partition table
        self._keep_in_flight: bool | None = None  # decided when the stream reaches the area
        try:
            saved = read_area(disk_path)
        except ImgcastError:
            saved = None
        self._had_area = saved is not None
        # A target without an area (a new or short file) has nothing to keep: zeros mean "no record".
        self._saved = saved if saved is not None else bytes(SAFE_AREA_SIZE)

    # --- StreamSink ------------------------------------------------------------------------

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        if self._hashing:
            self._hash.update(view)
        if self.stream_format != StreamFormat.RAW:
            self.inner.write(view)
            return
        start, end = self._offset, self._offset + len(view)
        self._offset = end
        if start < SAFE_AREA_OFFSET:
            self._head += view[: SAFE_AREA_OFFSET - start]
        if end <= SAFE_AREA_OFFSET or start >= SAFE_AREA_END or not self._keep_area_now():
            self.inner.write(view)
            return
        # Splice the target's own bytes over the part of this write that falls in the area.
        lo, hi = max(start, SAFE_AREA_OFFSET), min(end, SAFE_AREA_END)
        patched = bytearray(view)
        patched[lo - start:hi - start] = self._saved[lo - SAFE_AREA_OFFSET:hi - SAFE_AREA_OFFSET]
        self.inner.write(patched)

    def finish(self) -> None:
        self.inner.finish()  # raises if the put-down is not good: then nothing is recorded
        if self.stream_format != StreamFormat.RAW:
            self._put_back_saved_area()
        elif self._keep_in_flight is False:
            return  # the new image's partitions cover the area: note already says so
        try:
            record_base_image(self.disk_path, self.image_name, self._image_sha256(), self.session_name)
            self.recorded = True
        except ImgcastError as error:
            self.note = f"the last base image was not recorded: {error}"

    def content_digest(self) -> bytes:
        return self.inner.content_digest()  # type: ignore[attr-defined]

    def abort(self) -> None:
        """The put-down did not finish, or failed after finish() (a session whose SHA-256 did not
        match calls abort then): the record as it was before is put back, nothing marked done."""
        self.inner.abort()
        if self.recorded:
            try:
                write_area(self.disk_path, self._saved)
                self.recorded = False
            except (ImgcastError, OSError) as error:
                self.note = f"the last base image could not be taken back: {error}"
        elif self.stream_format != StreamFormat.RAW:
            self._put_back_saved_area()

    # --- helpers ---------------------------------------------------------------------------

    def _image_sha256(self) -> str:
        """The image's SHA-256 as `img make` printed it: an image sink's verified trailer when it has
        one, else the SHA-256 of the stream as received (for a raw stream: of the whole disk)."""
        trailer = getattr(self.inner, "trailer", None)
        digest = getattr(trailer, "sha256", None)
        if isinstance(digest, bytes) and len(digest) == 32:
            return digest.hex()
        return self._hash.hexdigest()

    def _keep_area_now(self) -> bool:
        """Decide once, from the incoming image's own table, whether the area may keep its bytes."""
        if self._keep_in_flight is None:
            self._keep_in_flight = self._room_in(bytes(self._head))
        return self._keep_in_flight

    def _room_in(self, head: bytes) -> bool:
        try:
            table = read_table_from_bytes(head)
        except ImgcastError as error:
            self.note = f"the image-safe data was not kept: the image's partition table: {error}"
            return False
        return self._room_for_area(table)

    def _room_for_area(self, table: PartitionTable) -> bool:
        """True when `table` (the new image's) leaves the area free; else says why in `note`."""
        if table.kind is None:
            self.note = "the image-safe data was not kept: the image has no partition table"
            return False
        try:
            check_safe_room(table, SAFE_AREA_END)
        except NoSafeRoom as error:
            self.note = f"the image-safe data was not kept: the image's layout leaves {error}"
            return False
        return True

    def _put_back_saved_area(self) -> None:
        if not self._had_area:
            return
        try:
            if not self._room_for_area(disk_table(self.disk_path)):
                return
            with open(self.disk_path, "r+b") as disk:
                disk.seek(SAFE_AREA_OFFSET)
                disk.write(self._saved)
                disk.flush()
                os.fsync(disk.fileno())
        except (ImgcastError, OSError) as error:
            self.note = f"the image-safe data was not put back: {error}"

    @property
    def notes(self) -> list[str]:
        """What the operator should know of a put-down that went well: the target's own notes
        (a GPT fitted to a larger disk, a kernel not told) and this wrapper's."""
        return [*getattr(self.inner, "notes", ()), *([self.note] if self.note else [])]

    def __getattr__(self, name: str) -> object:
        """Anything else the inner sink offers (e.g. a state the session reads) stays reachable."""
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)
