"""One secured session's datagrams: sealing what we send, opening what we hear.

A sealed datagram is the inner datagram's header fields in the clear (magic, version, kind
SEALED, session id, sender), then the inner kind, the KDF cost and the sender's 64-bit
counter, all of which are the AEAD's associated data; then the inner body, encrypted with
AES-256-GCM, and the tag (wire.SEALED_HEADER). The nonce is the sender id and the counter:
a counter's top 24 bits are drawn at random when a sender starts and the low 40 bits count,
so two participants that drew the same sender id still do not share nonces, and a counter
that would wrap ends the session instead of repeating one.

The key is scrypt(passphrase, salted with the session id), so a datagram of another session,
or of the same name with another passphrase, does not authenticate. Each sender's counters
pass a sliding window (`ReplayWindow`): a datagram heard before, or far older than the
newest, is rejected. Whatever fails is counted by reason, never raised.
"""

from __future__ import annotations

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


class NonceExhausted(ImgcastError):
    """A sender's counter would wrap: the session ends rather than repeat a nonce."""


def session_key(passphrase: bytes, session_id: bytes, params: KdfParams = DEFAULT_KDF) -> bytes:
    """The datagram key of one session name and passphrase."""
    return derive_key(passphrase, b"imgcast session " + session_id, params, b"session datagrams v1")


class Sealer:
    """Seals this participant's datagrams (built by the machines with wire.build)."""

    def __init__(self, key: bytes, session_id: bytes, sender: int, params: KdfParams = DEFAULT_KDF, *,
                 counter: int | None = None, rng: random.Random | None = None) -> None:
        self._aead = AESGCM(key)
        self.session_id = session_id
        self.sender = sender
        self.params = params
        epoch = (rng or random.SystemRandom()).getrandbits(EPOCH_BITS)
        self.counter = (epoch << COUNTER_BITS) if counter is None else counter
        self._limit = ((self.counter >> COUNTER_BITS) + 1) << COUNTER_BITS
        self._sender_bytes = sender.to_bytes(4, "big")
        self._identity = session_id + self._sender_bytes  # bytes 6..18 of every datagram of ours
        # the clear part up to the counter, per inner kind: built once (the packet path)
        self._heads = {kind: _HEAD.pack(wire.MAGIC, wire.PROTOCOL_VERSION, _SEALED, session_id, sender, kind,
                                        params.log2_n, params.r, params.p, 0)[:-8] for kind in _INNER_KINDS}
        self.sealed = 0

    def seal(self, datagram: bytes | memoryview) -> bytes:
        """The sealed form of one of our datagrams."""
        if len(datagram) < wire.HEADER_SIZE or datagram[6:18] != self._identity or datagram[5] == _SEALED:
            raise ValueError("only this participant's own, unsealed datagrams can be sealed")
        return self.seal_many((datagram,))[0]

    def seal_many(self, datagrams) -> list[bytes]:  # noqa: ANN001 (datagrams of ours, as the machines built them)
        """Several of our datagrams sealed (the packet path: a slice's blocks at a time)."""
        counter, count = self.counter, len(datagrams)
        if counter + count > self._limit:
            raise NonceExhausted("this computer's datagram counter is used up; the session must end "
                                 "(start a new one: it draws new counters)")
        self.counter = counter + count
        self.sealed += count
        heads, encrypt, sender, body_at = self._heads, self._aead.encrypt, self._sender_bytes, wire.HEADER_SIZE
        out = []
        for datagram in datagrams:
            tail = counter.to_bytes(8, "big")
            counter += 1
            head = heads[datagram[5]] + tail
            out.append(head + encrypt(sender + tail, datagram[body_at:], head))
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
    by_kind: dict[int, int] = field(default_factory=dict)  # failed, by inner kind

    @property
    def rejected(self) -> int:
        return self.failed + self.replayed + self.plain + self.malformed + self.cost


class Opener:
    """Opens sealed datagrams of one session for one participant. `open` returns the inner
    datagram (exactly what the unsecured protocol would have received) or None; `last` then
    says why: "failed", "replayed", "plain", "malformed", "foreign", "cost" or "own"."""

    def __init__(self, passphrase: bytes, session_id: bytes, own_sender: int) -> None:
        self._passphrase = passphrase
        self.session_id = session_id
        self.own_sender = own_sender
        self.counts = OpenCounts()
        self.last = ""
        self.authenticated = 0  # datagrams of others that authenticated
        self._aeads: dict[tuple[int, int, int], AESGCM | None] = {}
        self._windows: dict[bytes, ReplayWindow] = {}  # by sender id (4 bytes)
        self._prefixes: dict[bytes, bytes] = {}  # inner kind + sender -> the inner header
        self._by_cost: dict[bytes, AESGCM | None | bool] = {}  # the 3 cost bytes -> their key
        self._own = own_sender.to_bytes(4, "big")

    def key_for(self, params: KdfParams) -> bytes:
        """The key for one cost (the first, the participant's own, is derived when it starts)."""
        return session_key(self._passphrase, self.session_id, params)

    def aead_for(self, params: KdfParams) -> None:
        self._aeads[(params.log2_n, params.r, params.p)] = AESGCM(self.key_for(params))
        self._by_cost.clear()

    def _aead(self, cost: tuple[int, int, int]) -> AESGCM | None:
        aead = self._aeads.get(cost, False)
        if aead is not False:
            return aead  # type: ignore[return-value]
        if len(self._aeads) >= MAX_COST_SETS or (self.authenticated and self._aeads):
            # a flood of made-up costs derives nothing more; and once the session's datagrams
            # authenticate, another cost can only be a forgery (scrypt would stall this loop)
            return None
        try:
            aead = AESGCM(self.key_for(KdfParams(*cost).check()))
        except KdfError:
            aead = None
        self._aeads[cost] = aead
        return aead

    def open(self, data: bytes | memoryview) -> bytes | None:
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
        aead = self._by_cost.get(bytes(data[19:22]), False)
        if aead is False:
            aead = self._aead((data[19], data[20], data[21]))
            self._by_cost[bytes(data[19:22])] = aead
        if aead is None:
            self.last = "cost"
            counts.cost += 1
            return None
        tail = bytes(data[22:_HSIZE])
        counter = int.from_bytes(tail, "big")
        window = self._windows.get(sender_bytes)
        if window is not None and counter <= window.top and not window.fresh(counter):
            self.last = "replayed"
            counts.replayed += 1
            return None
        try:
            body = aead.decrypt(sender_bytes + tail, data[_HSIZE:], data[:_HSIZE])
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
        self.authenticated += 1
        key = bytes(data[18:19]) + sender_bytes
        prefix = self._prefixes.get(key)
        if prefix is None:
            prefix = self._prefixes[key] = wire.Header.build(
                {"version": wire.PROTOCOL_VERSION, "kind": data[18], "session_id": self.session_id,
                 "sender": int.from_bytes(sender_bytes, "big")})
        return prefix + body
