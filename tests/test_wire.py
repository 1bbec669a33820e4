"""The wire format: round trips, the packet-path twin, and garbage that must only ever be dropped."""

import hypothesis.strategies as st
from hypothesis import given, settings
from imgcast.engine import wire
from imgcast.engine.wire import Kind, WireError

SID = bytes(range(8))
ids = st.integers(0, 2**32 - 1)
text = st.text(max_size=40).filter(lambda t: len(t.encode()) < 255)
size = st.integers(0, 2**64 - 1)

BODY_STRATEGIES = {
    Kind.ANNOUNCE: st.fixed_dictionaries({
        "role": st.just(1), "state": st.integers(0, 2), "host": text, "image_name": text,
        "stream_format": st.integers(0, 1), "stream_size": size, "disk_size": size,
        "block_size": st.integers(1, 65535), "slice_blocks": st.integers(1, 255),
        "joined": st.integers(0, 65535), "wanted": st.integers(0, 65535), "start_in_ms": ids}),
    Kind.CLAIM: st.fixed_dictionaries({"host": text, "nonce": size}),
    Kind.JOIN: st.fixed_dictionaries({"host": text, "address": text, "capacity": size, "mtu": ids}),
    Kind.ACCEPT: st.fixed_dictionaries({"client": ids, "accepted": st.booleans(), "reason": text}),
    Kind.START: st.fixed_dictionaries({"block_size": st.integers(1, 65535), "slice_blocks": st.integers(1, 255),
                                       "pass_no": st.integers(1, 65535), "clients": st.lists(ids, max_size=50),
                                       "catching_up": st.lists(ids, max_size=50)}),
    Kind.NEED: st.fixed_dictionaries({"ranges": st.lists(st.fixed_dictionaries({
        "first": ids, "count": st.integers(1, 2**32 - 1)}), max_size=120)}),
    Kind.NAK: st.fixed_dictionaries({"entries": st.lists(st.fixed_dictionaries({
        "slice": ids, "missing": st.integers(1, 256), "bitmap": st.binary(min_size=32, max_size=32)}), max_size=30)}),
    Kind.REPORT: st.fixed_dictionaries({"watermark": ids, "done": size, "lost": ids, "repaired": ids,
                                        "received": ids, "clock_ms": ids, "queue_delay": st.integers(0, 65535),
                                        "echo": st.integers(0, 65535), "echo_age": st.integers(0, 65535),
                                        "pass_no": st.integers(0, 65535)}),
    Kind.END: st.fixed_dictionaries({"slices": ids, "stream_size": size, "sha256": st.binary(min_size=32, max_size=32),
                                     "pass_no": st.integers(0, 65535)}),
    Kind.DONE: st.fixed_dictionaries({"ok": st.booleans(), "sha256": st.binary(min_size=32, max_size=32),
                                      "size": size, "reason": text}),
    Kind.ACK: st.fixed_dictionaries({"clients": st.lists(ids, max_size=50)}),
    Kind.ABORT: st.fixed_dictionaries({"reason": text}),
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(BODY_STRATEGIES)).flatmap(lambda k: st.tuples(st.just(k), BODY_STRATEGIES[k])), ids)
def test_every_control_datagram_round_trips(kind_and_fields, sender):
    kind, fields = kind_and_fields
    datagram = wire.parse(wire.build(kind, SID, sender, **fields))
    assert (datagram.kind, datagram.session_id, datagram.sender) == (kind, SID, sender)
    for key, value in fields.items():
        got = datagram.body[key]
        if key == "entries":
            got = [dict(slice=e.slice, missing=e.missing, bitmap=e.bitmap) for e in got]
        assert got == value if not isinstance(value, list) else list(got) == value


