"""`img info [--json]`: the detected hardware. `img info zisd [DISK] [--json]`: the image-safe
data and the last base image put down (the ZENworks commands of the same names)."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from ..errors import ImgcastError, UsageError
from ..inventory import Inventory, collect_inventory
from ..zisd import RecordCorrupted, RecordTooNew, read_zisd
from .zisd_common import last_image_rows, resolve_disk, rows


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="list the detected hardware, or (info zisd) the image-safe data",
                       description="img info: detected hardware. img info zisd [DISK]: image-safe data "
                                   "and the last base image put down (DISK defaults to the boot disk).")
    p.add_argument("topic", nargs="?", metavar="zisd", help="show the image-safe data instead")
    p.add_argument("disk", nargs="?", metavar="DISK", help="with zisd: the disk or disk file to read")
    p.add_argument("--json", action="store_true", help="print JSON (docs/inventory.md has the schema)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.topic is None:
        inventory = collect_inventory()
        if args.json:
            print(json.dumps(inventory.to_json(), indent=2))
        else:
            print_inventory(inventory, _console())
        return 0
    if args.topic != "zisd":
        raise UsageError(f"unknown info topic {args.topic!r}; use 'img info' or 'img info zisd [DISK]'")
    return show_zisd(resolve_disk(args.disk), args.json)


def _console() -> Console:
    """Rich's console; when the output is not a terminal (a pipe, a log file, a test) it would
    wrap at 80 columns and split a SHA-256, so lines there are allowed 120 columns."""
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)
    return console


def show_zisd(disk: str, as_json: bool) -> int:
    try:
        data = read_zisd(disk)
    except (RecordCorrupted, RecordTooNew) as error:
        if as_json:
            status = "corrupted" if isinstance(error, RecordCorrupted) else "too_new"
            print(json.dumps({"disk": disk, "status": status, "image_safe_data": None, "error": str(error)}, indent=2))
            return 1
        raise ImgcastError(f"{disk}: {error}") from None
    if as_json:
        print(json.dumps({"disk": disk, "status": "none" if data is None else "present",
                          "image_safe_data": None if data is None else data.to_json(), "error": None}, indent=2))
        return 0
    console = _console()
    if data is None:
        console.print(f"{disk} has no image-safe data (and no last base image recorded).",
                      highlight=False, soft_wrap=True)
        return 0
    table = Table(title=f"Image-safe data on {disk}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows(data):
        table.add_row(label, value)
    table.add_section()
    for label, value in last_image_rows(data):
        table.add_row(label, value)
    console.print(table)
    return 0


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_inventory(inv: Inventory, console: Console) -> None:
    """The readable report: one small table per part, like ZENworks' hardware list."""
    s = inv.system
    summary = Table(title="System", show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    for label, value in [
        ("Vendor", s.vendor), ("Model", s.model), ("Serial", s.serial),
        ("Firmware", " ".join(v for v in (s.firmware_vendor, s.firmware_version, s.firmware_date) if v) or None),
        ("Boot mode", {"uefi": "UEFI", "legacy": "legacy BIOS"}.get(s.boot_mode, "unknown")),
        ("Host name", s.hostname), ("Operating system", s.os),
        ("CPU", inv.cpu.model),
        ("Cores / threads", f"{_text(inv.cpu.cores)} / {_text(inv.cpu.threads)}"),
        ("Frequency", f"{inv.cpu.frequency_mhz:.0f} MHz" if inv.cpu.frequency_mhz else None),
        ("Memory", _size(inv.memory.total)), ("Swap", _size(inv.memory.swap)),
    ]:
        summary.add_row(label, _text(value))
    console.print(summary)

    disks = Table(title="Disks", title_justify="left")
    for column in ("Device", "Model", "Serial", "Size", "Kind", "Table", "Can be a target"):
        disks.add_column(column)
    for d in inv.disks:
        kind = ("removable " if d.removable else "") + ("rotating" if d.rotational else "solid state" if d.rotational is False else "")
        if d.kind == "loop":
            kind = f"loop on {d.backing_file}"
        disks.add_row(d.device, _text(d.model), _text(d.serial), _size(d.size), kind.strip() or "-",
                      _text(d.table), "yes" if d.unusable_reason is None else f"no: {d.unusable_reason}")
        for p in d.partitions:
            disks.add_row(f"  {p.device}", _text(p.type), "", _size(p.size), _text(p.fstype), "",
                          f"mounted at {p.mountpoint}" if p.mountpoint else "")
    if not inv.disks:
        disks.add_row("(none found)", "", "", "", "", "", "")
    console.print(disks)

    net = Table(title="Network adapters", title_justify="left")
    for column in ("Name", "MAC", "Addresses", "Link", "Multicast"):
        net.add_column(column, no_wrap=column in ("MAC", "Addresses"))
    for a in inv.network:
        link = ", ".join(part for part in (
            "up" if a.up else "down",
            f"MTU {a.mtu}" if a.mtu else "",
            f"{a.speed_mbps} Mb/s" if a.speed_mbps else "",
        ) if part)
        net.add_row(a.name, _text(a.mac), "\n".join(a.ipv4 + a.ipv6) or "-", link,
                    "yes" if a.multicast else "no")
    console.print(net)

    sessions = ", ".join(
        f"{i.address} ({i.name}{', this computer only' if i.is_loopback else ''})" for i in inv.multicast_interfaces
    ) or "none"
    console.print(f"[bold]Interfaces a session can use:[/bold] {sessions}", highlight=False, soft_wrap=True)
    for warning in inv.warnings:
        console.print(f"[yellow]note:[/yellow] {warning}", highlight=False)
