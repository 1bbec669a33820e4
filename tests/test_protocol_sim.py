"""The protocol on a simulated LAN: virtual time, per-client loss, reordering, duplication."""

import hashlib
import random

import pytest
from imgcast.engine import wire
from imgcast.engine.events import (
    ClientDropped,
    ClientLeft,
    CollisionDetected,
    RoleDecided,
    SessionFailed,
    SessionFinished,
    StartScheduled,
    TransferStarted,
)
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.protocol.participant import Participant
from simnet import Link, SimNetwork

FAST = ProtocolConfig(client_timeout=2.0, master_timeout=2.0)


def image(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def finished(node) -> SessionFinished:
    found = [e for e in node.events if isinstance(e, SessionFinished)]
    assert found, f"{node.name} did not finish: {node.events[-3:]}"
    return found[0]


def all_closed(*nodes):
    return lambda: all(n.machine.closed for n in nodes)


@pytest.mark.parametrize(
    ("clients", "loss", "size"),
    [(1, 0.0, 300_000), (20, 0.0, 1_000_000), (20, 0.01, 1_000_000), (200, 0.0, 200_000), (200, 0.01, 400_000),
     (200, 0.10, 200_000),
     (10, 0.10, 1_000_000), (50, 0.10, 300_000)],
)
def test_every_client_gets_a_bit_exact_copy(clients, loss, size):
    net = SimNetwork(seed=clients * 1000 + int(loss * 100))
    data = image(size)
    master = net.add_master("master", data, wanted=clients)
    nodes = [net.add_client(f"c{i}", link=Link(loss=loss, reorder=0.02, duplicate=0.01, jitter=0.001))
             for i in range(clients)]
    net.run(all_closed(master, *nodes), max_time=120)
    result = finished(master)
    assert len(result.verified) == clients and not result.failed and not result.dropped
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    for node in nodes:
        assert bytes(node.written) == data
        assert isinstance(node.events[-1], SessionFinished)


@pytest.mark.parametrize(("master_mtu", "client_mtus", "block_size"), [
    (9000, [9000, 9000], 9000 - 54),  # jumbo frames everywhere: 8946-byte blocks
    (9000, [9000, 1400, 1500], 1400 - 54),  # one client on a smaller MTU: every block fits it
    (1500, [65536], 1500 - 54),  # the master's own MTU bounds it too
    (576, [1500], 576 - 54),
])
def test_blocks_fit_the_smallest_mtu_of_the_session_and_copies_are_exact(master_mtu, client_mtus, block_size):
    net = SimNetwork(seed=master_mtu + len(client_mtus))
    data = image(3_000_000)
    master = net.add_master("master", data, wanted=len(client_mtus), mtu=master_mtu)
    nodes = [net.add_client(f"c{i}", mtu=mtu, link=Link(loss=0.01, reorder=0.02)) for i, mtu in enumerate(client_mtus)]
    net.run(all_closed(master, *nodes), max_time=60)
    assert master.machine.config.block_size == block_size
    assert master.machine.path_mtu == min(master_mtu, *client_mtus)
    for node in nodes:
        assert node.machine.params.block_size == block_size
        assert bytes(node.written) == data
    assert master.largest_sent + 28 == min(master_mtu, *client_mtus)  # full blocks, never a fragment
    assert len(finished(master).verified) == len(client_mtus)


def test_big_blocks_scale_slices_reports_and_window_by_bytes():
    base = ProtocolConfig()
    jumbo = base.for_mtu(9000)
    assert (jumbo.block_size, jumbo.slice_blocks) == (8946, 128)
    assert jumbo.report_every_slices == 1 and jumbo.slice_bytes * jumbo.window_slices < 1.3 * base.slice_bytes * base.window_slices
    loop = base.for_mtu(65536)  # loopback: 64 KiB datagrams, fewer per slice so a slice stays ~2 MiB
    assert loop.block_size == wire.MAX_DATAGRAM - wire.BLOCK_HEADER_SIZE and loop.slice_bytes <= 2 << 20
    assert base.for_mtu(1500) is base
    assert base.for_mtu(68).block_size == 14


def test_repairs_are_parity_that_serves_many_clients_at_once():
    net = SimNetwork(seed=5)
    data = image(2_000_000)
    master = net.add_master("master", data, wanted=50)
    nodes = [net.add_client(f"c{i}", link=Link(loss=0.01)) for i in range(50)]
    net.run(all_closed(master, *nodes))
    stats = master.machine.stats
    lost_everywhere = sum(n.machine.lost for n in nodes)
    # One parity datagram mends a different loss at each client: far fewer repairs than losses.
    assert stats.repair_datagrams < lost_everywhere / 4
    assert stats.repair_datagrams < 0.10 * stats.data_datagrams
    assert all(bytes(n.written) == data for n in nodes)


def test_a_client_that_dies_mid_transfer_is_dropped_and_the_others_finish():
    net = SimNetwork(seed=3, config=FAST)
    data = image(3_000_000)
    master = net.add_master("master", data, wanted=4)
    nodes = [net.add_client(f"c{i}", link=Link(loss=0.01)) for i in range(4)]
    net.run(lambda: any(n.machine.watermark > 3 for n in nodes))
    net.kill(nodes[0])
    net.run(all_closed(master, *nodes[1:]), max_time=60)
    result = finished(master)
    assert [p.host for p in result.dropped] == ["c0"]
    assert len(result.verified) == 3
    assert any(isinstance(e, ClientDropped) and e.client.host == "c0" for e in master.events)
    assert all(bytes(n.written) == data for n in nodes[1:])


def test_clients_fail_in_bounded_time_when_the_master_dies():
    net = SimNetwork(seed=4, config=FAST)
    master = net.add_master("master", image(3_000_000), wanted=3)
    nodes = [net.add_client(f"c{i}") for i in range(3)]
    net.run(lambda: any(n.machine.watermark > 2 for n in nodes))
    died_at = net.now
    net.kill(master)
    net.run(all_closed(*nodes), max_time=died_at + FAST.master_timeout + 1.0)
    for node in nodes:
        failure = node.events[-1]
        assert isinstance(failure, SessionFailed) and "master stopped answering" in failure.reason
        assert "incomplete" in failure.reason


def test_two_sessions_colliding_on_one_group_stay_apart():
    net = SimNetwork(seed=6)
    a, b = image(500_000, 1), image(400_000, 2)
    master_a = net.add_master("ma", a, session="alpha", wanted=2)
    master_b = net.add_master("mb", b, session="beta", wanted=2)
    clients_a = [net.add_client(f"a{i}", session="alpha", link=Link(loss=0.02)) for i in range(2)]
    clients_b = [net.add_client(f"b{i}", session="beta", link=Link(loss=0.02)) for i in range(2)]
    net.run(all_closed(master_a, master_b, *clients_a, *clients_b))
    assert all(bytes(n.written) == a for n in clients_a)
    assert all(bytes(n.written) == b for n in clients_b)
    assert any(isinstance(e, CollisionDetected) for e in master_a.events)
    assert master_a.machine.dropped["another session on this group address"] > 0
    assert clients_a[0].machine.dropped["another session on this group address"] > 0


def test_lobby_starts_after_a_fractional_timeout_since_the_last_join():
    net = SimNetwork(seed=7)
    data = image(200_000)
    master = net.add_master("master", data, wanted=5, lobby_timeout=0.05 * 60)  # t=0.05 minutes
    nodes = [net.add_client(f"c{i}") for i in range(2)]
    net.run(lambda: len(master.machine.clients) == 2)
    joined_at = net.now
    net.run(lambda: any(isinstance(e, TransferStarted) for e in master.events))
    assert 2.9 <= net.now - joined_at <= 3.6
    net.run(all_closed(master, *nodes))
    assert len(finished(master).verified) == 2


def test_a_countdown_is_announced_while_the_lobby_waits_and_not_once_it_is_full():
    net = SimNetwork(seed=8)
    master = net.add_master("master", image(50_000), wanted=2, lobby_timeout=60.0)
    first = net.add_client("c0")
    net.run(lambda: len(master.machine.clients) == 1)
    assert [e.seconds for e in master.events if isinstance(e, StartScheduled)] == [60.0]
    second = net.add_client("c1")
    net.run(all_closed(master, first, second))
    assert [e.seconds for e in master.events if isinstance(e, StartScheduled)] == [60.0]  # full: it just starts
    assert len(finished(master).verified) == 2


def test_a_client_started_after_the_masters_announce_joins_at_once_not_at_its_next_turn():
    net = SimNetwork(seed=9)
    data = image(100_000)
    master = net.add_master("master", data, wanted=2)  # announces at 0, then every half second
    net.run_for(0.1)
    early = net.add_client("c0")
    net.run(lambda: len(master.machine.clients) == 1)
    assert net.now < 0.12  # its WAITING announce was answered, not left to the announce at 0.5
    net.run_for(0.2)
    late = net.add_client("c1")
    net.run(lambda: len(master.machine.clients) == 2)
    assert net.now < 0.32
    net.run(all_closed(master, early, late))
    assert bytes(early.written) == bytes(late.written) == data


def test_a_flood_of_waiting_announces_makes_the_master_announce_at_most_every_answer_gap():
    from imgcast.engine.protocol.master import ANSWER_GAP, Master

    sid = b"\x01" * 8
    master = Master(sid, 7, now=0.0, host="m", stream_size=10, disk_size=10)
    master.handle_timer(0.0)
    master.datagrams_to_send(0.0)  # its first announce
    waiting = wire.build(wire.Kind.ANNOUNCE, sid, 99, role=wire.Role.WAITING, state=0, host="c", image_name="",
                         stream_format=0, stream_size=wire.UNKNOWN_SIZE, disk_size=0, block_size=0, slice_blocks=0,
                         joined=0, wanted=0, start_in_ms=wire.NO_DEADLINE)
    announces, now = 0, 0.0
    while now < 1.0:  # a thousand a second for a second
        master.receive_datagram(waiting, ("10.0.0.9", 1), now)
        if master.get_timer() <= now:
            master.handle_timer(now)
        announces += sum(1 for t in master.datagrams_to_send(now) if wire.parse(t.data).kind is wire.Kind.ANNOUNCE)
        now += 0.001
    assert 1 / ANSWER_GAP - 2 <= announces <= 1 / ANSWER_GAP + 1


def test_start_now_closes_the_lobby_and_refuses_with_no_clients():
    net = SimNetwork(seed=8)
    data = image(100_000)
    master = net.add_master("master", data, wanted=10)
    assert master.machine.start_now(net.now) == "no client has joined yet"
    node = net.add_client("c0")
    net.run(lambda: len(master.machine.clients) == 1)
    assert master.machine.start_now(net.now) is None
    net._service(master)
    net.run(all_closed(master, node))
    assert bytes(node.written) == data


def test_a_target_smaller_than_the_disk_is_refused_before_anything_is_sent():
    net = SimNetwork(seed=9)
    master = net.add_master("master", image(100_000), wanted=1)
    small = net.add_client("small", capacity=50_000)
    net.run(all_closed(small), max_time=5)
    assert "holds 50,000 bytes but the image needs 100,000" in small.events[-1].reason
    assert not master.machine.clients


def test_a_lobby_client_that_goes_silent_leaves_the_lobby():
    net = SimNetwork(seed=10, config=FAST)
    master = net.add_master("master", image(100_000), wanted=3)
    node = net.add_client("c0")
    net.run(lambda: len(master.machine.clients) == 1)
    net.kill(node)
    net.run(lambda: not master.machine.clients, max_time=10)
    assert any(isinstance(e, ClientLeft) for e in master.events)


def test_master_abort_fails_every_client_with_the_reason():
    net = SimNetwork(seed=11)
    master = net.add_master("master", image(3_000_000), wanted=2)
    nodes = [net.add_client(f"c{i}") for i in range(2)]
    net.run(lambda: any(n.machine.watermark > 1 for n in nodes))
    master.machine.abort("the operator cancelled it", net.now)
    net._service(master)
    net.run(all_closed(*nodes), max_time=net.now + 1)
    for node in nodes:
        assert "the master ended the session: the operator cancelled it" in node.events[-1].reason


def test_a_client_that_leaves_is_dropped_by_the_master():
    net = SimNetwork(seed=12)
    master = net.add_master("master", image(3_000_000), wanted=2)
    nodes = [net.add_client(f"c{i}") for i in range(2)]
    net.run(lambda: any(n.machine.watermark > 1 for n in nodes))
    nodes[0].machine.leave(net.now)
    net._service(nodes[0])
    net.run(all_closed(master, nodes[1]))
    result = finished(master)
    assert [p.host for p in result.dropped] == ["c0"] and len(result.verified) == 1
    assert "incomplete" in nodes[0].events[-1].reason


def test_garbage_on_the_group_is_counted_and_dropped():
    net = SimNetwork(seed=13)
    data = image(300_000)
    master = net.add_master("master", data, wanted=1)
    node = net.add_client("c0")
    for junk in (b"", b"IMGC", b"hello world" * 10, wire.MAGIC + bytes([1, 6]) + bytes(30)):
        master.machine.receive_datagram(junk, ("10.9.9.9", 1), net.now)
        node.machine.receive_datagram(junk, ("10.9.9.9", 1), net.now)
    net.run(all_closed(master, node))
    assert bytes(node.written) == data
    assert sum(v for k, v in master.machine.dropped.items() if k.startswith("malformed")) >= 3


def _undecided(net, name, can_master=True):
    from imgcast.engine.naming import session_address

    machine = Participant(session_address("sim").session_id, net.rng.getrandbits(32), now=net.now, host=name,
                          can_master=can_master, config=net.config, rng=random.Random(name))
    return net._add(name, machine, None)


def test_simultaneous_claims_elect_exactly_one_master():
    net = SimNetwork(seed=14)
    nodes = [_undecided(net, f"p{i}") for i in range(5)]
    net.run_for(0.2)
    for node in nodes[:3]:  # three operators press m at the same moment
        assert node.machine.claim(net.now) is None
        net._service(node)
    net.run(all_closed(*nodes), max_time=5)
    roles = [n.machine.role for n in nodes]
    assert roles.count("master") == 1
    winner = nodes[roles.index("master")]
    assert winner in nodes[:3]
    assert {n.machine.master_id for n in nodes} == {winner.machine.sender}
    assert all(isinstance(n.events[-1], RoleDecided) for n in nodes)


def test_a_participant_without_a_source_cannot_claim():
    net = SimNetwork(seed=15)
    node = _undecided(net, "p0", can_master=False)
    assert "from=" in node.machine.claim(net.now)
