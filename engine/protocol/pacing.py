"""How fast the master sends: a rate controller that finds the path's bottleneck and holds it.

The master tells it what it sent and what each client reported; it answers one number, the
sending rate. It opens no socket and reads no clock, so it is tested alone on a simulated
bottleneck (tests/test_pacing.py, tests/simnet.py), and trying another algorithm touches this
file only.

Why this shape (ideas from TFMCC, RFC 4654; NORM, RFC 5740; BBR; udpcast's self-clocking):
- **Congestion is a queue, not a loss.** A link that is fed faster than it drains builds a
  queue before it drops anything; a flaky NIC or cable loses datagrams with no queue at all.
  Every block carries the master's send stamp; each client keeps the least one-way delay it
  saw per report (the minimum filters out its own scheduling noise) against the least it has
  seen in the last seconds, and reports the difference: the standing queue on its path. A
  queue above `QUEUE_LIMIT` is congestion. Loss is congestion only when it jumps well above
  that client's own recent floor (its random loss), which catches bottlenecks whose buffers
  are too small to show a delay. Random loss alone never slows the master.
- **Drops at the master's own interface** (ENOBUFS from its queue) are congestion right here.
- **On congestion the rate goes to what the bottleneck delivered**, not to a blind fraction
  of what was sent: the congested client's own receive rate (counted by the client on its own
  clock), scaled up by its random-loss floor, times `DRAIN`, so the queue empties and the link
  stays busy. It climbs back to that rate within a few steps, then probes further by a step in
  bytes/s that grows the longer the path stays calm (equal steps for every sender and
  proportional cuts move senders that share a link towards equal shares, slowly).
- A standing queue counts once per episode: after a cut, delay counts again only once that
  client's queue has drained. A queue that never drains is not ours (a TCP flow keeps a buffer
  full whatever we do); against it only loss slows us, or a delay-based sender would be starved.
- **Start-up** doubles the rate every `GROWTH_INTERVAL` from `initial` until the first
  congestion signal: a 1 Gbit/s link is found in a quarter of a second.
- One reaction per `holdoff` (a few round trips plus report spacing): the reports that follow
  a cut still describe the queue built before it.
- The slowest client decides (as TFMCC's limiting receiver does): any client's congestion
  slows everyone. With `leave_stragglers` (the master's catch-up and drop policies), a client
  whose path delivers far less than the others' (`STRAGGLER` of the best) is not followed:
  its congestion is noted in `stragglers` and the master takes it out of the pass. To compare
  paths, a congestion signal waits until every member has a receive-rate sample (at most
  `PATIENCE` after the pass began): cutting first would pull the fast paths down to the slow
  one's rate, and then nothing would tell them apart.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection
from dataclasses import dataclass, field

QUEUE_LIMIT = 0.004  # seconds of standing queue that count as congestion
GROWTH_INTERVAL = 0.05  # the rate is reconsidered this often
DRAIN = 0.92  # after congestion: this fraction of what the bottleneck delivered
LOSS_JUMP = 0.05  # loss this far above a client's own floor (plus half the floor) is congestion
MIN_SAMPLE = 400  # datagrams a loss fraction is taken over (reports are summed until then): at 5 %
# random loss its noise is then about 1 %, so a jump of LOSS_JUMP is not chance
FLOOR_HISTORY = 12  # report intervals a client's loss floor is the minimum of
RATE_SPAN = 0.05  # seconds a receive-rate sample spans at least (reports are summed until then)
RATE_HISTORY = 6  # samples the delivered rate is the best of
DEEPEST_CUT = 0.5  # one reaction never more than halves the rate, the one ending start-up too:
# the rate clients report delivered lags a start-up that doubles every 50 ms, so a cut straight
# to it undershoots (tried: 1 Gbit/s, 5 % loss, 94 -> 57 MB/s goodput); halving, the next
# reports (after the holdoff) finish the descent from fresher figures
START_LAG = 0.25  # seconds after start-up ends during which clients' reports still describe it
LOCAL_GAP = 0.025  # seconds between two reactions to our own interface's drops, holdoff or not
PROBE_STEP = 25e3  # bytes/s added per growth step past the link's last known rate, at first
STRAGGLER = 0.5  # a path delivering less than this share of the best member's is a straggler's
PATIENCE = 1.0  # seconds a pass waits for every member's first rate sample before judging
STANDING = 2.0  # seconds after which a queue that has not drained is taken as not ours
JUDGING_HOLD = 0.2  # seconds the rate stops growing after a congestion signal it cannot judge yet


@dataclass
class ClientPath:
    """What the controller remembers of one client's path."""

    received: int | None = None  # last cumulative counters, to take differences
    lost: int = 0
    clock_ms: int = 0
    losses: deque[float] = field(default_factory=lambda: deque(maxlen=FLOOR_HISTORY))
    sample_got: int = 0  # the loss sample being gathered
    sample_missed: int = 0
    rates: deque[float] = field(default_factory=lambda: deque(maxlen=RATE_HISTORY))  # receive rates
    rate_got: int = 0  # the receive-rate sample being gathered
    rate_elapsed: float = 0.0
    queue: float = 0.0  # its last reported standing queue, seconds
    rtt: float | None = None
    # Did its queue drain since our last cut? If not, the queue is not ours (a TCP flow keeps a
    # buffer full whatever we do) and only loss may slow us: a delay-based sender that kept
    # yielding to such a queue would be starved to nothing.
    drained: bool = True

    @property
    def delivered_rate(self) -> float:
        """What its path delivered lately, bytes/s: the best of its recent samples, because a
        client that lost the CPU for a moment says nothing about the network (BBR's max filter)."""
        return max(self.rates, default=0.0)

    @property
    def loss_floor(self) -> float:
        """Its background (random) loss: the least of its recent intervals."""
        return min(self.losses) if len(self.losses) >= 3 else 0.0


