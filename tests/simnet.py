"""A simulated multicast LAN with a virtual clock: another driver of the same sans-IO machines.

Every datagram a node sends reaches every other node after a delay, unless that receiver's
link loses it (independently per receiver, seeded); links may also duplicate and reorder.
Nothing sleeps and no socket is opened, so hundreds of clients and seconds of lossy transfer
run in a second or two of real time. bench/ uses it too.

Links may have a rate and a drop-tail queue, as a switch port has: the sender's link is its
uplink (its datagrams leave one after another at that rate; what does not fit the queue is
dropped, and the sender's machine is told, as the kernel says ENOBUFS), a receiver's link is
its port's downlink (a second queue, then random loss). So rate control is tested in virtual
time: whether a session finds a bottleneck's rate, and what random loss does to it.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from imgcast.engine.naming import session_address
from imgcast.engine.protocol.client import Client, State
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.protocol.master import Master
from imgcast.engine.protocol.policy import SlowPolicy


@dataclass
class Link:
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0  # chance a datagram swaps place with its neighbour
    delay: float = 0.0005
    jitter: float = 0.0002
    rate: float | None = None  # bytes/s of the port (None: no limit)
    queue: int = 64 * 1024  # bytes the port's drop-tail queue holds
    overhead: int = 42  # bytes a datagram costs on the wire beyond its payload (UDP/IP/Ethernet)


@dataclass
class Port:
    """One direction of a rate-limited link: when it is free again, what it dropped."""

    free_at: float = 0.0
    dropped: int = 0
    sent_bytes: int = 0

    def admit(self, arrival: float, size: int, link: Link) -> float | None:
        """When a datagram arriving at `arrival` has left, or None if the queue is full."""
        assert link.rate is not None
        backlog = (self.free_at - arrival) * link.rate
        if backlog > link.queue:
            self.dropped += 1
            return None
        self.free_at = max(self.free_at, arrival) + size / link.rate
        self.sent_bytes += size
        return self.free_at


@dataclass
class Node:
    name: str
    machine: Any
    link: Link
    address: str
    alive: bool = True
    timer_version: int = 0
    scheduled: float | None = None
    received: int = 0
    sent: int = 0
    events: list = field(default_factory=list)
    source: bytes = b""  # master: the stream
    fed: int = 0
    written: bytearray = field(default_factory=bytearray)  # client: what it wrote
    uplink: Port = field(default_factory=Port)
    downlink: Port = field(default_factory=Port)
    received_bytes: int = 0
    largest_sent: int = 0  # bytes: the largest datagram this node sent (does it fit the MTU?)
    last_arrival: float = 0.0  # a link keeps order: jitter never lets a later send overtake


class SimNetwork:
    def __init__(self, seed: int = 1, config: ProtocolConfig | None = None) -> None:
        self.rng = random.Random(seed)
        self.config = config or ProtocolConfig()
        self.now = 0.0
        self.nodes: list[Node] = []
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self.steps = 0

    # --- building -------------------------------------------------------------------------

    def add_master(self, name: str, data: bytes, *, session: str = "sim", wanted: int | None = None,
                   lobby_timeout: float | None = None, link: Link | None = None,
                   config: ProtocolConfig | None = None, mtu: int | None = None,
                   wrap: Callable[[Any], Any] | None = None, slow_policy: SlowPolicy | None = None,
                   late_join: bool = True) -> Node:
        """`wrap`: a layer around the machine (a secured session's SecuredMachine)."""
        sid = session_address(session).session_id
        master = Master(sid, self.rng.getrandbits(32), now=self.now, host=name, stream_size=len(data),
                        disk_size=len(data), wanted=wanted, lobby_timeout=lobby_timeout,
                        config=config or self.config, rng=random.Random(self.rng.random()), mtu=mtu,
                        slow_policy=slow_policy, late_join=late_join)
        return self._add(name, wrap(master) if wrap else master, link, source=data)

    def add_client(self, name: str, *, session: str = "sim", link: Link | None = None,
                   capacity: int | None = None, config: ProtocolConfig | None = None,
                   mtu: int | None = None, wrap: Callable[[Any], Any] | None = None) -> Node:
        sid = session_address(session).session_id
        client = Client(sid, self.rng.getrandbits(32), now=self.now, host=name, address=f"10.0.0.{len(self.nodes)}",
                        capacity=capacity, config=config or self.config, rng=random.Random(self.rng.random()),
                        mtu=mtu)
        return self._add(name, wrap(client) if wrap else client, link)

    def add_node(self, name: str, machine: Any, link: Link | None = None) -> Node:
        """Any other sans-IO participant (a rogue sender in the tests)."""
        return self._add(name, machine, link)

    def _add(self, name: str, machine: Any, link: Link | None, source: bytes = b"") -> Node:
        node = Node(name, machine, link or Link(), f"10.0.0.{len(self.nodes) + 1}", source=source)
        self.nodes.append(node)
        self._service(node)
        return node

    def kill(self, node: Node) -> None:
        """The computer loses power: it sends and receives nothing more."""
        node.alive = False

    # --- running --------------------------------------------------------------------------

    def _push(self, when: float, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (when, self._seq, action))

    def run(self, until: Callable[[], bool], max_time: float = 120.0, max_steps: int = 20_000_000) -> None:
        """Advance virtual time until `until()` holds; fail loudly past max_time or max_steps."""
        while not until():
            if not self._queue:
                raise AssertionError(f"simulation stalled at t={self.now:.3f}s with nothing scheduled")
            when, _, action = heapq.heappop(self._queue)
            if when > max_time:
                raise AssertionError(f"simulation passed {max_time}s of virtual time")
            self.now = max(self.now, when)
            action()
            self.steps += 1
            if self.steps > max_steps:
                raise AssertionError("simulation took too many steps")

    def run_for(self, seconds: float) -> None:
        end = self.now + seconds
        self._push(end, lambda: None)
        self.run(lambda: self.now >= end, max_time=end + 1)

    def _service(self, node: Node) -> None:
        """Let a node act at the current time: timers, source feeding, writing, sending."""
        if not node.alive:
            return
        machine, now = node.machine, self.now
        for _ in range(1000):
            timer = machine.get_timer()
            if timer is not None and timer <= now:
                machine.handle_timer(now)
            inner = getattr(machine, "machine", machine)  # under a layer (SecuredMachine), if any
            if isinstance(inner, Master):
                self._feed(node)
            transmits = machine.datagrams_to_send(now)
            if isinstance(inner, Client):
                self._write(node)
            node.events.extend(machine.events())
            for transmit in transmits:
                self._broadcast(node, transmit.datagrams())
            timer = machine.get_timer()
            if not transmits and (timer is None or timer > now):
                break
        if timer is not None and timer != node.scheduled:
            node.scheduled = timer
            node.timer_version += 1
            version = node.timer_version
            self._push(max(timer, now), lambda: self._on_timer(node, version))

    def _on_timer(self, node: Node, version: int) -> None:
        if version == node.timer_version:
            node.scheduled = None
            self._service(node)

    def _feed(self, node: Node) -> None:
        """The master's source: read where the pass wants (a catch-up pass reads again)."""
        master: Master = getattr(node.machine, "machine", node.machine)
        size = master.config.slice_bytes
        for _ in range(master.wants_slices()):
            at = master.next_slice * size
            chunk = node.source[at : at + size]
            if not chunk:
                master.end_of_stream(hashlib.sha256(node.source).digest())
                return
            master.add_slice(chunk, master.next_slice)
            node.fed = max(node.fed, at + len(chunk))
        if node.fed >= len(node.source) and not master._eof and master.wants_slices():
            master.end_of_stream(hashlib.sha256(node.source).digest())

    def _write(self, node: Node) -> None:
        client: Client = getattr(node.machine, "machine", node.machine)
        pieces = client.take_data()
        for piece in pieces:
            node.written += piece
        if pieces:
            client.written(len(pieces), self.now)
        if client.state is State.VERIFYING:
            client.target_written(hashlib.sha256(node.written).digest(), self.now)

    def _broadcast(self, sender: Node, datagrams: list) -> None:
        """One transmit reaches every other node. With a rated uplink its datagrams leave one
        after another (what overflows the queue is lost for everyone, and the sender told);
        each receiver's rated downlink queues them again; then each receiver's link loses,
        duplicates and reorders its own copy independently."""
        sender.sent += len(datagrams)
        payloads = [bytes(d) for d in datagrams]
        sender.largest_sent = max([sender.largest_sent, *(len(p) for p in payloads)])
        rng, now, up = self.rng, self.now, sender.link
        delay = max(up.delay + rng.random() * up.jitter, sender.last_arrival - now)
        sender.last_arrival = now + delay
        if up.rate is None:
            departures = [now] * len(payloads)
        else:
            departures = []
            refused = False
            for p in payloads:
                left = sender.uplink.admit(now, len(p) + up.overhead, up)
                refused |= left is None
                departures.append(left)
            if refused and hasattr(sender.machine, "local_drop"):
                sender.machine.local_drop(now)
        shared: list[tuple[Node, list[bytes]]] = []  # receivers with no queue of their own
        for node in self.nodes:
            if node is sender or not node.alive:
                continue
            link = node.link
            arrivals = []
            for p, left in zip(payloads, departures, strict=True):
                if left is None:
                    continue
                at = left + delay
                if link.rate is not None:
                    at = node.downlink.admit(at, len(p) + link.overhead, link)
                    if at is None:
                        continue
                if link.loss and rng.random() < link.loss:
                    continue
                arrivals.append((at, p))
                if link.duplicate and rng.random() < link.duplicate:
                    arrivals.append((at, p))
            if link.reorder:
                for i in range(len(arrivals) - 1):
                    if rng.random() < link.reorder:
                        (a, p), (b, q) = arrivals[i], arrivals[i + 1]
                        arrivals[i], arrivals[i + 1] = (a, q), (b, p)
            if not arrivals:
                continue
            if up.rate is None and link.rate is None:
                shared.append((node, [p for _, p in arrivals]))
                continue
            self._schedule_arrivals(node, arrivals, sender.address)
        if shared:
            self._push(now + delay, lambda: self._deliver(shared, sender.address))

    def _schedule_arrivals(self, node: Node, arrivals: list[tuple[float, bytes]], address: str) -> None:
        """Datagrams that arrive spread over time: one delivery per millisecond or so, each
        datagram handed over at its group's last arrival (so the least delay is exact)."""
        group: list[bytes] = []
        start = last = arrivals[0][0]
        for at, p in arrivals:
            if group and at - start > 0.001:
                self._push(last, functools.partial(self._deliver, [(node, group)], address))
                group, start = [], at
            group.append(p)
            last = at
        self._push(last, functools.partial(self._deliver, [(node, group)], address))

    def _deliver(self, deliveries: list[tuple[Node, list[bytes]]], address: str) -> None:
        for node, datagrams in deliveries:
            if not node.alive:
                continue
            receive = node.machine.receive_datagram
            for d in datagrams:
                receive(d, (address, 9231), self.now)
                node.received_bytes += len(d)
            node.received += len(datagrams)
            self._service(node)
