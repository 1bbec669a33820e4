"""The image-safe data as people see it, and the rules each field must follow.

Every check raises UsageError with one line naming the key, so `img zisd set` and `load` can
refuse before anything is written. The names of the keys are the ones `img zisd set KEY=VALUE`,
`img zisd save` and `img info zisd --json` use (docs/inventory.md lists them).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import UsageError

MAX_DNS_SERVERS = 8
NETBIOS_MAX = 15
# NetBIOS names: no \ / : * ? " < > | , ~ ! @ # $ % ^ & ' . ( ) { } _ or spaces (Microsoft's
# naming rules for computers and workgroups); letters, digits and hyphens are always safe.
_NETBIOS_FORBIDDEN = set('\\/:*?"<>|,~!@#$%^&\'.(){}_ ')
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LastBaseImage:
    """The last base image put down on the disk and how it came."""

    name: str
    sha256: str  # 64 lower-case hex digits: SHA-256 of the stream as sent
    time: datetime  # when the put-down was verified, UTC, whole seconds
    session_name: str | None = None  # None: a local restore, not a multicast session

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "time": self.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "session_name": self.session_name,
        }

    @classmethod
    def from_json(cls, data: Any) -> LastBaseImage:
        if not isinstance(data, dict) or not {"name", "sha256", "time"} <= data.keys():
            raise UsageError("last_base_image: needs name, sha256 and time")
        try:
            when = datetime.fromisoformat(str(data["time"]).replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"last_base_image.time: {data['time']!r} is not an ISO 8601 time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return make_last_base_image(str(data["name"]), str(data["sha256"]),
                                    data.get("session_name"), when)


def make_last_base_image(name: str, sha256_hex: str, session_name: str | None,
                         when: datetime | None = None) -> LastBaseImage:
    """A checked LastBaseImage; `when` defaults to now."""
    if not name or "\n" in name or len(name.encode()) > 1024:
        raise UsageError("last base image: the image name must be one line of 1 to 1024 bytes")
    sha = sha256_hex.strip().lower()
    if not _SHA256_HEX.match(sha):
        raise UsageError(f"last base image: {sha256_hex!r} is not a SHA-256 (64 hex digits)")
    if session_name is not None and (not session_name or len(session_name.encode()) > 255):
        raise UsageError("last base image: the session name must be 1 to 255 bytes")
    when = (when or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return LastBaseImage(name, sha, when, session_name or None)


@dataclass(frozen=True)
class ImageSafeData:
    """A workstation's identity that survives reimaging, plus the last base image put down."""

    dhcp: bool = True
    ip_address: str | None = None
    subnet_mask: str | None = None
    gateway: str | None = None
    dns_servers: tuple[str, ...] = ()
    dns_suffix: str | None = None
    dns_host_name: str | None = None
    computer_name: str | None = None
    workgroup: str | None = None
    domain: str | None = None
    last_base_image: LastBaseImage | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["dns_servers"] = list(self.dns_servers)
        data["last_base_image"] = self.last_base_image.to_json() if self.last_base_image else None
        return data

    def identity_json(self) -> dict[str, Any]:
        """What `img zisd save` writes: everything but the last base image, which imaging records."""
        data = self.to_json()
        del data["last_base_image"]
        return data

    def validated(self) -> ImageSafeData:
        """Self, after checking every field together; UsageError names the first bad one."""
        for key in ("ip_address", "gateway"):
            value = getattr(self, key)
            if value is not None:
                check_host_address(key, value)
        if self.subnet_mask is not None:
            check_mask("subnet_mask", self.subnet_mask)
        if len(self.dns_servers) > MAX_DNS_SERVERS:
            raise UsageError(f"dns_servers: at most {MAX_DNS_SERVERS} servers")
        for server in self.dns_servers:
            check_host_address("dns_servers", server)
        if self.dns_suffix is not None:
            check_domain_name("dns_suffix", self.dns_suffix)
        if self.dns_host_name is not None:
            check_host_label("dns_host_name", self.dns_host_name)
        if self.computer_name is not None:
            check_netbios_name("computer_name", self.computer_name)
        if self.workgroup is not None and self.domain is not None:
            raise UsageError("workgroup and domain: a computer is in a workgroup or a domain, not both")
        if self.workgroup is not None:
            check_netbios_name("workgroup", self.workgroup)
        if self.domain is not None:
            check_domain_name("domain", self.domain)
        if not self.dhcp:
            if self.ip_address is None or self.subnet_mask is None:
                raise UsageError("dhcp=no: a static address needs ip_address= and subnet_mask=")
            network = ipaddress.IPv4Network(f"{self.ip_address}/{self.subnet_mask}", strict=False)
            host = ipaddress.IPv4Address(self.ip_address)
            if network.prefixlen < 31 and host in (network.network_address, network.broadcast_address):
                raise UsageError(f"ip_address: {host} is the network's own or broadcast address in {network}")
            if self.gateway is not None:
                gateway = ipaddress.IPv4Address(self.gateway)
                if gateway not in network:
                    raise UsageError(f"gateway: {gateway} is not in the computer's network {network}")
                if gateway == host:
                    raise UsageError("gateway: it is the computer's own address")
        return self


def check_host_address(key: str, value: str) -> None:
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise UsageError(f"{key}: {value!r} is not an IPv4 address (like 10.0.0.5)") from None
    if address.is_unspecified or address.is_multicast or address == ipaddress.IPv4Address("255.255.255.255"):
        raise UsageError(f"{key}: {value} cannot be a host's address")