@dataclass
class PacingStats:
    cuts: int = 0
    cuts_by_delay: int = 0
    cuts_by_loss: int = 0
    cuts_by_local_drop: int = 0
    slow_start_ended_at: float | None = None


class RateController:
    def __init__(self, *, now: float, initial: float, floor: float, cap: float | None, segment: int,
                 known: float | None = None, leave_stragglers: bool = False, members: int = 1) -> None:
        """`known`: the path's rate is known already (a catch-up pass, from the reports of the
        clients it is for): start there and probe, no slow start."""
        self.cap = cap or float("inf")
        self.floor = floor
        self.rate = min(self.cap, max(floor, known or initial))
        self.segment = segment  # bytes of one block datagram (header + payload)
        self.slow_start = known is None
        self.leave_stragglers = leave_stragglers
        self.members = members  # clients the pass is paced for (set by the master)
        self.stragglers: set[int] = set()  # clients whose congestion was not followed
        self._judging_until = 0.0  # a congestion signal waits for a verdict: no growth till then
        self.stats = PacingStats()
        self.cuts_by: Counter[int] = Counter()  # congestion cuts, by the client whose report caused them
        self.paths: dict[int, ClientPath] = {}
        self._born = now
        self._next_growth = now + GROWTH_INTERVAL
        self._hold_until = now
        self._calm_since = now
        self._last_cut_rate = 0.0 if known is None else self.rate * DRAIN
        self._last_local_cut = -1.0
        self._sent_log: deque[tuple[float, int]] = deque()  # (time, bytes) over the last 0.2 s
        self._sent_recent = 0

    # --- what the master tells it ---------------------------------------------------------

    def on_sent(self, nbytes: int, now: float) -> None:
        self._sent_log.append((now, nbytes))
        self._sent_recent += nbytes
        while self._sent_log and self._sent_log[0][0] < now - 0.2:
            self._sent_recent -= self._sent_log.popleft()[1]

    def on_report(self, client: int, now: float, *, received: int, lost: int, clock_ms: int,
                  queue_delay: float | None, rtt: float | None) -> None:
        path = self.paths.setdefault(client, ClientPath())
        if rtt is not None:
            path.rtt = rtt if path.rtt is None else 0.8 * path.rtt + 0.2 * rtt
        if queue_delay is not None:
            path.queue = queue_delay
        if path.received is None:
            path.received, path.lost, path.clock_ms = received, lost, clock_ms
            return
        got = (received - path.received) % (1 << 32)
        missed = (lost - path.lost) % (1 << 32)
        elapsed = ((clock_ms - path.clock_ms) % (1 << 32)) / 1000
        path.received, path.lost, path.clock_ms = received, lost, clock_ms
        path.rate_got += got
        path.rate_elapsed += elapsed
        if path.rate_elapsed >= RATE_SPAN:
            path.rates.append(path.rate_got * self.segment / path.rate_elapsed)
            path.rate_got, path.rate_elapsed = 0, 0.0
        congested_by_loss = False
        path.sample_got += got
        path.sample_missed += missed
        if path.sample_got + path.sample_missed >= MIN_SAMPLE:
            loss = path.sample_missed / (path.sample_got + path.sample_missed)
            path.sample_got = path.sample_missed = 0
            floor = path.loss_floor
            congested_by_loss = len(path.losses) >= 3 and loss > floor * 1.5 + LOSS_JUMP
            path.losses.append(loss)
        if queue_delay is not None and queue_delay < QUEUE_LIMIT / 2:
            path.drained = True
        if queue_delay is not None and queue_delay > QUEUE_LIMIT and path.drained:
            self._congestion(client, path, now, "delay")
        elif congested_by_loss:
            self._congestion(client, path, now, "loss")

    def on_local_drop(self, now: float) -> None:
        """The master's own interface refused a datagram (its queue is full). Unlike a report,
        this is now and here: while it goes on, the rate goes down again every LOCAL_GAP, also
        within the holdoff (halving at most each time), or an overshoot would go on overflowing
        the queue for the whole holdoff."""
        if now < self._hold_until and now - self._last_local_cut < LOCAL_GAP:
            return
        self._last_local_cut = now
        # Every client receives what this interface passes: the best of their receive rates is
        # its rate. Before any report, and in the overshoot that ends start-up, never less than
        # what we managed to send recently (over the time we have been sending, when that is
        # less than the log's 0.2 s): reports lag a rate that doubles every 50 ms. A 1 Gbit/s
        # master's first local drop came with its client reporting 40 MB/s delivered; two cuts
        # from that figure left it at 68 MB/s, to climb back for a second and a half (a third
        # of the rig's 1G:5 runs).
        delivered = [p.delivered_rate / max(0.5, 1 - p.loss_floor) for p in self.paths.values() if p.delivered_rate]
        span = min(0.2, max(0.02, now - self._born))
        ended = self.stats.slow_start_ended_at
        if self.slow_start or (ended is not None and now - ended < START_LAG):
            delivered.append(self._sent_recent / span)
        passed = max(delivered) if delivered else (self._sent_recent / span or self.rate)
        self._cut(min(self.rate, passed) * DRAIN, now)
        self.stats.cuts_by_local_drop += 1

    def forget(self, client: int) -> None:
        self.paths.pop(client, None)

    # --- what it answers ------------------------------------------------------------------

    def update(self, now: float) -> float:
        """Grow the rate while the path is calm; returns the rate to send at."""
        if now >= self._next_growth:
            steps = 0
            while now >= self._next_growth and steps < 20:
                self._next_growth += GROWTH_INTERVAL
                steps += 1
                self._grow(now)
            if now >= self._next_growth:
                self._next_growth = now + GROWTH_INTERVAL
        return self.rate

    @property
    def holdoff(self) -> float:
        rtts = [p.rtt for p in self.paths.values() if p.rtt is not None]
        rtt = max(rtts) if rtts else 0.01
        return min(0.5, max(0.1, 3 * rtt + 0.05))

    # --- inside ---------------------------------------------------------------------------

    def _grow(self, now: float) -> None:
        if now < self._judging_until or (not self.slow_start and not self.paths):
            return  # a verdict pending; or a pass started at a known rate, with no report yet
        if now - self._born > 0.2 and self._sent_recent / 0.2 < (0.2 if self.slow_start else 0.5) * self.rate:
            return  # not sending at this rate anyway (window, source, operator): no evidence to grow on
        if self.slow_start:
            # doubling every growth step: a LAN's round trip is far shorter, so this is cautious
            self.rate = min(self.cap, self.rate * 2)
            return
        calm = now - self._calm_since
        link = self._last_cut_rate / DRAIN  # what the bottleneck delivered when it last complained
        if calm < STANDING and not all(p.drained for p in self.paths.values()):
            return  # hold just under the link until the last episode's queue has drained: at
            # the link's own rate it would stand for ever (and a queue that never drains no
            # longer counts as congestion). A queue that stands this long is not ours (a TCP
            # flow's): then climb and probe, or be starved.
        if self.rate < 0.99 * link:
            # the queue has drained: back to the link's rate in a few steps
            self.rate = min(self.cap, self.rate + (link - self.rate) * 0.5)
            return
        # Past it: probe by a step in bytes/s that is the same for every sender (so senders that
        # share a link drift towards equal shares, the cuts being proportional), growing the
        # longer nothing complains, so a faster path is found within a second or two.
        step = PROBE_STEP * (1 + 2 * calm) ** 2
        self.rate = min(self.cap, self.rate + min(step, 0.25 * self.rate))

    def lagging(self, members: Collection[int]) -> list[int] | None:
        """Of `members`, those whose paths deliver less than STRAGGLER of the best member's;
        None until every one of them has a receive-rate sample (nothing can be told yet)."""
        rates = [self.paths[c].delivered_rate if c in self.paths else 0.0 for c in members]
        if not all(rates):
            return None
        best = max(rates, default=0.0)
        return [c for c, rate in zip(members, rates, strict=True) if rate < STRAGGLER * best]

    def _straggling(self, client: int, now: float) -> bool | None:
        """Is this congested client far slower than the others? None: cannot tell yet."""
        judged = self.lagging(list(self.paths)) if len(self.paths) >= self.members else None
        if judged is None:
            return None if now - self._born < PATIENCE else False
        return client in judged

    def _congestion(self, client: int, path: ClientPath, now: float, why: str) -> None:
        if self.leave_stragglers and self.members > 1:
            verdict = self._straggling(client, now)
            if verdict is None:
                # not yet (see the module's docstring); meanwhile the rate holds where it is
                self._judging_until = now + JUDGING_HOLD
                return
            if verdict:
                self.stragglers.add(client)
                return
        if now < self._hold_until:
            return
        target = self.rate * 0.75
        if path.delivered_rate > 0:
            arriving = path.delivered_rate / max(0.5, 1 - path.loss_floor)
            target = min(self.rate, arriving) * DRAIN
        self._cut(target, now)
        self.cuts_by[client] += 1
        if why == "delay":
            self.stats.cuts_by_delay += 1
        else:
            self.stats.cuts_by_loss += 1

    def _cut(self, target: float, now: float) -> None:
        if self.slow_start:
            self.slow_start = False
            self.stats.slow_start_ended_at = now
        self.rate = min(self.cap, max(self.floor, target, self.rate * DEEPEST_CUT))
        # The queue this cut should drain: wait for it before delay counts again. A cut held
        # back by DEEPEST_CUT cannot drain it; then the next queue report counts (after the
        # holdoff) and the rate keeps going down towards what the path delivers.
        reached = self.rate <= 1.05 * max(self.floor, target)
        for path in self.paths.values():
            path.drained = not reached
        self._last_cut_rate = self.rate
        self.stats.cuts += 1
        self._hold_until = now + self.holdoff
        self._calm_since = now
        self._next_growth = now + self.holdoff
