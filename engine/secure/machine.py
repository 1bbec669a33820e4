"""`SecuredMachine`: a master, client or undecided participant, behind a sealing layer.

It has the machine's interface (the driver cannot tell the difference) and is as free of I/O
as the machine: datagrams heard are opened before the machine sees them, datagrams the
machine sends are sealed. What fails to open never reaches the machine, so a rogue sender
without the key changes nothing in it: it is counted, and said once.

Every run is fresh. A master draws a run nonce when it becomes master and seals with that
run's key (seal.run_key); it opens only its own run's datagrams (and other runs' announces, so
it can still say another master announces this session). A client opens any run's announces
while it chooses a master; its JOIN carries a fresh 8-byte challenge (appended to the sealed
plaintext) and the master's layer appends the challenge of the client it answers to each
ACCEPT. Until an ACCEPT echoes its challenge, a client's machine hears nothing of that master
but announces and ACCEPTs; after it, only that run. So a recording of an earlier run with the
same name and passphrase (JOINs, ACCEPTs, START, blocks, END, ABORT) changes nothing in this
run: a master gains no phantom clients, a client is neither started, fed nor ended by it.

Three verdicts belong here, because only this layer can tell: a client that hears a master
whose datagrams never authenticate is told its passphrase does not match the master's, and
one that hears only an unsecured master is told it will not join it, each after a couple of
seconds of hearing nothing usable (a forger cannot make a client give up on a master whose
announcements do authenticate); and a client whose JOINs a master that keeps announcing never
answers (a recording of an earlier run, replayed) is told so after a few seconds.
"""

from __future__ import annotations

import os
import random
from dataclasses import replace
from typing import Any

from .. import wire
from ..events import AuthenticationFailed, Event, LobbyOpened, MasterFound, WaitingForMaster
from ..protocol.common import VERDICT_AFTER, Transmit
from .kdf import DEFAULT_KDF, KdfParams
from .lobby import (
    CHALLENGE_SIZE,
    HeardChallenges,
    carries_echo,
    is_master_announce,
    is_undecided_announce,
    split_challenge,
    split_echo,
    with_echo,
)
from .seal import LOBBY, NonceExhausted, Opener, Sealer, new_run

REPORT_AFTER = 1.0  # failures are said once, this long after the first
MAX_FAILED_SENDERS = 8  # addresses kept for that report (a flood from many must not grow it)
WRONG_PASSPHRASE = "the passphrase does not match the master's (its announcements do not authenticate)"
NOT_SECURED = ("the master of this session is not secured (it has no passphrase); this computer was "
               "given one and will not join an unsecured session")
STALE_AFTER = 5.0  # seconds of a master announcing without answering our JOINs, before saying so
STALE_MASTER = ("it announces this session but does not answer this computer's join (a recording of an "
                "earlier run replayed on the network, or a master that cannot hear this computer)")
MAX_CHALLENGES = 65536  # clients' challenges a master keeps
_ANNOUNCE, _JOIN, _ACCEPT, _CLAIM = (int(wire.Kind.ANNOUNCE), int(wire.Kind.JOIN), int(wire.Kind.ACCEPT),
                                     int(wire.Kind.CLAIM))
