"""The asyncio driver: shuttles datagrams between a sans-IO machine and a multicast socket.

It decides nothing. It receives in batches (GRO where offered) and feeds the machine, sends
what the machine returns (GSO where offered), wakes the machine at its timer, and keeps disk
work off the event loop: a reader thread fills the master's slices, a writer thread writes
and hashes a client's stream.
"""

from __future__ import annotations

import asyncio
import errno
import os
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ..events import Event
from ..stream.base import (
    DigestingReader,
    DigestingWriter,
    HashingReader,
    HashingWriter,
    StreamSource,
)
from .faults import FaultInjector
from .sockets import GSO_MAX_BYTES, MulticastSocket, drain_errors, gso_control, read_ancillary

Reader = HashingReader | DigestingReader
Writer = HashingWriter | DigestingWriter

RECV_BUFFER = 65536
RECV_BATCH = 128  # receive calls per wake-up, so sending gets its turn
RECV_COALESCE = 0.020  # a transferring client reads at most this often: the socket's buffer holds
# the datagrams meanwhile, and each wake-up then takes hundreds instead of one (at 100 Mbit/s one
# arrives every 120 us; a turn of the loop costs tens of us of Python, so wake-ups, not bytes,
# were most of a client's CPU: 0.35 CPU-s per 64 MiB at a 5 ms pause). Never longer than a
# slice of the socket's buffer takes to fill at the rate data comes in (see reading_pause).
MIN_RECV_PAUSE = 0.001
BUFFER_SHARE = 8  # a pause may fill 1/8 of the receive buffer: the kernel counts each datagram's
# whole allocation (about 1.5x a 1500-byte datagram), and bursts come faster than the average
MASTER_RECV_COALESCE = 0.005  # and a transferring master: what it hears is feedback (reports,
# NAKs, NEEDs), a few a millisecond at most, and forged traffic; each wake-up costs a whole turn
# of the loop (and sends the datagram or two of data that accrued since the last burst), so a
# flood of forgeries would cost one each. 5 ms delays a NAK's repair by no more; at 1 % loss,
# where every slice at every client asks, 2 ms cost about 0.4 CPU-s more per 64 MiB session.
IP_UDP_HEADERS = 28
ANC_SPACE = socket.CMSG_SPACE(4) + socket.CMSG_SPACE(16)  # GRO segment size + arrival time


def reading_pause(ceiling: float, got: int, elapsed: float, room: int) -> float:
    """How long to leave the socket unread after a wake-up that read `got` bytes, `elapsed`
    seconds after the previous one: `ceiling`, or less when data comes in so fast that `room`
    bytes would arrive sooner (a loopback or 10 Gbit/s session), but at least MIN_RECV_PAUSE."""
    if got <= 0 or elapsed <= 0:
        return ceiling
    return max(min(ceiling, MIN_RECV_PAUSE), min(ceiling, room * elapsed / got))


