"""One secured session's datagrams: sealing what we send, opening what we hear.

A sealed datagram is the inner datagram's header fields in the clear (magic, version, kind
SEALED, session id, sender), then the inner kind, the KDF cost, the run and the sender's 64-bit
counter, all of which are the AEAD's associated data; then the inner body, encrypted with
AES-256-GCM, and the tag (wire.SEALED_HEADER). The nonce is the sender id and the counter:
a counter's top 24 bits are drawn at random when a sender starts and the low 40 bits count,
so two participants that drew the same sender id still do not share nonces, and a counter
that would wrap ends the session instead of repeating one.

The session key is scrypt(passphrase, salted with the session id), so a datagram of another
session, or of the same name with another passphrase, does not authenticate. Datagrams are
sealed with a key of one run: HKDF-Expand(session key, the run), the run being 8 random bytes
the master draws when it starts (all zero: the undecided participants' lobby, before there is
a master). So a recording of an earlier run of the same name and passphrase does not open in
this run (an `Opener` bound to a run opens no other). Within a run, each sender's counters pass
a sliding window (`ReplayWindow`): a datagram heard before, or far older than the newest, is
rejected. Whatever fails is counted by reason, never raised.
"""

from __future__ import annotations

import hmac
import random
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .. import wire
from ..errors import ImgcastError
from .kdf import DEFAULT_KDF, KdfError, KdfParams, derive_key

COUNTER_BITS = 40  # datagrams one sender may seal in one session: 10^12 (a petabyte of blocks)
EPOCH_BITS = 64 - COUNTER_BITS
WINDOW = 4096  # counters a sender's datagrams may arrive out of order by
_WINDOW_MASK = (1 << WINDOW) - 1
MAX_SENDERS = 65536  # windows kept (only authenticated datagrams create one)
MAX_COST_SETS = 3  # distinct announced KDF costs a participant derives keys for
_SEALED = int(wire.Kind.SEALED)
_INNER_KINDS = frozenset(int(k) for k in wire.Kind if k is not wire.Kind.SEALED)
_HEAD = wire.SEALED_HEADER
_HSIZE = wire.SEALED_HEADER_SIZE
_MIN_SIZE = _HSIZE + wire.SEAL_TAG_SIZE
_MAGIC_VERSION = wire.MAGIC + bytes([wire.PROTOCOL_VERSION])
LOBBY = bytes(wire.RUN_SIZE)  # the run of datagrams sent before there is a master (CLAIMs)
MAX_RUN_KEYS = 16  # run keys an opener keeps (a flood of made-up runs only churns them)
_BLOCKS = (int(wire.Kind.DATA), int(wire.Kind.PARITY))
_KEYED = slice(19, 22 + wire.RUN_SIZE)  # the KDF cost and the run: which key sealed a datagram


class NonceExhausted(ImgcastError):
    """A sender's counter would wrap: the session ends rather than repeat a nonce."""


def session_key(passphrase: bytes, session_id: bytes, params: KdfParams = DEFAULT_KDF) -> bytes:
    """The datagram key of one session name and passphrase."""
    return derive_key(passphrase, b"imgcast session " + session_id, params, b"session datagrams v1")


def run_key(key: bytes, run: bytes) -> bytes:
    """The key of one run of a session: HKDF-Expand (RFC 5869) of the session key, whose one
    output block is HMAC-SHA256(key, info | 0x01). A few microseconds: cheap to derive per run."""
    return hmac.digest(key, b"imgcast run " + run + b"\x01", "sha256")


def new_run(rng: random.Random | None = None) -> bytes:
    """A master's run nonce: random, never the lobby's."""
    while (run := (rng or random.SystemRandom()).getrandbits(64).to_bytes(wire.RUN_SIZE, "big")) == LOBBY:
        pass
    return run


