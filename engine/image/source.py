"""The master's two kinds of image source: a disk turned into an image stream on the fly, and a
saved .imgcast file sent byte for byte (DESIGN.md: "Image stream = image file")."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from construct import ConstructError

from .. import imgcast_version
from ..disk.device import DiskReader
from ..disk.partitions import read_partition_table
from ..disk.safety import check_quiet_source
from ..disk.usedblocks import detect_filesystem, map_used_blocks
from ..errors import ImgcastError, UsageError
from ..stream.base import StreamFormat
from ..stream.rawfile import open_to_read
from .builder import MAX_CHUNK, ImageBuilder
from .events import PartitionMapped
from .format import MAGIC, PREAMBLE_SIZE, SEALED_VERSION, TRAILER_SIZE, ImageFormatError, Trailer
from .header import LEVELS, ImageHeader, PartitionInfo, check_preamble, header_size, parse_header
from .plan import EDGE_BYTES, plan_regions, safe_area_is_free
from .positions import DiskPositions

IMAGE_SUFFIX = ".imgcast"


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise UsageError(f"--level {level!r} is not a compression level; use one of {', '.join(LEVELS)}")
    return level


class _Pull:
    """read(n) over an iterator of byte pieces, as StreamSource asks: each byte is copied once
    (into the piece returned), never shuffled along a buffer."""

    def __init__(self, pieces) -> None:
        self._pieces = pieces
        self._head = b""  # the piece being read from ...
        self._at = 0  # ... and how far

    def read(self, n: int) -> bytes | memoryview:
        parts: list[bytes | memoryview] = []
        while n > 0:
            if self._at >= len(self._head):
                try:
                    self._head, self._at = next(self._pieces), 0
                except StopIteration:
                    break
                continue
            take = min(n, len(self._head) - self._at)
            if take == len(self._head):
                parts.append(self._head)
            else:
                parts.append(memoryview(self._head)[self._at : self._at + take])
            self._at += take
            n -= take
        if len(parts) == 1:  # within one piece: a view of it, no copy (the master's slices
            return parts[0]  # are copied once, into their datagrams, by Master.add_slice)
        return b"".join(parts)

    def close(self) -> None:
        self._pieces.close()
        self._head = b""


class DiskImageSource:
    """A disk or raw disk file read as an image stream built on the fly (stream_size unknown)."""

    stream_format = StreamFormat.IMGCAST
    stream_size: int | None = None

    def __init__(self, path: str | os.PathLike[str], *, raw: bool = False, level: str = "balanced",
                 on_event: Callable[[object], None] | None = None, created: int | None = None) -> None:
        """`created`: the header's time, when this builds again a stream built before (a
        catch-up pass must send the same bytes)."""
        check_level(level)
        check_quiet_source(path)
        self.disk = DiskReader(path)
        try:
            self.header, regions = self._plan(raw, level, on_event, created)
        except BaseException:
            self.disk.close()
            raise
        self.disk_size = self.disk.size
        self.builder = ImageBuilder(self.disk, self.header, regions)
        self._pull = _Pull(self.builder.stream())
        mode = "every sector" if raw else "used blocks"
        self.description = f"{self.disk.path} ({self.disk.size:,} bytes, {mode}, zstd {level})"

    def _plan(self, raw: bool, level: str, on_event, created: int | None) -> tuple[ImageHeader, list[tuple[int, int]]]:
        disk = self.disk
        table = read_partition_table(disk.read_at, disk.size, disk.sector_size)
        infos: list[PartitionInfo] = []
        mapped = []
        for partition in table.partitions:
            filesystem = detect_filesystem(disk, partition)
            used_map = None if raw else map_used_blocks(disk, partition, filesystem)
            if used_map is not None:
                mapped.append(((partition.start, partition.size), used_map.ranges))
            used = used_map.used_bytes if used_map else partition.size
            info = PartitionInfo(partition.number, partition.start, partition.size, partition.type,
                                 partition.name, filesystem, "used_blocks" if used_map else "whole", used)
            infos.append(info)
            if on_event is not None:
                on_event(PartitionMapped(info.number, info.filesystem, info.size, info.used_bytes, info.sent))
        skip_safe = safe_area_is_free([(p.start, p.size) for p in table.partitions], disk.size,
                                      table.kind != "none")
        header = ImageHeader(
            disk_size=disk.size, sector_size=table.sector_size, mode="raw" if raw else "used_blocks",
            level=level, max_chunk=MAX_CHUNK, safe_area_skipped=skip_safe,
            created=int(time.time()) if created is None else created,
            host=socket.gethostname(), imgcast_version=imgcast_version(), source=str(disk.path),
            table_kind=table.kind, disk_id=table.disk_id, partitions=tuple(infos),
        )
        return header, plan_regions(disk.size, mapped, skip_safe, edge=max(EDGE_BYTES, disk.sector_size))

    def content_digest(self) -> bytes:
        """The SHA-256 in the trailer the builder wrote (known once the stream is read to its end)."""
        return self.builder.sha256

    @property
    def positions(self) -> DiskPositions:
        """Where on the disk each byte of the stream reaches: progress as a fraction of the disk
        for those who count stream bytes (the master, and the clients it hears from)."""
        return self.builder.positions

    @property
    def disk_progress(self) -> tuple[int, int]:
        """(disk bytes examined, disk bytes planned): a known total for progress displays, which
        the stream itself lacks (its size is only known at its end)."""
        return self.builder.disk_done, self.builder.disk_total

    def read(self, n: int) -> bytes | memoryview:
        return self._pull.read(n)

    def close(self) -> None:
        """Stop the builder (its compression threads finish their few pending chunks) and close the disk."""
        self._pull.close()
        self.disk.close()


def read_image_header(file) -> ImageHeader:
    """The header at the start of an open image file; one-line errors for what is wrong."""
    start = file.read(PREAMBLE_SIZE)
    if len(start) < PREAMBLE_SIZE:
        raise ImageFormatError(len(start), "the image is truncated: it ends in the preamble")
    length = check_preamble(start)
    rest = file.read(header_size(length) - PREAMBLE_SIZE)
    if len(start) + len(rest) < header_size(length):
        raise ImageFormatError(len(start) + len(rest), "the image is truncated: it ends in the header")
    return parse_header(start + rest)


def _is_sealed_image(first: bytes) -> bool:
    """Format version 2 (encrypted), read from the preamble without loading cryptography."""
    return len(first) >= PREAMBLE_SIZE and first[:8] == MAGIC and int.from_bytes(first[8:10], "big") == SEALED_VERSION


class ImageFileSource:
    """A saved image file: its bytes are the stream, sent unchanged.

    An encrypted image (format version 2) needs the passphrase, checked here, before anything
    else happens. A session sends it as it is (StreamFormat.SEALED_IMGCAST: clients open it);
    `decrypt=True` (img restore) reads the version-1 stream inside instead."""

    stream_format = StreamFormat.IMGCAST

    def __init__(self, path: str | os.PathLike[str], role: str = "from", *, passphrase: bytes | None = None,
                 decrypt: bool = False) -> None:
        self.path = Path(path)
        name = f"{role}={self.path}" if role else str(self.path)
        self._file = open_to_read(self.path, name, "image file", "an image file")
        self._opener: Any = None  # an encrypted image's ImageOpener, when decrypting
        self._decrypting = False
        self._plain = bytearray()
        try:
            if _is_sealed_image(os.pread(self._file.fileno(), PREAMBLE_SIZE, 0)):
                self._open_sealed(passphrase, decrypt, role)
            else:
                self.header = read_image_header(self._file)
                self._file.seek(0)
        except UsageError:
            self._file.close()
            raise
        except ImgcastError as error:
            self._file.close()
            raise ImgcastError(f"{self.path}: {error}") from None
        self.stream_size: int | None = os.fstat(self._file.fileno()).st_size
        if self.header is not None:
            self.disk_size = self.header.disk_size
        what = "encrypted image" if self.encrypted else "image"
        self.description = f"{self.path} ({what} of a {self.disk_size:,}-byte disk, {self.stream_size:,} bytes)"

    @property
    def encrypted(self) -> bool:
        return self.header is None

    def _open_sealed(self, passphrase: bytes | None, decrypt: bool, role: str) -> None:
        if passphrase is None:
            option = "--passphrase-file FILE (or - to type it)"
            raise UsageError(f"{self.path} is an encrypted image: give its passphrase with {option}")
        from ..secure.image import ImageOpener, sealed_header_size  # cryptography only when needed

        opener = ImageOpener(passphrase)
        head = self._file.read(sealed_header_size())
        opener.feed(head)  # checks the passphrase: a wrong one stops here, before anything is written
        if opener.disk_size == 0:
            raise ImageFormatError(len(head), "the image is truncated: it ends in the header")
        self.header = None
        self.disk_size = opener.disk_size
        if decrypt:
            self._opener, self._decrypting = opener, True
            body = (self.stream_size_on_disk() - len(head))
            records, rest = divmod(body, opener.record_size + 16)
            self.plain_size = records * opener.record_size + max(0, rest - 16)
        else:
            self._file.seek(0)
            self.stream_format = StreamFormat.SEALED_IMGCAST

    def stream_size_on_disk(self) -> int:
        return os.fstat(self._file.fileno()).st_size

    def content_digest(self) -> bytes:
        """The SHA-256 the image's trailer carries: what clients check the image against. A
        damaged trailer gives b"", which no client's check matches (and each names the fault)."""
        size = self.stream_size or 0
        raw = os.pread(self._file.fileno(), TRAILER_SIZE, max(0, size - TRAILER_SIZE))
        try:
            return Trailer.parse(raw).sha256
        except (ConstructError, ValueError):
            return b""

    def read(self, n: int) -> bytes:
        if not self._decrypting:
            return self._file.read(n)
        while len(self._plain) < n and self._opener is not None:  # an encrypted image, decrypted
            data = self._file.read(max(n, 1 << 16))
            if data:
                self._plain += self._opener.feed(data)
            else:
                self._plain += self._opener.finish()
                self._opener = None
        piece = bytes(self._plain[:n])
        del self._plain[:n]
        return piece

    def close(self) -> None:
        self._file.close()