class Wakeup:
    """An asyncio.Event waited on with a timeout, without asyncio.wait_for's task and timeout
    context per wait: the driver waits hundreds of times a second (a transferring client reads
    every 5 ms, a master paces every 4), and wait_for cost about 30 us of CPU a time here."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._is_set = False
        self._waiter: asyncio.Future[None] | None = None

    def set(self) -> None:
        self._is_set = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._is_set = False

    @property
    def is_set(self) -> bool:
        return self._is_set

    async def wait(self, timeout: float) -> None:
        """Until set, or `timeout` seconds."""
        if self._is_set:
            return
        waiter = self._waiter = self._loop.create_future()
        timer = self._loop.call_later(timeout, _finish, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None


def _finish(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class SourceReader(threading.Thread):
    """Reads the master's stream slice by slice ahead of the sender, hashing as it goes.

    With `ranges` (a catch-up pass), it reads the stream again from its start and hands out
    only the slices in those [first, end) ranges, as (number, bytes), stopping after the last:
    an image built on the fly cannot be entered in the middle, so the slices between are
    read and let go (what a raw disk could skip by seeking, the image stream cannot)."""

    def __init__(self, reader: Reader | StreamSource, slice_bytes: int, depth: int, wake: Callable[[], None],
                 ranges: list[tuple[int, int]] | None = None) -> None:
        super().__init__(name="imgcast-source", daemon=True)
        self.reader = reader
        self.slice_bytes = slice_bytes
        self.ranges = ranges
        self.slices: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._wake = wake
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            number = 0
            ranges = list(self.ranges or [(0, 1 << 62)])
            while not self._stopping.is_set() and ranges:
                data = _read_full(self.reader, self.slice_bytes)
                if not data:
                    break
                while ranges and number >= ranges[0][1]:
                    ranges.pop(0)
                if ranges and number >= ranges[0][0]:
                    self._put((number, data))
                number += 1
            self._put(None)
        except BaseException as error:  # reported to the driver, which fails the session
            self.error = error
            self._put(None)

    def _put(self, item: tuple[int, bytes] | None) -> None:
        while not self._stopping.is_set():
            try:
                self.slices.put(item, timeout=0.2)
                self._wake()
                return
            except queue.Full:
                continue

    def stop(self) -> None:
        self._stopping.set()


def _read_full(reader: Reader | StreamSource, n: int) -> bytes | memoryview:
    parts, got = [], 0
    while got < n:
        data = reader.read(n - got)
        if not len(data):
            break
        parts.append(data)
        got += len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class TargetWriter(threading.Thread):
    """Writes a client's stream in order and hashes it; `finish` flushes and checks the target."""

    def __init__(self, writer: Writer, wake: Callable[[], None]) -> None:
        super().__init__(name="imgcast-target", daemon=True)
        self.writer = writer
        self.pending: queue.Queue[Any] = queue.Queue()
        self.error: str | None = None
        self.finished = False
        self.pieces_written = 0  # read by the loop thread; only this thread adds to it
        self._wake = wake

    def run(self) -> None:
        while True:
            item = self.pending.get()
            if item is None:
                return
            if item == "finish":
                try:
                    self.writer.sink.finish()
                except Exception as error:  # the verdict the master hears
                    self.error = self.error or str(error) or type(error).__name__
                self.finished = True
                self._wake()
                return
            if not self.error:  # after a failure, pieces are let go: the verdict will say so
                try:
                    self.writer.write(item)
                except Exception as error:
                    self.error = f"writing the target failed: {error}"
            self.pieces_written += 1
            if self.pending.empty():
                self._wake()

    def stop(self) -> None:
        self.pending.put(None)


