"""A participant started without a role ("img session doug"): it waits until someone decides.

ZENworks: "the imaging engine waits for a user on one of the computers to press m to designate
that computer as the master". Pressing m sends a CLAIM with a random nonce; every claim heard
within `claim_window` of the first competes and the lowest (nonce, sender id) wins, so two
operators pressing m at once still end with exactly one master. A master's announce heard
while waiting settles it too: this computer becomes its client. The driver then swaps this
machine for a Master or Client with the same sender id.
"""

from __future__ import annotations

import random

from .. import wire
from ..events import RoleDecided, WaitingForMaster
from .common import MachineBase, ProtocolConfig, sender_hex


class Participant(MachineBase):
    def __init__(
        self,
        session_id: bytes,
        sender: int,
        *,
        now: float,
        host: str,
        can_master: bool,
        group: str = "",
        port: int = 0,
        config: ProtocolConfig | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(session_id, sender, config, rng)
        self.host = host
        self.can_master = can_master
        self.role: str | None = None  # "master" | "client" once decided
        self.master_id: int | None = None
        self._claims: dict[int, int] = {}  # sender -> nonce
        self._decide_at: float | None = None
        self._next_announce = now
        self._emit(WaitingForMaster(group, port))

    @property
    def closed(self) -> bool:
        return self.role is not None

    def claim(self, now: float) -> str | None:
        """This operator pressed m; returns why it cannot count (no source to send), or None."""
        if self.role is not None:
            return "the roles are already decided"
        if not self.can_master:
            return "this computer has nothing to send (start it with from=DISK or from=FILE to be the master)"
        if self.sender not in self._claims:
            nonce = self.rng.getrandbits(63)
            self._claims[self.sender] = nonce
            for _ in range(2):
                self._send(wire.Kind.CLAIM, host=self.host[:200], nonce=nonce)
            self._open_window(now)
        return None

    def _open_window(self, now: float) -> None:
        if self._decide_at is None:
            self._decide_at = now + self.config.claim_window

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        if self.role is not None:
            return
        datagram = self._parse(data, now)
        if datagram is None:
            return
        if datagram.kind is wire.Kind.CLAIM:
            self._claims.setdefault(datagram.sender, datagram.body.nonce)
            self._open_window(now)
        elif datagram.kind is wire.Kind.ANNOUNCE and datagram.body.role == wire.Role.MASTER:
            self._decide("client", datagram.sender)

    def get_timer(self) -> float | None:
        if self.role is not None:
            return None
        return self._next_announce if self._decide_at is None else min(self._next_announce, self._decide_at)

    def handle_timer(self, now: float) -> None:
        if self.role is not None:
            return
        if now >= self._next_announce:
            self._next_announce = now + self.config.announce_interval
            if self.sender in self._claims:
                # our claim again, for whoever did not count the first (lost, or not yet proven fresh)
                self._send(wire.Kind.CLAIM, host=self.host[:200], nonce=self._claims[self.sender])
            self._send_presence(wire.Role.UNDECIDED, self.host)
        if self._decide_at is not None and now >= self._decide_at:
            winner = min(self._claims, key=lambda s: (self._claims[s], s))
            self._decide("master" if winner == self.sender else "client", winner)

    def _decide(self, role: str, master: int) -> None:
        self.role = role
        self.master_id = master
        self._emit(RoleDecided(role, sender_hex(master)))

    def datagrams_to_send(self, now: float) -> list:
        return self._take_control()
