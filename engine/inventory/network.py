"""Network adapters and the interfaces a multicast session can use.

Addresses, MTU, speed and flags come from psutil (every OS); on Linux /sys/class/net fills in
what psutil leaves out, and is all there is under a fake root (tests).
"""

from __future__ import annotations

import ipaddress
import socket

import psutil

from .model import InterfaceInfo, NetworkAdapter
from .tables import Tables

IFF_LOOPBACK = 0x8
IFF_MULTICAST = 0x1000
_LINK_FAMILIES = {getattr(socket, "AF_PACKET", -1), getattr(psutil, "AF_LINK", -2)}


def network_adapters(tables: Tables) -> list[NetworkAdapter]:
    adapters: dict[str, NetworkAdapter] = {}
    for name in tables.listdir("sys/class/net"):
        base = f"sys/class/net/{name}"
        flags = _hex(tables.text(f"{base}/flags"))
        speed = tables.integer(f"{base}/speed")
        adapters[name] = NetworkAdapter(
            name=name,
            mac=tables.text(f"{base}/address"),
            mtu=tables.integer(f"{base}/mtu"),
            speed_mbps=speed if speed and speed > 0 else None,
            up=tables.text(f"{base}/operstate") in ("up", "unknown") if flags is None else bool(flags & 1),
            multicast=bool(flags is not None and flags & (IFF_MULTICAST | IFF_LOOPBACK)),
            is_loopback=bool(flags is not None and flags & IFF_LOOPBACK),
        )
    if tables.is_live:
        _add_psutil(adapters)
    for adapter in adapters.values():
        if adapter.mac in ("00:00:00:00:00:00", ""):
            adapter.mac = None
    return sorted(adapters.values(), key=lambda a: (a.is_loopback, a.name))


def _add_psutil(adapters: dict[str, NetworkAdapter]) -> None:
    try:
        stats = psutil.net_if_stats()
        addrs = psutil.net_if_addrs()
    except (OSError, RuntimeError):
        return
    for name in set(stats) | set(addrs):
        adapter = adapters.setdefault(name, NetworkAdapter(name=name))
        stat = stats.get(name)
        if stat is not None:
            adapter.up = stat.isup
            adapter.mtu = stat.mtu or adapter.mtu
            adapter.speed_mbps = stat.speed or adapter.speed_mbps
            flags = set(getattr(stat, "flags", "").split(","))
            if flags - {""}:
                adapter.is_loopback = adapter.is_loopback or "loopback" in flags
                adapter.multicast = adapter.multicast or "multicast" in flags or adapter.is_loopback
        adapter.ipv4, adapter.ipv6 = [], []
        for addr in addrs.get(name, []):
            if addr.family == socket.AF_INET:
                adapter.ipv4.append(_with_prefix(addr.address, addr.netmask))
                if addr.address.startswith("127."):
                    adapter.is_loopback = adapter.multicast = True
            elif addr.family == socket.AF_INET6:
                adapter.ipv6.append(_with_prefix(addr.address.split("%")[0], addr.netmask))
            elif addr.family in _LINK_FAMILIES and addr.address:
                adapter.mac = adapter.mac or addr.address.lower().replace("-", ":")


def multicast_interfaces() -> list[InterfaceInfo]:
    """The interfaces a session can use: up, with an IPv4 address, and able to multicast.

    Loopback is listed (last, with is_loopback) because a session over 127.0.0.1 never leaves the
    computer: that is what demos and tests use. Its multicast works although Linux does not set the
    MULTICAST flag on it.
    """
    found = []
    for adapter in network_adapters(Tables("/")):
        if not (adapter.up and adapter.multicast):
            continue
        for cidr in adapter.ipv4:
            iface = ipaddress.IPv4Interface(cidr)
            found.append(InterfaceInfo(adapter.name, str(iface.ip), str(iface.netmask), adapter.mtu,
                                       adapter.up, adapter.is_loopback))
    return found


def _with_prefix(address: str, netmask: str | None) -> str:
    """ "10.0.0.5/24", "fd00::2/64": psutil gives masks, IPv6 ones as ffff:ffff:: which ipaddress
    does not take as a mask, so the prefix length is counted from the mask's bits."""
    if not netmask:
        return address
    try:
        bits = bin(int(ipaddress.ip_address(netmask))).count("1")
        return str(ipaddress.ip_interface(f"{address}/{bits}"))
    except ValueError:
        return address


def _hex(text: str | None) -> int | None:
    try:
        return int(text, 16) if text else None
    except ValueError:
        return None
