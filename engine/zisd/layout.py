"""The image-safe record's bytes, declared once with construct.

A record is a frame (magic, version, payload length, payload, SHA-256 of version + length +
payload) around a body holding the fields. The frame is checked before the body is parsed, so a
damaged record is reported as damaged and never half-read. The area's unused tail is zeros.

Strings are UTF-8 with a length prefix; an empty string means "not set". IPv4 addresses are four
bytes; 0.0.0.0 means "not set" (it is never a valid host, mask or gateway).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from construct import (
    Adapter,
    Bytes,
    Checksum,
    ChecksumError,
    Const,
    ConstructError,
    Enum,
    Flag,
    GreedyBytes,
    If,
    Int8ub,
    Int16ub,
    Int64sb,
    PascalString,
    Prefixed,
    PrefixedArray,
    RawCopy,
    Struct,
    Terminated,
    this,
)

from ..errors import ImgcastError

MAGIC = b"IMGCZISD"
VERSION = 1


class RecordCorrupted(ImgcastError):
    """The safe area starts like a record but the record cannot be trusted: the one parse error."""


class RecordTooNew(ImgcastError):
    """The record was written by a newer imgcast; it is left alone rather than misread."""


class _IPv4(Adapter):
    """Four bytes <-> "a.b.c.d"; 0.0.0.0 <-> None."""

    def _decode(self, obj: bytes, context: Any, path: str) -> str | None:
        return None if obj == bytes(4) else str(ipaddress.IPv4Address(obj))

    def _encode(self, obj: str | None, context: Any, path: str) -> bytes:
        return bytes(4) if obj is None else ipaddress.IPv4Address(obj).packed


IPv4 = _IPv4(Bytes(4))
ShortText = PascalString(Int8ub, "utf8")  # names and DNS strings: at most 255 bytes
LongText = PascalString(Int16ub, "utf8")  # image names may be long paths

LastBaseImageLayout = Struct(
    "name" / LongText,
    "sha256" / Bytes(32),
    "time" / Int64sb,  # Unix seconds, UTC
    "session_name" / ShortText,  # "" when put down by a local restore
)

BodyLayout = Struct(
    "dhcp" / Flag,
    "ip_address" / IPv4,
    "subnet_mask" / IPv4,
    "gateway" / IPv4,
    "dns_servers" / PrefixedArray(Int8ub, IPv4),
    "dns_suffix" / ShortText,
    "dns_host_name" / ShortText,
    "computer_name" / ShortText,
    "membership" / Enum(Int8ub, none=0, workgroup=1, domain=2),
    "membership_name" / ShortText,
    "has_last_image" / Flag,
    "last_image" / If(this.has_last_image, LastBaseImageLayout),
    Terminated,
)

_Signed = Struct(
    "version" / Int16ub,
    "payload" / Prefixed(Int16ub, GreedyBytes),
)

FrameLayout = Struct(
    "magic" / Const(MAGIC),
    "signed" / RawCopy(_Signed),
    "checksum" / Checksum(Bytes(32), lambda data: hashlib.sha256(data).digest(), this.signed.data),
)


def build_record(body: dict[str, Any]) -> bytes:
    """The framed record for a body dict (keys as in BodyLayout)."""
    payload = BodyLayout.build(body)
    return FrameLayout.build({"signed": {"value": {"version": VERSION, "payload": payload}}})


def has_record(area: bytes) -> bool:
    """Does the area hold a record at all (good or bad)? Anything not starting with MAGIC does not."""
    return area.startswith(MAGIC)


def parse_record(area: bytes) -> dict[str, Any]:
    """The body of the record at the start of `area`; RecordCorrupted or RecordTooNew if untrustworthy."""
    try:
        frame = FrameLayout.parse(area)
    except ChecksumError:
        raise RecordCorrupted("the image-safe record is corrupted (its checksum does not match)") from None
    except ConstructError:
        raise RecordCorrupted("the image-safe record is corrupted (its frame is cut short)") from None
    version = frame.signed.value.version
    if version != VERSION:
        raise RecordTooNew(
            f"the image-safe record has version {version}, written by a newer imgcast; "
            f"this one reads version {VERSION} and leaves it untouched"
        )
    try:
        body = BodyLayout.parse(frame.signed.value.payload)
    except (ConstructError, UnicodeDecodeError, ValueError):
        raise RecordCorrupted("the image-safe record is corrupted (its fields do not parse)") from None
    return body
