"""Erasure coding of slices: any k of a slice's shares rebuild its k data blocks.

Every slice uses share numbers 0..255: 0..k-1 are the data blocks, k..255 parity. A client
missing m blocks needs any m parity blocks it has not seen, so one parity datagram mends a
different loss at every client: that is why repairs are parity, not resends.

The code is zfec's. ISA-L computes it when libisal is installed (fec_isal.py: the same bytes,
15-20x less CPU); zfec itself otherwise. Both work on a slice where it lies, a buffer with its
blocks at a fixed stride, so neither the master nor a client gathers blocks to code them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Protocol

import zfec

from ..wire import MAX_SHARES
from . import fec_isal


class Coder(Protocol):
    name: str

    def parity_into(self, source: bytearray, first: int, stride: int, size: int, k: int,
                    shares: Sequence[int], dest: bytearray, dest_first: int, dest_stride: int) -> None:
        """Parity share shares[j] of the k blocks source[first + i * stride :][:size], written
        to dest[dest_first + j * dest_stride :][:size]."""

    def mend(self, data: bytearray, size: int, have: Sequence[int], parity: Mapping[int, bytes]) -> list[int]:
        """Rebuild in place the blocks of `data` (len(have) blocks of `size` bytes) whose `have`
        is 0, from parity blocks by share number (at least as many as are lost); the indices
        rebuilt."""


@cache
def _encoder(k: int) -> zfec.Encoder:
    return zfec.Encoder(k, MAX_SHARES)


@cache
def _decoder(k: int) -> zfec.Decoder:
    return zfec.Decoder(k, MAX_SHARES)


class ZfecCoder:
    name = "zfec"

    def parity_into(self, source: bytearray, first: int, stride: int, size: int, k: int,
                    shares: Sequence[int], dest: bytearray, dest_first: int, dest_stride: int) -> None:
        view = memoryview(source)
        blocks = tuple(view[first + i * stride : first + i * stride + size] for i in range(k))
        for j, block in enumerate(_encoder(k).encode(blocks, tuple(shares))):
            at = dest_first + j * dest_stride
            dest[at : at + size] = block

    def mend(self, data: bytearray, size: int, have: Sequence[int], parity: Mapping[int, bytes]) -> list[int]:
        lost, numbers, used = fec_isal.mend_plan(data, size, have, parity)
        if not lost:
            return []
        view = memoryview(data)
        shares = [view[i * size : (i + 1) * size] for i in numbers] + [parity[s] for s in used]
        blocks = _decoder(len(have)).decode(tuple(shares), tuple(numbers + used))
        for i in lost:
            data[i * size : (i + 1) * size] = blocks[i]
        return lost


@cache
def coder() -> Coder:
    """ISA-L when it loads and agrees with zfec; IMGCAST_FEC=zfec forces zfec (to compare).
    Chosen once, by the first master or client made (not at the first loss, mid-transfer):
    loading libisal and checking it against zfec is work that a process which never runs a
    session (`img info`, the wizard before a session, a listener) should not do."""
    if os.environ.get("IMGCAST_FEC") != "zfec":
        isal = fec_isal.load()
        if isal is not None:
            return isal
    return ZfecCoder()


def parity_into(source: bytearray, first: int, stride: int, size: int, k: int,
                shares: Sequence[int], dest: bytearray, dest_first: int, dest_stride: int) -> None:
    coder().parity_into(source, first, stride, size, k, shares, dest, dest_first, dest_stride)


def mend(data: bytearray, size: int, have: Sequence[int], parity: Mapping[int, bytes]) -> list[int]:
    return coder().mend(data, size, have, parity)


def parity_blocks(data_blocks: Sequence[bytes | memoryview], share_numbers: Sequence[int]) -> list[bytes]:
    """The parity blocks with the given share numbers (each >= k) for these k equal-sized data
    blocks (for tests and tools; the protocol codes slices where they lie)."""
    size = len(data_blocks[0])
    out = bytearray(size * len(share_numbers))
    coder().parity_into(bytearray(b"".join(data_blocks)), 0, size, size, len(data_blocks), share_numbers, out, 0, size)
    return [bytes(out[j * size : (j + 1) * size]) for j in range(len(share_numbers))]
