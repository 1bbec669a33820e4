"""Every datagram imgcast puts on the wire, declared in one place with `construct`.

Each datagram starts with the same header: magic b"IMGC", protocol version, kind, the 8-byte
session id (so sessions whose names collide on one group never mix) and the sender's 32-bit
id (random per participant and session). Then a body by kind.

`parse` turns untrusted bytes into a `Datagram` or raises `WireError`, and nothing else: the
callers count and drop what fails. Data and parity datagrams are the packet path (hundreds of
thousands a second), so they also have a precompiled `struct` twin of the construct layout,
checked equal to it by the tests; so do NAKs, which every client and the master hear from every
client; every other kind goes through construct alone.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import construct as c

MAGIC = b"IMGC"
PROTOCOL_VERSION = 4  # 2: blocks carry a send stamp; reports carry delay, counters and an echo
# 3: JOIN carries the client's MTU; START fixes the block and slice size for the transfer
# 4: passes (catch-up for slow clients and late joiners): START and END name the pass, START
# lists the clients catching up, and NEED says which slices a client still lacks
MAX_DATAGRAM = 65507  # largest UDP payload over IPv4
UNKNOWN_SIZE = 0xFFFF_FFFF_FFFF_FFFF  # stream or target size not known / unlimited
NO_DEADLINE = 0xFFFF_FFFF
MAX_SHARES = 256  # zfec: data + parity blocks of one slice
NAK_BITMAP_BYTES = MAX_SHARES // 8
TO_THE_END = 0xFFFF_FFFF  # a NEED range's count: every slice from `first` to the stream's end
MAX_NEED_RANGES = 120


class Kind(IntEnum):
    ANNOUNCE = 1  # master (or undecided participant) presence, session parameters
    CLAIM = 2  # an undecided participant claims mastership (the `m` key)
    JOIN = 3  # client -> master: here I am, this is my target
    ACCEPT = 4  # master -> client: joined (or refused, with a reason)
    START = 5  # master: the lobby is closed, these clients take part
    DATA = 6  # one block of the stream
    PARITY = 7  # one erasure-coded repair block of a slice
    NAK = 8  # client: blocks missing per slice (the repair request)
    REPORT = 9  # client: progress and liveness
    END = 10  # master: the stream is complete: its size, slice count and SHA-256
    DONE = 11  # client: my copy is verified (or failed, and why)
    ACK = 12  # master: these clients' DONE were recorded; they may leave
    ABORT = 13  # either side: leaving / ending the session, with a reason
    SEALED = 14  # a secured session's datagram: another kind, authenticated and encrypted (engine/secure)
    NEED = 15  # client catching up: the slices it still lacks, for the next pass


class Role(IntEnum):
    UNDECIDED = 0
    MASTER = 1
    WAITING = 2  # a client that just started waiting: the master announces at once, not at its next turn


class MasterState(IntEnum):
    LOBBY = 0
    TRANSFER = 1
    ENDING = 2


class WireError(ValueError):
    """Bytes that are not a datagram of ours; the message names what is wrong."""


Text = c.PascalString(c.Int8ub, "utf8")


class _IdList(c.Adapter):
    """A count then that many 32-bit client ids, decoded in one step: a START names every
    client, and each of a thousand clients reads it twice a second."""

    def _decode(self, obj: bytes, context: Any, path: str) -> list[int]:
        return list(struct.unpack(f"!{len(obj) // 4}I", obj))

    def _encode(self, obj: list[int], context: Any, path: str) -> bytes:
        return struct.pack(f"!{len(obj)}I", *obj)


ClientIds = _IdList(c.Prefixed(c.ExprAdapter(c.Int16ub, lambda n, _: n * 4, lambda n, _: n // 4), c.GreedyBytes))
Size = c.Int64ub  # UNKNOWN_SIZE for "not known"

Header = c.Struct(
    "magic" / c.Const(MAGIC),
    "version" / c.Int8ub,
    "kind" / c.Int8ub,
    "session_id" / c.Bytes(8),
    "sender" / c.Int32ub,
)
HEADER_SIZE = Header.sizeof()  # 18

BODIES: dict[Kind, c.Construct] = {
    Kind.ANNOUNCE: c.Struct(
        "role" / c.Int8ub,
        "state" / c.Int8ub,
        "host" / Text,
        "image_name" / Text,
        "stream_format" / c.Int8ub,
        "stream_size" / Size,
        "disk_size" / Size,
        "block_size" / c.Int16ub,
        "slice_blocks" / c.Int8ub,
        "joined" / c.Int16ub,
        "wanted" / c.Int16ub,  # 0: no clients=N
        "start_in_ms" / c.Int32ub,  # NO_DEADLINE: no countdown running
    ),
    Kind.CLAIM: c.Struct("host" / Text, "nonce" / c.Int64ub),
    Kind.JOIN: c.Struct("host" / Text, "address" / Text, "capacity" / Size,
                        "mtu" / c.Int32ub),  # the MTU of the client's interface: blocks must fit it
    Kind.ACCEPT: c.Struct("client" / c.Int32ub, "accepted" / c.Flag, "reason" / Text),
    Kind.START: c.Struct(
        "block_size" / c.Int16ub,  # what the transfer uses: fits every participant's MTU
        "slice_blocks" / c.Int8ub,
        "pass_no" / c.Int16ub,  # 1: the first pass; 2 and up: catch-up passes
        "clients" / ClientIds,  # the clients this pass is paced for
        "catching_up" / ClientIds,  # accepted clients waiting for a further pass
    ),
    Kind.DATA: c.Struct(
        "slice" / c.Int32ub,
        "index" / c.Int8ub,  # block within the slice (parity: k and up)
        "k" / c.Int8ub,  # data blocks in this slice, minus one (1..256 stored as 0..255)
        "stamp" / c.Int16ub,  # the master's clock when it sent this, in STAMP_UNITs, modulo 2**16
        "payload" / c.GreedyBytes,
    ),
    Kind.NAK: c.Struct(
        "entries" / c.PrefixedArray(
            c.Int8ub,
            c.Struct(
                "slice" / c.Int32ub,
                "missing" / c.Int16ub,
                "bitmap" / c.Bytes(NAK_BITMAP_BYTES),  # bit i set: data block i missing
            ),
        )
    ),
    Kind.REPORT: c.Struct(
        "watermark" / c.Int32ub,  # slices complete from the start, in order
        "done" / c.Int64ub,  # stream bytes written
        "lost" / c.Int32ub,
        "repaired" / c.Int32ub,
        # What rate control needs (counters wrap modulo 2**32; the master uses differences):
        "received" / c.Int32ub,  # data and parity blocks received so far
        "clock_ms" / c.Int32ub,  # the client's own clock, so the master can tell its receive rate
        "queue_delay" / c.Int16ub,  # least queueing delay seen since the last report (STAMP_UNITs)
        "echo" / c.Int16ub,  # the newest block stamp seen ...
        "echo_age" / c.Int16ub,  # ... and how long ago it arrived (STAMP_UNITs): a round-trip sample
        "pass_no" / c.Int16ub,  # the pass the client follows (0: none, catching up): what it
        # reports about the path means something for that pass's pacing only
    ),
    Kind.END: c.Struct("slices" / c.Int32ub, "stream_size" / c.Int64ub, "sha256" / c.Bytes(32),
                       "pass_no" / c.Int16ub),  # the last pass sent in full: what its clients miss now is lost
    Kind.NEED: c.Struct(
        "ranges" / c.PrefixedArray(c.Int8ub, c.Struct("first" / c.Int32ub, "count" / c.Int32ub)),
    ),
    Kind.DONE: c.Struct("ok" / c.Flag, "sha256" / c.Bytes(32), "size" / c.Int64ub, "reason" / Text),
    Kind.ACK: c.Struct("clients" / ClientIds),
    Kind.ABORT: c.Struct("reason" / Text),
}
BODIES[Kind.PARITY] = BODIES[Kind.DATA]

# A secured session's envelope. The clear part (header, inner kind, KDF cost, run, counter) is
# the AEAD's associated data; `sealed` is the inner datagram's body, encrypted, then the 16-byte
# tag. The KDF cost rides in every datagram so a participant can derive the key from the first
# one it hears, and one without a passphrase can say why it cannot take part. The run is the
# master's random nonce for this run of the session (all zero: undecided participants' lobby):
# the key is derived from it, so no datagram of an earlier run opens in this one. A sealed
# JOIN's plaintext ends with the client's 8-byte challenge, and a sealed ACCEPT's with the
# challenge of the client it answers (engine/secure/machine.py): a client trusts a master's
# run only once an ACCEPT has echoed its own fresh challenge.
KdfCost = c.Struct("log2_n" / c.Int8ub, "r" / c.Int8ub, "p" / c.Int8ub)
RUN_SIZE = 8
BODIES[Kind.SEALED] = c.Struct(
    "inner_kind" / c.Int8ub,
    "kdf" / KdfCost,
    "run" / c.Bytes(RUN_SIZE),  # the master's run nonce: which run's key sealed this
    "counter" / c.Int64ub,  # the sender's datagram counter: with the sender id, the nonce
    "sealed" / c.GreedyBytes,
)

# What parsing uses: each body must end exactly where the datagram does (no trailing bytes).
# Not construct's compiled form: that one skips length checks and raises struct.error on
# short input, and these parsers see untrusted bytes.
_PARSERS: dict[Kind, c.Construct] = {
    kind: body if kind in (Kind.DATA, Kind.PARITY) else c.Struct("body" / body, c.Terminated)
    for kind, body in BODIES.items()
}

# The packet-path twin of Header + the DATA body (without payload). Test-checked equal.
BLOCK_HEADER = struct.Struct("!4sBB8sIIBBH")
BLOCK_HEADER_SIZE = BLOCK_HEADER.size  # 26
STAMP_OFFSET = BLOCK_HEADER_SIZE - 2  # where a block's send stamp sits, for stamping at send time
STAMP_UNIT = 1e-4  # seconds: 100 us resolves a switch's queue; 16 bits wrap after 6.5 s
STAMP_MOD = 1 << 16
NO_DELAY = 0xFFFF  # REPORT.queue_delay / echo_age when the client has no sample yet


# The packet-path twin of Header + the SEALED envelope's clear part. Test-checked equal.
SEALED_HEADER = struct.Struct("!4sBB8sIBBBB8sQ")
SEALED_HEADER_SIZE = SEALED_HEADER.size  # 38
SEAL_TAG_SIZE = 16
SEAL_OVERHEAD = SEALED_HEADER_SIZE - HEADER_SIZE + SEAL_TAG_SIZE  # 36: what sealing adds to a datagram


# The packet-path twin of one NAK entry. Test-checked equal. Every client hears every other
# client's NAKs (that is how one NAK suppresses many), and the master hears them all: at 5 %
# loss, construct's parse of them was a tenth of a client's CPU.
NAK_ENTRY = struct.Struct(f"!IH{NAK_BITMAP_BYTES}s")


def stamp_at(now: float) -> int:
    """A clock reading as a block stamp. Only differences mean anything (wrapping at 6.5 s):
    the receiver subtracts its own clock, so the clocks need not agree."""
    return int(now / STAMP_UNIT) % STAMP_MOD


@dataclass(frozen=True)
class Datagram:
    """A parsed datagram: the header fields and the body as construct's Container."""

    kind: Kind
    session_id: bytes
    sender: int
    body: Any


