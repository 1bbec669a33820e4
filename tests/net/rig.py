"""A multi-host LAN on one machine, for tests and benchmarks that need link rates and real
multicast between separate hosts (DESIGN.md, "Real networks").

Layout: one network namespace is the switch (a bridge `br0`); every host is a namespace of its
own with one NIC, a veth pair whose other end is a port of the bridge. Each veth pair is
created with its ends directly in their namespaces, so nothing ever appears in the root
namespace: no packet of a test can leave the machine, and a crashed test cannot leave an
interface behind on the real network. Each host's link is shaped with `tc tbf` on both ends:
on the host's NIC (its upload) and on its bridge port (its download, since a bridge port's
egress is the traffic towards the host).

This kernel has no netem, so loss, duplication and reordering come from `fault_shim.c`, which
the rig compiles once per process and LD_PRELOADs into the programs a test starts on a host
with faults (`Host.popen(..., loss=0.02)`).

Usage:

    with Rig([HostSpec("master"), HostSpec("h1", rate="10mbit")]) as rig:
        proc = rig.hosts["h1"].popen(["udp-receiver", ...], loss=0.05)

Everything is torn down when the `with` block ends (also after an exception, and after a
build that failed half-way), and from an atexit hook for a process that never got there.
Namespaces left by a process that was killed outright are removed by the next rig built with
the default prefix.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHIM_SOURCE = Path(__file__).with_name("fault_shim.c")
DEFAULT_PREFIX = "imgrig"
BRIDGE = "br0"
NIC = "eth0"  # every host's NIC has this name inside its own namespace
COMMAND_TIMEOUT = 20.0  # seconds for any one ip/tc/cc call
# tbf passes a packet only if it fits the bucket, and it counts a GSO super-packet with one
# Ethernet + IP + UDP header per segment: 64 KiB of payload in 1472-byte datagrams is
# 44 x 1514 = 66,616 bytes (more with a smaller MTU). Below this, tbf would cut the packet
# into segments in software; the rig's links would then cost CPU that a real NIC does not.
GSO_BURST = 80 * 1024
ETHERNET_HEADER = 14  # what tbf counts per frame besides the IP packet (no FCS, preamble, gap)
IP_UDP_HEADERS = 28

_RATE_UNITS = {
    "": 1, "bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "tbit": 1e12,
    "kibit": 1024, "mibit": 1024**2, "gibit": 1024**3, "tibit": 1024**4,
    "bps": 8, "kbps": 8e3, "mbps": 8e6, "gbps": 8e9, "tbps": 8e12,
    "kibps": 8 * 1024, "mibps": 8 * 1024**2, "gibps": 8 * 1024**3, "tibps": 8 * 1024**4,
}
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,11}")  # "p-" + 12 characters fits IFNAMSIZ (15)


class RigError(RuntimeError):
    """Building or driving the rig failed; the message names the command and its complaint."""


def parse_rate(text: str) -> float:
    """A tc rate ("100mbit", "1.5gbit", "500kbit", "12mbps") as bits per second.

    tc's own units: bit/kbit/mbit/gbit/tbit are powers of 1000, kibit/mibit/... of 1024, and the
    *bps forms are bytes per second; a bare number is bits per second."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", text.lower())
    if not match or match.group(2) not in _RATE_UNITS:
        raise ValueError(f"{text!r} is not a tc rate; write e.g. 100mbit, 1gbit or 500kbit")
    return float(match.group(1)) * _RATE_UNITS[match.group(2)]