class Driver:
    """Runs one machine on one socket until the machine closes (or `stop` is called)."""

    def __init__(
        self,
        machine: Any,
        endpoint: MulticastSocket,
        on_event: Callable[[Event], None],
        *,
        faults: FaultInjector | None = None,
    ) -> None:
        self.machine = machine
        self.endpoint = endpoint
        self.on_event = on_event
        self.faults = faults
        self.loop = asyncio.get_running_loop()
        self._wake = Wakeup(self.loop)
        self._buffer = bytearray(RECV_BUFFER)
        self.source: SourceReader | None = None
        self._reader: Reader | None = None
        self._reopen: Callable[[], Any] | None = None  # the source again, for catch-up passes
        self._source_pass = 1
        self.pass_sources: list[Any] = []  # sources opened for catch-up passes (closed at the end)
        self.target: TargetWriter | None = None
        self._verifying = False
        self._source_done = False
        self._pieces_reported = 0
        self.received = 0
        self.sent = 0
        # IMGCAST_TRACE=1: the rate controller's state on stderr four times a second (diagnosis)
        self._trace_at = 0.0 if os.environ.get("IMGCAST_TRACE") else None
        self._reading = False
        # payload bytes the socket's buffer holds comfortably (the kernel reports twice what was
        # set, and counts allocations, not payload)
        self._room = endpoint.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // BUFFER_SHARE
        self._read_at = self.loop.time()  # the last pause, and the bytes read since: the rate
        self._read_bytes = 0

    def wake_threadsafe(self) -> None:
        self.loop.call_soon_threadsafe(self._wake.set)

    def poke(self) -> None:
        """Something changed outside (an operator action): let the machine act now."""
        self._wake.set()

    def swap(self, machine: Any) -> None:
        """Replace the machine (an undecided participant becoming master or client)."""
        self.machine = machine
        self._wake.set()

    async def run(self, until: Callable[[], bool] | None = None) -> None:
        fd = self.endpoint.sock.fileno()
        self.loop.add_reader(fd, self._on_readable)
        self._reading = True
        try:
            while not self.machine.closed and not (until and until()):
                now = self.loop.time()
                machine = self.machine
                timer = machine.get_timer()
                if timer is not None and timer <= now:
                    machine.handle_timer(now)
                self._pump_source()
                self._pump_target(now)
                transmits = machine.datagrams_to_send(now)
                self._dispatch_events()
                if self._trace_at is not None and now >= self._trace_at:
                    self._trace(now)
                for transmit in transmits:
                    await self._send(transmit)
                timer = machine.get_timer()
                # After sending, go round again at once only when the next timer is already due
                # (the send budget ran out with more allowed) or something came in meanwhile;
                # otherwise sleep until the timer. epoll sleeps whole milliseconds, so a master at
                # 1 Gbit/s, whose next 64 KiB burst is due in half of one, sleeps a millisecond and
                # then sends what accrued (master.WAKE_LATENESS lets its allowance accrue that
                # long): about 1,000 turns a second, not one every few tens of microseconds.
                if transmits and (self._wake.is_set or timer is None or timer <= self.loop.time()):
                    # (set: something came in, or the source delivered, while we were sending;
                    # cleared here, or it would stay set and every later turn would come round too)
                    self._wake.clear()
                    await asyncio.sleep(0)
                    continue
                if machine.closed or (until and until()):
                    break
                delay = 0.5 if timer is None else max(0.0, timer - self.loop.time())
                if delay > 0:
                    self._wake.clear()
                    await self._wake.wait(min(delay, 0.5))
            # a last flush: goodbyes (ABORT, ACK) queued by the final step
            for transmit in self.machine.datagrams_to_send(self.loop.time()):
                await self._send(transmit)
            self._dispatch_events()
        finally:
            self._reading = False
            self.loop.remove_reader(fd)

    def _trace(self, now: float) -> None:
        self._trace_at = now + 0.25
        pacer = getattr(self.machine, "pacer", None)
        if pacer is None:
            return
        paths = " ".join(f"[q={p.queue * 1000:.1f}ms d={p.delivered_rate / 1e6:.1f} f={p.loss_floor:.3f}]"
                         for p in pacer.paths.values())
        print(f"pacing t={now:.2f} rate={pacer.rate / 1e6:.2f}MB/s sent={self.sent} {pacer.stats} {paths}",
              file=sys.stderr, flush=True)

    # --- receiving ------------------------------------------------------------------------

    def _on_readable(self) -> None:
        sock = self.endpoint.sock
        machine = self.machine
        buf = self._buffer
        view = memoryview(buf)
        batch = getattr(machine, "receive_datagrams", None)
        run = getattr(machine, "receive_run", None) if self.faults is None else None
        clock = self.loop.time
        # kernel stamps are wall-clock; the machines' clock is the loop's (monotonic)
        wall_offset = time.time() - clock()
        got = 0
        now = clock()
        drained = False
        for _ in range(RECV_BATCH):
            try:
                size, ancillary, _flags, address = sock.recvmsg_into([buf], ANC_SPACE)
            except (BlockingIOError, InterruptedError):
                drained = True
                break
            except OSError:
                drain_errors(sock)
                break
            now = clock()
            got += size
            segment, stamp = read_ancillary(ancillary) if ancillary else (None, None)
            arrival = None if stamp is None else min(now, stamp - wall_offset)
            if run is not None and segment and segment < size:
                run(view, size, segment, address, now, arrival)  # a GRO run, taken whole
                self.received += -(-size // segment)
                continue
            if segment and segment < size:
                datagrams = [view[i : min(i + segment, size)] for i in range(0, size, segment)]
            else:
                datagrams = [view[:size]]
            if self.faults is not None:
                datagrams = self.faults.filter(datagrams)
            if batch is not None:
                batch(datagrams, address, now, arrival)
            else:
                for datagram in datagrams:
                    machine.receive_datagram(datagram, address, now)
            self.received += len(datagrams)
        self._wake.set()
        # A pause only once the socket is empty: after RECV_BATCH calls the loop gets its turn
        # and the reader comes straight back (at 1 Gbit/s a 20 ms pause after every 128 calls
        # capped a client at 25 MB/s).
        self._read_bytes += got
        pause = self._coalesce(machine) if drained else 0.0
        if pause:
            pause = reading_pause(pause, self._read_bytes, now - self._read_at, self._room)
            self._read_at, self._read_bytes = now, 0
            # pause reading for a moment; the kernel keeps what arrives (kernel arrival stamps
            # keep the delay measurement exact)
            fd = sock.fileno()
            self.loop.remove_reader(fd)
            self.loop.call_later(pause, self._resume_reading, fd)

    @staticmethod
    def _coalesce(machine: Any) -> float:
        """How long to leave the socket unread after a wake-up: while a client or master transfers."""
        state = getattr(machine, "state", None)
        if state is not None:
            return RECV_COALESCE if state.value == "transfer" else 0.0
        phase = getattr(machine, "phase", None)
        return MASTER_RECV_COALESCE if phase is not None and phase.value in ("transfer", "ending") else 0.0

    def _resume_reading(self, fd: int) -> None:
        if self._reading:
            self.loop.add_reader(fd, self._on_readable)

    # --- sending --------------------------------------------------------------------------

    async def _send(self, transmit: Any) -> None:
        sock, destination = self.endpoint.sock, self.endpoint.destination
        segment = transmit.segment_size
        if segment and self.endpoint.gso and len(transmit.data) > segment:
            per_send = max(1, GSO_MAX_BYTES // segment) * segment
            data = memoryview(transmit.data)
            for at in range(0, len(data), per_send):
                chunk = data[at : at + per_send]
                await self._send_one(lambda c=chunk: self._send_segments(c, segment), segment)
                if self.machine.closed:
                    return
        else:
            for datagram in transmit.datagrams():
                if segment is None:  # a control datagram: may exceed the MTU (a START naming
                    # hundreds of clients); the kernel fragments those, and only those
                    await self._send_one(lambda d=datagram: self.endpoint.send_control(d))
                else:
                    await self._send_one(lambda d=datagram: sock.sendto(d, destination), len(datagram))
                if self.machine.closed:
                    return
        self.sent += transmit.count

    def _send_segments(self, chunk: memoryview, segment: int) -> None:
        """One GSO send of back-to-back datagrams. Some cards take GSO from the socket and then
        cannot do it (no checksum offload: virtio-net over a socket in a VM answers EIO); then
        this session sends datagram by datagram from here on."""
        endpoint = self.endpoint
        if endpoint.gso:
            control = gso_control(segment) if len(chunk) > segment else []
            try:
                endpoint.sock.sendmsg([chunk], control, 0, endpoint.destination)
                return
            except OSError as error:
                if not control or error.errno not in (errno.EIO, errno.EOPNOTSUPP, errno.ENOTSUP):
                    raise
                endpoint.gso = False
        for at in range(0, len(chunk), segment):  # (after EAGAIN part-way, a retry resends a few: harmless)
            endpoint.sock.sendto(chunk[at : at + segment], endpoint.destination)

    def _refused(self, size: int, error: OSError) -> None:
        """The kernel will not send a datagram this large here: end the session, say why in one
        line (clients are told by the machine's ABORT, which is small enough to go out)."""
        e = self.endpoint
        where = f"{e.interface_name or e.interface} (MTU {e.mtu})" if e.mtu else e.interface
        advice = f"give --mtu {e.mtu} or less" if e.mtu else "give a smaller --mtu"
        reason = (f"the network refused a {size + IP_UDP_HEADERS}-byte packet on {where}: "
                  f"{error.strerror or error}; {advice}")
        abort = getattr(self.machine, "abort", None)
        if abort is not None:
            abort(reason, self.loop.time(), by_operator=False)
        else:
            self.machine.leave(self.loop.time(), reason=reason)

    async def _send_one(self, send: Callable[[], int], size: int = 0) -> None:
        for _ in range(10000):
            try:
                send()
                return
            except (BlockingIOError, InterruptedError):
                await self._writable()
            except OSError as error:
                if error.errno in (errno.ENOBUFS, errno.EAGAIN):  # the queue is full, wait a moment
                    local_drop = getattr(self.machine, "local_drop", None)
                    if local_drop is not None and error.errno == errno.ENOBUFS:
                        local_drop(self.loop.time())
                    await asyncio.sleep(0.001)
                    continue
                if error.errno in (errno.EMSGSIZE, errno.EINVAL) and size > 0:
                    self._refused(size, error)
                    return
                raise

    async def _writable(self) -> None:
        fd = self.endpoint.sock.fileno()
        ready = self.loop.create_future()
        self.loop.add_writer(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, 0.05)
        except TimeoutError:
            pass
        finally:
            self.loop.remove_writer(fd)

    # --- disks ----------------------------------------------------------------------------

    def attach_source(self, reader: Reader, reopen: Callable[[], Any] | None = None) -> None:
        """The master's stream. Reading starts when the transfer does: only then is the slice
        size known (it follows the smallest MTU among the clients that joined). `reopen` opens
        the same source again (a StreamSource), for catch-up passes."""
        self._reader = reader
        self._reopen = reopen

    def close_pass_sources(self) -> None:
        for source in self.pass_sources:
            source.close()
        self.pass_sources.clear()

    def attach_target(self, writer: Writer) -> None:
        self.target = TargetWriter(writer, self.wake_threadsafe)
        self.target.start()

    def _pump_source(self) -> None:
        source, machine = self.source, self.machine
        if not hasattr(machine, "wants_slices"):
            return
        if getattr(machine, "source_pass", 1) != self._source_pass:
            self._start_pass(machine)
            source = self.source
        if self._source_done:
            return
        wanted = machine.wants_slices()
        if source is None:
            if self._reader is None or not wanted:
                return
            cfg = machine.config
            source = self.source = SourceReader(self._reader, cfg.slice_bytes, cfg.readahead_slices * 2,
                                                self.wake_threadsafe)
            source.start()
        for _ in range(wanted):
            try:
                item = source.slices.get_nowait()
            except queue.Empty:
                return
            if item is None:
                if source.error is not None:
                    machine.abort(f"reading the source failed: {source.error}", self.loop.time())
                elif source.ranges is None:
                    machine.end_of_stream(source.reader.digest())
                self._source_done = True
                return
            machine.add_slice(item[1], item[0])

    def _start_pass(self, machine: Any) -> None:
        """A catch-up pass: read the source again, for the slices the pass sends."""
        self._source_pass = machine.source_pass
        if self.source is not None:
            self.source.stop()
        self.source = None
        self._source_done = False
        if self._reopen is None:
            machine.abort("this source cannot be read a second time for a catch-up pass", self.loop.time())
            self._source_done = True
            return
        try:
            opened = self._reopen()
        except Exception as error:
            machine.abort(f"reading the source again for a catch-up pass failed: {error}", self.loop.time())
            self._source_done = True
            return
        self.pass_sources.append(opened)
        cfg = machine.config
        # read as it is: only the first pass's digest counts, so this one is not hashed again
        self.source = SourceReader(opened, cfg.slice_bytes, cfg.readahead_slices * 2,
                                   self.wake_threadsafe, ranges=machine.pass_ranges)
        self.source.start()

    def _pump_target(self, now: float) -> None:
        target, machine = self.target, self.machine
        if target is None or not hasattr(machine, "take_data"):
            return
        for piece in machine.take_data():
            target.pending.put(piece)
        done = target.pieces_written - self._pieces_reported
        if done:
            self._pieces_reported += done
            machine.written(done, now)
        if machine.state.value == "verifying" and not self._verifying:
            self._verifying = True
            target.pending.put("finish")
        if self._verifying and target.finished and machine.state.value == "verifying":
            machine.target_written(target.writer.digest(), now, target.error)

    def _dispatch_events(self) -> None:
        for event in self.machine.events():
            self.on_event(event)
