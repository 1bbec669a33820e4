"""`img session NAME [master|client] [clients=N [t=MINUTES]] [from=PATH] [to=PATH] [options]`.

The seed's syntax is kept word for word (ZENworks: `img session name [master|client]
[clients=count [t=minutes]]`); imgcast adds from= and to= and the --options. Without from= or
to= the session uses this computer's own disk (engine/disk/own.py says which one qualifies);
on a terminal the operator is asked once, naming it, before anything is written.
Keys while it runs: m = become master (no role given), s or Enter = start now (master),
q = cancel. Ctrl-C cancels too: on the master for everyone, on a client just this one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..disk.target import check_target_early
from ..errors import SessionFailed as SessionFailedError
from ..errors import UsageError
from ..events import Event, SessionFailed, SessionFinished
from ..naming import DEFAULT_PORT, DEFAULT_TTL
from ..session import ROLES, SessionRunner, SessionSettings
from .display import make_display
from .passphrase import add_passphrase_option, passphrase_from

if TYPE_CHECKING:
    from ..disk.own import Ask


SESSION_WORDS_HELP = (
    "master or client: this computer's role (leave it out: every computer waits, and the first "
    "operator to press m becomes the master). "
    "clients=N (master): start once N clients have joined (default: no count; the master waits "
    "until you press s or Enter). "
    "t=MINUTES (master, with clients=N; fractions allowed): if fewer than N have joined, start "
    "once MINUTES have passed since the last client joined; while nobody has joined it waits on "
    "(default: no time limit). "
    "from=PATH (master): the disk, raw disk file or .imgcast image to send (default: this "
    "computer's own disk). "
    "to=PATH (client): the disk or raw disk file to write (default: this computer's own disk). "
    "Words and options may come in any order."
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "session",
        intermixed=True,
        help="multicast a disk or image to many computers (master), or receive one (client)",
        description="Every computer in a session uses the same NAME. The master sends from=PATH; "
        "clients write to=PATH; without them, this computer's own disk (the one disk that is not "
        "mounted nor the running system). Without master/client, every computer waits until "
        "someone presses m.",
        epilog="Keys while it runs: m = become the master (no role given), s or Enter = start now "
        "(master), q or Ctrl-C = cancel.",
    )
    p.add_argument("name", help="the session name (hashed to the multicast address 231.x.y.z)")
    p.add_argument("words", nargs="*", metavar="master|client|clients=N|t=MINUTES|from=PATH|to=PATH",
                   help=SESSION_WORDS_HELP)
    add_network_options(p)
    p.add_argument("--yes", action="store_true", help="write to a disk without asking")
    p.add_argument("--raw", action="store_true", help="master: send every sector, not only used blocks")
    add_passphrase_option(p, "a secured session (every computer of it needs the same passphrase)")
    p.add_argument("--slow-clients", default=None, metavar="POLICY",
                   help="master: what a client too slow for the others gets: catch-up (default: the "
                   "others go at their own pace, it gets what it missed in a further pass), wait "
                   "(everyone at the slowest pace) or drop:RATE (drop it after 10 s below RATE "
                   "bytes/s, e.g. drop:5M)")
    p.add_argument("--no-late-join", dest="late_join", action="store_const", const=False, default=None,
                   help="master: refuse computers that arrive after the transfer has started "
                   "(by default they join and get what they missed in a catch-up pass)")
    p.set_defaults(run=run)


def add_network_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interface", default="0.0.0.0", metavar="ADDR",
                   help="local IPv4 address of the network card to use (default: the system's choice)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"UDP port (default {DEFAULT_PORT})")
    p.add_argument("--ttl", type=int, default=DEFAULT_TTL, help=f"multicast TTL (default {DEFAULT_TTL}: this segment only)")
    p.add_argument("--rate", type=parse_rate, default=None, metavar="BYTES/S",
                   help="master: cap the sending rate, e.g. 50M or 1G (bytes per second)")
    p.add_argument("--mtu", type=int, default=None, metavar="BYTES",
                   help="the largest datagram to use (default: the network card's MTU; the master "
                   "fits blocks to the smallest MTU of all computers in the session)")
    p.add_argument("--json", action="store_true", help="print events as JSON lines")


def parse_rate(text: str) -> float:
    units = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}
    t = text.strip().lower().removesuffix("b/s").removesuffix("/s").removesuffix("b")
    number, unit = (t[:-1], t[-1]) if t and t[-1] in units and t[-1] != "" else (t, "")
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate; write e.g. 50M or 1G (bytes per second)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the rate must be more than 0")
    return value


def settings_from_words(name: str, words: list[str]) -> SessionSettings:
    """The seed's free-order words -> settings; a bad word raises UsageError naming it."""
    s = SessionSettings(name=name)
    given: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        key = key.lower()
        if eq and key in given:
            raise UsageError(f"{key}= is given twice ({given[key]!r} and {word!r}): give it once")
        given[key] = word
        if not eq:
            if key in ROLES:
                if s.role is not None:
                    raise UsageError(f"{word!r}: the role is already {s.role}")
                s.role = key
                continue
            raise UsageError(f"unknown word {word!r}: expected master, client, clients=N, t=MINUTES, from=PATH or to=PATH")
        if key == "clients":
            try:
                s.clients = int(value)
            except ValueError:
                raise UsageError(f"clients={value!r}: give a whole number of clients, e.g. clients=5") from None
            if s.clients < 1:
                raise UsageError(f"clients={value}: at least 1 client")
        elif key == "t":
            try:
                s.timeout_minutes = float(value)
            except ValueError:
                raise UsageError(f"t={value!r}: give minutes as a number, e.g. t=15 or t=0.5") from None
            if not s.timeout_minutes >= 0 or s.timeout_minutes != s.timeout_minutes:
                raise UsageError(f"t={value}: the minutes cannot be negative")
        elif key == "from":
            s.source = _path(word, value)
        elif key == "to":
            s.target = _path(word, value)
        else:
            raise UsageError(f"unknown setting {word!r}: expected clients=, t=, from= or to=")
    if s.timeout_minutes is not None and s.clients is None:
        raise UsageError("t=MINUTES needs clients=N: the master starts when N clients have joined, "
                         "or MINUTES after the last join if fewer come (e.g. clients=5 t=15)")
    if s.role == "client":
        for key in ("clients", "t", "from"):
            if key in given:
                raise UsageError(f"{given[key]!r} applies to the master only; a client takes to=PATH")
    if s.role == "master" and s.target:
        raise UsageError("to= is for clients; the master takes from=PATH")
    return s


