"""Slice buffers a client takes back once nobody views them any more.

A slice is up to 2 MiB (128 blocks, fewer when blocks are big). A fresh `bytearray` of that
size costs the kernel 512 page faults and the zeroing of every page, and Python a memset on
top: about 6 % of a receiving client's CPU on loopback. A delivered slice is still read for a while by
the writer thread (and the image parser keeps views of the chunk it has not finished), so a
buffer can only be reused once the last view of it is gone.

How we know: in CPython every memoryview of a bytearray holds a reference to it (through its
managed buffer), and a bytearray knows nothing else about who reads it. So a returned buffer
whose only references are the pool's own is free. The check costs one `sys.getrefcount`.
"""

from __future__ import annotations

import sys
from collections import deque

KEEP = 32  # returned buffers kept at most (the oldest is let go): bounds what a pool holds idle


class SlicePool:
    """`take` a buffer of a size (old bytes inside, or zeros when new), `give_back` when done."""

    def __init__(self, keep: int = KEEP) -> None:
        self._returned: deque[bytearray] = deque(maxlen=keep)  # oldest first: most likely free
        self.reused = 0  # tests and benchmarks read these
        self.allocated = 0

    def give_back(self, data: bytearray) -> None:
        """`data` will not be written again by its owner; views of it may still be read."""
        self._returned.append(data)

    def take(self, size: int) -> bytearray:
        """A buffer of `size` bytes that nobody else holds. A reused one still holds the bytes of
        the slice it carried, so the caller must overwrite or ignore every byte it reads."""
        for _ in range(len(self._returned)):
            data = self._returned.popleft()
            # References now: `data` here, and the argument of getrefcount. Any more are views.
            if len(data) == size and sys.getrefcount(data) == 2:
                self.reused += 1
                return data
            self._returned.append(data)
        self.allocated += 1
        return bytearray(size)
