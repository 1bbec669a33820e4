"""Hear a master's announce without joining: the first step of a client with no `to=`.

A client that writes this computer's own disk must pick that disk before it joins, for two
reasons: which disks qualify depends on the announced disk size (a disk too small is not a
candidate), and the JOIN carries the target's capacity, which the master's lobby shows and
checks. So the session first runs this machine, which sends nothing and closes on the first
announce of the expected master; then the runner chooses the disk and starts the real Client.
It can also fail as a waiting Client does (`leave`, and a secured master heard without a
passphrase), so the verdicts of a secured session are said here too, in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import wire
from ..events import SessionFailed, WaitingForMaster
from .client import NEEDS_PASSPHRASE, State
from .common import MachineBase, ProtocolConfig, SecuredMasterHeard


@dataclass(frozen=True)
class HeardMaster:
    sender: int
    host: str
    address: str
    disk_size: int
    image_name: str


class MasterListener(MachineBase):
    def __init__(
        self,
        session_id: bytes,
        sender: int,
        *,
        group: str = "",
        port: int = 0,
        master_id: int | None = None,
        config: ProtocolConfig | None = None,
    ) -> None:
        super().__init__(session_id, sender, config, None)
        self.expected_master = master_id
        self.heard: HeardMaster | None = None
        self.failed: str | None = None
        self._secured_master = SecuredMasterHeard()  # sealed announces heard while waiting
        self._emit(WaitingForMaster(group, port))

    @property
    def closed(self) -> bool:
        return self.heard is not None or self.failed is not None

    @property
    def state(self) -> State:
        """As a waiting Client's: what the secured layer's verdicts look at."""
        return State.CLOSED if self.closed else State.WAITING

    def leave(self, now: float, reason: str = "you left the session") -> None:
        """Give up waiting (a verdict of the secured layer: wrong passphrase, unsecured master)."""
        if not self.closed:
            self.failed = reason
            self._emit(SessionFailed(reason))

    def _on_sealed(self, datagram: wire.Datagram, now: float) -> None:
        if datagram.body.inner_kind == wire.Kind.ANNOUNCE and self.expected_master in (None, datagram.sender):
            self._secured_master.heard(now)  # a secured master, and no passphrase: said as a Client says it
        super()._on_sealed(datagram, now)

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        if self.heard is not None:
            return
        datagram = self._parse(data, now)
        if datagram is None or datagram.kind is not wire.Kind.ANNOUNCE:
            return
        body = datagram.body
        if body.role != wire.Role.MASTER:
            return
        if self.expected_master is not None and datagram.sender != self.expected_master:
            return
        self.heard = HeardMaster(datagram.sender, body.host, address[0], body.disk_size, body.image_name)

    def get_timer(self) -> float | None:
        return None if self.closed else self._secured_master.due

    def handle_timer(self, now: float) -> None:
        at = self.get_timer()
        if at is not None and now >= at and self._secured_master.verdict(now):
            self.leave(now, NEEDS_PASSPHRASE)

    def datagrams_to_send(self, now: float) -> list:
        return self._take_control()
