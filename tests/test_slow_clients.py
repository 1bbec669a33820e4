"""Slow clients and late joiners (issue 11), in virtual time on the simulated LAN.

One 10 Mbit/s port among 100 Mbit/s ports, and a computer that joins at 10, 50 or 90 % of the
transfer, under each policy, with and without random loss. Every client that finishes has a
bit-exact copy; the times are the issue's targets, asserted on the simulator's clock."""

import hashlib
import random

import pytest
from imgcast.engine import events as ev
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.protocol.master import Phase
from imgcast.engine.protocol.policy import SlowPolicy
from simnet import Link, SimNetwork

MBIT = 1e6 / 8
QUEUE = 64 * 1024
MASTER_QUEUE = 1000 * 1514
POLICIES = [SlowPolicy("catch-up"), SlowPolicy("wait"), SlowPolicy("drop", 5e6)]


def payload_rate(link_rate: float, config: ProtocolConfig) -> float:
    block = config.block_size
    return link_rate * block / (block + 26 + Link().overhead)


def room(rates: list[float], *, policy: SlowPolicy, loss: float = 0.0, size: int = 8 << 20, seed: int = 1,
         config: ProtocolConfig | None = None):
    net = SimNetwork(seed=seed, config=config)
    data = random.Random(seed).randbytes(size)
    master = net.add_master("master", data, wanted=len(rates), link=Link(rate=100 * MBIT, queue=MASTER_QUEUE),
                            slow_policy=policy)
    nodes = [net.add_client(f"c{i}", link=Link(rate=rate, loss=loss, queue=QUEUE)) for i, rate in enumerate(rates)]
    return net, data, master, nodes


def finish_times(net, master, nodes) -> dict[str, float]:
    """Run until everyone is done; each client's finish, seconds after the transfer began."""
    net.run(lambda: master.machine.phase is not Phase.LOBBY, max_time=30)
    began = net.now
    done: dict[str, float] = {}
    everyone = [master, *nodes]
    while not all(n.machine.closed for n in everyone):
        net.run(lambda: all(n.machine.closed for n in everyone)
                or any(n.machine.closed and n.name not in done for n in nodes), max_time=began + 120)
        for n in nodes:
            if n.machine.closed and n.name not in done:
                done[n.name] = net.now - began
    return done


def outcome(node) -> ev.Event:
    return next(e for e in reversed(node.events) if isinstance(e, (ev.SessionFinished, ev.SessionFailed)))


def master_result(master) -> ev.SessionFinished:
    return next(e for e in master.events if isinstance(e, ev.SessionFinished))


@pytest.mark.parametrize("loss", [0.0, 0.05])
def test_catch_up_lets_the_fast_finish_at_their_pace_and_the_slow_still_finishes(loss):
    size = 8 << 20
    net, data, master, nodes = room([10 * MBIT, 100 * MBIT, 100 * MBIT, 100 * MBIT], policy=SlowPolicy(), loss=loss)
    times = finish_times(net, master, nodes)
    assert all(bytes(n.written) == data for n in nodes)
    result = master_result(master)
    assert len(result.verified) == 4 and [c.host for c in result.caught_up] == ["c0"]
    assert result.caught_up[0].passes >= 2 and not result.caught_up[0].late

    alone_net, alone_data, alone_master, alone_nodes = room([100 * MBIT] * 3, policy=SlowPolicy(), loss=loss)
    alone = finish_times(alone_net, alone_master, alone_nodes)
    assert max(times[n] for n in ("c1", "c2", "c3")) <= 1.3 * max(alone.values()), (times, alone)
    slow_link = size / payload_rate(10 * MBIT, master.machine.config) / (1 - loss)
    assert times["c0"] <= 1.2 * slow_link, (times, slow_link)
    assert any(isinstance(e, ev.ClientCatchingUp) and e.client.host == "c0" for e in master.events)
    assert any(isinstance(e, ev.CatchingUp) for e in nodes[0].events)


