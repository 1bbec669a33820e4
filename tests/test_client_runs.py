"""The client's batched receive path (`receive_run`, issue 10) must do exactly what the
per-datagram path does, for any run a GRO receive can hand over: consecutive blocks, gaps,
duplicates, parity, blocks spanning two slices, another session's datagrams, a short tail."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine import wire
from imgcast.engine.protocol import fec
from imgcast.engine.protocol.client import Client, SessionParameters, State
from imgcast.engine.protocol.common import ProtocolConfig
from imgcast.engine.stream.base import StreamFormat

BS, K = 64, 8
SEGMENT = wire.BLOCK_HEADER_SIZE + BS
SID, OTHER_SID, MASTER = b"sessionA", b"sessionB", 77
STREAM = random.Random(5).randbytes(BS * K * 6)


def transferring_client() -> Client:
    config = ProtocolConfig(block_size=BS, slice_blocks=K)
    client = Client(SID, 5, now=0.0, host="c", config=config, rng=random.Random(1))
    client.params = SessionParameters(MASTER, "m", "10.0.0.1", "", StreamFormat.RAW, len(STREAM),
                                      len(STREAM), BS, K)
    client._stream_size = len(STREAM)
    client.state = State.TRANSFER
    return client


def _parity(number: int, share: int) -> bytes:
    data = [STREAM[(number * K + i) * BS:][:BS] for i in range(K)]
    return bytes(fec.parity_blocks(data, [share])[0])


PARITY = {(n, K + i): _parity(n, K + i) for n in range(6) for i in range(K)}


def block(number: int, index: int, session: bytes = SID, kind: wire.Kind = wire.Kind.DATA) -> bytes:
    payload = STREAM[(number * K + index) * BS:][:BS] if kind is wire.Kind.DATA else PARITY[number, index]
    return wire.build_block(kind, session, MASTER, number, index, K, number * 10 + index, payload)


run_of_blocks = st.lists(st.tuples(st.integers(0, 5), st.integers(0, K - 1),
                                   st.sampled_from(["data", "data", "data", "parity", "foreign"])),
                         min_size=1, max_size=12)


def datagram(spec: tuple[int, int, str]) -> bytes:
    number, index, what = spec
    if what == "parity":
        return block(number, K + index, kind=wire.Kind.PARITY)
    return block(number, index, OTHER_SID if what == "foreign" else SID)


def state_of(client: Client) -> tuple:
    slices = {n: (bytes(b.data), bytes(b.have), b.complete) for n, b in client._slices.items()}
    delivered = b"".join(bytes(piece) for piece in client.take_data())
    return slices, delivered, client._delivered, client._highest, client.received, client.duplicates


@settings(max_examples=150, deadline=None)
@given(st.lists(run_of_blocks, min_size=1, max_size=30), st.sampled_from(["any", "consecutive", "gaps"]))
def test_a_run_does_what_its_datagrams_one_by_one_do(runs, shape):
    by_run, one_by_one = transferring_client(), transferring_client()
    delivered_run, delivered_single = b"", b""
    for n, specs in enumerate(runs):
        number, first, _ = specs[0]
        if shape == "consecutive":  # the common case: consecutive data blocks of one slice
            specs = [(number, i, "data") for i in range(first, min(K, first + len(specs)))]
        elif shape == "gaps":  # the common case under loss: data blocks of one slice, some missing
            specs = [(number, i, "data") for i in sorted({spec[1] for spec in specs})]
        datagrams = [datagram(spec) for spec in specs]
        buffer = b"".join(datagrams)
        now = n * 0.001
        by_run.receive_run(memoryview(buffer), len(buffer), SEGMENT, ("10.0.0.1", 1), now, now)
        one_by_one.receive_datagrams([memoryview(d) for d in datagrams], ("10.0.0.1", 1), now, now)
        a, b = state_of(by_run), state_of(one_by_one)
        delivered_run += a[1]
        delivered_single += b[1]
        assert (a[0], a[2:]) == (b[0], b[2:])
    assert delivered_run == delivered_single
    assert delivered_run == STREAM[: len(delivered_run)]


def test_a_whole_stream_in_runs_comes_out_exact():
    client = transferring_client()
    out = b""
    for number in range(6):
        for first in range(0, K, 3):  # runs of three, the last one shorter
            datagrams = [block(number, i) for i in range(first, min(K, first + 3))]
            buffer = b"".join(datagrams)
            client.receive_run(memoryview(buffer), len(buffer), SEGMENT, ("10.0.0.1", 1), 0.0)
            out += b"".join(bytes(p) for p in client.take_data())
    assert out == STREAM and client.duplicates == 0
