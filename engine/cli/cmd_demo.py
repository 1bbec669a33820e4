"""`img demo [clients=N]`: a whole session on this computer, over loopback."""

from __future__ import annotations

import argparse
import asyncio

from ..demo import run_demo
from ..errors import SessionFailed as SessionFailedError
from ..errors import UsageError
from ..events import Event, SessionFinished
from .cmd_session import parse_rate
from .display import make_display


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run a whole session on this computer over loopback (no network needed)")
    p.add_argument("words", nargs="*", metavar="clients=N", help="how many clients (default 3)")
    p.add_argument("--size", default="64M", help="size of the generated disk (default 64M)")
    p.add_argument("--rate", type=parse_rate, default=None, metavar="BYTES/S", help="cap the sending rate")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")
    p.add_argument("--keep", metavar="FOLDER", help="keep the generated disk and the copies in FOLDER")
    p.set_defaults(run=run)


def parse_clients(words: list[str]) -> int:
    clients = 3
    for word in words:
        key, eq, value = word.partition("=")
        if key != "clients" or not eq:
            raise UsageError(f"unknown word {word!r}: img demo takes clients=N")
        try:
            clients = int(value)
        except ValueError:
            raise UsageError(f"clients={value!r}: give a whole number, e.g. clients=3") from None
        if not 1 <= clients <= 50:
            raise UsageError(f"clients={value}: a demo runs 1 to 50 clients")
    return clients


def parse_size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    t = text.strip().lower().removesuffix("ib").removesuffix("b")
    try:
        size = int(float(t[:-1]) * units[t[-1]]) if t and t[-1] in units else int(t)
    except (ValueError, IndexError):
        raise UsageError(f"--size {text!r}: write e.g. 64M or 1G") from None
    if not 1 <= size <= 64 << 30:
        raise UsageError(f"--size {text}: from 1 byte to 64G")
    return size


def run(args: argparse.Namespace) -> int:
    clients = parse_clients(args.words)
    size = parse_size(args.size)
    displays = {"master": make_display(args.json, role="master", label="" if args.json else "master")}
    displays["master"].wanted = clients  # the demo's master starts when they have all joined

    def on_event(label: str, event: Event) -> None:
        if label not in displays:
            displays[label] = make_display(args.json, role="client", label=label)
        if args.json or label == "master":
            displays[label].show(event)

    if args.keep:
        import os

        os.makedirs(args.keep, exist_ok=True)
    finals = asyncio.run(run_demo(clients, on_event, size=size, workdir=args.keep, rate=args.rate))
    for display in displays.values():
        display.close()
    master = finals[0]
    if isinstance(master, SessionFinished) and master.all_verified and len(master.verified) == clients:
        return 0
    raise SessionFailedError(f"the demo session did not verify every client: {master}")
