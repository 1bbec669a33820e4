"""The .imgcast image stream, declared in one place. An image file is exactly these bytes.

    preamble   magic "IMGCAST\\x1a", format version, header length
    header     source disk size, sector size, mode, partition table summary, creation info
    header crc CRC-32 of preamble + header
    chunk*     "C", disk offset, length, codec, payload length, payload, CRC-32 of all before it
    trailer    "T", chunk count, SHA-256 of every stream byte before the trailer, "IMGC.END"

An encrypted image (`img make --passphrase-file`) is format version 2: the same preamble, then a
clear header that names only the KDF (scrypt cost and salt), the record size, the disk size and a
key check, then the whole version-1 stream above cut into records of `record_size` bytes, each
sealed with AES-256-GCM (nonce: record number and a last-record flag; associated data: preamble
and clear header). Only the last record carries the last flag (it may be short, even empty), so a
file cut at a record boundary is found. Sizes are all it reveals: the disk's and, by its length, the stream's.

Big-endian throughout. The header is length-prefixed so a later minor addition can be skipped by
an older reader; a new major layout bumps FORMAT_VERSION, which older readers refuse by name.
Chunks cover disjoint disk ranges in increasing order. A "zero" chunk carries no payload: the
range reads as zeros. Ranges no chunk covers are left as the target has them (unused blocks).
"""

from __future__ import annotations

from construct import (
    Bytes,
    Const,
    Enum,
    Flag,
    Int8ub,
    Int16ub,
    Int32ub,
    Int64sb,
    Int64ub,
    PascalString,
    PrefixedArray,
    Struct,
)

from ..errors import ImgcastError

MAGIC = b"IMGCAST\x1a"
FORMAT_VERSION = 1
SEALED_VERSION = 2  # an encrypted image: version 1's stream, in sealed records
END_MARK = b"IMGC.END"
MAX_HEADER = 1 << 20
MAX_CHUNK_LIMIT = 64 << 20  # a reader refuses headers that ask for larger chunks (bounded memory)

CHUNK_KIND = b"C"
TRAILER_KIND = b"T"

Preamble = Struct(
    "magic" / Bytes(8),
    "version" / Int16ub,
    "header_length" / Int32ub,
)

PartitionSummary = Struct(
    "number" / Int16ub,
    "start" / Int64ub,
    "size" / Int64ub,
    "type" / PascalString(Int8ub, "ascii"),
    "name" / PascalString(Int16ub, "utf8"),
    "filesystem" / PascalString(Int8ub, "ascii"),  # blkid's name, "" when none was found
    "sent" / Enum(Int8ub, whole=0, used_blocks=1),
    "used_bytes" / Int64ub,  # bytes the file system uses (the partition size when sent whole)
)

HeaderBody = Struct(
    "disk_size" / Int64ub,
    "sector_size" / Int32ub,
    "mode" / Enum(Int8ub, used_blocks=0, raw=1),
    "level" / PascalString(Int8ub, "ascii"),
    "max_chunk" / Int32ub,  # largest decoded length of a raw or zstd chunk
    "safe_area_skipped" / Flag,  # the image-safe area lies outside every partition and was not imaged
    "created" / Int64sb,  # Unix time, seconds
    "host" / PascalString(Int16ub, "utf8"),
    "imgcast_version" / PascalString(Int8ub, "utf8"),
    "source" / PascalString(Int16ub, "utf8"),
    "table_kind" / Enum(Int8ub, none=0, mbr=1, gpt=2),
    "disk_id" / PascalString(Int8ub, "ascii"),
    "partitions" / PrefixedArray(Int16ub, PartitionSummary),
)

HeaderCrc = Struct("crc32" / Int32ub)

ChunkHead = Struct(
    "kind" / Const(CHUNK_KIND),
    "offset" / Int64ub,
    "length" / Int64ub,
    "codec" / Enum(Int8ub, zero=0, raw=1, zstd=2),
    "payload_length" / Int32ub,
)

ChunkCheck = Struct("crc32" / Int32ub)  # over the chunk head and payload

Trailer = Struct(
    "kind" / Const(TRAILER_KIND),
    "chunk_count" / Int64ub,
    "sha256" / Bytes(32),  # of every stream byte before this trailer
    "end" / Const(END_MARK),
)

SealedHeader = Struct(
    "log2_n" / Int8ub,  # scrypt cost (bounded when read, see engine/secure/kdf.py)
    "r" / Int8ub,
    "p" / Int8ub,
    "salt" / Bytes(16),
    "record_size" / Int32ub,
    "disk_size" / Int64ub,  # in the clear: a target too small is refused before the passphrase is asked
    "key_check" / Bytes(16),  # tells a wrong passphrase from a damaged image
)
SEALED_TAG_SIZE = 16
MIN_RECORD, MAX_RECORD = 4096, 16 << 20

PREAMBLE_SIZE = Preamble.sizeof()
CHUNK_HEAD_SIZE = ChunkHead.sizeof()
CHECK_SIZE = ChunkCheck.sizeof()
TRAILER_SIZE = Trailer.sizeof()


class ImageFormatError(ImgcastError):
    """The bytes are not a sound .imgcast stream; the message names the offset and the field."""

    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(f"bad image at byte {offset:,}: {problem}")
        self.offset = offset
        self.problem = problem
