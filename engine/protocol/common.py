"""What the master and client machines share: settings, the outgoing-datagram type, and the
bookkeeping every sans-IO machine needs (an event queue, a datagram queue, drop counters).

Nothing here opens a socket or reads a clock: callers pass `now` (seconds, any monotonic base).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, deque
from dataclasses import dataclass, replace

from .. import wire
from ..events import DatagramDropped, Event

_NUMBERS = re.compile(r"\d+")
MAX_DROP_REASONS = 32
# Seconds of hearing only a master this computer cannot use (secured when it has no passphrase,
# or the reverse) before saying so: one forged announcement must not turn a client away.
VERDICT_AFTER = 2.0

# A block's payload is what is left of the path's MTU after IPv4 (20), UDP (8) and our block
# header, so no block is ever fragmented. The default assumes Ethernet's 1500 bytes; sessions
# size blocks from the interfaces they run on (issue 10).
DEFAULT_MTU = 1500
IP_UDP_OVERHEAD = 28
MIN_MTU, MAX_MTU = 68, 65535  # IPv4's least MTU; the largest an IPv4 packet can be
MIN_BLOCK = MIN_MTU - IP_UDP_OVERHEAD - wire.BLOCK_HEADER_SIZE  # 14 bytes: silly but correct
MAX_BLOCK = wire.MAX_DATAGRAM - wire.BLOCK_HEADER_SIZE
MAX_SLICE_BYTES = 2 << 20  # with big blocks (loopback's 64 KiB), fewer blocks per slice: a
# slice is what a repair covers and what the master keeps per window step


def block_size_for_mtu(mtu: int) -> int:
    """The block payload that fills, and never exceeds, one datagram on a link of this MTU."""
    return max(MIN_BLOCK, min(MAX_BLOCK, mtu - IP_UDP_OVERHEAD - wire.BLOCK_HEADER_SIZE))


def mtu_for_block_size(block_size: int) -> int:
    return block_size + IP_UDP_OVERHEAD + wire.BLOCK_HEADER_SIZE


@dataclass(frozen=True)
class ProtocolConfig:
    """Every knob of the protocol, with defaults for a LAN. Tests shrink the timeouts."""

    block_size: int = block_size_for_mtu(DEFAULT_MTU)
    slice_blocks: int = 128  # data blocks per slice (k); parity indices k..255 repair it
    window_slices: int = 192  # slices the master may send past the slowest client's progress
    readahead_slices: int = 8  # slices the master wants read ahead of its send position
    report_every_slices: int = 8  # a client reports when its progress crosses (its own offset + n*spacing),
    # spacing = this, or more with many clients (see report_spacing): rate control hears the path often
    report_interval: float = 0.5  # ... and at least this often, as a heartbeat (longer with many clients)
    announce_interval: float = 0.5
    join_interval: float = 0.5
    nak_min_delay: float = 0.002  # a slice's stragglers may still be on the way (reordering)
    nak_max_delay: float = 0.010  # ... then NAKs wait a random [0, this) so one can suppress many
    # (stretched with the number of clients, see nak_window)
    nak_retry: float = 0.060  # ask again for a slice still incomplete after this long
    repair_holdoff: float = 0.030  # the master ignores NAKs a repair just sent already covers
    client_timeout: float = 10.0  # a client silent this long is dropped
    master_timeout: float = 10.0  # a master silent this long fails its clients
    end_interval: float = 0.2
    done_interval: float = 0.3
    linger: float = 0.5  # the master answers late DONEs this long after the end
    claim_window: float = 0.5  # undecided participants: claims heard in this window compete
    rate: float | None = None  # bytes/s cap; None: as fast as clients keep up
    initial_rate: float = 8e6  # where start-up begins; it doubles every 50 ms until the path complains
    min_rate: float = 1e5
    burst_datagrams: int = 44  # one GSO send: 44 x 1472 bytes fits a 64 KiB packet
    hold_bytes: int = 1 << 30  # a client catching up holds at most this much it cannot write yet

    def __post_init__(self) -> None:
        if not MIN_BLOCK <= self.block_size <= MAX_BLOCK:
            raise ValueError(f"block size {self.block_size} outside {MIN_BLOCK}..{MAX_BLOCK}")
        if not 1 <= self.slice_blocks <= 255:
            raise ValueError(f"slice of {self.slice_blocks} blocks: use 1..255")
        if self.window_slices < 2 * self.report_every_slices:
            raise ValueError("the window must be at least twice the report spacing")

    @property
    def slice_bytes(self) -> int:
        return self.block_size * self.slice_blocks

    def for_mtu(self, mtu: int) -> ProtocolConfig:
        """This configuration with blocks that fill datagrams on a path of `mtu` bytes."""
        block_size = block_size_for_mtu(mtu)
        slice_blocks = min(self.slice_blocks, max(16, MAX_SLICE_BYTES // block_size))
        return self.sized(block_size, slice_blocks)

    def sized(self, block_size: int, slice_blocks: int) -> ProtocolConfig:
        """This configuration for blocks of `block_size` bytes, `slice_blocks` per slice.

        Reports, the window and read-ahead are counted in slices but mean bytes (how much
        data between two reports, how much the master keeps for repairs), so they scale with
        the slice: jumbo blocks keep the master's memory and the feedback per byte where they
        were. Master and clients both derive their settings this way from what START says.
        """
        if (block_size, slice_blocks) == (self.block_size, self.slice_blocks):
            return self
        factor = block_size * slice_blocks / self.slice_bytes
        report = max(1, round(self.report_every_slices / factor))
        return replace(
            self, block_size=block_size, slice_blocks=slice_blocks, report_every_slices=report,
            window_slices=max(2 * report + 8, round(self.window_slices / factor)),
            readahead_slices=max(2, round(self.readahead_slices / factor)),
            burst_datagrams=max(1, min(self.burst_datagrams * self.block_size // block_size, 64)),
        )

    # Feedback that scales (issue 9): with N clients, each reports every N slices, so the master
    # hears about one report per slice however many there are; heartbeats stretch the same way;
    # NAK timers spread over a window that grows with log N, so suppression works.

    def report_spacing(self, clients: int) -> int:
        """Slices between one client's progress reports when `clients` take part."""
        return max(self.report_every_slices, clients)

    def heartbeat(self, clients: int) -> float:
        """Longest silence of a client while it is transferring."""
        return min(self.client_timeout / 3, max(self.report_interval, clients * 0.006))

    def nak_window(self, clients: int) -> float:
        """The span NAK timers are drawn from."""
        return self.nak_max_delay * (1 + math.log2(max(1, clients)) / 2)

    def window_for(self, clients: int) -> int:
        """Slices the master may run ahead of the slowest client's last report: more than two
        report spacings, or it would stall waiting for reports. (The master keeps that many
        slices for repairs: about 2 x 185 KB per client with a thousand clients.)"""
        return max(self.window_slices, 2 * self.report_spacing(clients) + self.window_slices // 3)


@dataclass(frozen=True)
class Transmit:
    """Bytes for the group. With `segment_size`, `data` holds several datagrams of that size
    back to back (the last may be shorter), ready for one batched (GSO) send."""

    data: bytes | memoryview
    segment_size: int | None = None

    def datagrams(self) -> list[bytes | memoryview]:
        if self.segment_size is None:
            return [self.data]
        view = memoryview(self.data)
        return [view[i : i + self.segment_size] for i in range(0, len(view), self.segment_size)]

    @property
    def count(self) -> int:
        if self.segment_size is None:
            return 1
        return -(-len(self.data) // self.segment_size)


class MachineBase:
    """Queues and counters common to every participant's machine."""

    def __init__(
        self, session_id: bytes, sender: int, config: ProtocolConfig | None, rng: random.Random | None
    ) -> None:
        self.session_id = session_id
        self.sender = sender
        self.config = config or ProtocolConfig()
        self.rng = rng or random.Random()  # tests pass a seeded one: NAK delays, claims, jitter
        self._events: deque[Event] = deque()
        self._outgoing: list[Transmit] = []
        self.dropped: Counter[str] = Counter()  # reason -> datagrams dropped

    # --- for drivers ----------------------------------------------------------------------

    def events(self) -> list[Event]:
        """Every queued event, oldest first."""
        out = list(self._events)
        self._events.clear()
        return out

    # --- for subclasses -------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self._events.append(event)

    def _send(self, kind: wire.Kind, **fields: object) -> None:
        self._outgoing.append(Transmit(wire.build(kind, self.session_id, self.sender, **fields)))

    def _send_presence(self, role: wire.Role, host: str, disk_size: int = 0) -> None:
        """An ANNOUNCE of a participant that is not a master (undecided, or a client waiting):
        who it is, and nothing of a session's image, which only a master has."""
        self._send(wire.Kind.ANNOUNCE, role=role, state=0, host=host[:200], image_name="", stream_format=0,
                   stream_size=wire.UNKNOWN_SIZE, disk_size=disk_size, block_size=0, slice_blocks=0, joined=0,
                   wanted=0, start_in_ms=wire.NO_DEADLINE)

    def _take_control(self) -> list[Transmit]:
        out, self._outgoing = self._outgoing, []
        return out

    def _drop(self, reason: str) -> None:
        """Count a datagram we will not use; tell the user the first time each reason occurs.
        Reasons are counted by their words, numbers left out, and only so many kinds are kept:
        a flood of varied garbage must not grow the counters or the user's screen."""
        reason = _NUMBERS.sub("N", reason)
        if reason not in self.dropped and len(self.dropped) >= MAX_DROP_REASONS:
            reason = "other malformed datagrams"
        self.dropped[reason] += 1
        if self.dropped[reason] == 1:
            self._emit(DatagramDropped(reason, 1))

    def _parse(self, data: bytes | memoryview, now: float) -> wire.Datagram | None:
        """Parse, or count and drop: nothing a network sends can raise out of a machine."""
        try:
            datagram = wire.parse(data)
        except wire.WireError as error:
            self._drop(f"malformed: {error}")
            return None
        if datagram.session_id != self.session_id:
            self._on_foreign(datagram)
            return None
        if datagram.sender == self.sender:
            return None  # our own datagram, looped back
        if datagram.kind is wire.Kind.SEALED:
            self._on_sealed(datagram, now)  # a secured session's: without a passphrase we cannot open it
            return None
        return datagram

    def _on_sealed(self, datagram: wire.Datagram, now: float) -> None:
        self._drop("a secured session's datagram (this computer has no passphrase)")

    def _on_foreign(self, datagram: wire.Datagram) -> None:
        self._drop("another session on this group address")


def sender_hex(sender: int) -> str:
    return f"{sender:08x}"


class SecuredMasterHeard:
    """An open participant (no passphrase) hearing a secured master's announces. It cannot
    open them, so it cannot tell a real master from a forgery: it says "this session is
    secured" only once they have gone on for VERDICT_AFTER (and an open master has not
    answered meanwhile); a stray one, then silence, is forgotten."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.last = 0.0

    def heard(self, now: float) -> None:
        if self.since is None:
            self.since = now
        self.last = now

    @property
    def due(self) -> float | None:
        """When to give the verdict (None: nothing heard)."""
        return None if self.since is None else self.since + VERDICT_AFTER

    def verdict(self, now: float) -> bool:
        """At `due`: True when they go on (say it); False, and forgotten, when they stopped."""
        if now - self.last <= VERDICT_AFTER / 2:
            return True
        self.since = None
        return False
