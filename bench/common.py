"""Plumbing for the benchmarks: sizes, scratch space, an isolated network, and child
processes whose wall time, CPU time and peak memory we measure.

Why these choices:
- The loopback runs happen inside a fresh network namespace (`unshare --net`) when we may
  create one: it has only `lo`, so no packet can leave the machine whatever a program does,
  the other engineers' tests on this host cannot disturb us (or we them), and we may add
  127.0.0.N addresses for udpcast's receivers.
- CPU seconds come from `wait4` (the kernel's own accounting of the child and its threads);
  peak RSS from the kernel's high-water mark (`VmHWM` in /proc/PID/status), read while the
  child runs, because `ru_maxrss` after a vfork/exec may report the parent's size.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

NETNS_ENV = "IMGCAST_BENCH_NETNS"
MiB = 1 << 20
GiB = 1 << 30


class BenchError(Exception):
    """A benchmark could not run; the message says why, in one line."""


def compile_bytecode() -> None:
    """Byte-compile imgcast before measuring: with PYTHONDONTWRITEBYTECODE set (containers, CI),
    every process started would compile the whole tree again, and that would be counted as its CPU."""
    top = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(top / "engine")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)


# --- sizes ------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    """'256M' -> bytes (binary units: K, M, G)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text.lower())
    if not match:
        raise BenchError(f"{text!r} is not a size; write e.g. 256M or 1G")
    number, unit = match.groups()
    return int(float(number) * {"": 1, "k": 1 << 10, "m": MiB, "g": GiB}[unit])


def human(size: float) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.4g} {unit}"
    return f"{size:.0f} B"


# --- isolation --------------------------------------------------------------------------

def in_private_netns() -> bool:
    return os.environ.get(NETNS_ENV) == "1"


def reexec_in_private_netns() -> None:
    """Run this very command again inside a new network namespace holding only `lo`.

    Returns only when that is impossible (not root, no `unshare`): the caller then stays on
    the host's loopback, still with interface 127.0.0.1 and TTL 0.
    """
    if in_private_netns() or os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return
    probe = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True, timeout=10)
    if probe.returncode != 0:
        return
    env = dict(os.environ, **{NETNS_ENV: "1"})
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--net", "--", sys.executable, *sys.argv], env)


def prepare_private_netns(extra_addresses: int) -> None:
    """Bring `lo` up and give it 127.0.0.2.. so each udpcast receiver has an address of its own."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
    for n in range(2, 2 + extra_addresses):
        subprocess.run(["ip", "addr", "add", f"127.0.0.{n}/8", "dev", "lo"], capture_output=True, timeout=10)


def only_loopback_up() -> bool:
    """True when no interface other than lo is up (asked of this namespace, not of /sys)."""
    done = subprocess.run(["ip", "-o", "link", "show", "up"], capture_output=True, text=True, timeout=10)
    names = [line.split(":")[1].strip().split("@")[0] for line in done.stdout.splitlines() if ":" in line]
    return done.returncode == 0 and names == ["lo"]


# --- scratch files ----------------------------------------------------------------------

def scratch_dir(needed: int) -> Path:
    """A temporary folder on tmpfs when it has room (keeps the disk out of the figures)."""
    base = "/dev/shm"
    try:
        free = shutil.disk_usage(base).free
    except OSError:
        free = 0
    parent = base if free > needed + 512 * MiB else None
    return Path(tempfile.mkdtemp(prefix="imgcast-bench-", dir=parent))


def random_file(path: Path, size: int) -> str:
    """Write `size` random bytes; return their SHA-256 (hex)."""
    digest = hashlib.sha256()
    chunk = 4 * MiB
    with open(path, "wb") as out:
        left = size
        while left:
            data = os.urandom(min(chunk, left))
            digest.update(data)
            out.write(data)
            left -= len(data)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while data := f.read(4 * MiB):
            digest.update(data)
    return digest.hexdigest()


# --- measured child processes -----------------------------------------------------------

@dataclass
class Child:
    """One program we started: its times, CPU, peak RSS and output files."""

    name: str
    popen: subprocess.Popen
    stdout: Path
    stderr: Path
    started: float
    ended: float | None = None
    status: int | None = None
    cpu: float = 0.0  # user + system seconds, all threads
    peak_rss: int = 0  # bytes, the kernel's high-water mark
    killed: bool = False

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")

    def failure(self) -> str | None:
        """None when it exited 0; else one line saying how it ended."""
        if self.killed:
            return f"{self.name}: killed after the time limit"
        if self.status == 0:
            return None
        tail = (self.errors().strip().splitlines() or self.output().strip().splitlines() or ["no output"])[-1]
        return f"{self.name}: exit {self.status}: {tail[:200]}"


def spawn(name: str, args: list[str], folder: Path, env: dict[str, str] | None = None) -> Child:
    stdout, stderr = folder / f"{name}.out", folder / f"{name}.err"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        popen = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            env=env, start_new_session=True,  # its own process group: we can kill it and its children
        )
    return Child(name, popen, stdout, stderr, time.monotonic())


def _read_hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def wait_all(children: list[Child], timeout: float, poll: float = 0.01) -> None:
    """Reap every child (recording exit time, status, CPU), killing whatever outlives `timeout`."""
    deadline = time.monotonic() + timeout
    running = list(children)
    while running:
        for child in list(running):
            child.peak_rss = max(child.peak_rss, _read_hwm(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid == 0:
                continue
            child.ended = time.monotonic()
            child.status = os.waitstatus_to_exitcode(status)
            child.popen.returncode = child.status
            child.cpu = usage.ru_utime + usage.ru_stime
            running.remove(child)
        if running and time.monotonic() > deadline:
            for child in running:
                kill(child)
            deadline = time.monotonic() + 5  # then reap them
        elif running:
            time.sleep(poll)


def kill(child: Child) -> None:
    """End one child's process group (the child we started and nothing else)."""
    child.killed = True
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --- udpcast on one host ----------------------------------------------------------------

