"""What `img info zisd` and `img zisd` share: which disk, and the data as rows for people."""

from __future__ import annotations

import os
import stat
import sys

from ..errors import UsageError
from ..inventory import system_disk
from ..zisd import ImageSafeData


def resolve_disk(disk: str | None) -> str:
    """DISK as given, or the disk the running system lives on (ZENworks works on "this computer")."""
    if disk:
        return disk
    found = system_disk()
    if found is None:
        raise UsageError("cannot tell which disk this computer boots from; give DISK (e.g. /dev/sda)")
    return found


def is_block_device(path: str) -> bool:
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def confirm_disk_write(path: str, yes: bool, what: str) -> None:
    """A real disk is written only with --yes or a 'y' typed at a terminal; files need neither."""
    if yes or not is_block_device(path):
        return
    if not sys.stdin.isatty():
        raise UsageError(f"{path} is a disk: add --yes to {what} on it")
    answer = input(f"{what.capitalize()} on the disk {path} (outside every partition)? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError("nothing written: not confirmed")


def rows(data: ImageSafeData) -> list[tuple[str, str]]:
    """(label, value) pairs in the order an admin reads them."""
    def show(value: str | None) -> str:
        return value if value else "-"

    out = [
        ("Addressing", "DHCP" if data.dhcp else "static"),
        ("IP address", show(data.ip_address)),
        ("Subnet mask", show(data.subnet_mask)),
        ("Gateway", show(data.gateway)),
        ("DNS servers", ", ".join(data.dns_servers) or "-"),
        ("DNS suffix", show(data.dns_suffix)),
        ("DNS host name", show(data.dns_host_name)),
        ("Computer name", show(data.computer_name)),
    ]
    if data.domain:
        out.append(("Domain", data.domain))
    else:
        out.append(("Workgroup", show(data.workgroup)))
    return out


def last_image_rows(data: ImageSafeData) -> list[tuple[str, str]]:
    last = data.last_base_image
    if last is None:
        return [("Last base image", "none recorded")]
    return [
        ("Last base image", last.name),
        ("SHA-256", last.sha256),
        ("Put down", last.time.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("Through", f"session {last.session_name}" if last.session_name else "a local restore"),
    ]