@pytest.mark.parametrize("loss", [0.0, 0.05])
def test_wait_moves_everyone_at_the_slowest_pace(loss):
    net, data, master, nodes = room([10 * MBIT, 100 * MBIT, 100 * MBIT], policy=SlowPolicy("wait"), loss=loss,
                                    size=4 << 20)
    times = finish_times(net, master, nodes)
    assert all(bytes(n.written) == data for n in nodes)
    assert not master_result(master).caught_up
    assert min(times.values()) > 0.8 * times["c0"]  # the fast ones waited for the slow one
    named = [e for e in master.events if isinstance(e, ev.PaceSetBy)]
    assert [e.client.host for e in named] == ["c0"], named  # who everyone waited for, said once
    assert named[0].cuts >= 0.8 * named[0].of and named[0].rate < 0.5 * 100 * MBIT


def test_wait_names_nobody_when_every_link_is_alike():
    net, data, master, nodes = room([100 * MBIT] * 3, policy=SlowPolicy("wait"), size=4 << 20)
    finish_times(net, master, nodes)
    assert all(bytes(n.written) == data for n in nodes)
    assert not [e for e in master.events if isinstance(e, ev.PaceSetBy)]


@pytest.mark.parametrize("loss", [0.0, 0.05])
def test_drop_removes_a_client_below_the_rate_within_15_s_and_says_why(loss):
    net, data, master, nodes = room([2 * MBIT, 100 * MBIT, 100 * MBIT], policy=SlowPolicy("drop", 1e6), loss=loss)
    times = finish_times(net, master, nodes)
    assert all(bytes(n.written) == data for n in nodes[1:])
    result = master_result(master)
    assert [p.host for p in result.dropped] == ["c0"] and "drop:1M" in result.drop_reasons[0]
    assert times["c0"] <= 15.0
    failed = outcome(nodes[0])
    assert isinstance(failed, ev.SessionFailed) and "drop:1M" in failed.reason
    assert max(times["c1"], times["c2"]) < 3.0  # the others did not wait for it


