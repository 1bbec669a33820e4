"""A put-down (restore or session client) keeps the target's image-safe data and records the
new last base image only after the target finished well. Uses the real raw-file sink."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imgcast.engine.errors import ImgcastError
from imgcast.engine.safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET
from imgcast.engine.stream import StreamFormat
from imgcast.engine.stream.rawfile import RawFileSink
from imgcast.engine.zisd import (
    ImageSafeData,
    KeepImageSafeData,
    read_zisd,
    record_base_image,
    write_zisd,
)
from zisd_disks import (
    LINUX_FS_GUID,
    MiB,
    area_bytes,
    fill_partitions,
    make_gpt_disk,
    make_mbr_disk,
)

TARGET_IDENTITY = ImageSafeData(dhcp=False, ip_address="10.1.2.3", subnet_mask="255.255.0.0",
                                gateway="10.1.0.1", computer_name="TARGET-7", workgroup="LAB")
SOURCE_IDENTITY = ImageSafeData(computer_name="MASTER-1", domain="corp.example")


def build(kind: str, path: Path, seed: int) -> Path:
    if kind == "mbr":
        make_mbr_disk(path, 8 * MiB, [(2048, 6144, 0x83), (8192, 8192, 0x07)])
        fill_partitions(path, [(2048 * 512, 8192 * 512), (8192 * 512, 16384 * 512)], seed)
    else:
        make_gpt_disk(path, 8 * MiB, [(2048, 8191, LINUX_FS_GUID), (8192, 16000, LINUX_FS_GUID)])
        fill_partitions(path, [(2048 * 512, 8192 * 512), (8192 * 512, 16001 * 512)], seed)
    return path


def put_down(image: Path, target: Path, *, chunk: int = 65537, stop_after: int | None = None,
             session: str | None = "doug", stream_format: StreamFormat = StreamFormat.RAW) -> KeepImageSafeData:
    sink = KeepImageSafeData(RawFileSink(target), target, stream_format=stream_format,
                             image_name=image.name, session_name=session)
    data = image.read_bytes()
    end = len(data) if stop_after is None else stop_after
    for start in range(0, end, chunk):
        sink.write(memoryview(data)[start:min(start + chunk, end)])
    if stop_after is None:
        sink.finish()
    else:
        sink.abort()
    return sink


def without_area(data: bytes) -> bytes:
    return data[:SAFE_AREA_OFFSET] + data[SAFE_AREA_END:]


@pytest.mark.parametrize("kind", ["mbr", "gpt"])
@pytest.mark.parametrize("session", ["doug", None])
def test_put_down_keeps_identity_and_records_the_base_image(tmp_path: Path, kind: str, session: str | None) -> None:
    image = build(kind, tmp_path / f"{kind}-base.img", seed=2)
    write_zisd(image, SOURCE_IDENTITY)  # the master's own record must not travel with the image
    target = build(kind, tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)
    record_base_image(target, "old-base.img", "e" * 64, "old")

    sink = put_down(image, target, session=session)

    assert sink.recorded and sink.note is None
    assert without_area(target.read_bytes()) == without_area(image.read_bytes())
    data = read_zisd(target)
    assert data is not None and data.last_base_image is not None
    assert data.computer_name == "TARGET-7" and data.ip_address == "10.1.2.3" and data.workgroup == "LAB"
    assert data.last_base_image.name == image.name
    assert data.last_base_image.sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    assert data.last_base_image.session_name == session


@pytest.mark.parametrize("kind", ["mbr", "gpt"])
def test_an_interrupted_put_down_records_nothing(tmp_path: Path, kind: str) -> None:
    image = build(kind, tmp_path / "base.img", seed=2)
    target = build(kind, tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)
    record_base_image(target, "old-base.img", "e" * 64, "old")
    before = area_bytes(target)

    sink = put_down(image, target, stop_after=3 * MiB)  # well past the area, then the session dies

    assert not sink.recorded
    assert area_bytes(target) == before
    data = read_zisd(target)
    assert data is not None and data.last_base_image is not None
    assert data.last_base_image.name == "old-base.img"


class FailingFinish(RawFileSink):
    def finish(self) -> None:
        super().finish()
        raise ImgcastError("verification failed: SHA-256 differs")


def test_a_put_down_that_fails_verification_records_nothing(tmp_path: Path) -> None:
    image = build("gpt", tmp_path / "base.img", seed=2)
    target = build("gpt", tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)
    sink = KeepImageSafeData(FailingFinish(target), target, stream_format=StreamFormat.RAW,
                             image_name="base.img", session_name="doug")
    sink.write(image.read_bytes())
    with pytest.raises(ImgcastError, match="verification failed"):
        sink.finish()
    assert not sink.recorded
    assert read_zisd(target) == TARGET_IDENTITY


def test_an_image_whose_partition_covers_the_area_wins(tmp_path: Path) -> None:
    image = make_mbr_disk(tmp_path / "old-style.img", 8 * MiB, [(63, 16000, 0x07)])
    fill_partitions(image, [(63 * 512, 16063 * 512)], seed=3)
    target = build("mbr", tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)

    sink = put_down(image, target)

    assert target.read_bytes() == image.read_bytes()  # the image's file system data is intact
    assert not sink.recorded
    assert sink.note is not None and "first partition starts at sector 63" in sink.note


def test_a_new_target_file_gets_a_fresh_record(tmp_path: Path) -> None:
    image = build("gpt", tmp_path / "base.img", seed=2)
    write_zisd(image, SOURCE_IDENTITY)
    target = tmp_path / "new.img"

    sink = put_down(image, target)

    assert sink.recorded
    data = read_zisd(target)
    assert data is not None and data.computer_name is None  # not the master's identity
    assert data.last_base_image is not None and data.last_base_image.session_name == "doug"


def test_image_file_streams_get_the_area_put_back(tmp_path: Path) -> None:
    """Image-file streams write chunks at their own offsets; the area is saved and put back."""
    image = build("mbr", tmp_path / "base.img", seed=2)
    write_zisd(image, SOURCE_IDENTITY)
    target = build("mbr", tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)
    before = area_bytes(target)

    put_down(image, target, stop_after=2 * MiB, stream_format=StreamFormat.IMGCAST)
    assert area_bytes(target) == before  # abort put the target's own area back

    sink = put_down(image, target, stream_format=StreamFormat.IMGCAST)
    assert sink.recorded
    data = read_zisd(target)
    assert data is not None and data.computer_name == "TARGET-7"
    assert data.last_base_image is not None and data.last_base_image.name == "base.img"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=1_200_000), min_size=1, max_size=40))
def test_any_write_sizes_splice_the_area_exactly(tmp_path_factory: pytest.TempPathFactory, sizes: list[int]) -> None:
    folder = tmp_path_factory.mktemp("splice")
    image = build("gpt", folder / "base.img", seed=5)
    target = build("gpt", folder / "target.img", seed=6)
    write_zisd(target, TARGET_IDENTITY)
    before = area_bytes(target)
    sink = KeepImageSafeData(RawFileSink(target), target, stream_format=StreamFormat.RAW,
                             image_name="base.img", session_name=None)
    data = memoryview(image.read_bytes())
    position, index = 0, 0
    while position < len(data):
        # Random sizes around the area (the first 2 MiB, at most 40 writes), then the rest at once.
        size = sizes[index] if index < len(sizes) and position < 2 * MiB else len(data) - position
        sink.write(data[position:position + size])
        position += size
        index += 1
    sink.abort()  # abort: nothing recorded, so the area must be exactly the target's old bytes
    assert area_bytes(target) == before
    assert without_area(target.read_bytes()) == without_area(image.read_bytes())


def test_an_abort_after_finish_takes_the_record_back(tmp_path: Path) -> None:
    """A session calls finish() before comparing SHA-256s with the master, and abort() when they
    differ: the last base image recorded by finish() must then be taken back."""
    image = build("mbr", tmp_path / "base.img", seed=2)
    target = build("mbr", tmp_path / "target.img", seed=1)
    write_zisd(target, TARGET_IDENTITY)
    record_base_image(target, "old-base.img", "e" * 64, "old")
    before = area_bytes(target)
    sink = KeepImageSafeData(RawFileSink(target), target, stream_format=StreamFormat.RAW,
                             image_name="base.img", session_name="doug")
    sink.write(image.read_bytes())
    sink.finish()
    recorded = read_zisd(target)
    assert sink.recorded and recorded is not None and recorded.last_base_image is not None
    assert recorded.last_base_image.name == "base.img"

    sink.abort()

    assert not sink.recorded and area_bytes(target) == before