def build(kind: Kind, session_id: bytes, sender: int, **fields: Any) -> bytes:
    """Bytes for one datagram; raises WireError if a field does not fit its layout."""
    try:
        head = Header.build(
            {"version": PROTOCOL_VERSION, "kind": int(kind), "session_id": session_id, "sender": sender}
        )
        return head + BODIES[kind].build(fields)
    except (c.ConstructError, UnicodeError, ValueError, TypeError, KeyError) as error:
        raise WireError(f"cannot build {kind.name}: {error}") from None


def block_header(kind: Kind, session_id: bytes, sender: int, slice_no: int, index: int, k: int, stamp: int = 0) -> bytes:
    """The header of a DATA or PARITY datagram, on the packet path (no construct)."""
    return BLOCK_HEADER.pack(MAGIC, PROTOCOL_VERSION, kind, session_id, sender, slice_no, index, k - 1, stamp)


def build_block(
    kind: Kind, session_id: bytes, sender: int, slice_no: int, index: int, k: int, stamp: int, payload: bytes
) -> bytes:
    return block_header(kind, session_id, sender, slice_no, index, k, stamp) + payload


def parse_header(data: bytes | memoryview) -> tuple[int, bytes, int]:
    """(kind, session_id, sender) of a datagram, checking magic and version; raises WireError."""
    if len(data) < HEADER_SIZE:
        raise WireError(f"datagram of {len(data)} bytes is shorter than the {HEADER_SIZE}-byte header")
    if len(data) > MAX_DATAGRAM:
        raise WireError(f"datagram of {len(data)} bytes is larger than UDP allows")
    if bytes(data[:4]) != MAGIC:
        raise WireError("not an imgcast datagram (wrong magic)")
    version, kind = data[4], data[5]
    if version != PROTOCOL_VERSION:
        raise WireError(f"protocol version {version}, this imgcast speaks {PROTOCOL_VERSION}")
    if kind not in _KIND_BY_NUMBER:  # (not Kind(kind): an enum's miss costs 10 us, and floods are misses)
        raise WireError(f"unknown datagram kind {kind}")
    return kind, bytes(data[6:14]), int.from_bytes(data[14:18], "big")


