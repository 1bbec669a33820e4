"""Turn a `from=` or `to=` path into a source or sink. The one place that decides what a path is."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..image.format import MAGIC
from ..image.sink import ImageSink
from ..image.source import IMAGE_SUFFIX, DiskImageSource, ImageFileSource, check_level
from .base import StreamFormat, StreamSink, StreamSource
from .rawfile import RawDiskSink


def is_image_file(path: str | os.PathLike[str]) -> bool:
    """An .imgcast file by name, or any regular file that starts with the image magic."""
    path = Path(path)
    if path.suffix == IMAGE_SUFFIX:
        return True
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def open_source(path: str, *, raw: bool = False, level: str = "balanced",
                passphrase: bytes | None = None, again: StreamSource | None = None) -> StreamSource:
    """The master's source for `from=PATH`.

    An image file is sent byte for byte (its compression was chosen when it was made). A disk or
    raw disk file becomes an image stream built on the fly: zero runs cost nothing, and only the
    used blocks of file systems partclone can map are sent unless `raw` (every sector) is set.
    An encrypted image file is sent as it is too; it needs the passphrase (checked here).
    `again`: the source this one opens a second time (a catch-up pass): same bytes, same header.
    """
    check_level(level)
    if is_image_file(path):
        if raw:
            raise UsageError(f"from={path} is an image file, sent as it was made; --raw applies to disks")
        return ImageFileSource(path, passphrase=passphrase)
    created = getattr(getattr(again, "header", None), "created", None)
    return DiskImageSource(path, raw=raw, level=level, created=created)


def open_sink(
    path: str,
    *,
    stream_format: StreamFormat,
    disk_size: int,
    confirmed: bool,
    image_name: str = "",
    session_name: str | None = None,
    passphrase: bytes | None = None,
) -> StreamSink:
    """The client's target for `to=PATH`, given what the master announced it will send.

    `confirmed` says the operator agreed to overwrite a disk (--yes or the wizard's dialog);
    `image_name` and `session_name` are what a verified put-down records as the last base image.
    Every refusal (mounted, system disk, unconfirmed disk, too small) happens here, before a byte
    is written.
    """
    # zisd imports stream.base, so it is imported here rather than at the top.
    from ..zisd.keep import KeepImageSafeData

    if Path(path).suffix == IMAGE_SUFFIX:
        raise UsageError(f"to={path}: a client writes a disk or a raw disk file, not an image file; "
                         "save images with 'img make'")
    if stream_format == StreamFormat.SEALED_IMGCAST:
        if passphrase is None:
            raise UsageError("the master sends an encrypted image; this computer needs the passphrase")
        from ..secure.image import OpeningSink

        sink: StreamSink = OpeningSink(ImageSink(path, disk_size=disk_size, confirmed=confirmed), passphrase)
    elif stream_format == StreamFormat.IMGCAST:
        sink = ImageSink(path, disk_size=disk_size, confirmed=confirmed)
    else:
        sink = RawDiskSink(path, disk_size=disk_size, confirmed=confirmed)
    # The target keeps its image-safe data; a verified finish() records the new last base image.
    return KeepImageSafeData(sink, path, stream_format=stream_format, image_name=image_name,
                             session_name=session_name)


def target_capacity(path: str) -> int | None:
    """Bytes a `to=` target can hold: a block device's size; None for a regular file (it grows)."""
    import os
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISBLK(info.st_mode):
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.lseek(fd, 0, os.SEEK_END)
    finally:
        os.close(fd)
