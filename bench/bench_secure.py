"""Secured sessions against open ones: the figures issue 12 asks for, in one run.

    .venv/bin/python bench/bench_secure.py [--size 256M] [--runs 1] [--only goodput|rogue|wire]

1. Goodput, loopback, real processes (`img session` master + 1 and 3 clients), the same file
   open and secured (--passphrase-file), alternately; goodput = bytes / whole-session wall time
   (first process started -> last receiver exited with its copy verified), every copy checked.
2. Rogue: a secured session with and without tests/rogue.py on the group (forged announcements,
   data, parity, NAK floods, ABORTs, replays; no key), and with a random-datagram flood at 10x
   the data rate; each rate-capped so its length is the cap's, not the CPU's.
3. Wire: every datagram of a secured session captured by a listener on the group; no 16-byte run
   of the source appears in it (the same capture of an open session, as a control, does show them).

Loopback only: interface 127.0.0.1, TTL 0. Prints a table; asserts nothing (tests/ does that).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from bench_session import img_transfer_seconds
from common import (
    MiB,
    compile_bytecode,
    file_sha256,
    human,
    kill,
    parse_size,
    random_file,
    scratch_dir,
    spawn,
    wait_all,
)
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
IMG = [sys.executable, "-m", "imgcast.engine.cli.main"]
ROGUE = REPO / "tests" / "rogue.py"
console = Console(width=None if sys.stdout.isatty() else 160)


class SessionRun(NamedTuple):
    wall: float
    verified: int
    problem: str | None
    transfer: float | None  # the master's own clock, START to the last verdict
    cpu: float


def session(folder: Path, source: Path, clients: int, *, secret: Path | None, rate: str | None = None,
            port: int, name: str | None = None, timeout: float = 600.0) -> SessionRun:
    """One session of separate processes: wall seconds, copies verified, the first failure, the
    master's transfer seconds and every process's CPU seconds."""
    name = name or f"bench-{os.getpid()}-{random.randrange(1 << 30)}"
    common = ["--interface", "127.0.0.1", "--ttl", "0", "--port", str(port), "--json"]
    if secret is not None:
        common += ["--passphrase-file", str(secret)]
    if rate:
        common += ["--rate", rate]
    targets = [folder / f"target-{i}.bin" for i in range(clients)]
    children = [spawn("master", [*IMG, "session", name, "master", f"clients={clients}", f"from={source}", *common],
                      folder)]
    children += [spawn(f"client-{i}", [*IMG, "session", name, "client", f"to={t}", *common], folder)
                 for i, t in enumerate(targets)]
    try:
        wait_all(children, timeout)
        wall = max(c.ended for c in children[1:]) - children[0].started  # type: ignore[type-var]
        problems = [p for c in children if (p := c.failure())]
        want = file_sha256(source)
        verified = sum(1 for t in targets if t.exists() and file_sha256(t) == want)
        return SessionRun(wall, verified, problems[0] if problems else None,
                          img_transfer_seconds(children[0].output()), sum(c.cpu for c in children))
    finally:
        for child in children:
            if child.ended is None:
                kill(child)
        for target in targets:
            target.unlink(missing_ok=True)


def goodput(folder: Path, size: int, runs: int, secret: Path) -> None:
    """Open and secured sessions alternately; medians of `runs`. The whole session counts (as the
    target does), and the transfer alone and the CPU are shown beside it: a secured session
    pays a fixed start-up cost (each process derives the key with scrypt) that a bigger image
    hides, and a per-byte cost (AES-GCM) that it does not."""
    source = folder / "source.bin"
    random_file(source, size)
    table = Table(title=f"Secured vs open, loopback, {human(size)}, medians of {runs}")
    for column in ("clients", "open MB/s", "secured MB/s", "secured / open", "target",
                   "transfer: secured / open", "CPU s open", "CPU s secured"):
        table.add_column(column)
    for clients in (1, 3):
        seen: dict[str, list[tuple[float, float, float]]] = {"open": [], "secured": []}
        notes = []
        for _ in range(runs):
            for kind in ("open", "secured"):
                run = session(folder, source, clients, secret=secret if kind == "secured" else None,
                              port=20000 + random.randrange(20000))
                if run.problem or run.verified != clients:
                    notes.append(f"{kind}: {run.problem or f'{run.verified}/{clients} verified'}")
                    continue
                seen[kind].append((size / run.wall / 1e6, size / run.transfer / 1e6 if run.transfer else 0.0, run.cpu))
        med = {k: [statistics.median(col) for col in zip(*v, strict=True)] if v else [0.0, 0.0, 0.0]
               for k, v in seen.items()}
        ratio = med["secured"][0] / med["open"][0] if med["open"][0] else 0.0
        transfer_ratio = med["secured"][1] / med["open"][1] if med["open"][1] else 0.0
        table.add_row(str(clients), f"{med['open'][0]:.1f}", f"{med['secured'][0]:.1f}", f"{ratio:.2f}x", ">= 0.85x",
                      f"{transfer_ratio:.2f}x", f"{med['open'][2]:.2f}", f"{med['secured'][2]:.2f}")
        for note in notes:
            console.print(f"[red]{note}[/]")
    console.print(table)
    source.unlink(missing_ok=True)


def rogue(folder: Path, secret: Path, rate_mb: float, rogue_rate: float, runs: int) -> None:
    source = folder / "rogue-source.bin"
    size = int(rate_mb * 1e6 * 8)  # eight seconds at the cap
    random_file(source, size)
    table = Table(title=f"Rogue participants, secured session, 2 clients, {human(size)} capped at {rate_mb:g} MB/s")
    for column in ("run", f"session s (best of {runs})", "vs calm", "verified", "target"):
        table.add_column(column)
    cases = [("calm", []), (f"rogue {rogue_rate:g}/s (forgeries, replays)", [f"{rogue_rate}"]),
             (f"random flood {10 * rate_mb * 1e6 / 1446:,.0f}/s (10x data)", [f"{10 * rate_mb * 1e6 / 1446}", "--random"])]
    calm = None
    for label, extra in cases:
        best, verified_all, problem = None, True, None
        for _ in range(runs):
            name = f"rogue-{os.getpid()}-{random.randrange(1 << 30)}"
            port = 20000 + random.randrange(20000)
            attacker = None
            if extra:
                attacker = subprocess.Popen([sys.executable, str(ROGUE), name, "--port", str(port), "--seconds", "120",
                                             "--rate", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wall, verified, problem, *_ = session(folder, source, 2, secret=secret, rate=f"{rate_mb}M", port=port,
                                                  name=name)
            finally:
                if attacker is not None:
                    attacker.kill()
                    attacker.wait()
            verified_all &= verified == 2 and problem is None
            best = wall if best is None else min(best, wall)
        calm = calm or best
        table.add_row(label, f"{best:.2f}", f"{best / calm:.2f}x", "yes" if verified_all else f"no: {problem}",
                      "<= 1.10x" if "rogue" in label else ("finishes" if "flood" in label else ""))
    console.print(table)
    source.unlink(missing_ok=True)


def capture(group: str, port: int, stop: threading.Event, into: list[bytes]) -> threading.Thread:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.bind(("", port))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton("127.0.0.1"))
    sock.settimeout(0.1)

    def run() -> None:
        while not stop.is_set():
            try:
                into.append(sock.recv(65536))
            except TimeoutError:
                continue
        sock.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def plaintext_runs_seen(source: bytes, datagrams: list[bytes], run: int = 16) -> int:
    """How many captured positions start a `run`-byte run of the source (every source offset)."""
    grams = {source[i:i + run] for i in range(len(source) - run + 1)}
    seen = 0
    for d in datagrams:
        seen += sum(1 for i in range(len(d) - run + 1) if d[i:i + run] in grams)
    return seen


def wire(folder: Path, secret: Path) -> None:
    from imgcast.engine.naming import session_address

    source = folder / "wire-source.bin"
    random_file(source, MiB)  # random: the image stream keeps it verbatim (zstd cannot shrink it)
    data = source.read_bytes()
    table = Table(title="Wire capture: 16-byte runs of the source in every datagram of a session (1 MiB)")
    for column in ("session", "datagrams captured", "bytes", "source runs found", "target"):
        table.add_column(column)
    for kind in ("open (control)", "secured"):
        name = f"wire-{os.getpid()}-{random.randrange(1 << 30)}"
        port = 20000 + random.randrange(20000)
        captured: list[bytes] = []
        stop = threading.Event()
        thread = capture(session_address(name).group, port, stop, captured)
        time.sleep(0.2)
        _, verified, problem, *_ = session(folder, source, 1, secret=secret if kind == "secured" else None, port=port,
                                       name=name, rate="8M")
        time.sleep(0.3)
        stop.set()
        thread.join()
        found = plaintext_runs_seen(data, captured)
        table.add_row(kind, f"{len(captured):,}", human(sum(map(len, captured))), f"{found:,}",
                      "0" if kind == "secured" else "many (the check works)")
        if problem or verified != 1:
            console.print(f"[red]{kind}: {problem or 'not verified'}[/]")
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=256 * MiB)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=("goodput", "rogue", "wire"))
    parser.add_argument("--rogue-rate", type=float, default=1000.0, help="forged datagrams per second")
    parser.add_argument("--capped", type=float, default=8.0, help="MB/s of the rogue sessions")
    args = parser.parse_args()
    compile_bytecode()  # every process would compile imgcast again at start (PYTHONDONTWRITEBYTECODE)
    folder = scratch_dir(args.size * 5)
    secret = folder / "passphrase"
    secret.write_text("bench passphrase\n")
    secret.chmod(0o600)
    try:
        if args.only in (None, "goodput"):
            goodput(folder, args.size, args.runs, secret)
        if args.only in (None, "rogue"):
            rogue(folder, secret, args.capped, args.rogue_rate, args.runs)
        if args.only in (None, "wire"):
            wire(folder, secret)
    finally:
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