def parse(data: bytes | memoryview) -> Datagram:
    """A whole datagram; raises WireError for anything that is not exactly one of ours."""
    kind_no, session_id, sender = parse_header(data)
    kind = _KIND_BY_NUMBER[kind_no]
    if kind in (Kind.DATA, Kind.PARITY, Kind.SEALED):  # fixed heads: their struct twins, no construct
        body = _parse_twin(kind, data)
        _check_consistent(kind, body)
        return Datagram(kind, session_id, sender, body)
    body_bytes = bytes(data[HEADER_SIZE:])
    if kind is Kind.NAK:
        body = _parse_nak(body_bytes)
        _check_consistent(kind, body)
        return Datagram(kind, session_id, sender, body)
    if kind not in (Kind.DATA, Kind.PARITY):
        # The length a body of this kind must have, from its count and string-length bytes:
        # garbage (a flood, or another program on the port) is refused here for a microsecond
        # instead of in construct's error path for a hundred.
        expected = _body_length(kind, body_bytes)
        if expected is None or len(body_bytes) < expected:
            raise WireError(f"malformed {kind.name} datagram: it is cut short")
        if len(body_bytes) > expected:
            raise WireError(f"{kind.name} datagram has trailing bytes")
    try:
        body = _PARSERS[kind].parse(body_bytes)
        if kind not in (Kind.DATA, Kind.PARITY):
            body = body.body
    except c.TerminatedError:
        raise WireError(f"{kind.name} datagram has trailing bytes") from None
    except (c.ConstructError, UnicodeError, ValueError, OverflowError, struct.error) as error:
        raise WireError(f"malformed {kind.name} datagram: {type(error).__name__}") from None
    _check_consistent(kind, body)
    return Datagram(kind, session_id, sender, body)