@settings(max_examples=60, deadline=None)
@given(ids, ids, st.integers(1, 256), st.data(), st.binary(min_size=1, max_size=1500), st.integers(0, 65535))
def test_block_fast_path_equals_the_construct_layout(sender, number, k, data, payload, stamp):
    index = data.draw(st.integers(0, k - 1))
    fast = wire.build_block(Kind.DATA, SID, sender, number, index, k, stamp, payload)
    slow = wire.build(Kind.DATA, SID, sender, slice=number, index=index, k=k - 1, stamp=stamp, payload=payload)
    assert fast == slow
    parsed = wire.parse(fast)
    assert (parsed.body.slice, parsed.body.index, parsed.body.k + 1, parsed.body.payload) == (number, index, k, payload)
    assert wire.block_header(Kind.DATA, SID, sender, number, index, k, stamp) == fast[: wire.BLOCK_HEADER_SIZE]
    assert int.from_bytes(fast[wire.STAMP_OFFSET : wire.STAMP_OFFSET + 2], "big") == stamp


@settings(max_examples=60, deadline=None)
@given(BODY_STRATEGIES[Kind.NAK], ids)
def test_nak_fast_path_equals_the_construct_layout(fields, sender):
    datagram = wire.build(Kind.NAK, SID, sender, **fields)
    fast = wire.parse(datagram).body
    slow = wire._PARSERS[Kind.NAK].parse(datagram[wire.HEADER_SIZE:]).body
    assert [(e.slice, e.missing, e.bitmap) for e in fast.entries] == [(e.slice, e.missing, e.bitmap) for e in slow.entries]
    assert wire.NAK_ENTRY.size == 4 + 2 + wire.NAK_BITMAP_BYTES


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_raises_only_wire_error(data):
    try:
        wire.parse(data)
    except WireError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(BODY_STRATEGIES)), st.data())
def test_mangled_real_datagrams_raise_only_wire_error(kind, data):
    good = wire.build(kind, SID, 7, **data.draw(BODY_STRATEGIES[kind]))
    cut = data.draw(st.integers(0, len(good)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, max(0, len(good) - 1)), st.integers(0, 255)), max_size=3))
    mangled = bytearray(good[:cut] + data.draw(st.binary(max_size=8)))
    for at, value in flips:
        if at < len(mangled):
            mangled[at] = value
    try:
        wire.parse(bytes(mangled))
    except WireError:
        pass


def test_specific_rejections_name_the_problem():
    good = wire.build(Kind.ABORT, SID, 1, reason="x")
    cases = {
        b"IMG": "shorter",
        b"XXXX" + good[4:]: "magic",
        good[:4] + bytes([9]) + good[5:]: "version",
        good[:5] + bytes([200]) + good[6:]: "kind",
        good + b"junk": "trailing",
        good[:-1]: "ABORT",
        bytes(70000): "larger",
    }
    for data, word in cases.items():
        try:
            wire.parse(data)
        except WireError as error:
            assert word in str(error), (word, str(error))
        else:
            raise AssertionError(f"accepted {data[:20]!r}")


def test_inconsistent_blocks_are_rejected():
    data_with_parity_index = wire.build_block(Kind.DATA, SID, 1, 0, 5, 4, 0, b"x")
    parity_with_data_index = wire.build_block(Kind.PARITY, SID, 1, 0, 2, 4, 0, b"x")
    empty = wire.build_block(Kind.DATA, SID, 1, 0, 0, 4, 0, b"")
    zero_nak = wire.build(Kind.NAK, SID, 1, entries=[{"slice": 1, "missing": 0, "bitmap": bytes(32)}])
    for bad in (data_with_parity_index, parity_with_data_index, empty, zero_nak):
        try:
            wire.parse(bad)
        except WireError:
            continue
        raise AssertionError("accepted an inconsistent datagram")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(BODY_STRATEGIES)), st.data())
def test_the_quick_length_check_agrees_with_the_layout(kind, data):
    """parse refuses garbage by the body length the layout implies before construct runs: for
    every well-formed datagram that length is exactly its body's."""
    good = wire.build(kind, SID, 7, **data.draw(BODY_STRATEGIES[kind]))
    assert wire._body_length(kind, good[wire.HEADER_SIZE:]) == len(good) - wire.HEADER_SIZE
    wire.parse(good)