class Sealer:
    """Seals this participant's datagrams (built by the machines with wire.build)."""

    def __init__(self, key: bytes, session_id: bytes, sender: int, params: KdfParams = DEFAULT_KDF, *,
                 counter: int | None = None, rng: random.Random | None = None, run: bytes = LOBBY) -> None:
        self._key = key  # the session key: each run's is derived from it
        self.session_id = session_id
        self.sender = sender
        self.params = params
        epoch = (rng or random.SystemRandom()).getrandbits(EPOCH_BITS)
        self.counter = (epoch << COUNTER_BITS) if counter is None else counter
        self._limit = ((self.counter >> COUNTER_BITS) + 1) << COUNTER_BITS
        self._sender_bytes = sender.to_bytes(4, "big")
        self._identity = session_id + self._sender_bytes  # bytes 6..18 of every datagram of ours
        self.sealed = 0
        self.run = b""
        self.set_run(run)

    def set_run(self, run: bytes) -> None:
        """Seal from now on with the key of this run (a client: its master's; the counter goes on)."""
        if run == self.run:
            return
        self.run = run
        self._aead = AESGCM(run_key(self._key, run))
        p = self.params
        # the clear part up to the counter, per inner kind: built once (the packet path)
        self._heads = {kind: _HEAD.pack(wire.MAGIC, wire.PROTOCOL_VERSION, _SEALED, self.session_id, self.sender,
                                        kind, p.log2_n, p.r, p.p, run, 0)[:-8] for kind in _INNER_KINDS}

    def seal(self, datagram: bytes | memoryview) -> bytes:
        """The sealed form of one of our datagrams."""
        if len(datagram) < wire.HEADER_SIZE or datagram[6:18] != self._identity or datagram[5] == _SEALED:
            raise ValueError("only this participant's own, unsealed datagrams can be sealed")
        return bytes(self.seal_joined((datagram,)))

    def _take(self, count: int) -> int:
        """Reserve `count` counters (nonces): the first of them."""
        counter = self.counter
        if counter + count > self._limit:
            raise NonceExhausted("this computer's datagram counter is used up; the session must end "
                                 "(start a new one: it draws new counters)")
        self.counter = counter + count
        self.sealed += count
        return counter

    def seal_joined(self, datagrams) -> bytearray:  # noqa: ANN001 (datagrams of ours, in order)
        """Our datagrams sealed back to back into one buffer (one datagram, or a GSO send's):
        each is encrypted in place, with no copy of its sealed form made on the way."""
        counter = self._take(len(datagrams))
        heads, encrypt_into, sender, body_at = self._heads, self._aead.encrypt_into, self._sender_bytes, wire.HEADER_SIZE
        grow = _HSIZE + wire.SEAL_TAG_SIZE - body_at
        out = bytearray(sum(len(d) for d in datagrams) + grow * len(datagrams))
        view, at = memoryview(out), 0
        for datagram in datagrams:
            tail = counter.to_bytes(8, "big")
            counter += 1
            head = heads[datagram[5]] + tail
            end = at + len(datagram) + grow
            out[at : at + _HSIZE] = head
            encrypt_into(sender + tail, datagram[body_at:], head, view[at + _HSIZE : end])
            at = end
        return out


class ReplayWindow:
    """Which of one sender's counters were seen: the newest, and a bitmap of the WINDOW below it."""

    __slots__ = ("top", "bits")

    def __init__(self) -> None:
        self.top = -1
        self.bits = 0  # bit i: counter top - i was accepted

    def fresh(self, counter: int) -> bool:
        if counter > self.top:
            return True
        behind = self.top - counter
        return behind < WINDOW and not (self.bits >> behind) & 1

    def mark(self, counter: int) -> None:
        if counter > self.top:
            shift = counter - self.top
            if shift < WINDOW:
                bits = (self.bits << shift) | 1
                # trimmed now and then, not at every datagram (bits past WINDOW are never read)
                self.bits = bits & _WINDOW_MASK if bits.bit_length() > 2 * WINDOW else bits
            else:
                self.bits = 1
            self.top = counter
        else:
            self.bits |= 1 << (self.top - counter)


@dataclass
class OpenCounts:
    """Datagrams the opener did not pass on, by reason."""

    failed: int = 0  # did not authenticate: another passphrase, or forged
    replayed: int = 0
    plain: int = 0  # unsealed imgcast datagrams in a secured session
    malformed: int = 0
    foreign: int = 0  # another session's
    cost: int = 0  # announced a KDF cost we do not accept
    stale: int = 0  # of another run than ours: an earlier run's, replayed (or another master's)
    by_kind: dict[int, int] = field(default_factory=dict)  # failed, by inner kind

    @property
    def rejected(self) -> int:
        return self.failed + self.replayed + self.plain + self.malformed + self.cost + self.stale


