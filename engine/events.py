"""What happens in a session, in the words a user would use.

The protocol machines emit these; the CLI prints them, `--json` serialises them and the
wizard shows them: one vocabulary everywhere. Events are small frozen dataclasses, like h11's.
Times inside events are durations in seconds, never clock readings, so they mean the same
to every reader.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Peer:
    """A participant as the master sees it."""

    client_id: str  # the sender id in hex: stable for the session, unique on the group
    host: str
    address: str
    target_size: int | None  # bytes the client's target can hold; None: grows as needed


@dataclass(frozen=True)
class Event:
    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: {"event": "client_joined", ...fields}."""
        name = "".join("_" + c.lower() if c.isupper() else c for c in type(self).__name__)[1:]
        return {"event": name, **dataclasses.asdict(self)}


NOT_SECURED = "not secured: anyone on this network can read this image"


def security_words(secured: bool) -> str:
    """What the CLI's session line and the wizard say about who can read the image."""
    return "secured" if secured else NOT_SECURED


# --- lobby -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingForMaster(Event):
    """A client (or an undecided participant) listens on the group for its master."""

    group: str
    port: int
    secured: bool = False  # set by the secured-session layer (engine/secure)


@dataclass(frozen=True)
class RoleDecided(Event):
    """A participant started without a role now knows it: someone claimed mastership."""

    role: str  # "master" or "client"
    master_id: str


@dataclass(frozen=True)
class DiskChosen(Event):
    """No from= or to= was given: the session uses this computer's own disk, as ZENworks did."""

    purpose: str  # "send" or "write"
    device: str
    description: str  # device, model, size, serial: what the operator recognises


@dataclass(frozen=True)
class LobbyOpened(Event):
    """The master announces the session and waits for clients."""

    group: str
    port: int
    session_id: str
    stream_size: int | None
    disk_size: int
    secured: bool = False  # False: anyone on this network can read what is sent


@dataclass(frozen=True)
class MasterFound(Event):
    """A client heard its master's announce."""

    master_host: str
    master_address: str
    stream_size: int | None
    disk_size: int
    secured: bool = False


@dataclass(frozen=True)
class MasterIgnored(Event):
    """A client gave up on the master it was joining and waits for another (secured session:
    it announces but never answers this computer's join, as a recording of an earlier run)."""

    master_host: str
    master_address: str
    reason: str

    @property
    def message(self) -> str:
        return f"ignoring the master {self.master_host} ({self.master_address}): {self.reason}; waiting on"


@dataclass(frozen=True)
class Joined(Event):
    """The master accepted this client into the session."""

    client_id: str


@dataclass(frozen=True)
class ClientJoined(Event):
    client: Peer
    joined: int  # clients in the lobby now (with late joiners: in the session)
    wanted: int | None  # clients=N, when given
    late: bool = False  # joined while the transfer ran: it gets what it missed in a catch-up pass


@dataclass(frozen=True)
class ClientLeft(Event):
    """A client left the lobby (or was silent there too long) before the transfer."""

    client: Peer
    reason: str


@dataclass(frozen=True)
class StartScheduled(Event):
    """The lobby will close by itself after `seconds` unless more clients join or it starts now."""

    seconds: float


@dataclass(frozen=True)
class CollisionDetected(Event):
    """Another session uses our group address (a name hash collision); its data is ignored."""

    other_session_id: str
    other_sender: str
    other_address: str


# --- transfer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferStarted(Event):
    clients: tuple[Peer, ...]
    stream_size: int | None


@dataclass(frozen=True)
class Progress(Event):
    """Overall progress: the master counts new stream bytes sent, a client bytes written."""

    done: int
    total: int | None
    rate: float  # bytes per second, recent average
    lost: int  # datagrams found missing so far (client) / reported missing (master)
    repairs: int  # repair datagrams received (client) / sent (master)
    # A stream built from a disk as it is sent has no size until its end, so `total` is None;
    # how far through that disk it has got is a known fraction: `position` of `span` disk bytes
    # (None where the stream is not an image of a disk, or before its header is read)
    position: int | None = None
    span: int | None = None
    # The master in a catch-up pass (2, 3, ...): done and total count that pass's own bytes,
    # the slices its clients lack, not the stream's
    pass_no: int = 1


