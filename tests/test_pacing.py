"""The rate controller alone: what it does with queueing delay, random loss and local drops."""

import random

from imgcast.engine.protocol.pacing import DEEPEST_CUT, DRAIN, QUEUE_LIMIT, RateController

SEGMENT = 1472


def controller(rate: float = 10e6, cap: float | None = None) -> RateController:
    return RateController(now=0.0, initial=rate, floor=1e5, cap=cap, segment=SEGMENT)


class FakePath:
    """A client behind a bottleneck: reports what it received each 50 ms with random loss."""

    def __init__(self, pacer: RateController, capacity: float, loss: float, seed: int = 1) -> None:
        self.pacer, self.capacity, self.loss = pacer, capacity, loss
        self.rng = random.Random(seed)
        self.received = self.lost = 0
        self.backlog = 0.0  # bytes queued at the bottleneck
        self.queue_bytes = 0.25 * capacity * 0.02  # a 20 ms drop-tail queue

    def step(self, now: float, dt: float = 0.05) -> None:
        rate = self.pacer.update(now)
        self.pacer.on_sent(int(rate * dt), now)
        offered = rate * dt / SEGMENT
        drained = self.capacity * dt / SEGMENT
        self.backlog = max(0.0, self.backlog + offered - drained)
        overflow = max(0.0, self.backlog - self.queue_bytes / SEGMENT)
        self.backlog -= overflow
        through = offered - overflow
        spread = (through * self.loss * (1 - self.loss)) ** 0.5  # binomial, drawn as a normal
        got = max(0, min(int(through), round(through * (1 - self.loss) + self.rng.gauss(0, 1) * spread)))
        self.received += got
        self.lost += int(offered) - got
        queue = self.backlog * SEGMENT / self.capacity
        self.pacer.on_report(1, now, received=self.received, lost=self.lost, clock_ms=int(now * 1000),
                             queue_delay=queue, rtt=0.002)


def run(pacer: RateController, path: FakePath, seconds: float) -> list[float]:
    rates = []
    for n in range(int(seconds / 0.05)):
        path.step(n * 0.05)
        rates.append(pacer.rate)
    return rates


