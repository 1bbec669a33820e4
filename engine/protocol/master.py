"""The master's side of a session, as a state machine with no I/O.

Phases: LOBBY (announce, accept joins, decide when to start), TRANSFER (send slices, repair
what clients report missing, keep within a window of the slowest client), ENDING (announce the
end and the SHA-256, collect each client's verdict; a catch-up pass may still begin), then
closed.

Passes (issue 11). The transfer is one or more passes. Pass 1 sends the whole stream, paced
and windowed for its members: every client that joined in the lobby. Under the catch-up and
drop policies (policy.py) a member that cannot keep up leaves the pass; it becomes a follower,
like a client that joins while the transfer runs: it keeps what it receives and tells the
master which slices it still lacks (NEED). Once a pass has been sent, the followers become
the members of the next pass, which sends only the slices they lack (read again from the
source), paced for them. Why after, not interleaved: on a multicast segment every datagram
reaches every port, and a slow or late client's link is already full with the pass under way;
interleaving would slow the fast clients without speeding the slow one.

The driver feeds it source slices (`wants_slices` / `add_slice` / `end_of_stream`), datagrams
(`receive_datagram`) and timer ticks (`handle_timer`), and drains `datagrams_to_send` and
`events`. Every decision (start now? who is missing? parity or resend? drop this client?)
happens here and can be tested with a fake clock.
"""

from __future__ import annotations

import bisect
import random
import struct
from dataclasses import dataclass
from enum import Enum

from .. import wire
from ..events import (
    CaughtUp,
    ClientCatchingUp,
    ClientDropped,
    ClientFailed,
    ClientJoined,
    ClientLeft,
    ClientProgress,
    ClientVerified,
    CollisionDetected,
    LobbyOpened,
    PaceSetBy,
    PassStarted,
    Peer,
    Progress,
    SessionFailed,
    SessionFinished,
    StartScheduled,
    TransferStarted,
)
from ..stream.base import StreamFormat
from . import fec
from .common import MIN_MTU, MachineBase, ProtocolConfig, Transmit, mtu_for_block_size, sender_hex
from .pacing import STRAGGLER, RateController
from .policy import DROP_AFTER, SlowPolicy

_BLOCK_KINDS = (int(wire.Kind.DATA), int(wire.Kind.PARITY))
TICK = 0.1  # housekeeping: silence checks, progress events, rate changes
MAX_RATE = 20e9
PACING_QUANTUM = 0.004  # seconds of sending per wake-up at most: pacing is smooth, yet the
# master wakes a few hundred times a second, not once per datagram (CPU follows bytes moved)
WAKE_LATENESS = 0.001  # a driver sleeps whole milliseconds (epoll rounds up): sending allowance
# accrues over at least two of them, or a fast master woken late would lose the difference
_STAMP = struct.Struct("!H")
ALL = 1 << 62  # "to the end of the stream", in slice ranges
PACE_CUTS, PACE_SHARE = 3, 0.8  # wait policy: a client that caused this many slow-downs, and this share, sets the pace
WINDOW_STALL = 3.0  # catch-up/drop: a member that holds the window shut this long leaves the pass
ANSWER_GAP = 0.05  # seconds between announces made for clients that started waiting (a flood of them costs little)


class Phase(Enum):
    LOBBY = "lobby"
    TRANSFER = "transfer"
    ENDING = "ending"
    CLOSED = "closed"


@dataclass
class ClientRecord:
    peer: Peer
    last_heard: float
    state: str = "lobby"  # lobby | joining (late, until it reports) | active | verified | failed | dropped
    watermark: int = 0
    done: int = 0
    lost: int = 0
    repaired: int = 0
    reason: str = ""
    mtu: int = 0  # of the client's interface, from its JOIN (0: not said)
    pass_no: int = 1  # the pass it is a member of; 0: a follower, waiting for the next pass
    late: bool = False  # joined while the transfer ran
    behind_since: float | None = None  # when it fell behind or joined late
    needs: list[tuple[int, int]] | None = None  # [first, end) slice ranges it lacks (its last NEED)
    rate: float = 0.0  # bytes/s of blocks it receives, from its reports
    heard: tuple[int, int] | None = None  # (received, clock_ms) of its last report
    slow_since: float | None = None  # drop policy: below the drop rate since then
    verdict_at: float = 0.0


@dataclass
class SliceRecord:
    """A slice ready to send: its k datagrams pre-built back to back in one buffer."""

    number: int
    k: int
    wire: bytearray  # stamped in place as each block goes out
    parity_next: int = 0  # next unused parity share number
    repaired_at: float = -1e9
    repaired_count: int = 0
    sent: bool = False  # every data block has gone out (in the pass that read it)
    pass_no: int = 1  # the pass that read it


@dataclass
class RepairRequest:
    count: int = 0
    bitmap: int = 0  # union of reported missing data blocks
    reported: bool = False


@dataclass
class MasterStats:
    data_datagrams: int = 0
    repair_datagrams: int = 0
    feedback_datagrams: int = 0
    naks: int = 0
    lost_reported: int = 0


