"""The image header as a plain value, and its conversion to and from the bytes in format.py."""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass, field

from construct import ConstructError

from .format import (
    FORMAT_VERSION,
    MAGIC,
    MAX_CHUNK_LIMIT,
    MAX_HEADER,
    PREAMBLE_SIZE,
    HeaderBody,
    HeaderCrc,
    ImageFormatError,
    Preamble,
)

LEVELS = ("speed", "balanced", "size")


@dataclass(frozen=True)
class PartitionInfo:
    number: int
    start: int
    size: int
    type: str
    name: str
    filesystem: str
    sent: str  # "whole" or "used_blocks"
    used_bytes: int


@dataclass(frozen=True)
class ImageHeader:
    disk_size: int
    sector_size: int
    mode: str  # "used_blocks" or "raw"
    level: str
    max_chunk: int
    safe_area_skipped: bool
    created: int
    host: str
    imgcast_version: str
    source: str
    table_kind: str  # "none", "mbr" or "gpt"
    disk_id: str = ""
    partitions: tuple[PartitionInfo, ...] = field(default=())


def build_header(header: ImageHeader) -> bytes:
    """Preamble, header and header CRC: the first bytes of every image stream."""
    body = HeaderBody.build(dataclasses.asdict(header))
    start = Preamble.build({"magic": MAGIC, "version": FORMAT_VERSION, "header_length": len(body)})
    return start + body + HeaderCrc.build({"crc32": zlib.crc32(start + body)})


def check_preamble(data: bytes) -> int:
    """Validate magic and version; return the header length. `data` holds the first bytes."""
    if len(data) < PREAMBLE_SIZE:
        raise ImageFormatError(len(data), "the image is truncated: it ends in the preamble")
    preamble = Preamble.parse(data[:PREAMBLE_SIZE])
    if preamble.magic != MAGIC:
        raise ImageFormatError(0, f"wrong magic {preamble.magic!r}: not an .imgcast image "
                               f"(expected {MAGIC!r})")
    if preamble.version > FORMAT_VERSION:
        raise ImageFormatError(8, f"format version {preamble.version} is newer than this imgcast reads "
                               f"(version {FORMAT_VERSION}); update imgcast")
    if preamble.version < 1:
        raise ImageFormatError(8, f"format version {preamble.version} is not valid")
    if preamble.header_length > MAX_HEADER:
        raise ImageFormatError(10, f"header length {preamble.header_length:,} is larger than {MAX_HEADER:,}")
    return int(preamble.header_length)


def parse_header(data: bytes) -> ImageHeader:
    """Parse preamble + header + CRC from `data` (exactly that many bytes, see header_size)."""
    length = check_preamble(data)
    end = PREAMBLE_SIZE + length
    if len(data) < header_size(length):
        raise ImageFormatError(len(data), "the image is truncated: it ends in the header")
    crc = HeaderCrc.parse(data[end:end + HeaderCrc.sizeof()]).crc32
    if zlib.crc32(data[:end]) != crc:
        raise ImageFormatError(end, "header checksum does not match: the header is corrupted")
    try:
        body = HeaderBody.parse(data[PREAMBLE_SIZE:end])
    except (ConstructError, UnicodeDecodeError) as error:
        raise ImageFormatError(PREAMBLE_SIZE, f"header cannot be read: {error}") from None
    partitions = tuple(
        PartitionInfo(p.number, p.start, p.size, p.type, p.name, p.filesystem, str(p.sent), p.used_bytes)
        for p in body.partitions
    )
    header = ImageHeader(
        disk_size=body.disk_size, sector_size=body.sector_size, mode=str(body.mode), level=body.level,
        max_chunk=body.max_chunk, safe_area_skipped=body.safe_area_skipped, created=body.created,
        host=body.host, imgcast_version=body.imgcast_version, source=body.source,
        table_kind=str(body.table_kind), disk_id=body.disk_id, partitions=partitions,
    )
    if not 0 < header.max_chunk <= MAX_CHUNK_LIMIT:
        raise ImageFormatError(PREAMBLE_SIZE, f"header field max_chunk {header.max_chunk:,} is out of range")
    return header


def header_size(header_length: int) -> int:
    return PREAMBLE_SIZE + header_length + HeaderCrc.sizeof()
