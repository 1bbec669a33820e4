"""`img zisd set|clear|save|load`: edit the image-safe data on a disk (DISK defaults to the boot
disk). Every value is checked before anything is written; a refusal is one line and exit 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import ImgcastError, UsageError
from ..zisd import (
    EDITABLE_KEYS,
    ImageSafeData,
    RecordCorrupted,
    apply_settings,
    clear_zisd,
    from_json,
    read_zisd,
    write_zisd,
)
from .zisd_common import confirm_disk_write, resolve_disk


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zisd", help="edit the image-safe data (set, clear, save, load)",
                       description="Edit the image-safe data kept on a disk outside every partition. "
                                   f"Keys: {', '.join(EDITABLE_KEYS)} (also ip, mask, dns, hostname, name).")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    set_p = actions.add_parser("set", help="set KEY=VALUE ... [DISK]; VALUE none clears a key",
                               usage="img zisd set KEY=VALUE ... [DISK] [--yes]")
    set_p.add_argument("items", nargs="+", metavar="KEY=VALUE", help="settings, then optionally the DISK")
    clear_p = actions.add_parser("clear", help="remove the image-safe data from DISK")
    clear_p.add_argument("disk", nargs="?", metavar="DISK")
    save_p = actions.add_parser("save", help="write the image-safe data to FILE as JSON (- for stdout)")
    save_p.add_argument("file", metavar="FILE")
    save_p.add_argument("disk", nargs="?", metavar="DISK")
    load_p = actions.add_parser("load", help="replace the identity on DISK with FILE's (JSON)")
    load_p.add_argument("file", metavar="FILE")
    load_p.add_argument("disk", nargs="?", metavar="DISK")
    for action in (set_p, clear_p, load_p):
        action.add_argument("--yes", action="store_true", help="write a real disk without asking")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return {"set": _set, "clear": _clear, "save": _save, "load": _load}[args.action](args)


def _current(disk: str, action: str) -> ImageSafeData:
    try:
        return read_zisd(disk) or ImageSafeData()
    except RecordCorrupted as error:
        raise ImgcastError(
            f"{disk}: {error}; 'img zisd clear' or 'img zisd load FILE' replaces it"
        ) from None


def _set(args: argparse.Namespace) -> int:
    items = list(args.items)
    disk_arg = items.pop() if "=" not in items[-1] else None
    if not items:
        raise UsageError("zisd set: give at least one KEY=VALUE before DISK")
    disk = resolve_disk(disk_arg)
    updated = apply_settings(_current(disk, "set"), items)
    confirm_disk_write(disk, args.yes, "write the image-safe data")
    write_zisd(disk, updated)
    print(f"{disk}: image-safe data updated ({', '.join(item.partition('=')[0] for item in items)})")
    return 0


def _clear(args: argparse.Namespace) -> int:
    disk = resolve_disk(args.disk)
    confirm_disk_write(disk, args.yes, "clear the image-safe data")
    clear_zisd(disk)
    print(f"{disk}: image-safe data cleared")
    return 0


def _save(args: argparse.Namespace) -> int:
    disk = resolve_disk(args.disk)
    data = read_zisd(disk)
    if data is None:
        raise ImgcastError(f"{disk} has no image-safe data to save")
    text = json.dumps(data.to_json(), indent=2) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(args.file).write_text(text)
    except OSError as error:
        raise ImgcastError(f"{args.file}: cannot write: {error.strerror}") from None
    print(f"{disk}: image-safe data saved to {args.file}")
    return 0


def _load(args: argparse.Namespace) -> int:
    """The file's identity replaces the disk's; the disk's last base image stays, because only
    a verified put-down says what was put down on this disk."""
    disk = resolve_disk(args.disk)
    try:
        document = json.loads(Path(args.file).read_text())
    except FileNotFoundError:
        raise UsageError(f"{args.file}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.file}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{args.file}: not JSON (line {error.lineno}: {error.msg})") from None
    if isinstance(document, dict):
        document.pop("last_base_image", None)
    try:
        keep = (read_zisd(disk) or ImageSafeData()).last_base_image
    except RecordCorrupted:
        keep = None  # loading a saved identity is how a damaged record is repaired
    data = from_json(document, keep=keep)
    confirm_disk_write(disk, args.yes, "write the image-safe data")
    write_zisd(disk, data)
    print(f"{disk}: image-safe data loaded from {args.file}")
    return 0
