"""`img restore FILE to=DISK`: put an .imgcast image file down on a disk or raw disk file.

A disk needs `--yes`; mounted disks and the system disk are refused. Success is reported only
after the target was flushed and the image's SHA-256 matched.
"""

from __future__ import annotations

import argparse
import sys

from ..disk.device import is_block_device
from ..disk.safety import check_writable_target
from ..errors import ImgcastError, UsageError
from ..image.local import restore_image
from .cmd_make import EventDisplay, key_values
from .passphrase import add_passphrase_option, passphrase_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="put an image file down on a disk: img restore FILE to=DISK")
    p.add_argument("file", help="the image file to put down (FILE.imgcast)")
    p.add_argument("words", nargs="*", metavar="to=DISK", help="the disk or raw disk file to write")
    p.add_argument("--yes", action="store_true", help="write a disk without asking")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")
    add_passphrase_option(p, "the passphrase of an encrypted image")
    p.set_defaults(run=run)


def confirm_disk(target: str) -> bool:
    """Ask at the terminal before a disk is overwritten; without a terminal, refuse (say --yes).

    Without a terminal the command lacks its --yes: a usage error (2). A person answering no is
    not one: exit 1, nothing written, as the session client's own-disk question (disk/own.py)."""
    if not is_block_device(target):
        return False
    check_writable_target(target)  # a mounted or system disk is refused before anyone is asked
    if not sys.stdin.isatty():
        raise UsageError(f"to={target} is a disk: writing it destroys everything on it; add --yes to confirm")
    answer = input(f"Everything on {target} will be replaced. Type yes to go on: ")
    if answer.strip().lower() != "yes":  # a person saying no gave no bad argument: exit 1, as the
        raise ImgcastError(f"to={target}: not confirmed; nothing was written")  # session's question
    return True


def run(args: argparse.Namespace) -> int:
    values = key_values(args.words, ("to",))
    if "to" not in values:
        raise UsageError("img restore needs to=DISK (the disk or raw disk file to write)")
    passphrase = passphrase_from(args)
    confirmed = args.yes or confirm_disk(values["to"])
    with EventDisplay(args.json, "putting down") as display:
        restore_image(args.file, values["to"], confirmed=confirmed, on_event=display, passphrase=passphrase)
    return 0
