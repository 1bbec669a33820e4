"""A rogue participant: it knows the session name (so the session id), not the passphrase.

`Rogue` is a sans-IO machine like the real ones, so the simulator drives it; run as a program it
sends the same forgeries to a real group (loopback, TTL 0, by default; or a rig host's LAN with
--interface ADDR --ttl 1):

    python tests/rogue.py NAME --port P --seconds S --rate DATAGRAMS_PER_S [--random]

What it sends, round robin: announcements as a master (unsealed, and "sealed" with a key of
its own), DATA and PARITY blocks under the real master's sender id once it has heard one,
NAK floods naming every block, ABORTs, and replays of real datagrams it recorded. `--random`:
random bytes instead (a flood of garbage), half of them with a valid header.
"""

from __future__ import annotations

import argparse
import random
import socket
import struct
import sys
import time
from pathlib import Path

try:
    from imgcast.engine import wire
    from imgcast.engine.naming import session_address
    from imgcast.engine.protocol.common import Transmit
    from imgcast.engine.secure.kdf import KdfParams
    from imgcast.engine.secure.seal import Sealer, session_key
except ImportError:  # run as a program from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise

KINDS = ("announce", "sealed-announce", "data", "sealed-data", "parity", "nak", "sealed-nak", "abort",
         "sealed-abort", "replay")


class Rogue:
    closed = False

    def __init__(self, session_id: bytes, *, now: float, rate: float, seed: int = 0, garbage: bool = False,
                 block_size: int = 1446 - wire.SEAL_OVERHEAD, start: float = 0.0, stop: float = float("inf"),
                 kinds: tuple[str, ...] = KINDS) -> None:
        self.session_id = session_id
        self.rng = random.Random(seed)
        self.sender = self.rng.getrandbits(32)
        self.rate = rate
        self.garbage = garbage
        self.block_size = block_size
        self.slice_blocks = 128
        self.master_layout = False
        self.latest = -1  # the newest slice seen of an open session: forgeries go just ahead of it
        self._own: set[int] = set()
        self._own_order: list[int] = []
        self.master: int | None = None  # the real master's sender id, once heard
        self.run = bytes(wire.RUN_SIZE)  # the secured session's run, once heard (forgeries name it)
        self.recorded: list[bytes] = []
        self.sent = 0
        self._next = now + start
        self._stop = stop
        self.kinds = kinds
        self._turn = 0
        # a key of its own: right session id, wrong passphrase
        self._sealer = Sealer(session_key(b"guess", session_id, KdfParams(14, 8, 1)), session_id, self.sender,
                              KdfParams(14, 8, 1))

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        data = bytes(data)
        if hash(data) in self._own:
            return  # our own forgery, looped back: it teaches nothing about the session
        if len(data) >= wire.HEADER_SIZE and data[:4] == wire.MAGIC and data[6:14] == self.session_id:
            if data[5] in (wire.Kind.ANNOUNCE, wire.Kind.DATA) or (
                    data[5] == wire.Kind.SEALED and data[18] in (wire.Kind.ANNOUNCE, wire.Kind.DATA)):
                self.master = int.from_bytes(data[14:18], "big")
                if data[5] == wire.Kind.SEALED and len(data) >= wire.SEALED_HEADER_SIZE:
                    self.run = data[22 : 22 + wire.RUN_SIZE]
            if data[5] == wire.Kind.DATA and len(data) > wire.BLOCK_HEADER_SIZE:  # an open session's layout
                self.latest = max(self.latest, int.from_bytes(data[18:22], "big"))
                self.slice_blocks = max(data[23] + 1, self.slice_blocks if self.master_layout else 0)
                self.block_size, self.master_layout = len(data) - wire.BLOCK_HEADER_SIZE, True
            if data[5] == wire.Kind.ANNOUNCE:  # an open session tells the rogue its block layout
                try:
                    body = wire.parse(data).body
                    self.block_size, self.slice_blocks = body.block_size, body.slice_blocks
                except wire.WireError:
                    pass
            if len(self.recorded) < 2000 and self.rng.random() < 0.2:
                self.recorded.append(data)

    def get_timer(self) -> float | None:
        return self._next if self._next < self._stop else None

    def handle_timer(self, now: float) -> None:
        pass

    def events(self) -> list:
        return []

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        out = []
        while self._next <= now and self._next < self._stop and len(out) < 512:
            self._next += 1.0 / self.rate
            forged = self.forge()
            self._remember(forged)
            out.append(Transmit(forged))
        self.sent += len(out)
        return out

    def _remember(self, data: bytes) -> None:
        self._own.add(hash(data))
        self._own_order.append(hash(data))
        if len(self._own_order) > 8192:
            self._own.discard(self._own_order.pop(0))

    def forge(self) -> bytes:
        rng, sid = self.rng, self.session_id
        if self.garbage:
            junk = rng.randbytes(rng.randrange(1, 1500))
            if rng.random() < 0.5:
                head = struct.pack("!4sBB8sI", wire.MAGIC, wire.PROTOCOL_VERSION, rng.randrange(1, 16), sid,
                                   self.master or self.sender)
                junk = head + junk
            return junk
        kind = self.kinds[self._turn % len(self.kinds)]
        self._turn += 1
        master = self.master if self.master is not None else self.sender
        if kind in ("announce", "sealed-announce"):
            d = wire.build(wire.Kind.ANNOUNCE, sid, self.sender, role=1, state=1, host="rogue", image_name="evil",
                           stream_format=0, stream_size=1 << 20, disk_size=1 << 20, block_size=self.block_size,
                           slice_blocks=128, joined=0, wanted=0, start_in_ms=wire.NO_DEADLINE)
            return self._sealer.seal(d) if kind.startswith("sealed") else d
        if kind in ("data", "sealed-data", "parity"):
            k = self.slice_blocks
            number = self.latest + rng.randrange(1, 4) if self.latest >= 0 else rng.randrange(0, 256)
            index = rng.randrange(0, k)
            kind_no = wire.Kind.PARITY if kind == "parity" else wire.Kind.DATA
            if kind == "parity":
                index = k + rng.randrange(0, 256 - k)
            d = wire.build_block(kind_no, sid, master, number, index, k, 0, rng.randbytes(self.block_size))
            if kind == "sealed-data":  # under the master's id and run, with a made-up counter
                d = wire.SEALED_HEADER.pack(wire.MAGIC, wire.PROTOCOL_VERSION, wire.Kind.SEALED, sid, master,
                                            wire.Kind.DATA, 15, 8, 1, self.run, rng.getrandbits(64)) + rng.randbytes(
                                                self.block_size + 26 - 18 + 16)
            return d
        if kind in ("nak", "sealed-nak"):
            entries = [{"slice": rng.randrange(0, 64), "missing": 128, "bitmap": b"\xff" * 32} for _ in range(36)]
            d = wire.build(wire.Kind.NAK, sid, self.sender, entries=entries)
            return self._sealer.seal(d) if kind.startswith("sealed") else d
        if kind in ("abort", "sealed-abort"):
            d = wire.build(wire.Kind.ABORT, sid, master, reason="rogue says stop")
            if kind.startswith("sealed"):
                d = self._sealer.seal(wire.build(wire.Kind.ABORT, sid, self.sender, reason="stop"))
            return d
        return self.recorded[rng.randrange(len(self.recorded))] if self.recorded else b"IMGC"


