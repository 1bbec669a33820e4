"""zfec's erasure code, computed by ISA-L's SIMD kernels (libisal, through ctypes).

zfec multiplies in GF(256) a byte at a time from tables: about 1.1 GB/s of source bytes per
parity block here, so at 5 % loss a master spent a second per 64 MiB making parity and every
client a third of one rebuilding blocks, most of what loss added to either's CPU. ISA-L's
`ec_encode_data` does the same arithmetic with AVX2/AVX-512/GFNI, 15 to 20 times faster.

The bytes on the wire stay zfec's: both libraries use GF(256) with the polynomial 0x11d, and
the coefficients are zfec's own, read back from it by encoding unit blocks. Decoding inverts
only the m x m part of the code that the m lost blocks touch (inverting the whole k x k
matrix, as ISA-L's examples do, would cost more than the data itself).

libisal ships as a Debian package (libisal2), not as a wheel; where it is missing, `load()`
returns None and fec.py keeps zfec.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from functools import cache
from operator import itemgetter

import zfec

from ..wire import MAX_SHARES

LIBRARY = "libisal.so.2"

_Pointers = ctypes.c_void_p * MAX_SHARES  # enough for any slice's sources or outputs


@cache
def parity_rows(k: int) -> bytes:
    """zfec's coefficients for k data blocks: the row of parity share s (k <= s < 256) is the
    k bytes at (s - k) * k. Encoding unit blocks makes zfec spell them out."""
    units = tuple(bytes(1 if byte == i else 0 for byte in range(k)) for i in range(k))
    rows = zfec.Encoder(k, MAX_SHARES).encode(units, tuple(range(k, MAX_SHARES)))
    return b"".join(bytes(row) for row in rows)


def mend_plan(data: bytearray, size: int, have: Sequence[int],
              parity: Mapping[int, bytes]) -> tuple[list[int], list[int], list[int]]:
    """What a mend of `data` (len(have) blocks of `size` bytes) works with: (lost, kept, used)
    block indices and the parity share numbers that rebuild them, the lowest m for m lost.
    Either coder checks the same things the same way before any coding."""
    k = len(have)
    lost = [i for i in range(k) if not have[i]]
    kept = [i for i in range(k) if have[i]]
    used = sorted(parity)[: len(lost)]
    if len(used) < len(lost):
        raise ValueError(f"{len(lost)} blocks lost and only {len(used)} parity blocks to rebuild them")
    if lost and (len(data) < k * size or any(len(parity[s]) != size or not k <= s < MAX_SHARES for s in used)):
        raise ValueError("mend: the slice or a parity block is not the size of the slice's blocks")
    return lost, kept, used


def _columns(k: int, shares: Sequence[int], columns: Sequence[int]) -> bytes:
    """The coefficients that parity `shares` give the data blocks `columns`, a row per share."""
    rows = parity_rows(k)
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    return b"".join(bytes(pick(rows[(s - k) * k : (s - k + 1) * k])) for s in shares)


def _address(buffer: bytearray) -> tuple[int, object]:
    """Where a bytearray's bytes start, and the ctypes view that pins them (keep it alive)."""
    pin = (ctypes.c_char * len(buffer)).from_buffer(buffer)
    return ctypes.addressof(pin), pin


def _bytes_address(data: bytes) -> int:
    return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0


