"""Erasure coding of slices with zfec: any k of a slice's shares rebuild its k data blocks.

Every slice uses share numbers 0..255: 0..k-1 are the data blocks, k..255 parity. A client
missing m blocks needs any m parity blocks it has not seen, so one parity datagram mends a
different loss at every client: that is why repairs are parity, not resends.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import zfec

from ..wire import MAX_SHARES


@cache
def _encoder(k: int) -> zfec.Encoder:
    return zfec.Encoder(k, MAX_SHARES)


@cache
def _decoder(k: int) -> zfec.Decoder:
    return zfec.Decoder(k, MAX_SHARES)


def parity_blocks(data_blocks: Sequence[bytes | memoryview], share_numbers: Sequence[int]) -> list[bytes]:
    """The parity blocks with the given share numbers (each >= k) for these k data blocks."""
    k = len(data_blocks)
    return [bytes(b) for b in _encoder(k).encode(tuple(data_blocks), tuple(share_numbers))]


def recover(k: int, shares: Sequence[bytes | memoryview], share_numbers: Sequence[int]) -> list[bytes | memoryview]:
    """The k data blocks from any k distinct shares. The data blocks among the shares come back
    as the objects given (no copy: a client mending a slice writes only the rebuilt ones)."""
    return list(_decoder(k).decode(tuple(shares), tuple(share_numbers)))