_KIND_BY_NUMBER = {int(k): k for k in Kind}
_FIXED_BODY = {Kind.REPORT: 36, Kind.END: 46}


def _parse_twin(kind: Kind, data: bytes | memoryview) -> Any:
    """A DATA, PARITY or SEALED body through its struct twin, as construct's Container."""
    if kind is Kind.SEALED:
        if len(data) < SEALED_HEADER_SIZE:
            raise WireError("malformed SEALED datagram: it is cut short")
        *_, inner, log2_n, r, p, run, counter = SEALED_HEADER.unpack_from(data)
        return c.Container(inner_kind=inner, kdf=c.Container(log2_n=log2_n, r=r, p=p), run=run, counter=counter,
                           sealed=bytes(data[SEALED_HEADER_SIZE:]))
    if len(data) < BLOCK_HEADER_SIZE:
        raise WireError(f"malformed {kind.name} datagram: it is cut short")
    *_, number, index, k1, stamp = BLOCK_HEADER.unpack_from(data)
    return c.Container(slice=number, index=index, k=k1, stamp=stamp, payload=bytes(data[BLOCK_HEADER_SIZE:]))


def _parse_nak(body: bytes) -> Any:
    """A NAK body through its struct twin, as construct's Container."""
    expected = _body_length(Kind.NAK, body)
    if expected is None or len(body) < expected:
        raise WireError("malformed NAK datagram: it is cut short")
    if len(body) > expected:
        raise WireError("NAK datagram has trailing bytes")
    return c.Container(entries=c.ListContainer(
        c.Container(slice=number, missing=missing, bitmap=bitmap)
        for number, missing, bitmap in NAK_ENTRY.iter_unpack(body[1:expected])))