class Opener:
    """Opens sealed datagrams of one session for one participant. `open` returns the inner
    datagram (exactly what the unsecured protocol would have received) or None; `last` then
    says why: "failed", "replayed", "plain", "malformed", "foreign", "cost", "stale" or "own".

    Unbound (`run` None) it opens datagrams of any run (a client choosing its master); bound to
    a run it opens only that run's, and of other runs only the inner kinds in `any_run` (a
    master still hears another master announce). `last_run` is the run of what it last opened."""

    def __init__(self, passphrase: bytes, session_id: bytes, own_sender: int) -> None:
        self._passphrase = passphrase
        self.session_id = session_id
        self.own_sender = own_sender
        self.counts = OpenCounts()
        self.last = ""
        self.authenticated = 0  # datagrams of others that authenticated
        self._aeads: dict[tuple[int, int, int], bytes | None] = {}  # cost -> session key
        self._windows: dict[bytes, ReplayWindow] = {}  # by sender id (4 bytes)
        self._prefixes: dict[bytes, bytes] = {}  # inner kind + sender -> the inner header
        self._by_cost: dict[bytes, bytes | None] = {}  # the 3 cost bytes -> the session key
        self._own = own_sender.to_bytes(4, "big")
        self.run: bytes | None = None
        self.any_run: frozenset[int] = frozenset()
        self.last_run = LOBBY
        self._run_aeads: dict[bytes, AESGCM | None] = {}  # cost bytes + run -> that run's key

    def bind(self, run: bytes | None, any_run: frozenset[int] = frozenset()) -> None:
        self.run, self.any_run = run, any_run

    def key_for(self, params: KdfParams) -> bytes:
        """The key for one cost (the first, the participant's own, is derived when it starts)."""
        return session_key(self._passphrase, self.session_id, params)

    def aead_for(self, params: KdfParams) -> None:
        self._aeads[(params.log2_n, params.r, params.p)] = self.key_for(params)
        self._by_cost.clear()

    def _key(self, cost: tuple[int, int, int]) -> bytes | None:
        """The session key for an announced cost (scrypt: derived at most MAX_COST_SETS times)."""
        key = self._aeads.get(cost, False)
        if key is not False:
            return key  # type: ignore[return-value]
        if len(self._aeads) >= MAX_COST_SETS or (self.authenticated and self._aeads):
            # a flood of made-up costs derives nothing more; and once the session's datagrams
            # authenticate, another cost can only be a forgery (scrypt would stall this loop)
            return None
        try:
            key = self.key_for(KdfParams(*cost).check())
        except KdfError:
            key = None
        self._aeads[cost] = key
        return key

    def _run_aead(self, which: bytes) -> AESGCM | None:
        """The key of the cost and run a datagram names (`which`: its 3 cost bytes and the run),
        or None (a cost we refuse)."""
        key = self._by_cost.get(which[:3], False)
        if key is False:
            key = self._by_cost[which[:3]] = self._key((which[0], which[1], which[2]))
        aead = None if key is None else AESGCM(run_key(key, which[3:]))  # type: ignore[arg-type]
        if len(self._run_aeads) >= MAX_RUN_KEYS:  # (a flood of made-up runs: the bound one stays)
            keep = self.run if self.run is not None else self.last_run
            for other in [w for w in self._run_aeads if w[3:] != keep]:
                del self._run_aeads[other]
        self._run_aeads[which] = aead
        return aead

    def open(self, data: bytes | memoryview) -> bytes | bytearray | None:
        counts = self.counts
        if len(data) < _MIN_SIZE or data[5] != _SEALED:
            if len(data) >= wire.HEADER_SIZE and bytes(data[:4]) == wire.MAGIC:
                self.last = "plain"
                counts.plain += 1
            else:
                self.last = "malformed"
                counts.malformed += 1
            return None
        if data[:5] != _MAGIC_VERSION or data[18] not in _INNER_KINDS:
            self.last = "malformed"
            counts.malformed += 1
            return None
        if data[6:14] != self.session_id:
            self.last = "foreign"
            counts.foreign += 1
            return None
        sender_bytes = bytes(data[14:18])
        if sender_bytes == self._own:
            self.last = "own"
            return None
        which = bytes(data[_KEYED])
        if self.run is not None and which[3:] != self.run and data[18] not in self.any_run:
            self.last = "stale"
            counts.stale += 1
            return None
        aead = self._run_aeads.get(which, False)
        if aead is False:
            aead = self._run_aead(which)
        if aead is None:
            self.last = "cost"
            counts.cost += 1
            return None
        tail = bytes(data[_HSIZE - 8 : _HSIZE])
        counter = int.from_bytes(tail, "big")
        window = self._windows.get(sender_bytes)
        if window is not None and counter <= window.top and not window.fresh(counter):
            self.last = "replayed"
            counts.replayed += 1
            return None
        inner = bytearray(len(data) - _MIN_SIZE + wire.HEADER_SIZE)  # the plain datagram, decrypted in place
        try:
            aead.decrypt_into(sender_bytes + tail, data[_HSIZE:], data[:_HSIZE], memoryview(inner)[wire.HEADER_SIZE :])
        except InvalidTag:
            self.last = "failed"
            counts.failed += 1
            inner = data[18]
            counts.by_kind[inner] = counts.by_kind.get(inner, 0) + 1
            return None
        if window is None:
            if len(self._windows) >= MAX_SENDERS:
                self._windows.pop(next(iter(self._windows)))
            window = self._windows[sender_bytes] = ReplayWindow()
        window.mark(counter)
        self.last_run = which[3:]
        self.authenticated += 1
        key = bytes(data[18:19]) + sender_bytes
        prefix = self._prefixes.get(key)
        if prefix is None:  # (only once a datagram authenticates: forged senders are endless)
            prefix = self._prefixes[key] = wire.Header.build(
                {"version": wire.PROTOCOL_VERSION, "kind": data[18], "session_id": self.session_id,
                 "sender": int.from_bytes(sender_bytes, "big")})
        inner[: wire.HEADER_SIZE] = prefix
        # blocks stay the bytearray they were decrypted into (the client copies them once more
        # into its slice); the rest become bytes, which the layers above use as keys
        return inner if data[18] in _BLOCKS else bytes(inner)