@dataclass(frozen=True)
class ClientProgress(Event):
    """The master's view of one client, from its periodic reports."""

    client_id: str
    done: int
    lost: int
    repaired: int
    rate: float = 0.0  # bytes/s its own link delivers to it lately (what the master hears it received)
    pass_no: int = 1  # the pass it takes part in; 0: it waits for the next one (catching up)
    catching_up: bool = False  # fell behind or joined late: it gets what it misses in further passes
    position: int | None = None  # disk bytes its copy has got through, of the master's Progress.span


@dataclass(frozen=True)
class PaceSetBy(Event):
    """The master, under --slow-clients wait: everyone goes at this client's pace; its path is
    the one whose queue or loss made the master slow down (said once per pace-setter)."""

    client: Peer
    rate: float  # bytes/s the master sends at, when said
    cuts: int  # slow-downs its reports caused ...
    of: int  # ... of all those the clients' reports caused

    @property
    def message(self) -> str:
        return (f"everyone goes at {self.client.host}'s pace ({self.client.address}; {self.rate / 1e6:.1f} MB/s "
                f"now): its link is the one that fills ({self.cuts} of {self.of} slow-downs came from it)")


@dataclass(frozen=True)
class ClientCatchingUp(Event):
    """The master: a client no longer holds the others back; it keeps what it received and gets
    the rest in a further pass (`reason` says why: too slow for the others, or joined late)."""

    client: Peer
    reason: str


@dataclass(frozen=True)
class PassStarted(Event):
    """The master: a catch-up pass begins, for these clients, over `slices` slices they lack."""

    pass_no: int
    clients: tuple[Peer, ...]
    slices: int


@dataclass(frozen=True)
class CatchingUp(Event):
    """A client: this computer gets what it missed in a further pass (pass_no 0: waiting for
    it, while the others finish; else the catch-up pass it now takes part in)."""

    pass_no: int
    reason: str


@dataclass(frozen=True)
class ClientDropped(Event):
    """The master gave up on a client (silent too long, or it left); the others go on."""

    client: Peer
    reason: str


@dataclass(frozen=True)
class ClientVerified(Event):
    client: Peer


@dataclass(frozen=True)
class ClientFailed(Event):
    client: Peer
    reason: str


@dataclass(frozen=True)
class TargetVerified(Event):
    """This client's copy matched the master's SHA-256."""

    sha256: str
    size: int
    notes: tuple[str, ...] = ()  # what the operator should know: a GPT fitted to a larger disk, a kernel not told


# --- end ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaughtUp:
    """One client that fell behind (or joined late) and still finished."""

    client_id: str
    host: str
    late: bool  # joined after the transfer began (else: was too slow for the others)
    passes: int  # the pass it finished in
    seconds: float  # from falling behind (or joining) to its verdict


@dataclass(frozen=True)
class SessionFinished(Event):
    """The session is over. On the master it lists every client; on a client only itself."""

    verified: tuple[Peer, ...]
    failed: tuple[Peer, ...]
    dropped: tuple[Peer, ...]
    sha256: str
    size: int
    seconds: float
    drop_reasons: tuple[str, ...] = ()  # why each of `dropped` was dropped, in the same order
    caught_up: tuple[CaughtUp, ...] = ()  # the clients that finished in a catch-up pass

    @property
    def all_verified(self) -> bool:
        return bool(self.verified) and not self.failed and not self.dropped


@dataclass(frozen=True)
class SessionFailed(Event):
    """This participant's session ended without success; `reason` is one line for a person."""

    reason: str


@dataclass(frozen=True)
class DatagramDropped(Event):
    """A datagram was malformed or belonged to another session; counted, never fatal.

    Emitted at most once per kind, so a flood of garbage cannot flood the user."""

    reason: str
    count: int


@dataclass(frozen=True)
class AuthenticationFailed(Event):
    """Secured session: datagrams with our session id failed authentication (or were replays).
    Said once, a moment after the first, so that the count means something."""

    count: int
    senders: tuple[str, ...] = ()  # the addresses they came from (the first few)

    @property
    def message(self) -> str:
        """Which side has the wrong passphrase cannot be told from here: the computer that sent
        them and this one have different passphrases (or it is an attack)."""
        where = ""
        if self.senders:
            where = f" from {', '.join(self.senders[:3])}" + (f" and {len(self.senders) - 3} more" if len(self.senders) > 3 else "")
        return (f"{self.count} datagram{'s' if self.count != 1 else ''} failed authentication{where}: "
                "that computer and this one have different passphrases, or it is an attack")