def _path(word: str, value: str) -> str:
    if not value:
        raise UsageError(f"{word!r}: give a path after the =")
    return value


# Options that only the master acts on, by the name the user typed, and whether they were given.
MASTER_ONLY_OPTIONS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "--rate": lambda a: a.rate is not None,
    "--slow-clients": lambda a: a.slow_clients is not None,
    "--no-late-join": lambda a: a.late_join is not None,
    "--raw": lambda a: a.raw,
}


def refuse_master_options_on_a_client(args: argparse.Namespace, role: str | None) -> None:
    """A client given --rate or --slow-clients would silently ignore it; the operator meant
    something, so say where it belongs. (--mtu is not here: a client tells the master its MTU.)"""
    if role != "client":
        return
    for option, given in MASTER_ONLY_OPTIONS.items():
        if given(args):
            raise UsageError(f"{option} applies to the master only; leave it out on a client")


def run(args: argparse.Namespace) -> int:
    settings = settings_from_words(args.name, args.words)
    refuse_master_options_on_a_client(args, settings.role)
    settings.interface = args.interface
    settings.port = args.port
    settings.ttl = args.ttl
    settings.rate = args.rate
    settings.mtu = args.mtu
    if args.slow_clients is not None:
        settings.slow_clients = args.slow_clients
    if args.late_join is not None:
        settings.late_join = args.late_join
    settings.confirmed = args.yes
    if args.raw:
        settings.source_options["raw"] = True
    settings.check()
    if settings.target and settings.role != "master":
        check_target_early(settings.target)
    settings.passphrase = passphrase_from(args)
    display = make_display(args.json, role=settings.role)
    display.can_master = settings.source is not None or not settings.target
    display.wanted, display.timeout_minutes = settings.clients, settings.timeout_minutes
    ask = None if args.json else terminal_ask()
    final = asyncio.run(_run(settings, display, ask))
    return finish(final, display)


