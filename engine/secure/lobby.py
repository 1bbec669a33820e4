"""Freshness in a secured lobby: a replayed CLAIM or master announce decides nothing.

Undecided participants ("img session NAME" with no role, the `m` key) settle who the master is
from CLAIMs and from a master's announce. A recording of an earlier run with the same name and
passphrase authenticates, and its senders' counters are new to this run's participants, so no
replay window rejects it. What a recording cannot do is answer a question asked after it was
made. So every undecided participant appends a fresh challenge to its announces; a claimant
appends the challenges it has heard to its CLAIMs, and a master to its announces; and a
participant counts a CLAIM, or follows a master, only once its own challenge comes back.

The trailers live inside the sealed plaintext (authenticated with the rest) and are taken off
before the protocol machine sees the datagram, so the protocol itself is unchanged.
"""

from __future__ import annotations

from collections import OrderedDict

from .. import wire

CHALLENGE_SIZE = 8
MAX_ECHOED = 64  # challenges per datagram (513 bytes): an announce still fits a 1400-byte MTU
FORGET_AFTER = 3.0  # seconds: an undecided participant announces every half second
_H = wire.HEADER_SIZE
_ANNOUNCE, _CLAIM = int(wire.Kind.ANNOUNCE), int(wire.Kind.CLAIM)
_UNDECIDED, _MASTER = int(wire.Role.UNDECIDED), int(wire.Role.MASTER)


def is_undecided_announce(inner: bytes) -> bool:
    return inner[5] == _ANNOUNCE and len(inner) > _H and inner[_H] == _UNDECIDED


def is_master_announce(inner: bytes) -> bool:
    return inner[5] == _ANNOUNCE and len(inner) > _H and inner[_H] == _MASTER


def carries_echo(inner: bytes) -> bool:
    """The datagrams that end in a list of echoed challenges: CLAIMs and masters' announces."""
    return inner[5] == _CLAIM or is_master_announce(inner)


def with_echo(datagram: bytes, challenges: list[bytes]) -> bytes:
    return datagram + b"".join(challenges) + bytes([len(challenges)])


def split_echo(inner: bytes) -> tuple[bytes, frozenset[bytes]] | None:
    """The datagram without its echo list, and the challenges it echoes; None if it has none."""
    if len(inner) <= _H:
        return None
    count = inner[-1]
    start = len(inner) - 1 - CHALLENGE_SIZE * count
    if start < _H:
        return None
    echoed = frozenset(inner[i : i + CHALLENGE_SIZE] for i in range(start, len(inner) - 1, CHALLENGE_SIZE))
    return inner[:start], echoed


def split_challenge(inner: bytes) -> tuple[bytes, bytes] | None:
    """An undecided announce without its challenge, and the challenge; None if it is too short."""
    if len(inner) < _H + 1 + CHALLENGE_SIZE:
        return None
    return inner[:-CHALLENGE_SIZE], inner[-CHALLENGE_SIZE:]


class HeardChallenges:
    """The undecided participants' challenges, echoed round robin: a room of more than
    MAX_ECHOED participants hears its own within a few announces, and one that has decided
    (it stops announcing) is forgotten."""

    def __init__(self) -> None:
        self._heard: OrderedDict[bytes, tuple[bytes, float]] = OrderedDict()  # sender -> challenge, when

    def hear(self, sender: bytes, challenge: bytes, now: float) -> None:
        if sender not in self._heard and len(self._heard) >= 4 * MAX_ECHOED:
            self._heard.popitem(last=False)
        self._heard[sender] = (challenge, now)

    def take(self, now: float) -> list[bytes]:
        for sender in [s for s, (_, when) in self._heard.items() if now - when > FORGET_AFTER]:
            del self._heard[sender]
        chosen = list(self._heard)[:MAX_ECHOED]
        for sender in chosen:
            self._heard.move_to_end(sender)
        return [self._heard[s][0] for s in chosen]
