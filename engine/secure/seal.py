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
MAX_SENDERS = 65536  # windows kept (only authenticated datagrams create one)
MAX_COST_SETS = 3  # distinct announced KDF costs a participant derives keys for
_SEALED = int(wire.Kind.SEALED)
_INNER_KINDS = frozenset(int(k) for k in wire.Kind if k is not wire.Kind.SEALED)
_HEAD = wire.SEALED_HEADER
_HSIZE = wire.SEALED_HEADER_SIZE
_MIN_SIZE = _HSIZE + wire.SEAL_TAG_SIZE


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
        self.sealed = 0

    def seal(self, datagram: bytes | memoryview) -> bytes:
        """The sealed form of one of our datagrams."""
        if len(datagram) < wire.HEADER_SIZE or datagram[6:18] != self._identity or datagram[5] == _SEALED:
            raise ValueError("only this participant's own, unsealed datagrams can be sealed")
        counter = self.counter
        if counter >= self._limit:
            raise NonceExhausted("this computer's datagram counter is used up; the session must end "
                                 "(start a new one: it draws new counters)")
        self.counter = counter + 1
        p = self.params
        head = _HEAD.pack(wire.MAGIC, wire.PROTOCOL_VERSION, _SEALED, self.session_id, self.sender,
                          datagram[5], p.log2_n, p.r, p.p, counter)
        self.sealed += 1
        return head + self._aead.encrypt(self._sender_bytes + counter.to_bytes(8, "big"),
                                         datagram[wire.HEADER_SIZE:], head)


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
            self.bits = ((self.bits << shift) | 1) & ((1 << WINDOW) - 1) if shift < WINDOW else 1
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
        self._windows: dict[int, ReplayWindow] = {}
        self._prefixes: dict[tuple[int, int], bytes] = {}

    def key_for(self, params: KdfParams) -> bytes:
        """The key for one cost (the first, the participant's own, is derived when it starts)."""
        return session_key(self._passphrase, self.session_id, params)

    def aead_for(self, params: KdfParams) -> None:
        self._aeads[(params.log2_n, params.r, params.p)] = AESGCM(self.key_for(params))

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
        magic, version, _kind, sid, sender, inner, log2_n, r, p, counter = _HEAD.unpack_from(data)
        if magic != wire.MAGIC or version != wire.PROTOCOL_VERSION or inner not in _INNER_KINDS:
            self.last = "malformed"
            counts.malformed += 1
            return None
        if sid != self.session_id:
            self.last = "foreign"
            counts.foreign += 1
            return None
        if sender == self.own_sender:
            self.last = "own"
            return None
        aead = self._aead((log2_n, r, p))
        if aead is None:
            self.last = "cost"
            counts.cost += 1
            return None
        window = self._windows.get(sender)
        if window is not None and not window.fresh(counter):
            self.last = "replayed"
            counts.replayed += 1
            return None
        try:
            body = aead.decrypt(bytes(data[14:18]) + counter.to_bytes(8, "big"), data[_HSIZE:], data[:_HSIZE])
        except InvalidTag:
            self.last = "failed"
            counts.failed += 1
            counts.by_kind[inner] = counts.by_kind.get(inner, 0) + 1
            return None
        if window is None:
            if len(self._windows) >= MAX_SENDERS:
                self._windows.pop(next(iter(self._windows)))
            window = self._windows[sender] = ReplayWindow()
        window.mark(counter)
        self.authenticated += 1
        prefix = self._prefixes.get((inner, sender))
        if prefix is None:
            prefix = wire.Header.build({"version": wire.PROTOCOL_VERSION, "kind": inner,
                                        "session_id": sid, "sender": sender})
            self._prefixes[(inner, sender)] = prefix
        return prefix + body