class IsalCoder:
    """Parity and repair with libisal. Keeps no state between calls (fec.py holds one per
    process); the buffers it codes must not be resized during a call, which pinning ensures."""

    name = "isal"

    def __init__(self, library: ctypes.CDLL) -> None:
        self._lib = library
        library.ec_init_tables.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        library.ec_init_tables.restype = None
        library.ec_encode_data.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                                           ctypes.c_void_p, ctypes.c_void_p]
        library.ec_encode_data.restype = None
        library.gf_invert_matrix.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        library.gf_invert_matrix.restype = ctypes.c_int

    def _combine(self, size: int, coefficients: bytes, sources: Sequence[int], outputs: Sequence[int]) -> None:
        """outputs[r] = sum over s of coefficients[r * len(sources) + s] * sources[s], `size`
        bytes each (addresses)."""
        k, rows = len(sources), len(outputs)
        tables = ctypes.create_string_buffer(32 * k * rows)
        self._lib.ec_init_tables(k, rows, coefficients, tables)
        src, out = _Pointers(*sources), _Pointers(*outputs)
        self._lib.ec_encode_data(size, k, rows, tables, src, out)

    def parity_into(self, source: bytearray, first: int, stride: int, size: int, k: int,
                    shares: Sequence[int], dest: bytearray, dest_first: int, dest_stride: int) -> None:
        # C reads and writes by address: a wrong length here must be an error, not a stray read
        if (len(source) < first + (k - 1) * stride + size
                or len(dest) < dest_first + (len(shares) - 1) * dest_stride + size
                or not all(k <= s < MAX_SHARES for s in shares)):
            raise ValueError("parity_into: the buffers do not hold the blocks, or a share is not parity")
        rows = parity_rows(k)
        coefficients = b"".join(rows[(s - k) * k : (s - k + 1) * k] for s in shares)
        base, pin = _address(source)
        out, out_pin = _address(dest)
        self._combine(size, coefficients, [base + first + i * stride for i in range(k)],
                      [out + dest_first + j * dest_stride for j in range(len(shares))])
        del pin, out_pin

    def mend(self, data: bytearray, size: int, have: Sequence[int], parity: Mapping[int, bytes]) -> list[int]:
        lost, kept, used = mend_plan(data, size, have, parity)
        k, m = len(have), len(lost)
        if not m:
            return []
        # The used parity blocks P, minus what the kept blocks R put in them, are C[P, lost] times
        # the lost blocks: invert that m x m matrix, and the lost blocks are
        # inv * P + (inv * C[P, R]) * R, one pass of ec_encode_data over the k sources.
        square = bytearray(_columns(k, used, lost))
        inverse = ctypes.create_string_buffer(m * m)
        work = (ctypes.c_char * len(square)).from_buffer(square)
        if self._lib.gf_invert_matrix(work, inverse, m) != 0:  # pragma: no cover - zfec's code is MDS
            raise ValueError("the parity blocks do not determine the lost ones")
        del work
        inverse_bytes = inverse.raw
        coefficients = bytearray(m * k)
        if kept:
            partial = bytearray(_columns(k, used, kept))
            product = bytearray(m * len(kept))
            at, pin = _address(partial)
            out, out_pin = _address(product)
            width = len(kept)
            self._combine(width, inverse_bytes, [at + r * width for r in range(m)],
                          [out + r * width for r in range(m)])
            del pin, out_pin
            for r in range(m):
                coefficients[r * k : r * k + width] = product[r * width : (r + 1) * width]
        for r in range(m):
            coefficients[r * k + len(kept) : (r + 1) * k] = inverse_bytes[r * m : (r + 1) * m]
        blocks = [parity[s] for s in used]  # (the list keeps them alive through the call)
        base, pin = _address(data)
        self._combine(size, bytes(coefficients),
                      [base + i * size for i in kept] + [_bytes_address(b) for b in blocks],
                      [base + i * size for i in lost])
        del pin
        return lost


def load() -> IsalCoder | None:
    """The ISA-L coder, or None when libisal cannot be loaded or disagrees with zfec."""
    try:
        library = ctypes.CDLL(LIBRARY)
    except OSError:
        return None
    coder = IsalCoder(library)
    return coder if _agrees_with_zfec(coder) else None


def _agrees_with_zfec(coder: IsalCoder) -> bool:
    """One small slice through both libraries: a libisal of another field or layout must not
    put bytes on the wire that zfec clients cannot use."""
    k, size = 5, 40
    blocks = [bytes((7 * i + 13 * b + 1) % 256 for b in range(size)) for i in range(k)]
    expected = b"".join(bytes(p) for p in zfec.Encoder(k, MAX_SHARES).encode(tuple(blocks), (k, MAX_SHARES - 1)))
    got = bytearray(2 * size)
    coder.parity_into(bytearray(b"".join(blocks)), 0, size, size, k, (k, MAX_SHARES - 1), got, 0, size)
    return bytes(got) == expected
