"""Where on the disk a byte of an image stream built on the fly has got to.

A stream built from a disk as it is sent has no size until its end, so its progress cannot
be a fraction of the stream; it can be a fraction of the disk. The builder notes, as each chunk
record leaves it, how many stream bytes have left and the disk offset the last of them reaches;
a count of stream bytes (what the master sent, what a client reported it received) then maps to
the disk offset the copy has reached.
"""

from __future__ import annotations

import bisect

STEP = 1 << 20  # stream bytes between two notes kept: a 100 GB stream keeps about 100,000


class DiskPositions:
    """Stream offsets -> disk offsets, noted in stream order (thread-safe for one writer and
    readers: a reader sees a prefix of the notes, each list appended before the other is read)."""

    def __init__(self, step: int = STEP) -> None:
        self._step = step
        self._streams: list[int] = []  # stream bytes out when the note was made, rising
        self._disks: list[int] = []  # the disk offset those bytes reach, rising

    def note(self, stream_bytes: int, disk_offset: int) -> None:
        """`stream_bytes` of the stream out so far carry the disk up to `disk_offset`."""
        streams, disks = self._streams, self._disks
        if streams and stream_bytes - streams[-1] < self._step and disks:
            streams[-1] = stream_bytes  # within a step the last note moves on (its stream
            disks[-1] = max(disks[-1], disk_offset)  # count first: a reader between lags, never leads)
            return
        disks.append(disk_offset)
        streams.append(stream_bytes)

    def at(self, stream_bytes: int) -> int:
        """The disk offset a copy holding the first `stream_bytes` of the stream has reached
        (the last note at or before it: never ahead of the copy)."""
        count = min(len(self._streams), len(self._disks))
        index = bisect.bisect_right(self._streams, stream_bytes, 0, count) - 1
        return self._disks[index] if index >= 0 else 0