def check_mask(key: str, value: str) -> None:
    try:
        mask = int(ipaddress.IPv4Address(value))
    except ValueError:
        raise UsageError(f"{key}: {value!r} is not a subnet mask (like 255.255.255.0)") from None
    inverted = ~mask & 0xFFFFFFFF
    if mask == 0 or inverted & (inverted + 1):
        raise UsageError(f"{key}: {value} is not a subnet mask (its one-bits must be contiguous from the left)")


def check_host_label(key: str, value: str) -> None:
    """RFC 1123 host name label: letters, digits, hyphens; 1-63; no hyphen at either end."""
    if not _LABEL.match(value):
        raise UsageError(
            f"{key}: {value!r} is not a host name (1-63 letters, digits or hyphens, "
            "not starting or ending with a hyphen)"
        )


def check_domain_name(key: str, value: str) -> None:
    """RFC 1123 domain: dot-separated labels, 253 characters at most, no trailing dot needed."""
    name = value[:-1] if value.endswith(".") else value
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise UsageError(f"{key}: {value!r} is not a DNS name (labels of letters, digits and hyphens, like corp.example.com)")


def check_netbios_name(key: str, value: str) -> None:
    """NetBIOS computer and workgroup names: 1-15 characters, none of the reserved ones, not all digits."""
    bad = sorted(set(value) & _NETBIOS_FORBIDDEN)
    if not value or len(value.encode()) > NETBIOS_MAX or not value.isprintable():
        raise UsageError(f"{key}: {value!r} must be 1 to {NETBIOS_MAX} characters")
    if bad:
        raise UsageError(f"{key}: {value!r} may not contain {' '.join(bad)}")
    if value.isdigit():
        raise UsageError(f"{key}: {value!r} may not be digits only")


# --- KEY=VALUE and JSON -------------------------------------------------------------------

_ALIASES = {
    "ip": "ip_address",
    "mask": "subnet_mask",
    "netmask": "subnet_mask",
    "dns": "dns_servers",
    "suffix": "dns_suffix",
    "hostname": "dns_host_name",
    "host_name": "dns_host_name",
    "name": "computer_name",
}
EDITABLE_KEYS = tuple(f.name for f in dataclasses.fields(ImageSafeData) if f.name != "last_base_image")
_NONE_WORDS = {"", "none", "-"}
_YES = {"yes", "true", "on", "1", "dhcp"}
_NO = {"no", "false", "off", "0", "static"}


def canonical_key(key: str) -> str:
    name = key.strip().lower().replace("-", "_")
    name = _ALIASES.get(name, name)
    if name not in EDITABLE_KEYS:
        raise UsageError(f"unknown key {key!r}; keys are {', '.join(EDITABLE_KEYS)}")
    return name


def parse_value(key: str, text: str) -> Any:
    """A KEY=VALUE value as the field's type (before validation)."""
    value = text.strip()
    if key == "dhcp":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise UsageError(f"dhcp: {text!r} must be yes or no")
    if key == "dns_servers":
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return None if value.lower() in _NONE_WORDS else value


def apply_settings(data: ImageSafeData, settings: list[str]) -> ImageSafeData:
    """`img zisd set` semantics: KEY=VALUE pairs over the current data, then validated.

    Giving ip_address or subnet_mask without dhcp= means a static address (what an admin typing
    an address means); giving workgroup clears domain and the other way round.
    """
    changes: dict[str, Any] = {}
    for setting in settings:
        key, sep, text = setting.partition("=")
        if not sep:
            raise UsageError(f"{setting!r}: expected KEY=VALUE, e.g. ip=10.0.0.5")
        name = canonical_key(key)
        if name in changes:
            raise UsageError(f"{name} is given twice")
        changes[name] = parse_value(name, text)
    if "dhcp" not in changes and ({"ip_address", "subnet_mask"} & changes.keys()):
        if changes.get("ip_address") is not None or changes.get("subnet_mask") is not None:
            changes["dhcp"] = False
    if changes.get("workgroup") is not None and "domain" not in changes:
        changes["domain"] = None
    if changes.get("domain") is not None and "workgroup" not in changes:
        changes["workgroup"] = None
    return dataclasses.replace(data, **changes).validated()


def from_json(document: Any, keep: LastBaseImage | None = None) -> ImageSafeData:
    """`img zisd load` semantics: a whole JSON object replaces the identity; the last base image
    on the disk is kept unless the document carries one."""
    if not isinstance(document, dict):
        raise UsageError("the file must hold one JSON object")
    unknown = set(document) - set(EDITABLE_KEYS) - {"last_base_image"}
    if unknown:
        raise UsageError(f"unknown key {sorted(unknown)[0]!r}; keys are {', '.join(EDITABLE_KEYS)}")
    values: dict[str, Any] = {}
    for key in EDITABLE_KEYS:
        if key not in document or document[key] is None:
            continue
        value = document[key]
        if key == "dhcp":
            if not isinstance(value, bool):
                raise UsageError("dhcp: must be true or false")
        elif key == "dns_servers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError("dns_servers: must be a list of addresses")
            value = tuple(value)
        elif not isinstance(value, str):
            raise UsageError(f"{key}: must be a string or null")
        values[key] = value
    last = document.get("last_base_image")
    values["last_base_image"] = LastBaseImage.from_json(last) if last is not None else keep
    return ImageSafeData(**values).validated()