# udp-receiver binds its multicast sockets without SO_REUSEADDR, so a second receiver on the
# same host fails with "Address already in use". This preloaded bind() sets SO_REUSEADDR
# first (nothing else changes: same packets, same code path), so several receivers can run
# side by side, each on its own 127.0.0.N.
REUSEADDR_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>
int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*next_bind)(int, const struct sockaddr *, socklen_t);
    int one = 1;
    if (!next_bind) next_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return next_bind(fd, addr, len);
}
"""


def build_reuseaddr_shim(folder: Path) -> Path | None:
    """Compile the shim with the system C compiler; None when there is none."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        return None
    source, library = folder / "reuseaddr.c", folder / "reuseaddr.so"
    source.write_text(REUSEADDR_SHIM)
    done = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source), "-ldl"],
                          capture_output=True, timeout=60)
    return library if done.returncode == 0 else None


@dataclass
class RunResult:
    """One whole session: wall time from the first process started to the last receiver verified."""

    tool: str
    clients: int
    size: int
    wall: float = 0.0
    transfer: float | None = None  # the tool's own transfer time, where it says
    verified: int = 0
    master_cpu: float = 0.0
    master_rss: int = 0
    client_cpu: float = 0.0  # the busiest receiver
    client_rss: int = 0  # the largest receiver
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def goodput(self) -> float:
        """MB/s (10^6 bytes) over the whole session; 0 unless every copy verified."""
        if self.error or self.verified != self.clients or self.wall <= 0:
            return 0.0
        return self.size / self.wall / 1e6


# --- disk-like files and timed output ---------------------------------------------------

def mostly_zero_file(path: Path, size: int, zero_fraction: float, block: int = MiB, seed: int = 0) -> str:
    """Write a disk-like file: `zero_fraction` of its `block`-sized blocks zero, the rest random.

    Real disks are mostly empty space; a tool that skips zero runs (imgcast's image stream)
    and one that sends every byte (udpcast) only differ on such a file. Which blocks are zero
    follows from `seed`, so two runs compare the same layout. The first block always holds
    data, as a disk's first MiB (boot code, partition table) does: when that MiB is all zero,
    imgcast's client writes its image-safe data record just below 1 MiB (by design: outside
    every partition), and the copy would no longer equal the source byte for byte. Returns the SHA-256 (hex)."""
    blocks = -(-size // block)
    wanted = min(blocks - 1, round(blocks * zero_fraction))
    zero = set(random.Random(seed).sample(range(1, blocks), wanted)) if wanted > 0 else set()
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for index in range(blocks):
            length = min(block, size - index * block)
            data = bytes(length) if index in zero else os.urandom(length)
            digest.update(data)
            out.write(data)
    return digest.hexdigest()


class LineWatcher:
    """When each line of some children's output first appeared, on this process's monotonic clock.

    imgcast's events carry durations, never clock readings (by design), so to line two
    sessions, or a session and a TCP flow, up on one clock we note when each line shows up in
    the child's output file. One thread polls every `interval` seconds, so the times are good
    to about that; CLOCK_MONOTONIC is the same in every network namespace."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self._files: dict[str, tuple[Path, list[tuple[float, str]]]] = {}
        self._offsets: dict[str, int] = {}
        self._partial: dict[str, bytes] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="line-watcher", daemon=True)

    def watch(self, child: Child) -> Child:
        with self._lock:
            self._files[child.name] = (child.stdout, [])
            self._offsets[child.name] = 0
            self._partial[child.name] = b""
        return child

    def lines(self, name: str) -> list[tuple[float, str]]:
        with self._lock:
            return list(self._files[name][1]) if name in self._files else []

    def __enter__(self) -> LineWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()  # whatever was written after the last poll, stamped now

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def _poll(self) -> None:
        with self._lock:
            for name, (path, lines) in self._files.items():
                try:
                    with open(path, "rb") as f:
                        f.seek(self._offsets[name])
                        data = f.read()
                except OSError:
                    continue
                if not data:
                    continue
                now = time.monotonic()
                self._offsets[name] += len(data)
                *complete, rest = (self._partial[name] + data).split(b"\n")
                self._partial[name] = rest
                lines.extend((now, line.decode(errors="replace")) for line in complete)
