"""`SecuredMachine`: a master, client or undecided participant, behind a sealing layer.

It has the machine's interface (the driver cannot tell the difference) and is as free of I/O
as the machine: datagrams heard are opened before the machine sees them, datagrams the
machine sends are sealed. What fails to open never reaches the machine, so a rogue sender
without the key changes nothing in it: it is counted, and said once.

Two verdicts belong here, because only this layer can tell: a client that hears a master
whose datagrams never authenticate is told its passphrase does not match the master's, and
one that hears only an unsecured master is told it will not join it, each after a couple of
seconds of hearing nothing usable (a forger cannot make a client give up on a master whose
announcements do authenticate).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from .. import wire
from ..events import AuthenticationFailed, Event, LobbyOpened, MasterFound, WaitingForMaster
from ..protocol.common import Transmit
from .kdf import DEFAULT_KDF, KdfParams
from .seal import NonceExhausted, Opener, Sealer

VERDICT_AFTER = 2.0  # seconds of hearing only masters we cannot use, before saying so
REPORT_AFTER = 1.0  # failures are said once, this long after the first
WRONG_PASSPHRASE = "the passphrase does not match the master's (its announcements do not authenticate)"
NOT_SECURED = ("the master of this session is not secured (it has no passphrase); this computer was "
               "given one and will not join an unsecured session")
_ANNOUNCE = int(wire.Kind.ANNOUNCE)
_MARKED = (LobbyOpened, WaitingForMaster, MasterFound)  # events that say whether the session is secured


class SecuredMachine:
    secured = True
    receive_run = None  # the driver's whole-GRO-buffer path is for open sessions: sealed datagrams
    # are opened one by one (receive_datagrams), then take the machine's batch path

    def __init__(self, machine: Any, passphrase: bytes, params: KdfParams = DEFAULT_KDF, *,
                 counter: int | None = None, rng: random.Random | None = None) -> None:
        self.machine = machine
        self.opener = Opener(passphrase, machine.session_id, machine.sender)
        self.sealer = Sealer(self.opener.key_for(params), machine.session_id, machine.sender, params,
                             counter=counter, rng=rng)
        self.opener.aead_for(params)  # our own cost is always open
        self._own: list[Event] = []
        self._first_failure: float | None = None
        self._reported = False
        self._unusable_since: float | None = None
        self._unusable_why = ""
        self._heard_master = False

    def rewrap(self, machine: Any) -> SecuredMachine:
        """The same layer around the machine this one's becomes (an undecided participant that
        turned master or client): the counter goes on, so no nonce is used twice."""
        layer = object.__new__(SecuredMachine)
        layer.__dict__.update(self.__dict__)
        layer.machine = machine
        layer._own = []
        return layer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.machine, name)

    @property
    def closed(self) -> bool:
        return self.machine.closed

    # --- input ----------------------------------------------------------------------------

    def receive_datagram(self, data: bytes | memoryview, address: tuple[str, int], now: float) -> None:
        self.receive_datagrams((data,), address, now)

    def receive_datagrams(self, datagrams: Any, address: tuple[str, int], now: float,
                          arrival: float | None = None) -> None:
        opener, opened = self.opener, []
        for data in datagrams:
            inner = opener.open(data)
            if inner is not None:
                opened.append(inner)
                if inner[5] == _ANNOUNCE:
                    self._heard_master = True
            elif opener.last != "own":
                self._unusable(data, opener.last, now)
        if not opened:
            return
        batch = getattr(self.machine, "receive_datagrams", None)
        if batch is not None:
            batch(opened, address, now, arrival)
        else:
            for inner in opened:
                self.machine.receive_datagram(inner, address, now)

    def _unusable(self, data: bytes | memoryview, why: str, now: float) -> None:
        if why in ("failed", "replayed"):
            if self._first_failure is None:
                self._first_failure = now
            if why == "failed" and data[18] == _ANNOUNCE:
                self._unusable_master(now, WRONG_PASSPHRASE)
        elif why == "plain" and data[5] == _ANNOUNCE and not self._heard_master and self._waiting():
            try:
                datagram = wire.parse(data)
            except wire.WireError:
                return
            if datagram.session_id == self.machine.session_id and datagram.body.role == wire.Role.MASTER:
                self._unusable_master(now, NOT_SECURED)

    def _unusable_master(self, now: float, why: str) -> None:
        if self._unusable_since is None:
            self._unusable_since = now
        self._unusable_why = why

    # --- time -----------------------------------------------------------------------------

    def get_timer(self) -> float | None:
        timers = [t for t in (self.machine.get_timer(), self._verdict_at(), self._report_at()) if t is not None]
        return min(timers) if timers else None

    def _verdict_at(self) -> float | None:
        if self._unusable_since is None or self._heard_master or not self._waiting():
            return None
        return self._unusable_since + VERDICT_AFTER

    def _report_at(self) -> float | None:
        if self._first_failure is None or self._reported:
            return None
        return self._first_failure + REPORT_AFTER

    def _waiting(self) -> bool:
        state = getattr(self.machine, "state", None)
        return getattr(state, "value", None) == "waiting" and hasattr(self.machine, "leave")

    def handle_timer(self, now: float) -> None:
        verdict = self._verdict_at()
        if verdict is not None and now >= verdict:
            self.machine.leave(now, reason=self._unusable_why)
        report = self._report_at()
        if report is not None and now >= report:
            self._reported = True
            counts = self.opener.counts
            self._own.append(AuthenticationFailed(counts.failed + counts.replayed))
        timer = self.machine.get_timer()
        if timer is not None and timer <= now:
            self.machine.handle_timer(now)

    # --- output ---------------------------------------------------------------------------

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        transmits = self.machine.datagrams_to_send(now)
        if not transmits:
            return transmits
        seal, out = self.sealer.seal_many, []
        try:
            for transmit in transmits:
                if transmit.segment_size is None:
                    out.append(Transmit(seal((transmit.data,))[0]))
                else:
                    data = b"".join(seal(transmit.datagrams()))
                    out.append(Transmit(data, transmit.segment_size + wire.SEAL_OVERHEAD))
        except NonceExhausted as error:
            self._end(str(error), now)
            return out
        return out

    def _end(self, reason: str, now: float) -> None:
        machine = self.machine
        if hasattr(machine, "abort"):
            machine.abort(reason, now)
        elif hasattr(machine, "leave"):
            machine.leave(now, reason=reason)
        machine.datagrams_to_send(now)  # goodbyes cannot be sealed any more: let them go

    def events(self) -> list[Event]:
        own, self._own = self._own, []
        return own + [replace(e, secured=True) if isinstance(e, _MARKED) else e for e in self.machine.events()]

    @property
    def rejected(self) -> int:
        """Datagrams that did not authenticate or were replays, so far."""
        return self.opener.counts.failed + self.opener.counts.replayed
