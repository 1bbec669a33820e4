"""`img restore FILE to=DISK`: put an .imgcast image file down on a disk or raw disk file.

A disk needs `--yes`; mounted disks and the system disk are refused. Success is reported only
after the target was flushed and the image's SHA-256 matched.
"""

from __future__ import annotations

import argparse

from ..errors import UsageError
from ..image.local import restore_image
from .cmd_make import EventDisplay, key_values


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="put an image file down on a disk: img restore FILE to=DISK")
    p.add_argument("file", help="the image file to put down (FILE.imgcast)")
    p.add_argument("words", nargs="*", metavar="to=DISK", help="the disk or raw disk file to write")
    p.add_argument("--yes", action="store_true", help="write a disk without asking")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    values = key_values(args.words, ("to",))
    if "to" not in values:
        raise UsageError("img restore needs to=DISK (the disk or raw disk file to write)")
    with EventDisplay(args.json, "putting down") as display:
        restore_image(args.file, values["to"], confirmed=args.yes, on_event=display)
    return 0
