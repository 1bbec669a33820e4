"""Hardware inventory (ZENworks' `img info`): system, CPUs, memory, disks, network adapters and
the interfaces a multicast session can use. psutil everywhere, Linux's own tables where psutil
is silent, read below a root path so tests can use a fake one. The JSON shape is schema.json.
"""

from .collect import collect_inventory
from .disks import list_disks, system_disk
from .model import (
    SCHEMA_VERSION,
    CpuInfo,
    DiskInfo,
    InterfaceInfo,
    Inventory,
    MemoryInfo,
    NetworkAdapter,
    PartitionInfo,
    SystemInfo,
)
from .network import multicast_interfaces

__all__ = [
    "SCHEMA_VERSION",
    "CpuInfo",
    "DiskInfo",
    "InterfaceInfo",
    "Inventory",
    "MemoryInfo",
    "NetworkAdapter",
    "PartitionInfo",
    "SystemInfo",
    "collect_inventory",
    "list_disks",
    "multicast_interfaces",
    "system_disk",
]
