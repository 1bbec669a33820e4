"""Slice buffers are reused only once no view of them is left, and reuse never shows in a copy."""

import hashlib

from imgcast.engine.protocol.slice_pool import SlicePool
from simnet import Link, SimNetwork
from test_protocol_sim import all_closed, finished, image


def given_back(pool: SlicePool, size: int, mark: int) -> None:
    """A buffer that carried a slice (marked in its first byte), handed back with no reference
    left outside the pool: the client keeps none once it has delivered a slice."""
    data = pool.take(size)
    data[0] = mark
    pool.give_back(data)


def test_a_buffer_comes_back_only_when_nothing_views_it():
    pool = SlicePool()
    data = pool.take(1000)
    data[0] = 7
    view = memoryview(data).toreadonly()[10:20]  # what the writer and the image parser hold
    pool.give_back(data)
    del data
    assert pool.take(1000)[0] == 0 and (pool.reused, pool.allocated) == (0, 2)  # a new one
    del view
    assert pool.take(1000)[0] == 7 and pool.reused == 1  # the one that carried the slice


def test_a_buffer_of_another_size_is_not_handed_out():
    pool = SlicePool()
    given_back(pool, 100, mark=5)
    assert len(pool.take(200)) == 200 and pool.reused == 0
    assert pool.take(100)[0] == 5 and pool.reused == 1


def test_the_pool_keeps_a_bounded_number_of_buffers():
    pool = SlicePool(keep=3)
    taken = [pool.take(10) for _ in range(5)]
    for mark, data in enumerate(taken, 1):
        data[0] = mark
        pool.give_back(data)
    del taken, data
    assert [pool.take(10)[0] for _ in range(4)] == [3, 4, 5, 0]  # the oldest were let go
    assert (pool.reused, pool.allocated) == (3, 6)


def test_clients_reusing_slice_buffers_under_loss_get_exact_copies():
    """Reused buffers still hold an older slice's bytes: lost blocks must be rebuilt over them,
    never read as they are."""
    net = SimNetwork(seed=7)
    data = image(8_000_000)
    master = net.add_master("master", data, wanted=5)
    nodes = [net.add_client(f"c{i}", link=Link(loss=0.05, reorder=0.02, duplicate=0.01)) for i in range(5)]
    net.run(all_closed(master, *nodes), max_time=120)
    assert len(finished(master).verified) == 5
    for node in nodes:
        assert bytes(node.written) == data
        client = getattr(node.machine, "machine", node.machine)
        assert client.buffers.reused > 0 and client.repaired > 0
    assert finished(master).sha256 == hashlib.sha256(data).hexdigest()
