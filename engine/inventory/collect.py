"""collect_inventory: every part of the inventory, each one allowed to fail on its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .disks import list_disks
from .model import CpuInfo, Inventory, MemoryInfo, SystemInfo
from .network import multicast_interfaces, network_adapters
from .system import cpu_info, memory_info, system_info
from .tables import Tables

T = TypeVar("T")


def collect_inventory(root: str = "/") -> Inventory:
    """The hardware of this computer (or of the fake root a test hands in).

    A part that cannot be read is left empty and named in `warnings`: an inventory that stops at
    the first odd /sys entry helps nobody standing in front of the machine.
    """
    tables = Tables(root)
    warnings: list[str] = []

    def part(what: str, read: Callable[[], T], empty: T) -> T:
        try:
            return read()
        except (OSError, ValueError, RuntimeError, AttributeError) as error:
            warnings.append(f"{what}: could not be read ({error})")
            return empty

    return Inventory(
        system=part("system", lambda: system_info(tables), SystemInfo()),
        cpu=part("cpu", lambda: cpu_info(tables), CpuInfo()),
        memory=part("memory", lambda: memory_info(tables), MemoryInfo()),
        disks=part("disks", lambda: list_disks(root), []),
        network=part("network", lambda: network_adapters(tables), []),
        multicast_interfaces=part("multicast interfaces", multicast_interfaces, []) if tables.is_live else [],
        warnings=warnings,
    )