class Master(MachineBase):
    def __init__(
        self,
        session_id: bytes,
        sender: int,
        *,
        now: float,
        host: str,
        group: str = "",
        port: int = 0,
        stream_format: StreamFormat = StreamFormat.RAW,
        stream_size: int | None,
        disk_size: int,
        image_name: str = "",
        wanted: int | None = None,
        lobby_timeout: float | None = None,
        config: ProtocolConfig | None = None,
        rng: random.Random | None = None,
        mtu: int | None = None,
        slow_policy: SlowPolicy | None = None,
        late_join: bool = True,
    ) -> None:
        super().__init__(session_id, sender, config, rng)
        fec.coder()  # chosen now (libisal loaded and checked), not at the first loss mid-transfer
        self.slow_policy = slow_policy or SlowPolicy()
        self.late_join = late_join
        # The largest datagram the master's side of the path takes (its interface, or --mtu);
        # the transfer's blocks fit the least of this and every client's MTU (decided at START).
        self.mtu = mtu or mtu_for_block_size(self.config.block_size)
        self.path_mtu = self.mtu  # the least MTU of the session, once the transfer starts
        self.host = host
        self.stream_format = stream_format
        self.stream_size = stream_size
        self.disk_size = disk_size
        self.image_name = image_name
        self.wanted = wanted
        self.lobby_timeout = lobby_timeout
        self.phase = Phase.LOBBY
        self.clients: dict[int, ClientRecord] = {}
        self.stats = MasterStats()
        self._start_deadline: float | None = None
        self._next_announce = now
        self._last_announce = -ANSWER_GAP
        self._next_tick = now + TICK
        self._started_at = now
        # passes
        self._pass = 1
        self._ranges: list[tuple[int, int]] = [(0, ALL)]  # the slices this pass sends
        self._range_base: list[int] = [0]  # slices of the pass before each range
        self._pass_sent = False
        self._last_sent_pass = 0
        self._total: int | None = None  # slices in the stream, once read to its end
        self._stalled_since: float | None = None
        self._best_rate = 0.0  # the best receive rate any client reported (drop policy)
        self._pace_setter: str | None = None  # wait policy: the client named as setting everyone's pace
        # transfer state
        self._slices: dict[int, SliceRecord] = {}
        self._fed = 0
        self._fed_bytes = 0
        self._eof = False
        self._sha256 = b""
        self._send_slice = 0
        self._send_index = 0
        self._repairs: dict[int, RepairRequest] = {}
        self._min_watermark = 0
        self._window = self.config.window_slices
        self._segment = wire.BLOCK_HEADER_SIZE + self.config.block_size
        self._sender_bytes = sender.to_bytes(4, "big")
        # rate control
        self.pacer = self._new_pacer(now)
        self._tokens = float(self._segment * self.config.burst_datagrams)
        self._tokens_at = now
        self._progress_last = (now, 0)
        self._recent_rate = 0.0
        self._next_end = 0.0
        self._close_at: float | None = None
        self._ack_pending = False
        self._collisions: set[bytes | int] = set()
        self._emit(LobbyOpened(group, port, session_id.hex(), stream_size, disk_size))

    # --- queries --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.phase is Phase.CLOSED

    @property
    def rate(self) -> float:
        """The sending rate now, bytes/s (the pacer's answer)."""
        return self.pacer.rate

    def _new_pacer(self, now: float, known: float | None = None) -> RateController:
        cfg = self.config
        return RateController(now=now, initial=min(cfg.rate or MAX_RATE, cfg.initial_rate), floor=cfg.min_rate,
                              cap=cfg.rate, segment=self._segment, known=known,
                              leave_stragglers=self.slow_policy.defers, members=max(1, len(self._members())))

    @property
    def participants(self) -> list[ClientRecord]:
        return [r for r in self.clients.values() if r.state != "lobby" or self.phase is Phase.LOBBY]

    @property
    def start_deadline(self) -> float | None:
        """When the lobby closes by itself (t=MINUTES after the last join), if it will."""
        return self._start_deadline

    @property
    def source_pass(self) -> int:
        """The pass the source is read for: when it changes, the driver reads the source again
        from its start, for the slices of `pass_ranges` only."""
        return self._pass

    @property
    def next_slice(self) -> int:
        """The number of the slice `add_slice` takes next."""
        return self._fed

    @property
    def pass_ranges(self) -> list[tuple[int, int]]:
        """[first, end) slice ranges this pass sends, in order (pass 1: the whole stream)."""
        return list(self._ranges)

    def wants_slices(self) -> int:
        """How many more source slices the master can take now without passing its window.
        None before the transfer starts: the slice size is decided then."""
        if self.closed or self.phase is not Phase.TRANSFER or self._source_done:
            return 0
        pos = self._position
        limit = min(
            pos(self._min_watermark) + self._window,
            pos(self._send_slice) + self.config.readahead_slices,
        )
        return max(0, limit - pos(self._fed))

    @property
    def _source_done(self) -> bool:
        return self._eof if self._pass == 1 else self._fed >= self._ranges[-1][1]

    def _position(self, number: int) -> int:
        """Slices of this pass before slice `number`: the window counts what the pass sends,
        not the slices it skips."""
        if self._pass == 1:
            return number
        at = bisect.bisect_right(self._ranges, (number, ALL + 1)) - 1
        if at < 0:
            return 0
        first, end = self._ranges[at]
        return self._range_base[at] + min(number, end) - first

    def _next_in_pass(self, number: int) -> int:
        """The first slice at or after `number` that this pass sends (past its end: the end)."""
        ranges = self._ranges
        at = bisect.bisect_right(ranges, (number, ALL + 1)) - 1
        if at >= 0 and number < ranges[at][1]:
            return number
        return ranges[at + 1][0] if at + 1 < len(ranges) else ranges[-1][1]

    # --- operator actions -----------------------------------------------------------------

    def start_now(self, now: float) -> str | None:
        """Close the lobby now; returns why it cannot (no client yet), or None."""
        if self.phase is not Phase.LOBBY:
            return "the session has already started"
        if not self.clients:
            return "no client has joined yet"
        self._start(now)
        return None

    def abort(self, reason: str, now: float, *, by_operator: bool = True) -> None:
        """End the session for everyone (Ctrl-C, Cancel, or a fault here): clients fail with `reason`."""
        if self.closed:
            return
        for _ in range(3):
            self._send(wire.Kind.ABORT, reason=reason[:250])
        self.phase = Phase.CLOSED
        self._emit(SessionFailed(f"the session was cancelled: {reason}" if by_operator else reason))

    # --- source ---------------------------------------------------------------------------

    def add_slice(self, data: bytes | memoryview, number: int | None = None) -> None:
        """The next slice the pass wants (`number`, by default the next one of the stream):
        block_size * slice_blocks bytes, or fewer at the end."""
        cfg = self.config
        if not 0 < len(data) <= cfg.slice_bytes:
            raise ValueError(f"slice of {len(data)} bytes; expected 1..{cfg.slice_bytes}")
        if number is not None and number != self._fed:
            raise ValueError(f"slice {number} given; the pass wants slice {self._fed}")
        k = -(-len(data) // cfg.block_size)
        number = self._fed
        bs, header, view = cfg.block_size, wire.block_header, memoryview(data)
        parts: list[bytes | memoryview] = []
        for i in range(k):
            parts.append(header(wire.Kind.DATA, self.session_id, self.sender, number, i, k))
            parts.append(view[i * bs : (i + 1) * bs])
        short = k * bs - len(data)
        if short:
            parts.append(bytes(short))  # the last block is padded to full size for the erasure code
        buf = bytearray().join(parts)  # one copy into the buffer every send and repair of the slice reads
        self._slices[number] = SliceRecord(number, k, buf, parity_next=k, pass_no=self._pass)
        self._fed = self._next_in_pass(number + 1)
        if self._pass == 1:
            self._fed_bytes += len(data)

    def end_of_stream(self, sha256: bytes) -> None:
        """No more slices; `sha256` is the whole stream's digest, which clients check. (Only
        the first pass reads the source to its end; later ones stop after their last slice.)"""
        if self._eof:
            return
        self._eof = True
        self._sha256 = sha256
        self.stream_size = self._fed_bytes
        self._total = self._fed

    # --- input ----------------------------------------------------------------------------

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        if len(data) >= wire.HEADER_SIZE and data[5] in _BLOCK_KINDS and data[14:18] == self._sender_bytes:
            return  # our own blocks, looped back to this host for local clients: skip the parse
        datagram = self._parse(data, now)
        if datagram is None:
            return
        kind, body = datagram.kind, datagram.body
        if kind is wire.Kind.ANNOUNCE:
            if body.role == wire.Role.MASTER:
                self._collision(datagram.sender, datagram.session_id, address, "another master announces this session")
            elif body.role == wire.Role.WAITING:
                self._answer_waiting(now)
            return
        if kind in (wire.Kind.DATA, wire.Kind.PARITY, wire.Kind.START, wire.Kind.END, wire.Kind.ACK):
            self._collision(datagram.sender, datagram.session_id, address, "")
            return
        if kind is wire.Kind.CLAIM or kind is wire.Kind.ACCEPT:
            return
        self.stats.feedback_datagrams += 1
        if kind is wire.Kind.JOIN:
            self._on_join(datagram.sender, body, address, now)
            return
        record = self.clients.get(datagram.sender)
        if record is None:
            self._drop("feedback from a computer that has not joined")
            return
        if record.state == "dropped":
            if now - record.last_heard >= 0.2:  # it still talks: it missed that it was dropped
                record.last_heard = now
                self._tell_dropped(record)
            return
        record.last_heard = now
        if record.state == "joining":
            self._welcome_late(record, now)
        if kind is wire.Kind.REPORT:
            self._on_report(record, body, now)
        elif kind is wire.Kind.NAK:
            if record.pass_no:  # followers get what they lack in the next pass, not now
                self._on_nak(body, now, record.pass_no)
        elif kind is wire.Kind.NEED:
            self._on_need(record, body)
        elif kind is wire.Kind.DONE:
            self._on_done(record, body, now)
        elif kind is wire.Kind.ABORT:
            self._lose(record, "left the session", now)

    def _on_foreign(self, datagram: wire.Datagram) -> None:
        super()._on_foreign(datagram)
        if datagram.kind is wire.Kind.ANNOUNCE and datagram.body.role == wire.Role.MASTER:
            self._collision(datagram.sender, datagram.session_id, ("", 0), "")

    def _collision(self, sender: int, session_id: bytes, address: tuple[str, int], _note: str) -> None:
        key = session_id if session_id != self.session_id else sender
        if key in self._collisions:
            return
        self._collisions.add(key)
        self._emit(CollisionDetected(session_id.hex(), sender_hex(sender), address[0]))

    def _on_join(self, sender: int, body: object, address: tuple[str, int], now: float) -> None:
        record = self.clients.get(sender)
        capacity = None if body.capacity == wire.UNKNOWN_SIZE else body.capacity  # type: ignore[attr-defined]
        if record is None:
            refusal = self._refusal(capacity, body.mtu)  # type: ignore[attr-defined]
            if refusal:
                self._send(wire.Kind.ACCEPT, client=sender, accepted=False, reason=refusal)
                return
            peer = Peer(sender_hex(sender), body.host, address[0], capacity)  # type: ignore[attr-defined]
            record = ClientRecord(peer, now, mtu=body.mtu)  # type: ignore[attr-defined]
            self.clients[sender] = record
            if self.phase is not Phase.LOBBY:
                # A late joiner counts once it reports: a JOIN alone may be a forgery (an open
                # session's random flood makes valid-looking ones), and a phantom that held the
                # session open, or got a catch-up pass of its own, would stall everyone.
                record.state, record.pass_no, record.late, record.behind_since = "joining", 0, True, now
            else:
                self._emit(ClientJoined(peer, len(self.clients), self.wanted))
                self._schedule_start(now)
        record.last_heard = now
        self._send(wire.Kind.ACCEPT, client=sender, accepted=True, reason="")
        if record.late:
            self._send_start()  # the block size, and that it catches up
        if self.phase is Phase.LOBBY and self.wanted and len(self.clients) >= self.wanted:
            self._start(now)

    def _refusal(self, capacity: int | None, mtu: int) -> str:
        """Why a new client cannot join now, or ""."""
        if self.phase is not Phase.LOBBY:
            if not self.late_join:
                return "the session has already started and its master takes no late joiners; join the next one"
            if self._close_at is not None or self.closed:
                return "the session is ending; join the next one"
            if MIN_MTU <= mtu < self.path_mtu:
                return (f"this computer's MTU ({mtu}) is smaller than the session's blocks need "
                        f"({self.path_mtu}); join the next one, or start the master with --mtu {mtu}")
        if capacity is not None and capacity < self.disk_size:
            return f"the target holds {capacity:,} bytes but the image needs {self.disk_size:,}"
        return ""

    def _schedule_start(self, now: float) -> None:
        if self.lobby_timeout is None or not self.clients:
            self._start_deadline = None
            return
        if self.wanted and len(self.clients) >= self.wanted:
            return  # the lobby is full: it starts now, so no countdown is announced
        self._start_deadline = now + self.lobby_timeout
        self._emit(StartScheduled(self.lobby_timeout))

    def _welcome_late(self, record: ClientRecord, now: float) -> None:
        """A late joiner's first report: it is real; it catches up from here."""
        record.state, record.behind_since = "active", now
        self._emit(ClientJoined(record.peer, len(self.clients), self.wanted, late=True))
        sent = self._send_slice * self.config.slice_bytes if self._pass == 1 and not self._last_sent_pass else 0
        where = f", at {sent / self.stream_size:.0%}" if sent and self.stream_size else ""
        self._emit(ClientCatchingUp(record.peer, f"joined after the transfer began{where}"))

    def _on_report(self, record: ClientRecord, body: object, now: float) -> None:
        b = body
        self._measure(record, b.received, b.clock_ms)  # type: ignore[attr-defined]
        paced = record.pass_no == self._pass and b.pass_no in (self._pass, 0 if self._pass == 1 else -1)  # type: ignore[attr-defined]
        # (a member that has not heard yet that it is one reports on another pass's traffic:
        # in pass 1, a report before START arrived says 0)
        if record.state == "active" and (paced or not self._members()):
            rtt = None
            if b.echo_age != wire.NO_DELAY:  # type: ignore[attr-defined]
                ticks = (wire.stamp_at(now) - b.echo - b.echo_age) % wire.STAMP_MOD  # type: ignore[attr-defined]
                rtt = ticks * wire.STAMP_UNIT if ticks < wire.STAMP_MOD // 2 else None
            queue = None if b.queue_delay == wire.NO_DELAY else b.queue_delay * wire.STAMP_UNIT  # type: ignore[attr-defined]
            client = int(record.peer.client_id, 16)
            self.pacer.on_report(client, now, received=b.received, lost=b.lost,  # type: ignore[attr-defined]
                                 clock_ms=b.clock_ms, queue_delay=queue, rtt=rtt)  # type: ignore[attr-defined]
            if client in self.pacer.stragglers:
                self.pacer.stragglers.discard(client)
                self._leave_behind(record, now, self._straggler_reason(client))
        record.done = b.done  # type: ignore[attr-defined]
        record.lost = b.lost  # type: ignore[attr-defined]
        record.repaired = b.repaired  # type: ignore[attr-defined]
        if b.watermark > record.watermark:  # type: ignore[attr-defined]
            record.watermark = b.watermark  # type: ignore[attr-defined]
            self._update_watermark()
        if record.state == "active":
            self._emit(ClientProgress(record.peer.client_id, record.done, record.lost, record.repaired,
                                      record.rate, record.pass_no, record.behind_since is not None))

    def _measure(self, record: ClientRecord, received: int, clock_ms: int) -> None:
        """Its receive rate, on its own clock: the rate shown for it, and what the drop policy
        judges (what its link delivers, not the pace the pass allows)."""
        if record.heard is not None:
            got = (received - record.heard[0]) % (1 << 32)
            elapsed = ((clock_ms - record.heard[1]) % (1 << 32)) / 1000
            if elapsed < 0.05:
                return  # too short to say (an urgent report right after another): keep summing
            sample = got * self._segment / elapsed
            record.rate = sample if not record.rate else 0.5 * record.rate + 0.5 * sample
            self._best_rate = max(self._best_rate, record.rate)
        record.heard = (received, clock_ms)

    def _on_need(self, record: ClientRecord, body: object) -> None:
        if record.state != "active":
            return
        ranges = []
        for entry in body.ranges:  # type: ignore[attr-defined]
            end = ALL if entry.count == wire.TO_THE_END else entry.first + entry.count
            ranges.append((entry.first, end))
        record.needs = _merged(ranges)

    def _members(self) -> list[ClientRecord]:
        """The active clients this pass is paced and windowed for."""
        return [r for r in self.clients.values() if r.state == "active" and r.pass_no == self._pass]

    def _straggler_reason(self, client: int) -> str:
        paths = self.pacer.paths
        own = paths[client].delivered_rate if client in paths else 0.0
        best = max((p.delivered_rate for c, p in paths.items() if c != client), default=0.0)
        return f"its link took {_rate(own)} while the others took {_rate(best)}"

    def _leave_behind(self, record: ClientRecord, now: float, reason: str) -> None:
        """Take a member out of its pass: the others go on at their pace, it keeps what it
        has and gets the rest in a further pass."""
        if record.state != "active" or record.pass_no == 0:
            return
        record.pass_no = 0
        if record.behind_since is None:
            record.behind_since = now
        self.pacer.forget(int(record.peer.client_id, 16))
        self.pacer.members = max(1, len(self._members()))
        self._window = self.config.window_for(len(self._members()))
        self._emit(ClientCatchingUp(record.peer, reason))
        self._update_watermark()
        self._send_start()  # tell it now: it stops asking for repairs of this pass
        self._maybe_next_pass(now)

    @property
    def _repair_holdoff(self) -> float:
        """How long a repair just sent counts as on its way: at least the configured holdoff,
        and longer than the worst round trip the clients' echoes show (a queue on the path,
        at this interface or a switch, delays a repair behind the data sent before it; a NAK
        asked again meanwhile is not a new loss)."""
        rtts = [p.rtt for p in self.pacer.paths.values() if p.rtt is not None]
        return max(self.config.repair_holdoff, 1.5 * max(rtts, default=0.0))

    def _on_nak(self, body: object, now: float, pass_no: int) -> None:
        self.stats.naks += 1
        for entry in body.entries:  # type: ignore[attr-defined]
            record = self._slices.get(entry.slice)
            if record is None or not record.sent or record.pass_no < pass_no:
                # released, or not fully sent yet: nothing to repair; or read by an earlier pass
                # than the asker's, whose own pass sends the slice again
                continue
            missing = entry.missing
            if now - record.repaired_at < self._repair_holdoff:
                # The NAK crossed the repairs just sent: they will reach this client too, so it
                # needs only what they do not cover (asking for all of it again doubled the
                # repair traffic at 5 % loss).
                if missing <= record.repaired_count:
                    continue
                missing -= record.repaired_count
            request = self._repairs.setdefault(entry.slice, RepairRequest())
            if not request.reported:
                request.reported = True
                self.stats.lost_reported += entry.missing
            request.count = max(request.count, min(missing, record.k))
            request.bitmap |= int.from_bytes(entry.bitmap, "little")

    def _on_done(self, record: ClientRecord, body: object, now: float) -> None:
        if record.state in ("active", "lobby") and self.phase is not Phase.LOBBY:
            record.verdict_at = now
            record.pass_no = record.pass_no or self._pass
            if body.ok and body.sha256 == self._sha256 and self._eof:  # type: ignore[attr-defined]
                record.state = "verified"
                record.watermark = self._fed
                self._emit(ClientVerified(record.peer))
            else:
                record.state = "failed"
                record.reason = body.reason or "its copy did not match the master's SHA-256"  # type: ignore[attr-defined]
                self._emit(ClientFailed(record.peer, record.reason))
            self._update_watermark()
        self._ack_pending = True

    def _lose(self, record: ClientRecord, reason: str, now: float) -> None:
        if record.state == "joining":  # never reported: forget it without a word
            del self.clients[int(record.peer.client_id, 16)]
            return
        if record.state == "lobby":
            del self.clients[int(record.peer.client_id, 16)]
            self._emit(ClientLeft(record.peer, reason))
            self._schedule_start(now)
            return
        if record.state != "active":
            return
        record.state = "dropped"
        record.reason = reason
        self.pacer.forget(int(record.peer.client_id, 16))
        self._tell_dropped(record)
        self._emit(ClientDropped(record.peer, reason))
        self._update_watermark()
        self._maybe_next_pass(now)

    def _tell_dropped(self, record: ClientRecord) -> None:
        """Tell a dropped client, if it can still hear, so it stops and says why."""
        for _ in range(2):
            self._send(wire.Kind.ACCEPT, client=int(record.peer.client_id, 16), accepted=False,
                       reason=f"dropped: {record.reason}"[:250])

    def _update_watermark(self) -> None:
        """Release the slices no member needs any more; the current pass's window follows its
        slowest member. (Members of an earlier pass that still lack a slice keep it too: a
        slice is released only below every member's watermark.)"""
        members = [r for r in self.clients.values() if r.state == "active" and r.pass_no]
        # A slice read by pass q is kept for the members of pass q and earlier (a later pass's
        # members get it from their own pass): below the least of their watermarks it goes.
        floor, least = {}, ALL
        for q in range(1, self._pass + 1):
            least = min([least, *(r.watermark for r in members if r.pass_no == q)])
            floor[q] = least
        for number in [n for n, rec in self._slices.items() if rec.sent and n < floor[rec.pass_no]]:
            del self._slices[number]
            self._repairs.pop(number, None)
        current = [r.watermark for r in members if r.pass_no == self._pass]
        self._min_watermark = max(self._min_watermark, min(current)) if current else self._fed

    # --- time -----------------------------------------------------------------------------

    def get_timer(self) -> float | None:
        if self.closed:
            return None
        timers = [self._next_announce, self._next_tick]
        if self._start_deadline is not None and self.phase is Phase.LOBBY:
            timers.append(self._start_deadline)
        if self.phase is Phase.TRANSFER and self._has_work():
            timers.append(self._tokens_at + max(0.0, self._wake_tokens() - self._tokens) / self.rate)
        if self.phase is Phase.ENDING and self._close_at is not None:
            timers.append(self._close_at)
        elif self._ending_known:
            timers.append(self._next_end)
        return min(timers)

    @property
    def _ending_known(self) -> bool:
        """END is said (repeatedly) once a pass has sent the whole stream's end."""
        return self.phase is not Phase.LOBBY and self._eof and self._last_sent_pass >= 1

    def handle_timer(self, now: float) -> None:
        if self.closed:
            return
        if now >= self._next_announce:
            self._announce(now)
        if self.phase is Phase.LOBBY and self._start_deadline is not None and now >= self._start_deadline:
            self._start(now)
        if now >= self._next_tick:
            self._next_tick = now + TICK
            self._check_silence(now)
            self._report_progress(now)
        if self._close_at is not None and now >= self._close_at:
            self.phase = Phase.CLOSED
            return
        if self._ending_known and self._close_at is None and now >= self._next_end:
            self._next_end = now + self.config.end_interval
            self._send(wire.Kind.END, slices=self._total, stream_size=self._fed_bytes, sha256=self._sha256,
                       pass_no=self._last_sent_pass)

    def _answer_waiting(self, now: float) -> None:
        """A client started waiting after our last announce: announce now, not up to half a
        second later, so it joins (or, late, catches up) at once."""
        if self.phase in (Phase.LOBBY, Phase.TRANSFER):
            self._next_announce = min(self._next_announce, max(now, self._last_announce + ANSWER_GAP))

    def _announce(self, now: float) -> None:
        self._next_announce = now + self.config.announce_interval
        self._last_announce = now
        start_in = wire.NO_DEADLINE
        if self._start_deadline is not None and self.phase is Phase.LOBBY:
            start_in = max(0, int((self._start_deadline - now) * 1000))
        self._send(
            wire.Kind.ANNOUNCE,
            role=wire.Role.MASTER,
            state={Phase.LOBBY: 0, Phase.TRANSFER: 1}.get(self.phase, 2),
            host=self.host[:200],
            image_name=self.image_name[:200],
            stream_format=int(self.stream_format),
            stream_size=wire.UNKNOWN_SIZE if self.stream_size is None else self.stream_size,
            disk_size=self.disk_size,
            block_size=self.config.block_size,
            slice_blocks=self.config.slice_blocks,
            joined=min(len(self.clients), 0xFFFF),
            wanted=min(self.wanted or 0, 0xFFFF),
            start_in_ms=start_in,
        )
        if self.phase is not Phase.LOBBY:
            self._send_start()

    def _check_silence(self, now: float) -> None:
        limit = self.config.client_timeout
        for record in list(self.clients.values()):
            if record.state in ("lobby", "joining", "active") and now - record.last_heard > limit:
                self._lose(record, f"no word from it for {limit:g} s", now)
        if self.phase is Phase.TRANSFER or (self.phase is Phase.ENDING and self._close_at is None):
            self._check_slow(now)
        self._maybe_next_pass(now)
        if self.phase is not Phase.LOBBY:
            self._maybe_finish(now)

    def _check_slow(self, now: float) -> None:
        """The policies' slow-client rules, once a tick."""
        policy = self.slow_policy
        if not policy.defers:
            if policy.kind == "wait":
                self._name_the_pace()
            return
        members = self._members()
        # A member whose link delivers far less than the others' leaves the pass (judged once
        # every member has a receive-rate sample: see pacing.py).
        by_id = {int(r.peer.client_id, 16): r for r in members}
        if len(members) > 1:
            for client in self.pacer.lagging(list(by_id)) or []:
                self._leave_behind(by_id[client], now, self._straggler_reason(client))
            members = self._members()
        # A member whose target writes too slowly holds the window shut: the others wait.
        blocked = (self.phase is Phase.TRANSFER and self._send_slice < self._fed and len(members) > 1
                   and self._position(self._send_slice) >= self._position(self._min_watermark) + self._window)
        if not blocked:
            self._stalled_since = None
        elif self._stalled_since is None:
            self._stalled_since = now
        elif now - self._stalled_since >= WINDOW_STALL:
            self._stalled_since = None
            slowest = [r for r in members if r.watermark == self._min_watermark]
            if len(slowest) < len(members):
                for record in slowest:
                    self._leave_behind(record, now, f"it held the others back for {WINDOW_STALL:g} s "
                                       "(its target writes more slowly than they receive)")
        if policy.kind != "drop":
            return
        for record in list(self.clients.values()):
            if record.state != "active" or not record.rate:
                continue
            if record.rate >= policy.drop_below or record.rate >= STRAGGLER * self._best_rate:
                record.slow_since = None  # fast enough, or no slower than the best: the network is slow
            elif record.slow_since is None:
                record.slow_since = now
            elif now - record.slow_since >= DROP_AFTER:
                self._lose(record, f"it took the image at {_rate(record.rate)}, below the "
                           f"{policy} limit for {DROP_AFTER:g} s (--slow-clients)", now)

    def _name_the_pace(self) -> None:
        """Under `wait`, say who everyone waits for. Every client receives at the same pace
        there, so rates cannot tell; the slow-downs can: the one path whose queue or loss keeps
        causing them (PACE_CUTS, PACE_SHARE of all) holds the room back (its link, cable or port)."""
        cuts = self.pacer.cuts_by
        total = sum(cuts.values())
        if total < PACE_CUTS:
            return
        client, count = cuts.most_common(1)[0]
        record = self.clients.get(client)
        if (count < PACE_SHARE * total or record is None or record.state != "active"
                or len(self._members()) < 2 or record.peer.client_id == self._pace_setter):
            return
        self._pace_setter = record.peer.client_id
        self._emit(PaceSetBy(record.peer, self.pacer.rate, count, total))

    def _maybe_next_pass(self, now: float) -> None:
        """Start the next pass for the followers once this one is sent (or has nobody left)."""
        if self.phase not in (Phase.TRANSFER, Phase.ENDING) or self._close_at is not None or not self._eof:
            return
        if not self._pass_sent and self._members():
            return
        followers = [r for r in self.clients.values() if r.state == "active" and r.pass_no == 0]
        if not followers:
            return
        total = self._total or 0
        ranges = _merged([(first, min(end, total)) for r in followers for first, end in (r.needs or [(0, ALL)])
                          if first < min(end, total)])
        if not ranges:
            return  # they have every slice: their verdicts are on the way
        self.phase = Phase.TRANSFER
        self._pass += 1
        self._ranges = ranges
        self._range_base = [0]
        for first, end in ranges[:-1]:
            self._range_base.append(self._range_base[-1] + end - first)
        self._pass_sent = False
        self._fed = self._send_slice = ranges[0][0]
        self._send_index = 0
        self._min_watermark = 0
        for record in followers:
            record.pass_no = self._pass
        rates = [r.rate for r in followers if r.rate]
        # at the rate they took lately: what their paths have shown they carry
        self.pacer = self._new_pacer(now, known=0.95 * min(rates) if rates else None)
        self._progress_last, self._recent_rate = (now, 0), 0.0  # the pass's own progress from here
        self._tokens, self._tokens_at = 0.0, now
        self._window = self.config.window_for(len(followers))
        self._update_watermark()
        self._send_start()
        slices = sum(end - first for first, end in ranges)
        self._emit(PassStarted(self._pass, tuple(r.peer for r in followers), slices))

    def _report_progress(self, now: float) -> None:
        if self.phase is not Phase.TRANSFER:
            return
        done, total = self._pass_progress()
        then, before = self._progress_last
        if now > then:
            self._recent_rate = 0.7 * self._recent_rate + 0.3 * max(0, done - before) / (now - then)
        self._progress_last = (now, done)
        self._emit(Progress(done, total, self._recent_rate, self.stats.lost_reported, self.stats.repair_datagrams,
                            pass_no=self._pass))

    def _pass_progress(self) -> tuple[int, int | None]:
        """(bytes sent, bytes to send) of the pass under way. Pass 1 sends the stream (its size
        known once read to its end); a catch-up pass only the slices its clients lack: its own
        figures, or the whole stream's would read 100 %, at no rate, all through it."""
        sb, bs = self.config.slice_bytes, self.config.block_size
        if self._pass == 1:
            if self._last_sent_pass:
                return self._fed_bytes, self.stream_size
            return min(self._send_slice * sb + self._send_index * bs, self._fed_bytes), self.stream_size
        total = sum(min(end * sb, self._fed_bytes) - first * sb for first, end in self._ranges)
        if self._pass_sent:
            return total, total
        return min(self._position(self._send_slice) * sb + self._send_index * bs, total), total

    # --- phases ---------------------------------------------------------------------------

    def _start(self, now: float) -> None:
        self._size_blocks()
        self.phase = Phase.TRANSFER
        self._started_at = now
        self._start_deadline = None
        for record in self.clients.values():
            record.state = "active"
            record.last_heard = max(record.last_heard, now)
        self._send_start()
        self._tokens_at = now
        self.pacer = self._new_pacer(now)
        self._window = self.config.window_for(len(self.clients))
        self._emit(TransferStarted(tuple(r.peer for r in self.clients.values()), self.stream_size))

    def _size_blocks(self) -> None:
        """Blocks as large as the smallest MTU of the session allows: one datagram each, never a
        fragment, and as few datagrams (system calls, headers) per byte as the path permits."""
        mtus = [self.mtu] + [r.mtu for r in self.clients.values() if r.mtu >= 68]
        self.config = self.config.for_mtu(min(mtus))
        self.path_mtu = min(mtus)
        self._segment = wire.BLOCK_HEADER_SIZE + self.config.block_size
        self._window = self.config.window_slices

    def _send_start(self) -> None:
        members = [int(r.peer.client_id, 16) for r in self.clients.values()
                   if r.pass_no == self._pass and r.state in ("lobby", "active", "verified")][:16000]
        followers = [int(r.peer.client_id, 16) for r in self.clients.values()
                     if r.pass_no == 0 and r.state in ("joining", "active")][:16000 - len(members)]
        self._send(wire.Kind.START, block_size=self.config.block_size, slice_blocks=self.config.slice_blocks,
                   pass_no=self._pass, clients=members, catching_up=followers)

    def _maybe_finish(self, now: float) -> None:
        if self.phase is Phase.CLOSED or self._close_at is not None:
            return
        if any(r.state == "active" for r in self.clients.values()):
            return  # (when every client is gone before the end, there is nobody left to send to)
        self.phase = Phase.ENDING
        self._close_at = now + self.config.linger
        by_state: dict[str, list[ClientRecord]] = {"verified": [], "failed": [], "dropped": []}
        for r in self.clients.values():
            by_state.setdefault(r.state, []).append(r)
        caught_up = tuple(CaughtUp(r.peer.client_id, r.peer.host, r.late, r.pass_no, r.verdict_at - r.behind_since)
                          for r in by_state["verified"] if r.behind_since is not None)
        self._emit(
            SessionFinished(
                tuple(r.peer for r in by_state["verified"]),
                tuple(r.peer for r in by_state["failed"]),
                tuple(r.peer for r in by_state["dropped"]),
                self._sha256.hex(),
                self._fed_bytes,
                now - self._started_at,
                drop_reasons=tuple(r.reason for r in by_state["dropped"]),
                caught_up=caught_up,
            )
        )

    # --- output ---------------------------------------------------------------------------

    def _wake_tokens(self) -> float:
        """Bytes of sending to wait for before waking: a few ms' worth, at most one burst."""
        burst = self._segment * self.config.burst_datagrams
        return min(burst, max(self._segment, self.rate * PACING_QUANTUM))

    def local_drop(self, now: float) -> None:
        """The driver's send was refused for want of room (ENOBUFS): this interface is the bottleneck."""
        self.pacer.on_local_drop(now)

    def _has_work(self) -> bool:
        return bool(self._repairs) or self._can_send_data()

    def _can_send_data(self) -> bool:
        return (
            self._send_slice < self._fed
            and self._position(self._send_slice) < self._position(self._min_watermark) + self._window
        )

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        out = []
        if self.phase is Phase.TRANSFER or (self.phase is Phase.ENDING and self._close_at is None):
            self.pacer.update(now)
            out = self._send_blocks(now)
        if self._ack_pending:
            self._ack_pending = False
            done = [int(r.peer.client_id, 16) for r in self.clients.values() if r.state in ("verified", "failed")]
            self._send(wire.Kind.ACK, clients=done[:16000])
            self._maybe_finish(now)
        return self._take_control() + out

    def _send_blocks(self, now: float) -> list[Transmit]:
        cfg = self.config
        # a burst is at most two wake-ups' worth: a few ms of the rate, gentle on small switch
        # buffers (and never less than two of the driver's sleeps, which are whole milliseconds)
        most = max(2 * self._wake_tokens(), 2 * WAKE_LATENESS * self.rate)
        self._tokens = min(self._tokens + (now - self._tokens_at) * self.rate, most)
        self._tokens_at = now
        out: list[Transmit] = []
        budget = cfg.burst_datagrams * 4
        while budget > 0 and self._tokens + 1e-6 >= self._segment:
            allowed = max(1, min(budget, int((self._tokens + 1e-6) // self._segment)))
            if self._repairs:
                number = next(iter(self._repairs))
                request = self._repairs.pop(number)
                transmit = self._repair(number, request, now)
            elif self._can_send_data():
                transmit = self._next_data(allowed, now)
            else:
                break
            if transmit is None:
                continue
            budget -= transmit.count
            self._tokens -= len(transmit.data)
            self.pacer.on_sent(len(transmit.data), now)
            out.append(transmit)
        if (self.phase is Phase.TRANSFER and not self._pass_sent and self._source_done
                and self._send_slice >= self._fed):
            # (repairs still asked for go on; the next pass need not wait for them)
            self._pass_sent = True
            if self._eof:
                self._last_sent_pass = self._pass
                self._next_end = now
            self._report_progress(now)
            self._maybe_next_pass(now)
            if self._pass_sent:  # nobody to catch up: verdicts are what is left
                self.phase = Phase.ENDING
        return out

    def _next_data(self, allowed: int, now: float) -> Transmit:
        record = self._slices[self._send_slice]
        first = self._send_index
        last = min(record.k, first + allowed)
        seg = self._segment
        _stamp_blocks(record.wire, first, last, seg, wire.stamp_at(now))
        transmit = Transmit(memoryview(record.wire)[first * seg : last * seg], seg)
        self.stats.data_datagrams += last - first
        if last >= record.k:
            record.sent = True
            self._send_slice = self._next_in_pass(self._send_slice + 1)
            self._send_index = 0
        else:
            self._send_index = last
        return transmit

    def _repair(self, number: int, request: RepairRequest, now: float) -> Transmit | None:
        record = self._slices.get(number)
        if record is None or request.count <= 0:
            return None
        seg = self._segment
        count = request.count
        # One client: the blocks it named are exactly what it misses, so resending them costs
        # the same datagrams as parity and no erasure coding on either side (at 1 Gbit/s with
        # loss, coding was most of both computers' CPU). Several: parity mends a different loss
        # at each, which named blocks cannot.
        alone = (sum(1 for r in self.clients.values() if r.state == "active" and r.pass_no) <= 1
                 and record.pass_no == self._pass)  # an earlier pass's slice: parity (see the client's frontier)
        if not alone and record.k > 1 and record.parity_next + count <= wire.MAX_SHARES:
            shares = list(range(record.parity_next, record.parity_next + count))
            record.parity_next += count
            head = wire.BLOCK_HEADER_SIZE
            data = bytearray(count * seg)  # parity is coded straight into the datagrams
            fec.parity_into(record.wire, head, seg, seg - head, record.k, shares, data, head, seg)
            stamp = wire.stamp_at(now)
            for j, share in enumerate(shares):
                data[j * seg : j * seg + head] = wire.block_header(
                    wire.Kind.PARITY, self.session_id, self.sender, number, share, record.k, stamp)
        else:
            # One client, or parity for this slice used up (or a slice of one block): resend the
            # blocks clients named; any client still missing others asks again.
            wanted = [i for i in range(record.k) if request.bitmap >> i & 1] or list(range(min(count, record.k)))
            data = bytearray().join(record.wire[i * seg : (i + 1) * seg] for i in wanted)
            count = len(wanted)
            _stamp_blocks(data, 0, count, seg, wire.stamp_at(now))
        # repairs in flight: those of the last holdoff, which NAKs arriving now may have crossed
        in_flight = record.repaired_count if now - record.repaired_at < self._repair_holdoff else 0
        record.repaired_at = now
        record.repaired_count = in_flight + count
        self.stats.repair_datagrams += count
        return Transmit(data, seg)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted [first, end) ranges with overlaps and neighbours joined."""
    out: list[tuple[int, int]] = []
    for first, end in sorted(ranges):
        if out and first <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((first, end))
    return out


def _rate(value: float) -> str:
    return f"{value / 1e6:.1f} MB/s" if value >= 1e5 else f"{value / 1e3:.0f} kB/s"


def _stamp_blocks(buf: bytearray, first: int, last: int, segment: int, stamp: int) -> None:
    """Write the send stamp into blocks first..last-1 of a buffer of back-to-back datagrams."""
    pack = _STAMP.pack_into
    for at in range(first * segment + wire.STAMP_OFFSET, last * segment, segment):
        pack(buf, at, stamp)
