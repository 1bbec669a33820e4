"""One participant's whole session, on real sockets: what `img session` and the wizard run.

It checks the settings, opens the source or target and the multicast socket, builds the right
machine (master, client, or an undecided participant that becomes one of them), drives it to
the end, and always cleans up: no socket, thread or half-claimed target is left behind.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import wire
from .errors import ImgcastError, UsageError
from .errors import SessionFailed as SessionFailedError
from .events import (
    ClientProgress,
    DiskChosen,
    Event,
    MasterFound,
    MasterIgnored,
    Progress,
    SessionFailed,
    SessionFinished,
    TargetVerified,
    WaitingForMaster,
)
from .naming import DEFAULT_PORT, DEFAULT_TTL, session_address
from .net.driver import Driver
from .net.faults import FaultInjector
from .net.sockets import (
    check_interface,
    ignore_own_blocks,
    interface_for,
    local_address_for,
    open_multicast_socket,
)
from .protocol.client import Client
from .protocol.common import DEFAULT_MTU, MAX_MTU, MIN_MTU, ProtocolConfig
from .protocol.listener import MasterListener
from .protocol.master import Master
from .protocol.participant import Participant
from .protocol.policy import parse_slow_policy
from .stream import StreamSink, StreamSource
from .stream.base import reader_for, writer_for
from .stream.open import open_sink, open_source, target_capacity

if TYPE_CHECKING:
    from .disk.own import Ask

ROLES = ("master", "client")


@dataclass
class SessionSettings:
    name: str
    role: str | None = None  # "master" | "client" | None: decide later (first to press m)
    clients: int | None = None  # master: start when this many have joined
    timeout_minutes: float | None = None  # ... or this long after the last join
    source: str | None = None  # master: disk, raw file or .imgcast file; None: this computer's disk
    target: str | None = None  # client: disk or raw file; None: this computer's disk
    interface: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    ttl: int = DEFAULT_TTL
    rate: float | None = None  # bytes/s cap
    mtu: int | None = None  # the largest datagram to send/receive (default: the interface's MTU)
    confirmed: bool = False  # the operator agreed to overwrite a disk target
    host: str = field(default_factory=socket.gethostname)
    source_options: dict[str, Any] = field(default_factory=dict)  # e.g. raw=True, level="size"
    passphrase: bytes | None = field(default=None, repr=False)  # a secured session (engine/secure)
    slow_clients: str = "catch-up"  # master: catch-up | wait | drop:RATE (engine/protocol/policy.py)
    late_join: bool = True  # master: accept clients that arrive while the transfer runs

    @property
    def secured(self) -> bool:
        return self.passphrase is not None

    def check(self) -> None:
        """Raise UsageError naming the first thing wrong, before anything is opened."""
        session_address(self.name)
        if self.role not in (None, *ROLES):
            raise UsageError(f"unknown role {self.role!r}: use master or client (or leave it out and press m)")
        if self.clients is not None and not 1 <= self.clients <= 10000:
            raise UsageError(f"clients={self.clients}: give a number of clients from 1 to 10000")
        if self.timeout_minutes is not None and not 0 <= self.timeout_minutes <= 7 * 24 * 60:
            raise UsageError(f"t={self.timeout_minutes:g}: give the minutes to wait, from 0 up to a week")
        if self.rate is not None and self.rate <= 0:
            raise UsageError("--rate must be more than 0")
        if self.mtu is not None and not MIN_MTU <= self.mtu <= MAX_MTU:
            raise UsageError(f"--mtu {self.mtu}: give an MTU from {MIN_MTU} to {MAX_MTU} bytes "
                             "(1500 on most Ethernet, 9000 with jumbo frames)")
        if not 1 <= self.port <= 65535:
            raise UsageError(f"--port {self.port}: use 1..65535")
        if not 0 <= self.ttl <= 255:
            raise UsageError(f"--ttl {self.ttl}: use 0..255 (1 keeps the session on this network segment)")
        check_interface(self.interface)
        _check_local_address(self.interface)
        parse_slow_policy(self.slow_clients)


def _check_local_address(interface: str) -> None:
    """--interface must be an address of this computer; found out only when the socket is
    opened, that would come after the disk is chosen (and be a worse message). Binding a UDP
    socket to it is how the kernel answers; nothing is sent."""
    if interface == "0.0.0.0":
        return
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((interface, 0))
    except OSError:
        raise UsageError(f"--interface {interface}: not an address of this computer; give the IPv4 "
                         "address of one of its network cards (see 'ip -4 addr')") from None


class SessionRunner:
    """Run a session; operator actions (`start_now`, `become_master`, `cancel`) may come at any time."""

    def __init__(
        self,
        settings: SessionSettings,
        on_event: Callable[[Event], None],
        *,
        config: ProtocolConfig | None = None,
        faults: FaultInjector | None = None,
        ask: Ask | None = None,
    ) -> None:
        """`ask` puts a question to the operator and returns the answer (the CLI on a terminal);
        None means nobody can be asked: choosing among several own disks, or writing one
        without --yes, is then refused with the reason."""
        self.settings = settings
        self.ask = ask
        self._on_event = on_event
        self.config = config or ProtocolConfig()
        if settings.rate is not None:
            self.config = replace(self.config, rate=settings.rate, initial_rate=min(self.config.initial_rate, settings.rate))
        self.faults = faults
        self.machine: Any = None
        self.driver: Driver | None = None
        self.final: Event | None = None
        self._source: StreamSource | None = None
        self._sink: StreamSink | None = None
        self._cancelled = False
        self._claim = False
        self._waiting_shown = False
        self._secured: Any = None  # the SecuredMachine layer of a secured session

    # --- operator actions -----------------------------------------------------------------

    def start_now(self) -> str | None:
        if isinstance(self.machine, Master):
            problem = self.machine.start_now(self._now())
            self._poke()
            return problem
        return "only the master starts the session"

    def become_master(self) -> str | None:
        if isinstance(self.machine, Participant):
            problem = self.machine.claim(self._now())
            self._poke()
            return problem
        return "the roles are already decided"

    def cancel(self, reason: str = "the operator on the master cancelled it") -> None:
        """`reason`: what the clients are told when this is the master."""
        self._cancelled = True
        machine, now = self.machine, self._now()
        if isinstance(machine, Master):
            machine.abort(reason, now)
        elif isinstance(machine, Client):
            machine.leave(now)
        self._poke()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _poke(self) -> None:
        if self.driver is not None:
            self.driver.poke()

    # --- running --------------------------------------------------------------------------

    def _event(self, event: Event) -> None:
        if isinstance(event, WaitingForMaster):
            if self._waiting_shown:
                return  # the listener said so already; the client that follows waits on
            self._waiting_shown = True
        if isinstance(event, SessionFinished | SessionFailed):
            self.final = event
        if isinstance(event, MasterFound) and self._sink is None and isinstance(self.machine, Client):
            self._open_target()
        if isinstance(event, MasterIgnored):
            self._close_target()  # opened for that master's image: the next master's may differ
        if isinstance(event, Progress | ClientProgress) and event.position is None:
            event = self._with_position(event)
        if isinstance(event, TargetVerified) and not event.notes:
            event = replace(event, notes=tuple(getattr(self._sink, "notes", ())))  # (kept image-safe data's too)
        self._on_event(event)

    def _image_sink(self) -> Any:
        """The sink that parses the image and writes the disk, inside its wrappers (kept
        image-safe data, a sealed image), or None."""
        sink = self._sink
        while sink is not None and not hasattr(sink, "position"):
            sink = getattr(sink, "inner", None)
        return sink

    def _with_position(self, event: Progress | ClientProgress) -> Progress | ClientProgress:
        """Progress through the disk, where the stream is an image built from a disk as it is
        sent: it has no size to count against until its end (see events.Progress)."""
        source = self._source
        if isinstance(self.machine, Master):
            positions = getattr(source, "positions", None)
            if positions is None:  # an image file or a raw stream: its size is known
                return event
            if isinstance(event, ClientProgress):
                return replace(event, position=positions.at(event.done))
            if event.pass_no > 1:  # a catch-up pass counts its own bytes, not stream offsets
                return event
            return replace(event, position=positions.at(event.done), span=source.disk_size)  # type: ignore[union-attr]
        sink = self._image_sink()
        params = getattr(self.machine, "params", None)
        built_as_sent = params is not None and params.stream_size is None  # (its END tells the size at last)
        if isinstance(event, Progress) and built_as_sent and sink is not None:
            header = getattr(sink, "header", None)  # (before it is read: the disk announced)
            span = header.disk_size if header is not None else params.disk_size  # type: ignore[union-attr]
            return replace(event, position=sink.position, span=span)  # type: ignore[union-attr]
        return event

    async def run(self) -> Event:
        s = self.settings
        s.check()
        address = session_address(s.name)
        key_derived = None
        if s.passphrase is not None:
            # the key costs a tenth of a second of scrypt (which lets go of the GIL): derived in a
            # thread while the source, target and socket are opened, then cached
            from .secure.seal import session_key  # cryptography only for a secured session

            key_derived = asyncio.get_running_loop().run_in_executor(None, session_key, s.passphrase,
                                                                     address.session_id)
        # No from= / to=: this computer's own disk (ZENworks). Without a role only when neither
        # is given: a participant started with one path meant only that one.
        own_target = not s.target and (s.role == "client" or (s.role is None and not s.source))
        if not s.source and (s.role == "master" or (s.role is None and not s.target)):
            s.source = self._own_disk("send", 0)
        if own_target:
            from .disk.own import own_disks  # the inventory (psutil) only when a disk is implied

            own = own_disks("write")  # the size is known only from the announce: say "none" now
            if not own.eligible:
                raise SessionFailedError(own.none_message())
        if s.role in ("master", None) and s.source:
            self._source = _os_errors_for_people(f"from={s.source}", open_source, s.source,
                                                 passphrase=s.passphrase, **s.source_options)
        capacity = target_capacity(s.target) if s.target else None
        try:
            interface = interface_for(address.group, s.interface)
            endpoint = _os_errors_for_people("the multicast socket", open_multicast_socket,
                                             address.group, s.port, interface, s.ttl)
        except BaseException:
            if self._source is not None:
                self._source.close()
            raise
        sender = random.SystemRandom().getrandbits(32) or 1
        # Blocks fit the interface's MTU, or --mtu in its place (the operator knows the path
        # better, or the card's MTU could not be read); the master then fits every client's too.
        mtu = s.mtu or endpoint.mtu or DEFAULT_MTU
        if s.passphrase is not None:
            # sealing adds SEAL_OVERHEAD bytes to every datagram: the machines (and the MTU this
            # computer tells the master) size blocks for what is left, so none is too large
            mtu = min(mtu, MAX_MTU) - wire.SEAL_OVERHEAD
        ignore_own_blocks(endpoint, sender)
        loop = asyncio.get_running_loop()
        try:
            if key_derived is not None:
                await key_derived  # (inside: a cancel meanwhile still closes the socket and source)
            role = s.role
            master_id = None
            if role is None:
                self.machine = Participant(address.session_id, sender, now=loop.time(), host=s.host,
                                           can_master=self._source is not None, group=address.group,
                                           port=s.port, config=self.config)
                self.driver = Driver(self._layer(self.machine), endpoint, self._event, faults=self.faults)
                await self.driver.run(until=lambda: self._cancelled)
                if self._cancelled or self.machine.role is None:
                    self.final = SessionFailed("cancelled before a master was chosen")
                    self._on_event(self.final)
                    return self.final
                role, master_id = self.machine.role, self.machine.master_id
                if role == "client" and not s.target and not own_target:
                    self.final = SessionFailed("another computer became the master, but this one has no to=PATH to write")
                    self._on_event(self.final)
                    return self.final
            if role == "client" and not s.target:
                heard = await self._hear_master(endpoint, address, sender, master_id)
                if heard is None:
                    if self.final is None:  # (else the listener failed and said why)
                        self.final = SessionFailed("cancelled before the master was heard")
                        self._on_event(self.final)
                    return self.final
                s.target = self._own_disk("write", heard.disk_size)
                s.confirmed = True  # choose_own_disk had --yes, or asked the operator
                capacity = target_capacity(s.target)
                master_id = heard.sender
            if role == "master":
                assert self._source is not None
                source = self._source
                self.machine = Master(
                    address.session_id, sender, now=loop.time(), host=s.host, group=address.group, port=s.port,
                    stream_format=source.stream_format, stream_size=source.stream_size,
                    disk_size=source.disk_size, image_name=_image_name(s.source or ""),
                    wanted=s.clients,
                    lobby_timeout=None if s.timeout_minutes is None else s.timeout_minutes * 60.0,
                    config=self.config, mtu=mtu,
                    slow_policy=parse_slow_policy(s.slow_clients), late_join=s.late_join,
                )
            else:
                self.machine = Client(
                    address.session_id, sender, now=loop.time(), host=s.host,
                    address=local_address_for(interface), capacity=capacity, group=address.group,
                    port=s.port, config=_with_hold_for_memory(self.config), master_id=master_id, mtu=mtu,
                )
            if self.driver is None:
                self.driver = Driver(self._layer(self.machine), endpoint, self._event, faults=self.faults)
            else:
                self.driver.swap(self._layer(self.machine))
            if self._cancelled:  # the operator cancelled while the session was being set up
                self.cancel()
            if isinstance(self.machine, Master):
                self.driver.attach_source(reader_for(self._source), self._reopen_source)  # type: ignore[arg-type]
            await self.driver.run()
            if self.final is None:
                self.final = SessionFailed("the session ended without a result")
                self._on_event(self.final)
            return self.final
        except asyncio.CancelledError:
            self.cancel()
            raise
        finally:
            self._cleanup(endpoint)

    def _reopen_source(self) -> StreamSource:
        """The source opened again, as it was the first time: a catch-up pass reads it anew."""
        s = self.settings
        return _os_errors_for_people(f"from={s.source}", open_source, s.source or "",
                                     passphrase=s.passphrase, again=self._source, **s.source_options)

    def _own_disk(self, purpose: str, min_size: int) -> str:
        """This computer's disk for `purpose` (no from=/to= given), asking where a person must."""
        from .disk.own import choose_own_disk, describe, own_disks

        own = own_disks(purpose, min_size=min_size)
        device = choose_own_disk(own, confirmed=self.settings.confirmed, ask=self.ask)
        disk = next(d for d in own.eligible if d.device == device)
        self._on_event(DiskChosen(purpose, device, describe(disk)))
        return device

    async def _hear_master(self, endpoint: Any, address: Any, sender: int, master_id: int | None) -> Any:
        """Listen (sending nothing) until the master announces: the disk is chosen knowing the
        size it must hold, and before the JOIN that tells the master the target's capacity."""
        s = self.settings
        listener = MasterListener(address.session_id, sender, group=address.group, port=s.port,
                                  master_id=master_id, config=self.config)
        if self.driver is None:
            self.driver = Driver(self._layer(listener), endpoint, self._event, faults=self.faults)
        else:
            self.driver.swap(self._layer(listener))
        self.machine = listener
        await self.driver.run(until=lambda: self._cancelled)
        return None if self._cancelled else listener.heard

    def _layer(self, machine: Any) -> Any:
        """The machine as the driver sees it: behind the sealing layer in a secured session (the
        same layer when an undecided participant becomes master or client: its counter goes on)."""
        if self.settings.passphrase is None:
            return machine
        if self._secured is None:
            from .secure.machine import SecuredMachine

            self._secured = SecuredMachine(machine, self.settings.passphrase)
        else:
            self._secured = self._secured.rewrap(machine)
        return self._secured

    def _open_target(self) -> None:
        s, client = self.settings, self.machine
        params = client.params
        try:
            self._sink = _os_errors_for_people(
                f"to={s.target}", open_sink,
                s.target or "", stream_format=params.stream_format, disk_size=params.disk_size,
                confirmed=s.confirmed, image_name=params.image_name, session_name=s.name,
                passphrase=s.passphrase,
            )
        except ImgcastError as error:
            client.leave(self._now(), reason=str(error))
            return
        assert self.driver is not None
        self.driver.attach_target(writer_for(self._sink, params.stream_format))

    def _close_target(self) -> None:
        """Before anything was written (the client was still joining): let the target go."""
        driver, sink = self.driver, self._sink
        if driver is not None and driver.target is not None:
            driver.target.stop()
            driver.target.join(timeout=5)
            driver.target = None
        if sink is not None:
            sink.abort()
        self._sink = None

    def _cleanup(self, endpoint: Any) -> None:
        driver = self.driver
        source_idle = True
        if driver is not None:
            if driver.source is not None:
                driver.source.stop()
                driver.source.join(timeout=10)  # it may be inside a read: close only after it
                source_idle = not driver.source.is_alive()
            if driver.target is not None:
                driver.target.stop()
        succeeded = isinstance(self.final, SessionFinished)
        if self._sink is not None and not (succeeded and driver is not None and driver.target is not None and driver.target.finished):
            if driver is not None and driver.target is not None:
                driver.target.join(timeout=5)
            self._sink.abort()
        if self._source is not None and source_idle:
            self._source.close()
        if driver is not None and source_idle:
            driver.close_pass_sources()
        endpoint.close()


def _with_hold_for_memory(config: ProtocolConfig) -> ProtocolConfig:
    """A client catching up holds what it cannot write yet in memory: at most a quarter of what
    this computer has free (an imaging environment may run from 2 GiB of RAM), 1 GiB at most."""
    free = _available_memory()
    if free is None:
        return config
    return replace(config, hold_bytes=max(64 << 20, min(config.hold_bytes, free // 4)))


def _available_memory() -> int | None:
    """MemAvailable from /proc/meminfo: what psutil.virtual_memory() would read, without
    importing psutil (20 ms of CPU in every client) for one line."""
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _os_errors_for_people(what: str, opener: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `opener`; an OSError it lets out becomes a one-line ImgcastError naming `what`."""
    try:
        return opener(*args, **kwargs)
    except OSError as error:
        raise ImgcastError(f"{what}: {error.strerror or error}") from None


def _image_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]
