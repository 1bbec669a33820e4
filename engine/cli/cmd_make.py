"""`img make FILE from=DISK`: save a disk (or raw disk file) as an .imgcast image file.

The image is exactly the stream a master would multicast from that disk: a session whose only
client is a file. `--json` prints the events as JSON lines; otherwise a rich progress bar.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from ..errors import UsageError
from ..events import Event
from ..events import Progress as ProgressEvent
from ..image.events import ImageMade, ImageRestored, PartitionMapped
from ..image.header import LEVELS
from ..image.local import make_image
from .passphrase import add_passphrase_option, passphrase_from


def key_values(words: Sequence[str], allowed: Sequence[str]) -> dict[str, str]:
    """The seed's `key=value` words (from=DISK, to=DISK); anything else is a usage error."""
    found: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in allowed:
            raise UsageError(f"unexpected {word!r}; expected {' '.join(k + '=...' for k in allowed)}")
        if not value:
            raise UsageError(f"{key}= needs a value")
        found[key] = value
    return found


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


class EventDisplay:
    """Shows imaging events: JSON lines with --json, else a progress bar and one-line notes."""

    def __init__(self, as_json: bool, title: str) -> None:
        self.as_json = as_json
        self.console = Console(stderr=True)
        self.title = title
        self._bar: Progress | None = None
        self._task = None

    def __call__(self, event: Event) -> None:
        if self.as_json:
            print(json.dumps(event.to_json()), flush=True)
            return
        if isinstance(event, ProgressEvent):
            self._progress(event)
        elif isinstance(event, PartitionMapped):
            what = event.filesystem or "no known file system"
            sent = (f"{_size(event.used_bytes)} used of {_size(event.size)}" if event.sent == "used_blocks"
                    else f"all {_size(event.size)} sent")
            self.console.print(f"partition {event.number}: {what}, {sent}")
        elif isinstance(event, ImageMade):
            self._close()
            ratio = event.image_size / event.disk_size if event.disk_size else 0
            print(f"{event.path}: {_size(event.image_size)} {'encrypted ' if event.encrypted else ''}image of a {_size(event.disk_size)} disk "
                  f"({ratio:.1%}), {event.chunks} chunks, {event.seconds:.1f} s, sha256 {event.sha256}")
        elif isinstance(event, ImageRestored):
            self._close()
            print(f"{event.target}: put down and verified, {_size(event.written)} written, "
                  f"{_size(event.zeroed)} zeroed, {event.seconds:.1f} s, sha256 {event.sha256}")
            for note in event.notes:
                self.console.print(f"note: {note}", markup=False, highlight=False)

    def _progress(self, event: ProgressEvent) -> None:
        if self._bar is None:
            self._bar = Progress(TextColumn(self.title), BarColumn(), DownloadColumn(binary_units=True), TransferSpeedColumn(),
                                 TimeRemainingColumn(), console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.title, total=event.total)
        self._bar.update(self._task, completed=event.done, total=event.total)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> EventDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("make", help="save a disk as an image file: img make FILE from=DISK")
    p.add_argument("file", help="the image file to write (FILE.imgcast)")
    p.add_argument("words", nargs="*", metavar="from=DISK", help="the disk or raw disk file to save")
    p.add_argument("--raw", action="store_true", help="image every sector, not only used blocks")
    p.add_argument("--level", default="balanced", choices=LEVELS, help="zstd compression (default balanced)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")
    add_passphrase_option(p, "encrypt the image (AES-256-GCM; the header shows only sizes)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    values = key_values(args.words, ("from",))
    if "from" not in values:
        raise UsageError("img make needs from=DISK (the disk or raw disk file to save)")
    passphrase = passphrase_from(args, confirm=True)
    with EventDisplay(args.json, "saving") as display:
        make_image(args.file, values["from"], raw=args.raw, level=args.level, overwrite=args.force,
                   on_event=display, passphrase=passphrase)
    sys.stdout.flush()
    return 0
