"""`img make` and `img restore` without a network: a session whose only client is local.

Both move a StreamSource into a StreamSink with the same code a session uses, so an image file
made here is exactly the stream a master would multicast, and a restore here checks exactly what
a client checks.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ImgcastError, UsageError
from ..events import Event, Progress
from ..stream.base import StreamFormat, StreamSink, StreamSource
from ..zisd.keep import KeepImageSafeData
from .events import ImageMade, ImageRestored
from .sink import ImageSink
from .source import IMAGE_SUFFIX, DiskImageSource, ImageFileSource

PIECE = 1 << 20
PROGRESS_EVERY = 0.25  # seconds between Progress events


class ImageFileWriter:
    """Writes an image stream to FILE through FILE.partial, renamed only when complete, so a
    failed or interrupted make never leaves something that looks like an image."""

    capacity: int | None = None

    def __init__(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        self.path = Path(path)
        if self.path.exists() and not overwrite:
            raise UsageError(f"{self.path} exists; give another name or add --force to replace it")
        if self.path.is_dir():
            raise UsageError(f"{self.path} is a directory; give an image file name")
        self.partial = self.path.with_name(self.path.name + ".partial")
        try:
            self._file = open(self.partial, "wb")
        except FileNotFoundError:
            raise UsageError(f"{self.path}: the folder it would be in does not exist") from None
        except PermissionError:
            raise UsageError(f"{self.path}: permission denied; choose a folder you can write") from None
        self.description = str(self.path)
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        try:
            self._file.write(data)
        except OSError as error:
            raise ImgcastError(f"{self.partial}: write failed after {self.size:,} bytes: {error.strerror}") from None
        self.size += len(data)

    def finish(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.partial, self.path)
        except OSError as error:
            raise ImgcastError(f"{self.path}: could not finish the image file: {error.strerror}") from None

    def abort(self) -> None:
        self._file.close()
        self.partial.unlink(missing_ok=True)


def pump(source: StreamSource, sink: StreamSink, progress: Callable[[], Progress | None],
         on_event: Callable[[Event], None]) -> None:
    """Move the whole stream; call finish() on success and abort() on any failure.

    No HashingWriter here: the image's own trailer SHA-256 covers the stream end to end, and a
    second hash of every byte would cost a third of make's time."""
    last = time.monotonic()
    try:
        while True:
            data = source.read(PIECE)
            if not data:
                break
            sink.write(data)
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                event = progress()
                if event is not None:
                    on_event(event)
        sink.finish()
    except BaseException:
        sink.abort()
        raise
    finally:
        source.close()
    event = progress()
    if event is not None:
        on_event(event)


class _Rate:
    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self, done: int) -> float:
        elapsed = time.monotonic() - self.start
        return done / elapsed if elapsed > 0 else 0.0

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start


def make_image(file: str, disk: str, *, raw: bool = False, level: str = "balanced", overwrite: bool = False,
               on_event: Callable[[Event], None] = lambda event: None,
               passphrase: bytes | None = None) -> ImageMade:
    """Save DISK as the image FILE. Progress counts disk bytes examined out of those planned.
    With a passphrase the file is encrypted (format version 2): the stream is sealed as it is
    written, so the plain image never touches the disk."""
    if Path(file).suffix != IMAGE_SUFFIX:
        raise UsageError(f"{file}: image files end in {IMAGE_SUFFIX}; name it {file}{IMAGE_SUFFIX}")
    if Path(disk).suffix == IMAGE_SUFFIX:
        raise UsageError(f"from={disk} is already an image file; copy it with cp")
    writer = ImageFileWriter(file, overwrite=overwrite)
    try:
        source = DiskImageSource(disk, raw=raw, level=level, on_event=on_event)
    except BaseException:
        writer.abort()
        raise
    sink: Any = writer
    if passphrase is not None:
        from ..secure.image import ImageSealer, SealingSink  # cryptography only when encrypting

        try:
            sink = SealingSink(writer, ImageSealer(passphrase, source.disk_size))
        except BaseException:
            source.close()
            writer.abort()
            raise
    rate = _Rate()
    builder = source.builder

    def progress() -> Progress:
        done, total = source.disk_progress
        return Progress(done, total, rate(done), 0, 0)

    pump(source, sink, progress, on_event)
    made = ImageMade(str(writer.path), source.disk_size, writer.size, builder.chunk_count, builder.sha256.hex(),
                     round(rate.seconds, 3), passphrase is not None)
    on_event(made)
    return made


def restore_image(file: str, target: str, *, confirmed: bool = False,
                  on_event: Callable[[Event], None] = lambda event: None,
                  passphrase: bytes | None = None) -> ImageRestored:
    """Put the image FILE down on TARGET. Progress counts image bytes read out of the file size.
    An encrypted image needs its passphrase, checked before the target is opened."""
    source = ImageFileSource(file, role="", passphrase=passphrase, decrypt=True)
    try:
        sink = KeepImageSafeData(ImageSink(target, disk_size=source.disk_size, confirmed=confirmed), target,
                                 stream_format=StreamFormat.IMGCAST, image_name=Path(file).name, session_name=None)
    except BaseException:
        source.close()
        raise
    rate = _Rate()

    def progress() -> Progress:
        total = getattr(source, "plain_size", source.stream_size)
        return Progress(sink.stream_bytes, total, rate(sink.stream_bytes), 0, 0)

    pump(source, sink, progress, on_event)
    assert sink.trailer is not None
    restored = ImageRestored(target, source.disk_size, sink.stream_bytes, sink.written, sink.zeroed,
                             sink.trailer.sha256.hex(), round(rate.seconds, 3), tuple(sink.notes))
    on_event(restored)
    return restored