def _body_length(kind: Kind, body: bytes) -> int | None:
    """The exact body length the layout gives this body's own count and length bytes; None if
    it is too short to tell. Kept beside BODIES: a layout change must change both (tested)."""
    n = len(body)

    def text_end(at: int | None) -> int | None:  # where a Text starting at `at` ends
        return None if at is None or at >= n else at + 1 + body[at]

    if kind in _FIXED_BODY:
        return _FIXED_BODY[kind]
    if kind is Kind.ANNOUNCE:
        end = text_end(text_end(2))
        return None if end is None else end + 28
    if kind is Kind.CLAIM:
        end = text_end(0)
        return None if end is None else end + 8
    if kind is Kind.JOIN:
        end = text_end(text_end(0))
        return None if end is None else end + 8 + 4
    if kind is Kind.ACCEPT:
        return text_end(5)
    if kind is Kind.START:
        if n < 7:
            return None
        second = 7 + 4 * int.from_bytes(body[5:7], "big")  # where the catching-up list's count is
        return None if n < second + 2 else second + 2 + 4 * int.from_bytes(body[second : second + 2], "big")
    if kind is Kind.NEED:
        return None if n < 1 else 1 + 8 * body[0]
    if kind is Kind.ACK:
        return None if n < 2 else 2 + 4 * int.from_bytes(body[:2], "big")
    if kind is Kind.NAK:
        return None if n < 1 else 1 + (4 + 2 + NAK_BITMAP_BYTES) * body[0]
    if kind is Kind.DONE:
        return text_end(41)
    if kind is Kind.ABORT:
        return text_end(0)
    if kind is Kind.SEALED:
        return n if n >= SEALED_HEADER_SIZE - HEADER_SIZE + SEAL_TAG_SIZE else None
    return n


def _check_consistent(kind: Kind, body: Any) -> None:
    """Field combinations no correct sender produces."""
    if kind in (Kind.DATA, Kind.PARITY):
        k = body.k + 1
        if kind is Kind.DATA and body.index >= k:
            raise WireError(f"DATA block index {body.index} outside a slice of {k} blocks")
        if kind is Kind.PARITY and body.index < k:
            raise WireError(f"PARITY block index {body.index} is a data index (slice of {k} blocks)")
        if not body.payload:
            raise WireError(f"{kind.name} datagram without payload")
    elif kind is Kind.NAK:
        for entry in body.entries:
            if entry.missing == 0 or entry.missing > MAX_SHARES:
                raise WireError(f"NAK asks for {entry.missing} blocks of slice {entry.slice}")
    elif kind is Kind.SEALED:
        if body.inner_kind == Kind.SEALED or body.inner_kind not in _KIND_BY_NUMBER:
            raise WireError(f"SEALED datagram wraps unknown kind {body.inner_kind}")
        if len(body.sealed) < SEAL_TAG_SIZE:
            raise WireError("SEALED datagram shorter than its authentication tag")
    elif kind is Kind.ANNOUNCE:
        if body.role == Role.MASTER and (body.block_size == 0 or body.slice_blocks == 0):
            raise WireError("ANNOUNCE with a zero block size or slice size")
    elif kind is Kind.START:
        if body.block_size == 0 or body.slice_blocks == 0:
            raise WireError("START with a zero block size or slice size")
        if body.pass_no == 0:
            raise WireError("START of pass 0")
    elif kind is Kind.NEED:
        if len(body.ranges) > MAX_NEED_RANGES:
            raise WireError(f"NEED with {len(body.ranges)} ranges (at most {MAX_NEED_RANGES})")
        if any(r.count == 0 for r in body.ranges):
            raise WireError("NEED with an empty range")


def bitmap_of(indices: list[int] | set[int]) -> bytes:
    """A NAK bitmap with the given data-block indices set."""
    bits = 0
    for i in indices:
        bits |= 1 << i
    return bits.to_bytes(NAK_BITMAP_BYTES, "little")