@pytest.mark.parametrize("policy", POLICIES, ids=str)
@pytest.mark.parametrize("at", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("loss", [0.0, 0.05])
def test_a_late_joiner_gets_the_whole_image_in_the_same_session(policy, at, loss):
    rate = 1e6  # a capped session, so that 10 % of it is longer than a client needs to join
    size = 4 << 20
    config = ProtocolConfig(rate=rate, initial_rate=rate)
    net, data, master, nodes = room([100 * MBIT] * 2, policy=policy, loss=loss, size=size, config=config, seed=7)
    net.run(lambda: master.machine.phase is not Phase.LOBBY, max_time=30)
    net.run(lambda: master.machine._send_slice * master.machine.config.slice_bytes >= at * size, max_time=60)
    joined_at = net.now
    late = net.add_client("late", link=Link(rate=100 * MBIT, loss=loss, queue=QUEUE))
    everyone = [master, *nodes, late]
    net.run(lambda: late.machine.closed, max_time=120)
    took = net.now - joined_at
    net.run(lambda: all(n.machine.closed for n in everyone), max_time=150)
    assert bytes(late.written) == data and all(bytes(n.written) == data for n in nodes)
    result = master_result(master)
    assert late.machine.sender in {int(p.client_id, 16) for p in result.verified}
    assert any(isinstance(e, ev.ClientJoined) and e.late for e in master.events)
    # the whole image at the session's rate, plus the wait for an announce to join by
    assert took <= 1.3 * size / rate / (1 - loss) + master.machine.config.announce_interval, took
    # its rate is what arrives: the slices it held are not counted again when the gap before them fills
    rates = [e.rate for e in late.events if isinstance(e, ev.Progress)]
    assert rates and max(rates) <= 1.5 * rate, max(rates)


def test_no_late_join_refuses_with_the_reason():
    config = ProtocolConfig(rate=1e6, initial_rate=1e6)
    net, data, master, nodes = room([100 * MBIT], policy=SlowPolicy(), size=2 << 20, config=config)
    master.machine.late_join = False
    net.run(lambda: master.machine._send_slice >= 3, max_time=30)
    late = net.add_client("late")
    net.run(lambda: late.machine.closed, max_time=30)
    failed = outcome(late)
    assert isinstance(failed, ev.SessionFailed) and "takes no late joiners" in failed.reason
    net.run(lambda: master.machine.closed, max_time=60)
    assert bytes(nodes[0].written) == data


def test_a_late_joiner_whose_mtu_is_too_small_is_told_why():
    config = ProtocolConfig(rate=1e6, initial_rate=1e6)
    net, data, master, nodes = room([100 * MBIT], policy=SlowPolicy(), size=2 << 20, config=config)
    net.run(lambda: master.machine._send_slice >= 3, max_time=30)
    late = net.add_client("late", mtu=1400)
    net.run(lambda: late.machine.closed, max_time=30)
    failed = outcome(late)
    assert isinstance(failed, ev.SessionFailed) and "--mtu 1400" in failed.reason


def test_need_ranges_name_what_a_follower_lacks():
    """A follower holding slices 3 and 5..6 of 10 asks for 0..2, 4 and 7..9."""
    from imgcast.engine.protocol.client import SliceBuffer

    net, data, master, nodes = room([100 * MBIT], policy=SlowPolicy(), size=1 << 20)
    client = nodes[0].machine
    client._total_slices = 10
    for n in (3, 5, 6):
        client._slices[n] = SliceBuffer(1, bytearray(1), bytearray(b"\x01"), 1, complete=True)
    assert [(r["first"], r["count"]) for r in client._needs()] == [(0, 3), (4, 1), (7, 3)]
    assert hashlib.sha256(data).digest()  # (the room itself is not run)


def test_a_forged_join_during_the_transfer_neither_holds_the_session_nor_gets_a_pass():
    """An open session's JOIN is unauthenticated (a random flood makes valid ones): a late
    joiner counts only once it reports, so a one-off JOIN is forgotten at the client timeout."""
    from imgcast.engine import wire

    config = ProtocolConfig(rate=1e6, initial_rate=1e6)
    net, data, master, nodes = room([100 * MBIT], policy=SlowPolicy(), size=2 << 20, config=config)
    net.run(lambda: master.machine._send_slice >= 3, max_time=30)
    m = master.machine
    forged = wire.build(wire.Kind.JOIN, m.session_id, 0x5EED, host="ghost", address="", capacity=wire.UNKNOWN_SIZE,
                        mtu=1500)
    m.receive_datagram(forged, ("10.0.0.99", 9231), net.now)
    began = net.now
    net.run(lambda: m.closed, max_time=120)
    result = master_result(master)
    assert [p.host for p in result.verified] == ["c0"] and not result.dropped and not result.caught_up
    assert not any(isinstance(e, ev.PassStarted) or (isinstance(e, ev.ClientJoined) and e.late) for e in master.events)
    assert net.now - began < (2 << 20) / 1e6 + 3  # finished at the session's own pace, no 10 s wait
    assert bytes(nodes[0].written) == data


def test_a_catch_up_pass_reports_its_own_progress_and_rates_are_what_arrives():
    """The master's bar in a catch-up pass counts that pass's bytes (it read 100 % at no rate
    all through one); a client's rate is what its link brings, not gaps filled at once."""
    net, data, master, nodes = room([10 * MBIT, 100 * MBIT, 100 * MBIT], policy=SlowPolicy())
    finish_times(net, master, nodes)
    assert all(bytes(n.written) == data for n in nodes)
    later = [e for e in master.events if isinstance(e, ev.Progress) and e.pass_no == 2]
    assert later, "no progress from the catch-up pass"
    total = later[0].total
    assert 0 < total <= len(data) and all(e.total == total for e in later)
    dones = [e.done for e in later]
    assert dones == sorted(dones) and dones[0] < total / 2 and dones[-1] == total, dones
    assert any(0 < e.done < total and e.rate > 0.5 * payload_rate(10 * MBIT, net.config) for e in later)
    slow = [e.rate for e in nodes[0].events if isinstance(e, ev.Progress)]
    assert slow and max(slow) <= 1.5 * payload_rate(10 * MBIT, net.config), max(slow)
