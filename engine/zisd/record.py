"""ImageSafeData <-> the bytes of the safe area (layout.py holds the byte layout itself)."""

from __future__ import annotations

from datetime import UTC, datetime

from construct import ConstructError

from ..errors import UsageError
from ..safe_area import SAFE_AREA_SIZE
from .fields import ImageSafeData, LastBaseImage
from .layout import RecordCorrupted, build_record, has_record, parse_record


def encode_area(data: ImageSafeData) -> bytes:
    """The whole safe area (SAFE_AREA_SIZE bytes) holding `data`, zero-padded."""
    last = data.last_base_image
    membership = "workgroup" if data.workgroup else "domain" if data.domain else "none"
    body = {
        "dhcp": data.dhcp,
        "ip_address": data.ip_address,
        "subnet_mask": data.subnet_mask,
        "gateway": data.gateway,
        "dns_servers": list(data.dns_servers),
        "dns_suffix": data.dns_suffix or "",
        "dns_host_name": data.dns_host_name or "",
        "computer_name": data.computer_name or "",
        "membership": membership,
        "membership_name": data.workgroup or data.domain or "",
        "has_last_image": last is not None,
        "last_image": None if last is None else {
            "name": last.name,
            "sha256": bytes.fromhex(last.sha256),
            "time": int(last.time.timestamp()),
            "session_name": last.session_name or "",
        },
    }
    try:
        record = build_record(body)
    except ConstructError as error:  # a string over its length prefix: validation normally stops it first
        raise UsageError(f"the image-safe data does not fit its record: {error}") from None
    if len(record) > SAFE_AREA_SIZE:
        raise UsageError(f"the image-safe data needs {len(record)} bytes; the area holds {SAFE_AREA_SIZE}")
    return record + bytes(SAFE_AREA_SIZE - len(record))


def decode_area(area: bytes) -> ImageSafeData | None:
    """The data in a safe area; None when it holds no record; RecordCorrupted when it cannot be trusted."""
    if not has_record(area):
        return None
    body = parse_record(area)
    membership = str(body.membership)
    if membership not in ("none", "workgroup", "domain"):
        raise RecordCorrupted("the image-safe record is corrupted (unknown workgroup/domain kind)")
    last: LastBaseImage | None = None
    if body.has_last_image:
        image = body.last_image
        try:
            when = datetime.fromtimestamp(image.time, UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordCorrupted("the image-safe record is corrupted (impossible time)") from None
        last = LastBaseImage(image.name, image.sha256.hex(), when, image.session_name or None)
    name = body.membership_name or None
    return ImageSafeData(
        dhcp=bool(body.dhcp),
        ip_address=body.ip_address,
        subnet_mask=body.subnet_mask,
        gateway=body.gateway,
        dns_servers=tuple(body.dns_servers),
        dns_suffix=body.dns_suffix or None,
        dns_host_name=body.dns_host_name or None,
        computer_name=body.computer_name or None,
        workgroup=name if membership == "workgroup" else None,
        domain=name if membership == "domain" else None,
        last_base_image=last,
    )