def terminal_ask() -> Ask | None:
    """A way to ask the operator a question on the terminal, or None when stdin is not one.

    The key reader keeps the terminal in cbreak mode (single keys, no echo); a question wants a
    line, so it is asked in the normal mode and the key mode restored afterwards. Ctrl-C while
    asking interrupts at once (nothing has been written yet)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    if not os.isatty(fd):
        return None

    def ask(question: str) -> str:
        import termios

        saved = termios.tcgetattr(fd)
        line_mode = list(saved)
        line_mode[3] |= termios.ICANON | termios.ECHO
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        termios.tcsetattr(fd, termios.TCSANOW, line_mode)
        try:
            sys.stdout.write(question)
            sys.stdout.flush()
            return os.read(fd, 4096).decode(errors="replace")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            signal.signal(signal.SIGINT, previous)

    return ask


def finish(final: Event, display) -> int:
    display.close()
    if isinstance(final, SessionFinished) and final.all_verified:
        return 0
    if isinstance(final, SessionFailed):
        raise SessionFailedError(final.reason)
    if isinstance(final, SessionFinished):
        reasons = list(final.drop_reasons) + [""] * (len(final.dropped) - len(final.drop_reasons))
        bad = [f"{p.host}: failed" for p in final.failed] + [
            f"{p.host}: dropped ({reason})" if reason else f"{p.host}: dropped"
            for p, reason in zip(final.dropped, reasons, strict=False)]
        raise SessionFailedError(f"{len(final.verified)} verified, " + ", ".join(bad) if bad else "no client verified its copy")
    raise SessionFailedError("the session ended without a result")


async def _run(settings: SessionSettings, display, ask: Ask | None = None) -> Event:
    runner = SessionRunner(settings, display.show, ask=ask)
    display.attach(runner)
    loop = asyncio.get_running_loop()
    with _signals(loop, runner, display), _keys(loop, runner, display):
        return await runner.run()


@contextlib.contextmanager
def _signals(loop: asyncio.AbstractEventLoop, runner: SessionRunner, display) -> Iterator[None]:
    """Ctrl-C or SIGTERM cancels the session (a second one exits at once). SIGTERM comes from
    a program (a service manager, kill), not from the operator: the display says so, since
    the session's own end message speaks of the operator."""
    presses = []

    def interrupt(sig: signal.Signals) -> None:
        presses.append(1)
        if len(presses) > 1:
            os._exit(1)  # second Ctrl-C: the operator insists
        if sig == signal.SIGINT:
            runner.cancel()
            return
        display.note(f"Stopped by a signal ({sig.name}): cancelling the session.")
        runner.cancel(f"the master was stopped by a signal ({sig.name})")

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt, sig)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


# A key on a terminal, or a word on a line when stdin is a pipe (for scripts).
KEY_ACTIONS = {
    "m": "master", "master": "master",
    "s": "start", "start": "start", "\n": "start", "\r": "start",
    "q": "cancel", "cancel": "cancel",
}


@contextlib.contextmanager
def _keys(loop: asyncio.AbstractEventLoop, runner: SessionRunner, display) -> Iterator[None]:
    """m / s / Enter / q from the keyboard (or lines on a pipe: m, start, cancel)."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        yield
        return
    try:
        fd = stdin.fileno()
    except (OSError, ValueError):
        yield
        return
    saved = None
    if os.isatty(fd):
        import termios
        import tty

        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)

    def on_key() -> None:
        try:
            data = os.read(fd, 1024).decode(errors="replace")
        except OSError:
            data = ""
        if not data:
            loop.remove_reader(fd)
            return
        words = list(data) if saved is not None else data.split()
        for word in words:
            action = KEY_ACTIONS.get(word.lower())
            if action == "master":
                display.note(runner.become_master())
            elif action == "start":
                display.note(runner.start_now())
            elif action == "cancel":
                runner.cancel()

    try:
        loop.add_reader(fd, on_key)
    except (OSError, ValueError, PermissionError):
        pass  # e.g. /dev/null or a regular file on stdin: no keys, that's fine
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(fd)
        if saved is not None:
            import termios

            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