def test_start_up_finds_a_gigabit_link_within_a_second_and_holds_it():
    pacer = controller(8e6)
    path = FakePath(pacer, capacity=121e6, loss=0.0)
    rates = run(pacer, path, 10.0)
    assert pacer.stats.slow_start_ended_at is not None and pacer.stats.slow_start_ended_at < 1.0
    steady = sorted(rates[40:])
    assert 0.85 * 121e6 < steady[len(steady) // 2] < 1.1 * 121e6


def test_random_loss_without_a_queue_never_slows_it():
    pacer = controller(10e6, cap=10e6)  # below the link: no queue ever forms
    path = FakePath(pacer, capacity=100e6, loss=0.10)
    rates = run(pacer, path, 10.0)
    assert pacer.stats.cuts == 0
    assert min(rates) == 10e6


def test_random_loss_at_the_bottleneck_still_holds_near_the_link_rate():
    pacer = controller(8e6)
    path = FakePath(pacer, capacity=12e6, loss=0.05)
    rates = run(pacer, path, 20.0)
    steady = sorted(rates[100:])
    assert steady[len(steady) // 2] > 0.85 * 12e6
    assert pacer.stats.cuts_by_loss <= 2  # the floor of random loss is not mistaken for congestion


def test_a_standing_queue_is_congestion_and_the_rate_goes_to_what_was_delivered():
    pacer = controller(8e6)
    for n, received in enumerate(range(0, 4000, 400)):
        pacer.on_report(7, n * 0.1, received=received, lost=0, clock_ms=n * 100, queue_delay=0.0, rtt=0.001)
    assert pacer.stats.cuts == 0
    delivered = 400 * SEGMENT / 0.1  # 5.9 MB/s got through while 8 MB/s was sent
    pacer.on_report(7, 1.0, received=4000, lost=0, clock_ms=1000, queue_delay=2 * QUEUE_LIMIT, rtt=0.001)
    assert pacer.stats.cuts_by_delay == 1 and not pacer.slow_start
    assert abs(pacer.rate - DRAIN * delivered) < 0.01 * delivered
    pacer.on_report(7, 1.05, received=4200, lost=0, clock_ms=1050, queue_delay=2 * QUEUE_LIMIT, rtt=0.001)
    assert pacer.stats.cuts_by_delay == 1  # the queue built before the cut is not a second reason


def start_up_then_a_queue(initial: float) -> RateController:
    """Start-up at `initial` bytes/s; 11.8 MB/s get through; then a report of a standing queue."""
    pacer = controller(initial)
    for n, received in enumerate(range(0, 2000, 400)):
        pacer.on_report(7, n * 0.05, received=received, lost=0, clock_ms=n * 50, queue_delay=0.0, rtt=0.001)
    pacer.on_report(7, 0.25, received=2000, lost=0, clock_ms=250, queue_delay=2 * QUEUE_LIMIT, rtt=0.001)
    assert pacer.stats.cuts == 1 and not pacer.slow_start
    return pacer


def test_the_cut_that_ends_start_up_halves_the_rate_at_most():
    """Start-up overshoots the link several times over before a queue is reported, and what
    clients report delivered lags the doubling: one cut goes no deeper than DEEPEST_CUT, and the
    next reports finish the descent (a cut straight to the lagging figure undershot on the rig)."""
    assert start_up_then_a_queue(40e6).rate == DEEPEST_CUT * 40e6
    delivered = 400 * SEGMENT / 0.05
    assert abs(start_up_then_a_queue(14e6).rate - DRAIN * delivered) < 0.01 * delivered  # within reach


def test_a_jump_in_loss_above_a_clients_own_floor_is_congestion():
    pacer = controller(20e6)
    received = lost = 0
    for n in range(12):  # a steady 2 % background loss
        received, lost = received + 980, lost + 20
        pacer.on_report(3, n * 0.05, received=received, lost=lost, clock_ms=n * 50, queue_delay=0.0, rtt=0.001)
    assert pacer.stats.cuts == 0
    received, lost = received + 800, lost + 200  # 20 %: loss that rose with the rate
    pacer.on_report(3, 0.65, received=received, lost=lost, clock_ms=650, queue_delay=0.0, rtt=0.001)
    assert pacer.stats.cuts_by_loss == 1


def test_drops_at_the_masters_own_interface_cut_once_per_holdoff():
    pacer = controller(50e6)
    pacer.on_sent(1_000_000, 0.1)
    pacer.on_local_drop(0.1)
    after_first = pacer.rate
    pacer.on_local_drop(0.11)
    assert pacer.stats.cuts_by_local_drop == 1 and pacer.rate == after_first < 50e6


def test_a_local_drop_in_start_up_is_not_judged_by_reports_that_lag_the_doubling():
    """Start-up doubles the rate every 50 ms, so when our own interface first overflows, the
    client's reports still describe a slower past; what was just sent is what the interface
    took. The cut goes to DRAIN of that, not to half the rate or below."""
    pacer = controller(128e6)
    pacer.on_report(7, 0.05, received=0, lost=0, clock_ms=50, queue_delay=0.0, rtt=0.001)
    pacer.on_report(7, 0.10, received=2750, lost=0, clock_ms=100, queue_delay=0.0, rtt=0.001)  # 40 MB/s
    for ms in range(10, 130, 10):  # what went out since the start: the interface's 122 MB/s
        pacer.on_sent(int(122e6 * 0.01), ms / 1000)
    pacer.on_local_drop(0.12)
    assert pacer.stats.cuts_by_local_drop == 1
    assert abs(pacer.rate - DRAIN * 122e6) < 0.02 * 122e6


def test_the_cap_is_never_exceeded():
    pacer = controller(8e6, cap=30e6)
    path = FakePath(pacer, capacity=500e6, loss=0.0)
    assert max(run(pacer, path, 5.0)) <= 30e6
