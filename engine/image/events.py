"""Events of saving and putting down image files, in the vocabulary of imgcast.engine.events.

Progress itself is the shared `Progress` event; these add what only imaging has to say."""

from __future__ import annotations

from dataclasses import dataclass

from ..events import Event


@dataclass(frozen=True)
class PartitionMapped(Event):
    """A partition was examined before imaging: what file system it holds, what will be sent."""

    number: int
    filesystem: str  # blkid's name, "" when none was recognised
    size: int
    used_bytes: int
    sent: str  # "used_blocks" or "whole"


@dataclass(frozen=True)
class ImageMade(Event):
    """`img make` finished: the image file is complete and closed."""

    path: str
    disk_size: int
    image_size: int
    chunks: int
    sha256: str  # of the image stream (inside the encryption, for an encrypted image)
    seconds: float
    encrypted: bool = False


@dataclass(frozen=True)
class ImageRestored(Event):
    """`img restore` finished: every chunk was written, the target flushed, the SHA-256 checked."""

    target: str
    disk_size: int
    image_size: int
    written: int  # disk bytes written (data chunks)
    zeroed: int  # disk bytes made zero (zero chunks)
    sha256: str
    seconds: float
    notes: tuple[str, ...] = ()  # what the operator should know: a table fitted, a kernel not told
