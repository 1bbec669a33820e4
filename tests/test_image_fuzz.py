"""Untrusted image bytes: whatever is damaged, the parser raises its one error type
(ImageFormatError, a one-line ImgcastError) and never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imgcast.engine.image.format import ImageFormatError
from imgcast.engine.image.local import make_image
from imgcast.engine.image.parser import ImageStreamParser
from test_disk_partitions import MIB, stale_bytes
from test_image_roundtrip import text_like


def small_image() -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        disk = Path(scratch) / "disk.raw"
        disk.write_bytes(text_like(200_000, 1) + bytes(300_000) + stale_bytes(100_000, 2) + bytes(MIB))
        made = make_image(str(Path(scratch) / "disk.imgcast"), str(disk), level="speed")
        return Path(made.path).read_bytes()


IMAGE = small_image()


def parse_all(data: bytes, piece: int) -> None:
    parser = ImageStreamParser()
    for position in range(0, len(data), piece):
        parser.feed(data[position:position + piece])
    parser.finish()


def test_the_undamaged_image_parses() -> None:
    parse_all(IMAGE, 4096)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, len(IMAGE) - 1), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.integers(0, len(IMAGE)),
    piece=st.integers(1, 70_000),
)
def test_damaged_images_raise_only_image_format_errors(edits, cut, piece) -> None:
    data = bytearray(IMAGE)
    for position, value in edits:
        data[position] = value
    data = data[:cut] if cut < len(IMAGE) - 1 else data
    if bytes(data) == IMAGE:
        return
    try:
        parse_all(bytes(data), piece)
    except ImageFormatError as error:
        assert "\n" not in str(error)
    else:
        raise AssertionError("a damaged image was accepted")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=400))
def test_random_bytes_raise_only_image_format_errors(data: bytes) -> None:
    try:
        parse_all(b"IMGCAST\x1a" + data, 37)
    except ImageFormatError:
        pass
    else:
        raise AssertionError("random bytes were accepted as an image")
