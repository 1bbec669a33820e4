"""A test-only fault injector for real sockets: this kernel has no netem, so loss, duplication
and reordering are applied to datagrams as they are received, with a seeded random source.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class FaultInjector:
    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0  # chance a datagram is held back and delivered after the next one
    seed: int = 0
    dropped: int = 0
    duplicated: int = 0
    reordered: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _held: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def filter(self, datagrams: list) -> list:
        """What the machine gets instead of `datagrams` (which live in a reused buffer)."""
        out: list = []
        rng = self._rng
        for datagram in datagrams:
            if rng.random() < self.drop:
                self.dropped += 1
                continue
            if self._held is None and rng.random() < self.reorder:
                self._held = bytes(datagram)
                self.reordered += 1
                continue
            out.append(datagram)
            if self._held is not None:
                out.append(self._held)
                self._held = None
            if rng.random() < self.duplicate:
                out.append(bytes(datagram))
                self.duplicated += 1
        return out
