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
from typing import Any

from .errors import ImgcastError, UsageError
from .events import Event, MasterFound, SessionFailed, SessionFinished
from .naming import DEFAULT_PORT, DEFAULT_TTL, session_address
from .net.driver import Driver
from .net.faults import FaultInjector
from .net.sockets import (
    check_interface,
    ignore_own_blocks,
    local_address_for,
    open_multicast_socket,
)
from .protocol.client import Client
from .protocol.common import DEFAULT_MTU, MAX_MTU, MIN_MTU, ProtocolConfig
from .protocol.master import Master
from .protocol.participant import Participant
from .stream import StreamSink, StreamSource
from .stream.base import reader_for, writer_for
from .stream.open import open_sink, open_source, target_capacity

ROLES = ("master", "client")


@dataclass
class SessionSettings:
    name: str
    role: str | None = None  # "master" | "client" | None: decide later (first to press m)
    clients: int | None = None  # master: start when this many have joined
    timeout_minutes: float | None = None  # ... or this long after the last join
    source: str | None = None  # master: disk, raw file or .imgcast file
    target: str | None = None  # client: disk or raw file
    interface: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    ttl: int = DEFAULT_TTL
    rate: float | None = None  # bytes/s cap
    mtu: int | None = None  # the largest datagram to send/receive (default: the interface's MTU)
    confirmed: bool = False  # the operator agreed to overwrite a disk target
    host: str = field(default_factory=socket.gethostname)
    source_options: dict[str, Any] = field(default_factory=dict)  # e.g. raw=True, level="size"

    def check(self) -> None:
        """Raise UsageError naming the first thing wrong, before anything is opened."""
        session_address(self.name)
        if self.role not in (None, *ROLES):
            raise UsageError(f"unknown role {self.role!r}: use master or client (or leave it out and press m)")
        if self.clients is not None and not 1 <= self.clients <= 10000:
            raise UsageError(f"clients={self.clients}: give a number of clients from 1 to 10000")
        if self.timeout_minutes is not None and not 0 <= self.timeout_minutes <= 7 * 24 * 60:
            raise UsageError(f"t={self.timeout_minutes:g}: give the minutes to wait, from 0 up to a week")
        if self.role == "master" and not self.source:
            raise UsageError("the master needs from=PATH: the disk, raw file or image file to send")
        if self.role == "client" and not self.target:
            raise UsageError("a client needs to=PATH: the disk or raw file to write")
        if self.role is None and not (self.source or self.target):
            raise UsageError("give from=PATH (to be able to become the master) and/or to=PATH (to receive)")
        if self.rate is not None and self.rate <= 0:
            raise UsageError("--rate must be more than 0")
        if self.mtu is not None and not MIN_MTU <= self.mtu <= MAX_MTU:
            raise UsageError(f"--mtu {self.mtu}: give an MTU from {MIN_MTU} to {MAX_MTU} bytes "
                             "(1500 on most Ethernet, 9000 with jumbo frames)")
        check_interface(self.interface)


class SessionRunner:
    """Run a session; operator actions (`start_now`, `become_master`, `cancel`) may come at any time."""

    def __init__(
        self,
        settings: SessionSettings,
        on_event: Callable[[Event], None],
        *,
        config: ProtocolConfig | None = None,
        faults: FaultInjector | None = None,
    ) -> None:
        self.settings = settings
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

    def cancel(self) -> None:
        self._cancelled = True
        machine, now = self.machine, self._now()
        if isinstance(machine, Master):
            machine.abort("the operator on the master cancelled it", now)
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
        if isinstance(event, SessionFinished | SessionFailed):
            self.final = event
        if isinstance(event, MasterFound) and self._sink is None and isinstance(self.machine, Client):
            self._open_target()
        self._on_event(event)

    async def run(self) -> Event:
        s = self.settings
        s.check()
        address = session_address(s.name)
        if s.role in ("master", None) and s.source:
            self._source = _os_errors_for_people(f"from={s.source}", open_source, s.source, **s.source_options)
        capacity = target_capacity(s.target) if s.target else None
        try:
            endpoint = _os_errors_for_people("the multicast socket", open_multicast_socket,
                                             address.group, s.port, s.interface, s.ttl)
        except BaseException:
            if self._source is not None:
                self._source.close()
            raise
        sender = random.SystemRandom().getrandbits(32) or 1
        # Blocks fit the interface's MTU, or --mtu in its place (the operator knows the path
        # better, or the card's MTU could not be read); the master then fits every client's too.
        mtu = s.mtu or endpoint.mtu or DEFAULT_MTU
        ignore_own_blocks(endpoint, sender)
        loop = asyncio.get_running_loop()
        try:
            role = s.role
            master_id = None
            if role is None:
                self.machine = Participant(address.session_id, sender, now=loop.time(), host=s.host,
                                           can_master=self._source is not None, group=address.group,
                                           port=s.port, config=self.config)
                self.driver = Driver(self.machine, endpoint, self._event, faults=self.faults)
                await self.driver.run(until=lambda: self._cancelled)
                if self._cancelled or self.machine.role is None:
                    self.final = SessionFailed("cancelled before a master was chosen")
                    self._on_event(self.final)
                    return self.final
                role, master_id = self.machine.role, self.machine.master_id
                if role == "client" and not s.target:
                    self.final = SessionFailed("another computer became the master, but this one has no to=PATH to write")
                    self._on_event(self.final)
                    return self.final
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
                )
            else:
                self.machine = Client(
                    address.session_id, sender, now=loop.time(), host=s.host,
                    address=local_address_for(s.interface), capacity=capacity, group=address.group,
                    port=s.port, config=self.config, master_id=master_id, mtu=mtu,
                )
            if self.driver is None:
                self.driver = Driver(self.machine, endpoint, self._event, faults=self.faults)
            else:
                self.driver.swap(self.machine)
            if self._cancelled:  # the operator cancelled while the session was being set up
                self.cancel()
            if isinstance(self.machine, Master):
                self.driver.attach_source(reader_for(self._source))  # type: ignore[arg-type]
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

    def _open_target(self) -> None:
        s, client = self.settings, self.machine
        params = client.params
        try:
            self._sink = _os_errors_for_people(
                f"to={s.target}", open_sink,
                s.target or "", stream_format=params.stream_format, disk_size=params.disk_size,
                confirmed=s.confirmed, image_name=params.image_name, session_name=s.name,
            )
        except ImgcastError as error:
            client.leave(self._now(), reason=str(error))
            return
        assert self.driver is not None
        self.driver.attach_target(writer_for(self._sink, params.stream_format))

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
        endpoint.close()


def _os_errors_for_people(what: str, opener: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `opener`; an OSError it lets out becomes a one-line ImgcastError naming `what`."""
    try:
        return opener(*args, **kwargs)
    except OSError as error:
        raise ImgcastError(f"{what}: {error.strerror or error}") from None


def _image_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]