_H = wire.HEADER_SIZE
_NO_CHALLENGE = bytes(CHALLENGE_SIZE)
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
        self._rng = rng
        self._own: list[Event] = []
        self._first_failure: float | None = None
        self._failed_from: dict[str, None] = {}  # addresses whose datagrams failed, in order heard
        self._reported = False
        self._unusable_since: float | None = None
        self._unusable_why = ""
        self._heard_master = False
        self._master_runs: dict[bytes, bytes] = {}  # a master's sender id -> the run it announces
        self._ignored_runs: set[bytes] = set()  # runs that announce and never answer (replays)
        self._challenges: dict[int, bytes] = {}  # a master's: client id -> its JOIN's challenge
        self._joining: tuple[bytes, bytes] | None = None  # a client's: (run, challenge) it joins with
        self._joining_since = 0.0
        self._joining_heard: float | None = None  # the run's latest announce since the first JOIN
        self.unproven = 0  # datagrams of a master's run held back until it answered our challenge
        # An undecided participant's lobby challenge, and what the lobby's participants sent
        # (lobby.py: a replayed CLAIM or master announce does not echo ours, so decides nothing)
        self._lobby_challenge = os.urandom(CHALLENGE_SIZE)
        self._heard_challenges = HeardChallenges()
        self.unfresh = 0  # CLAIMs and masters' announces that did not echo our lobby challenge
        self._role = ""
        self._configure()

    def rewrap(self, machine: Any) -> SecuredMachine:
        """The same layer around the machine this one's becomes (an undecided participant that
        turned master or client): the counter goes on, so no nonce is used twice."""
        layer = object.__new__(SecuredMachine)
        layer.__dict__.update(self.__dict__)
        layer.machine = machine
        layer._own = []
        layer._configure()
        return layer

    def _configure(self) -> None:
        """Which run we seal with and open, by role: a master its own new run; anyone else the
        lobby's until it joins a master (a client binds to its master's run when answered)."""
        from ..protocol.master import Master  # (the protocol does not import this layer)
        from ..protocol.participant import Participant

        if isinstance(self.machine, Master):
            if self._role != "master":
                self._role = "master"
                self.run = new_run(self._rng)
                self.sealer.set_run(self.run)
                self.opener.bind(self.run, frozenset({_ANNOUNCE}))  # to say another master announces
        elif isinstance(self.machine, Participant):
            self._role = "undecided"
            self.sealer.set_run(LOBBY)
        else:
            self._role = "client" if hasattr(self.machine, "take_data") else "waiting"
            if self.opener.run is None:
                self.sealer.set_run(LOBBY)

    @property
    def bound(self) -> bytes | None:
        """The run of the master that answered this client's challenge (a master: its own)."""
        return self.opener.run

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
        opener, opened, role = self.opener, [], self._role
        for data in datagrams:
            inner = opener.open(data)
            if inner is not None and (inner[5] == _ANNOUNCE or inner[5] == _CLAIM):
                inner = self._lobby_in(inner, now)
                if inner is None:
                    continue
            if inner is not None:
                if is_master_announce(inner):
                    self._heard_master = True
                if role == "master":
                    if inner[5] == _JOIN:
                        inner = self._take_challenge(inner)
                elif inner[5] == _ANNOUNCE:
                    if opener.last_run in self._ignored_runs:
                        continue
                    self._on_announce(inner, now)
                elif role == "client" or inner[5] == _ACCEPT:
                    inner = self._proven(inner, now)
                if inner is not None:
                    opened.append(inner)
            elif opener.last != "own":
                self._unusable(data, opener.last, now, address[0])
        if not opened:
            return
        batch = getattr(self.machine, "receive_datagrams", None)
        if batch is not None:
            batch(opened, address, now, arrival)
        else:
            for inner in opened:
                self.machine.receive_datagram(inner, address, now)

    # --- runs and challenges ----------------------------------------------------------------

    def _lobby_in(self, inner: bytes, now: float) -> bytes | None:
        """Take the lobby's trailers off an announce or CLAIM; an undecided participant passes
        on a CLAIM or a master's announce only if it echoes its own challenge."""
        if is_undecided_announce(inner):
            split = split_challenge(inner)
            if split is None:
                return None
            inner, challenge = split
            if self._role in ("undecided", "master"):
                self._heard_challenges.hear(inner[14:18], challenge, now)
            return inner
        if not carries_echo(inner):
            return inner
        echo = split_echo(inner)
        if echo is None:
            return None
        inner, echoed = echo
        if self._role == "undecided" and self._lobby_challenge not in echoed:
            self.unfresh += 1  # a recording of an earlier lobby, or one that has not heard us yet
            return None
        return inner

    def _take_challenge(self, join: bytes) -> bytes | None:
        """A master's: a JOIN of our run, its challenge taken off (kept for our ACCEPTs)."""
        if len(join) < _H + CHALLENGE_SIZE:
            return None
        client = int.from_bytes(join[14:18], "big")
        if client not in self._challenges and len(self._challenges) >= MAX_CHALLENGES:
            self._challenges.pop(next(iter(self._challenges)))
        self._challenges[client] = join[-CHALLENGE_SIZE:]
        return join[:-CHALLENGE_SIZE]

    def _on_announce(self, announce: bytes, now: float) -> None:
        """Not a master's: which run each master announces under (our JOIN is sealed with it)."""
        run = self.opener.last_run
        if len(announce) > _H and announce[_H] == wire.Role.MASTER:
            sender = announce[14:18]
            if sender not in self._master_runs and len(self._master_runs) >= 64:
                self._master_runs.pop(next(iter(self._master_runs)))
            self._master_runs[sender] = run
        if self._joining is not None and run == self._joining[0]:
            self._joining_heard = now

    def _proven(self, inner: bytes, now: float) -> bytes | None:
        """Not a master's: a datagram (not an announce) of a master's run, passed on only once
        that master has answered our challenge; an ACCEPT's echoed challenge is taken off."""
        run, bound = self.opener.last_run, self.opener.run
        if inner[5] == _ACCEPT:
            joining = self._joining
            if len(inner) < _H + 4 + CHALLENGE_SIZE or joining is None or run != joining[0]:
                self.unproven += 1
                return None
            inner, echoed = inner[:-CHALLENGE_SIZE], inner[-CHALLENGE_SIZE:]
            if inner[_H : _H + 4] == self.machine.sender.to_bytes(4, "big"):
                if echoed != joining[1]:
                    self.opener.counts.stale += 1  # an ACCEPT of an earlier run's JOIN, replayed
                    return None
                if bound is None:
                    self.opener.bind(run)  # answered: this run is live; no other opens from now
            return inner
        if bound is None:
            self.unproven += 1
            return None
        return inner

    def _seal_join(self, join: bytes, now: float) -> bytes:
        """A client's JOIN: sealed with its master's run, our challenge appended."""
        params = getattr(self.machine, "params", None)
        master = None if params is None else params.master.to_bytes(4, "big")
        run = self.opener.run or self._master_runs.get(master, LOBBY)  # type: ignore[arg-type]
        if self._joining is None or self._joining[0] != run:
            self._joining = (run, os.urandom(CHALLENGE_SIZE))
            self._joining_since, self._joining_heard = now, None
            self.sealer.set_run(run)
        return join + self._joining[1]

    def _stale_at(self) -> float | None:
        if self._joining is None or self.opener.run is not None or self._joining_heard is None:
            return None
        state = getattr(self.machine, "state", None)
        if getattr(state, "value", None) != "joining":
            return None
        return self._joining_since + self._stale_after()

    def _stale_after(self) -> float:
        config = getattr(self.machine, "config", None)  # before the machine's own silence timeout
        return min(STALE_AFTER, config.master_timeout / 2) if config is not None else STALE_AFTER

    def _unusable(self, data: bytes | memoryview, why: str, now: float, sender: str = "") -> None:
        if why in ("failed", "replayed"):
            if self._first_failure is None:
                self._first_failure = now
            if sender and len(self._failed_from) < MAX_FAILED_SENDERS:
                self._failed_from.setdefault(sender, None)  # who, for the report: the first few
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
        timers = [t for t in (self.machine.get_timer(), self._verdict_at(), self._report_at(), self._stale_at())
                  if t is not None]
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
        stale = self._stale_at()
        if stale is not None and now >= stale:
            if self._joining_heard is not None and now - self._joining_heard < self._stale_after() / 2:
                self._ignore_run(now)  # it announces on, and never answers
            else:
                self._joining_heard = None  # silent: the machine's own timeout says so
        report = self._report_at()
        if report is not None and now >= report:
            self._reported = True
            counts = self.opener.counts
            self._own.append(AuthenticationFailed(counts.failed + counts.replayed, tuple(self._failed_from)))
        timer = self.machine.get_timer()
        if timer is not None and timer <= now:
            self.machine.handle_timer(now)

    def _ignore_run(self, now: float) -> None:
        """The run we were joining announces on and never answers our challenge (a recording of
        an earlier run, replayed): its announces are not passed on any more, and the client
        waits for the live master, which announces under a run of its own."""
        run = self._joining[0]  # type: ignore[index]
        if len(self._ignored_runs) >= 64:
            self._ignored_runs.pop()
        self._ignored_runs.add(run)
        self._joining, self._joining_heard = None, None
        self.sealer.set_run(LOBBY)
        forget = getattr(self.machine, "forget_master", None)
        if forget is not None:
            forget(now, STALE_MASTER)
        else:
            self.machine.leave(now, reason=STALE_MASTER)

    # --- output ---------------------------------------------------------------------------

    def datagrams_to_send(self, now: float) -> list[Transmit]:
        transmits = self.machine.datagrams_to_send(now)
        if not transmits:
            return transmits
        seal, out, role = self.sealer.seal_joined, [], self._role
        try:
            for transmit in transmits:
                if transmit.segment_size is None:
                    data = transmit.data
                    if is_master_announce(data) or data[5] == _CLAIM:
                        data = with_echo(data, self._heard_challenges.take(now))
                    elif is_undecided_announce(data):
                        data = data + self._lobby_challenge
                    elif data[5] == _ACCEPT and role == "master":
                        data = data + self._challenges.get(int.from_bytes(data[_H : _H + 4], "big"), _NO_CHALLENGE)
                    elif data[5] == _JOIN and role == "client":
                        data = self._seal_join(data, now)
                    out.append(Transmit(seal((data,))))
                else:
                    data = seal(transmit.datagrams())
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