def _command(argv: list[str], timeout: float = COMMAND_TIMEOUT, check: bool = True,
             input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run one administrative command; with `check`, a failure is a RigError naming it."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise RigError(f"{' '.join(argv)}: no answer within {timeout:g} s") from None
    except OSError as error:
        raise RigError(f"{' '.join(argv)}: {error.strerror}") from None
    if check and done.returncode != 0:
        complaint = (done.stderr or done.stdout).strip().splitlines()
        raise RigError(f"{' '.join(argv)}: {complaint[0] if complaint else f'exit {done.returncode}'}")
    return done


@functools.cache
def rig_unavailable() -> str | None:
    """None when a rig can be built here; else one line saying why not (a reason to skip).

    Tries the real thing on a small scale: a namespace, a veth pair inside it, a bridge and a
    tbf qdisc, so a kernel without one of them is found out here rather than half-way through
    a test."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the network rig needs root (network namespaces, veth, tc)"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"the network rig needs `{tool}` (iproute2)"
    if _compiler() is None:
        return "the network rig needs a C compiler (cc or gcc) for its loss shim"
    probe = f"{DEFAULT_PREFIX}probe{os.getpid()}"
    try:
        _command(["ip", "netns", "add", probe])
        try:
            _command(["ip", "-n", probe, "link", "add", "probea", "type", "veth", "peer", "name", "probeb"])
            _command(["ip", "-n", probe, "link", "add", "probebr", "type", "bridge"])
            _command(["tc", "-n", probe, "qdisc", "add", "dev", "probea", "root", "tbf", "rate", "1mbit",
                      "burst", "64kb", "latency", "10ms"])
        finally:
            _command(["ip", "netns", "del", probe], check=False)
    except RigError as error:
        return f"the network rig cannot be built here: {error}"
    return None


def _compiler() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


_shim_lock = threading.Lock()
_shim_path: Path | None = None


def build_shim() -> Path:
    """The fault shim, compiled once per process into a temporary folder removed at exit."""
    global _shim_path
    with _shim_lock:
        if _shim_path is not None and _shim_path.exists():
            return _shim_path
        compiler = _compiler()
        if compiler is None:
            raise RigError("no C compiler (cc or gcc) to build the fault shim")
        folder = Path(tempfile.mkdtemp(prefix="imgcast-shim-"))
        atexit.register(shutil.rmtree, folder, True)
        target = folder / "fault_shim.so"
        _command([compiler, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(target), str(SHIM_SOURCE),
                  "-ldl", "-lpthread"], timeout=60)
        _shim_path = target
        return target


@dataclass(frozen=True)
class HostSpec:
    """One host of the rig: its name and the link it has to the switch."""

    name: str  # "master", "h1", ... (short: it becomes part of namespace and port names)
    rate: str | None = "100mbit"  # tc rate of its link, both directions; None: unshaped
    mtu: int = 1500
    queue_ms: float = 20.0  # drop-tail queue of each shaped port, in ms at the link rate (tbf latency)
    multicast_route: bool = True  # False: no route at all off the LAN's subnet (a room's own
    # switch without a gateway), so a socket without IP_MULTICAST_IF has nowhere to send


@dataclass
class Host:
    """A host on the rig: a namespace with one NIC on the rig's LAN."""

    name: str
    netns: str  # namespace name (ip netns)
    address: str  # its IPv4 address on the rig LAN; exists only inside the namespace
    interface: str  # its NIC's name inside the namespace
    rig: Rig = field(repr=False)
    port: str = ""  # the bridge port of its link, in the switch namespace
    spec: HostSpec | None = None

    def command(self, argv: list[str]) -> list[str]:
        """argv run inside this host's namespace (ip netns exec execs it: the pid is argv's)."""
        return ["ip", "netns", "exec", self.netns, *map(str, argv)]

    def fault_env(self, loss: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0, seed: int = 0,
                  stats: Path | None = None, min_size: int = 0) -> dict[str, str]:
        """Environment that LD_PRELOADs the fault shim with these probabilities (per received
        datagram; only datagrams of at least `min_size` bytes); {} when there is nothing to do. `stats`: a file where every process that
        received UDP datagrams appends its counts at exit (read them with read_fault_stats)."""
        for label, value in (("loss", loss), ("duplicate", duplicate), ("reorder", reorder)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{label}={value}: a probability is 0..1")
        if not (loss or duplicate or reorder or stats):
            return {}
        env = {
            "LD_PRELOAD": str(self.rig.shim),
            "IMGCAST_FAULT_LOSS": repr(float(loss)),
            "IMGCAST_FAULT_DUP": repr(float(duplicate)),
            "IMGCAST_FAULT_REORDER": repr(float(reorder)),
            "IMGCAST_FAULT_SEED": str(int(seed)),
            "IMGCAST_FAULT_MIN_SIZE": str(int(min_size)),
        }
        if stats is not None:
            env["IMGCAST_FAULT_STATS"] = str(stats)
        return env

    def _environment(self, env: dict[str, str] | None, faults: dict[str, str]) -> dict[str, str]:
        merged = {**os.environ, **(env or {})}
        if faults.get("LD_PRELOAD") and merged.get("LD_PRELOAD"):
            faults = {**faults, "LD_PRELOAD": f"{faults['LD_PRELOAD']}:{merged['LD_PRELOAD']}"}
        return {**merged, **faults}

    def popen(self, argv: list[str], *, loss: float = 0.0, duplicate: float = 0.0, reorder: float = 0.0,
              seed: int = 0, stats: Path | None = None, env: dict[str, str] | None = None,
              **popen_kwargs: Any) -> subprocess.Popen:
        """Start argv on this host. Its environment is ours, plus `env`, plus the fault shim
        when a probability (or `stats`) is given. The caller owns the process; the rig kills
        whatever is still running in the namespace when it is torn down."""
        environment = self._environment(env, self.fault_env(loss, duplicate, reorder, seed, stats))
        return subprocess.Popen(self.command(argv), env=environment, **popen_kwargs)

    def run(self, argv: list[str], *, timeout: float = 60, loss: float = 0.0, duplicate: float = 0.0,
            reorder: float = 0.0, seed: int = 0, stats: Path | None = None,
            env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess:
        """Run argv on this host to the end (check=False, output captured, text unless
        text=False); past `timeout` it is killed and TimeoutExpired raised, as subprocess.run."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("stdin", subprocess.DEVNULL)
        environment = self._environment(env, self.fault_env(loss, duplicate, reorder, seed, stats))
        return subprocess.run(self.command(argv), env=environment, timeout=timeout, check=False, **kw)

    def snmp(self) -> dict[str, dict[str, int]]:
        """/proc/net/snmp of this namespace: {"Ip": {"FragCreates": 0, ...}, "Udp": {...}, ...}."""
        done = self.run(["cat", "/proc/net/snmp"], timeout=COMMAND_TIMEOUT)
        if done.returncode != 0:
            raise RigError(f"reading /proc/net/snmp on {self.name}: {done.stderr.strip()}")
        return parse_snmp(done.stdout)

    def link_stats(self) -> dict[str, int]:
        """Counters of both ends of this host's link: upload_* from its NIC, download_* from
        its bridge port (bytes, packets, drops, overlimits of the tbf; for an unshaped link the
        interfaces' own tx counters, overlimits 0). Drops are the tbf queue overflowing."""
        stats: dict[str, int] = {}
        for direction, netns, device in (("upload", self.netns, self.interface),
                                         ("download", self.rig.switch_netns, self.port)):
            stats.update({f"{direction}_{key}": value for key, value in _device_counters(netns, device).items()})
        return stats


def parse_snmp(text: str) -> dict[str, dict[str, int]]:
    """The header/value line pairs of /proc/net/snmp as nested dicts."""
    tables: dict[str, dict[str, int]] = {}
    lines = text.splitlines()
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        name, _, keys = header.partition(":")
        value_name, _, numbers = values.partition(":")
        if name != value_name:
            continue
        tables[name] = {key: int(number) for key, number in zip(keys.split(), numbers.split(), strict=False)}
    return tables


def _device_counters(netns: str, device: str) -> dict[str, int]:
    qdiscs = json.loads(_command(["tc", "-n", netns, "-s", "-j", "qdisc", "show", "dev", device]).stdout or "[]")
    root = next((q for q in qdiscs if q.get("root")), None)
    if root is not None and root.get("kind") == "tbf":
        return {key: int(root.get(key, 0)) for key in ("bytes", "packets", "drops", "overlimits")}
    links = json.loads(_command(["ip", "-n", netns, "-s", "-j", "link", "show", "dev", device]).stdout)
    tx = links[0].get("stats64", {}).get("tx", {})
    return {"bytes": int(tx.get("bytes", 0)), "packets": int(tx.get("packets", 0)),
            "drops": int(tx.get("dropped", 0)), "overlimits": 0}


def read_fault_stats(path: Path) -> dict[str, int]:
    """The shim's counts in `path`, summed over the processes that wrote a line; zeros when
    none did (no process received a UDP datagram, or none has exited yet)."""
    totals = {"datagrams": 0, "dropped": 0, "duplicated": 0, "reordered": 0, "gro_buffers": 0}
    with contextlib.suppress(FileNotFoundError):
        for line in Path(path).read_text().splitlines():
            for word in line.split():
                key, _, value = word.partition("=")
                if key in totals:
                    totals[key] += int(value)
    return totals


_live_rigs: set[Rig] = set()
_counter = 0
_counter_lock = threading.Lock()


def _close_live_rigs() -> None:
    for rig in list(_live_rigs):
        rig.close()


atexit.register(_close_live_rigs)


class Rig:
    """The LAN, built on entering the `with` block and removed on leaving it."""

    def __init__(self, hosts: list[HostSpec], *, prefix: str | None = None) -> None:
        if not hosts:
            raise ValueError("a rig needs at least one host")
        names = [spec.name for spec in hosts]
        for name in names:
            if not _NAME.fullmatch(name):
                raise ValueError(f"host name {name!r}: use 1-12 of a-z, 0-9, _ and -, starting with a letter")
        if len(set(names)) != len(names):
            raise ValueError(f"host names must differ: {names}")
        if len(hosts) > 250:
            raise ValueError("a rig has at most 250 hosts (one /24)")
        for spec in hosts:
            if spec.rate is not None:
                parse_rate(spec.rate)
            if not 576 <= spec.mtu <= 65535:
                raise ValueError(f"{spec.name}: MTU {spec.mtu} outside 576..65535")
            if spec.queue_ms <= 0:
                raise ValueError(f"{spec.name}: queue_ms must be positive")
        global _counter
        with _counter_lock:
            _counter += 1
            serial = _counter
        self.specs = list(hosts)
        self.prefix = prefix or DEFAULT_PREFIX
        base = f"{self.prefix}{os.getpid()}-{serial}"
        self.switch_netns = f"{base}.switch"
        self._host_netns = {spec.name: f"{base}-{spec.name}" for spec in hosts}
        # The addresses exist only inside the rig, so rigs could even share a subnet; a random
        # one per rig keeps captures and logs of two rigs apart.
        self.subnet = f"10.231.{random.randrange(1, 255)}"
        self.hosts: dict[str, Host] = {}
        self.shim: Path = SHIM_SOURCE.with_suffix(".so")  # set to the compiled one on entry
        self._created: list[str] = []  # namespaces, in creation order
        self._closed = False

    # --- building ---------------------------------------------------------------------------

    def __enter__(self) -> Rig:
        _live_rigs.add(self)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _add_netns(self, name: str) -> None:
        _command(["ip", "netns", "add", name])
        self._created.append(name)

    def _build(self) -> None:
        self.shim = build_shim()
        if self.prefix == DEFAULT_PREFIX:
            sweep_stale_namespaces()
        switch = self.switch_netns
        self._add_netns(switch)
        # A plain unmanaged switch floods multicast to every port, and so does this bridge
        # with snooping off. With snooping on, the bridge would need an IGMP querier to keep
        # its group table alive; without one, forwarding would hinge on the kernel's timers.
        # Flooding also matches what udpcast and imgcast assume: every host's download link
        # carries the whole stream. No STP: ports forward as soon as they are up.
        _command(["ip", "-n", switch, "link", "add", BRIDGE, "type", "bridge", "mcast_snooping", "0",
                  "stp_state", "0", "forward_delay", "0"])
        for index, spec in enumerate(self.specs):
            netns = self._host_netns[spec.name]
            self._add_netns(netns)
            port = f"p-{spec.name}"
            mtu = str(spec.mtu)
            # both ends are born in their namespaces: nothing passes through the root namespace
            _command(["ip", "link", "add", NIC, "netns", netns, "mtu", mtu, "type", "veth",
                      "peer", "name", port, "netns", switch, "mtu", mtu])
            address = f"{self.subnet}.{index + 2}"
            _command(["ip", "-n", netns, "-batch", "-"], input="\n".join([
                "link set lo up",
                f"link set {NIC} up",
                f"address add {address}/24 broadcast + dev {NIC}",  # udpcast finds its peers by broadcast
                # programs that do not set IP_MULTICAST_IF still send on the rig's LAN
                *([f"route add 224.0.0.0/4 dev {NIC}"] if spec.multicast_route else []),
            ]) + "\n")
            _command(["ip", "netns", "exec", netns, "sysctl", "-q", "-e", "-w",
                      "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                      f"net.ipv4.conf.{NIC}.rp_filter=0",
                      # no IPv6 chatter (router solicitations, MLD) in rate measurements
                      "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])
            _command(["ip", "-n", switch, "link", "set", port, "master", BRIDGE, "up"])
            if spec.rate is not None:
                for ns, device in ((netns, NIC), (switch, port)):
                    _command(["tc", "-n", ns, "qdisc", "add", "dev", device, "root", *_tbf(spec)])
            self.hosts[spec.name] = Host(spec.name, netns, address, NIC, self, port, spec)
        smallest = min(spec.mtu for spec in self.specs)
        _command(["ip", "-n", switch, "link", "set", BRIDGE, "mtu", str(smallest), "up"])
        _command(["ip", "-n", switch, "link", "set", "lo", "up"])

    # --- figures ----------------------------------------------------------------------------

    def payload_rate(self, name: str, mtu: int | None = None) -> float:
        """Bytes/s of UDP payload that host `name`'s link carries in full-size datagrams.

        tbf counts each frame as its IP packet plus the 14-byte Ethernet header (no FCS,
        preamble or gap), so a datagram of mtu - 28 payload bytes costs mtu + 14 bytes of the
        rate: payload = rate / 8 * (mtu - 28) / (mtu + 14). An unshaped link: infinity."""
        spec = self._spec(name)
        if spec.rate is None:
            return math.inf
        size = mtu or spec.mtu
        return parse_rate(spec.rate) / 8 * (size - IP_UDP_HEADERS) / (size + ETHERNET_HEADER)

    def _spec(self, name: str) -> HostSpec:
        for spec in self.specs:
            if spec.name == name:
                return spec
        raise KeyError(f"no host {name!r} on this rig")

    # --- tearing down -----------------------------------------------------------------------

    def close(self) -> None:
        """Kill every process left in the rig's namespaces and delete them (deleting a
        namespace deletes its veth ends and the bridge). Safe to call again."""
        if self._closed:
            return
        self._closed = True
        try:
            # every name this rig may have made, even one whose `ip netns add` was interrupted
            names = [*self._host_netns.values(), self.switch_netns]
            existing = set(_list_namespaces())
            for name in names:
                if name in existing:
                    _remove_namespace(name)
        finally:
            _live_rigs.discard(self)


def _tbf(spec: HostSpec) -> list[str]:
    """tbf arguments for a link: the rate, a bucket of at least GSO_BURST and 4 ms of the
    rate, and `queue_ms` of queue (tbf's latency) before it drops."""
    assert spec.rate is not None
    burst = max(GSO_BURST, int(parse_rate(spec.rate) / 8 / 250))
    return ["tbf", "rate", spec.rate, "burst", str(burst), "latency", f"{max(1, round(spec.queue_ms * 1000))}us"]


def _list_namespaces() -> list[str]:
    done = _command(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def _namespace_pids(name: str) -> list[int]:
    done = _command(["ip", "netns", "pids", name], check=False)
    return [int(word) for word in done.stdout.split() if word.isdigit()]


def _remove_namespace(name: str) -> None:
    """Kill what runs in the namespace (its processes would keep it, and its links, alive),
    then delete it."""
    deadline = time.monotonic() + 5.0
    while True:
        pids = [pid for pid in _namespace_pids(name) if pid != os.getpid()]
        if not pids or time.monotonic() > deadline:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    _command(["ip", "netns", "del", name], check=False)


def sweep_stale_namespaces(prefix: str = DEFAULT_PREFIX) -> list[str]:
    """Delete namespaces a rig of a process that no longer exists left behind (a test run
    killed with SIGKILL never reaches its atexit hook). Returns their names."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-\d+[.-]")
    removed = []
    for name in _list_namespaces():
        match = pattern.match(name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
            continue  # its owner still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        _remove_namespace(name)
        removed.append(name)
    return removed
