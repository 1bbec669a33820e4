"""The inventory as a tree of dataclasses. `to_json()` gives the documented schema (schema.json,
docs/inventory.md): every key is always present, unknown values are null, sizes are bytes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass
class SystemInfo:
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware_vendor: str | None = None
    firmware_version: str | None = None
    firmware_date: str | None = None
    boot_mode: str = "unknown"  # "uefi", "legacy" or "unknown"
    hostname: str | None = None
    os: str | None = None

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class CpuInfo:
    model: str | None = None
    cores: int | None = None  # physical cores
    threads: int | None = None  # logical CPUs
    frequency_mhz: float | None = None  # current, or the maximum when the OS gives none

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class MemoryInfo:
    total: int | None = None  # bytes of RAM the OS sees
    swap: int | None = None

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class PartitionInfo:
    device: str  # "/dev/sda1"
    start: int | None  # bytes from the start of the disk
    size: int | None  # bytes
    type: str | None  # MBR type ("0x83") or GPT type GUID
    fstype: str | None  # "ext4", "vfat", ... when known
    mountpoint: str | None

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class DiskInfo:
    device: str  # "/dev/sda"
    model: str | None = None
    serial: str | None = None
    size: int = 0  # bytes
    rotational: bool | None = None
    removable: bool | None = None
    table: str | None = None  # "gpt", "mbr" or None
    partitions: list[PartitionInfo] = field(default_factory=list)
    mounted: bool = False
    system: bool = False
    unusable_reason: str | None = None  # one line; None when the disk can be a target
    kind: str = "disk"  # "disk", or "loop": a loop device standing for the file it backs
    backing_file: str | None = None  # a loop device's file
    read_only: bool = False

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class InterfaceInfo:
    """An interface a session can send its multicast through."""

    name: str
    address: str  # IPv4
    netmask: str | None
    mtu: int | None
    up: bool
    is_loopback: bool

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class NetworkAdapter:
    name: str
    mac: str | None = None
    ipv4: list[str] = field(default_factory=list)  # "10.0.0.5/24"
    ipv6: list[str] = field(default_factory=list)  # "fd00::2/64"
    speed_mbps: int | None = None
    mtu: int | None = None
    up: bool = False
    multicast: bool = False  # the interface has the MULTICAST flag (or is loopback)
    is_loopback: bool = False

    def to_json(self) -> dict[str, Any]:
        return _plain(self)


@dataclass
class Inventory:
    system: SystemInfo
    cpu: CpuInfo
    memory: MemoryInfo
    disks: list[DiskInfo]
    network: list[NetworkAdapter]
    multicast_interfaces: list[InterfaceInfo]
    warnings: list[str] = field(default_factory=list)  # what could not be read, one line each

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **_plain(self)}