class Recorder:
    """Hears everything and sends nothing: a recording of a whole run (when, what), to replay."""

    closed = False

    def __init__(self) -> None:
        self.heard: list[tuple[float, bytes]] = []

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        self.heard.append((now, bytes(data)))

    def get_timer(self) -> None:
        return None

    def handle_timer(self, now: float) -> None:
        pass

    def events(self) -> list:
        return []

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        return []


class Replayer(Recorder):
    """Plays a recording back from `start`, at the pace it was recorded, `times` over."""

    def __init__(self, recording: list[tuple[float, bytes]], *, start: float, times: int = 1) -> None:
        super().__init__()
        first, last = recording[0][0], recording[-1][0]
        span = last - first + 0.01
        self._queue = [(start + n * span + at - first, data) for n in range(times) for at, data in recording]
        self.sent = 0

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        pass

    def get_timer(self) -> float | None:
        return self._queue[self.sent][0] if self.sent < len(self._queue) else None

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        out = []
        while self.sent < len(self._queue) and self._queue[self.sent][0] <= now and len(out) < 512:
            out.append(Transmit(self._queue[self.sent][1]))
            self.sent += 1
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--kinds", default=",".join(KINDS), help="what to forge, comma-separated")
    parser.add_argument("--interface", default="127.0.0.1", help="local address of the interface to use")
    parser.add_argument("--ttl", type=int, default=0, help="0 on loopback; 1 on the rig's LAN")
    args = parser.parse_args()
    address = session_address(args.name)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", args.port))
    if args.ttl not in (0, 1):
        parser.error("--ttl 0 or 1: the rogue never leaves the segment")
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(args.interface))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, args.ttl)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    socket.inet_aton(address.group) + socket.inet_aton(args.interface))
    sock.setblocking(False)
    start = time.monotonic()
    rogue = Rogue(address.session_id, now=0.0, rate=args.rate, garbage=args.random, seed=int(start),
                  kinds=tuple(args.kinds.split(",")))
    while (now := time.monotonic() - start) < args.seconds:
        for _ in range(256):
            try:
                data, source = sock.recvfrom(65536)
            except BlockingIOError:
                break
            rogue.receive_datagram(data, source, now)
        for transmit in rogue.datagrams_to_send(now):
            try:
                sock.sendto(transmit.data, (address.group, args.port))
            except (BlockingIOError, OSError):
                pass
        time.sleep(0.001)
    print(rogue.sent, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
