"""The erasure code: ISA-L and zfec put the same bytes on the wire and mend the same losses.

A master on ISA-L talks to clients on zfec (a machine without libisal) and the other way
round, so the two must agree byte for byte on every parity block, for every slice size.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine.protocol import fec, fec_isal
from imgcast.engine.wire import MAX_SHARES

ISAL = fec_isal.load()
ZFEC = fec.ZfecCoder()
CODERS = [ZFEC] + ([ISAL] if ISAL else [])
needs_isal = pytest.mark.skipif(ISAL is None, reason="libisal.so.2 is not installed (Debian: apt-get install libisal2)")


@st.composite
def slices(draw: st.DrawFn) -> tuple[int, int, bytes, list[int], list[int]]:
    """k, block size, the slice, parity share numbers, and lost data blocks (at most as many
    as there are parity blocks)."""
    k = draw(st.sampled_from([1, 2, 3, 7, 16, 32, 100, 128, 200, 255]))
    size = draw(st.sampled_from([1, 14, 33, 64, 1446, 8946]))
    seed = draw(st.integers(0, 2**32 - 1))
    parity = sorted(draw(st.sets(st.integers(k, MAX_SHARES - 1), max_size=min(24, MAX_SHARES - k))))
    lost = sorted(draw(st.sets(st.integers(0, k - 1), max_size=len(parity))))
    return k, size, random.Random(seed).randbytes(k * size), parity, lost


def _parity(coder: fec.Coder, k: int, size: int, data: bytes, shares: list[int]) -> bytes:
    out = bytearray(len(shares) * size)
    coder.parity_into(bytearray(data), 0, size, size, k, shares, out, 0, size)
    return bytes(out)


@needs_isal
@settings(max_examples=150, deadline=None)
@given(slices())
def test_isal_parity_is_zfecs_byte_for_byte(case: tuple[int, int, bytes, list[int], list[int]]) -> None:
    k, size, data, shares, _lost = case
    assert _parity(ISAL, k, size, data, shares) == _parity(ZFEC, k, size, data, shares)


@settings(max_examples=150, deadline=None)
@given(slices(), st.sampled_from(CODERS), st.sampled_from(CODERS))
def test_any_coder_mends_what_any_coder_encoded(case: tuple[int, int, bytes, list[int], list[int]],
                                               encoder: fec.Coder, mender: fec.Coder) -> None:
    k, size, data, shares, lost = case
    coded = _parity(encoder, k, size, data, shares)
    parity = {s: coded[j * size : (j + 1) * size] for j, s in enumerate(shares)}
    damaged = bytearray(data)
    for i in lost:
        damaged[i * size : (i + 1) * size] = bytes(size)
    have = bytearray(0 if i in lost else 1 for i in range(k))
    assert mender.mend(damaged, size, have, parity) == lost
    assert damaged == data


def test_parity_lands_at_a_stride_inside_datagrams() -> None:
    """The master's use: blocks behind 26-byte headers in its slice buffer, parity coded into the
    payload of each outgoing datagram, headers left alone."""
    k, size, head = 16, 100, 26
    rng = random.Random(3)
    blocks = [rng.randbytes(size) for _ in range(k)]
    wire = bytearray(b"".join(b"H" * head + b for b in blocks))
    for coder in CODERS:
        out = bytearray(b"h" * (3 * (head + size)))
        coder.parity_into(wire, head, head + size, size, k, [k, k + 5, 200], out, head, head + size)
        expected = fec.ZfecCoder()
        want = bytearray(3 * size)
        expected.parity_into(bytearray(b"".join(blocks)), 0, size, size, k, [k, k + 5, 200], want, 0, size)
        for j in range(3):
            assert out[j * (head + size) : j * (head + size) + head] == b"h" * head
            assert out[j * (head + size) + head : (j + 1) * (head + size)] == want[j * size : (j + 1) * size]


def test_too_few_parity_blocks_is_a_clear_error() -> None:
    for coder in CODERS:
        with pytest.raises(ValueError, match="3 blocks lost and only 2 parity"):
            coder.mend(bytearray(40), 10, bytearray([0, 0, 0, 1]), {4: bytes(10), 5: bytes(10)})


def test_wrong_sizes_are_refused_before_any_coding() -> None:
    """ISA-L reads and writes by address: a short buffer must be an error, never a stray read."""
    for coder in CODERS:
        with pytest.raises(ValueError):
            coder.mend(bytearray(40), 10, bytearray([0, 1, 1, 1]), {4: bytes(9)})
        if coder is ISAL:
            with pytest.raises(ValueError):
                coder.parity_into(bytearray(39), 0, 10, 10, 4, [4], bytearray(10), 0, 10)
            with pytest.raises(ValueError):
                coder.parity_into(bytearray(40), 0, 10, 10, 4, [4], bytearray(9), 0, 10)


def _chosen(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", "from imgcast.engine.protocol import fec; print(fec.coder().name)"],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


@needs_isal
def test_sessions_use_isal_when_it_is_installed() -> None:
    assert _chosen({"IMGCAST_FEC": ""}) == "isal"


def test_imgcast_fec_zfec_forces_the_fallback() -> None:
    assert _chosen({"IMGCAST_FEC": "zfec"}) == "zfec"
