"""Bad images: each gives one line naming the byte offset and the field, exit status 1, and a
restore that stops before it writes anything of (or past) the first bad chunk."""

from __future__ import annotations

from pathlib import Path

import pytest
from imgcast.engine.cli.main import main
from imgcast.engine.image.format import PREAMBLE_SIZE, TRAILER_SIZE
from imgcast.engine.image.local import make_image
from imgcast.engine.image.parser import Chunk, ImageStreamParser
from test_disk_partitions import MIB, make_disk, read_region, stale_bytes, write_at
from test_image_roundtrip import text_like

OLD = 0xA5


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    disk = make_disk(folder / "disk.raw", 24 * MIB, "label: gpt\nstart=2048, size=20MiB, type=L\n")
    for n in range(8):
        write_at(disk, (2 + 2 * n) * MIB, text_like(MIB, n) if n % 2 else stale_bytes(MIB, n))
    made = make_image(str(folder / "disk.imgcast"), str(disk))
    return Path(made.path)


def chunks_of(image: Path) -> list[Chunk]:
    parser = ImageStreamParser()
    items = parser.feed(image.read_bytes())
    return [item for item in items if isinstance(item, Chunk)]


def restore(tmp_path: Path, data: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    """Put `data` down on an old 24 MiB disk file full of 0xA5; the exit status and stderr."""
    bad = tmp_path / "bad.imgcast"
    bad.write_bytes(data)
    target = tmp_path / "target.raw"
    target.write_bytes(bytes([OLD]) * (24 * MIB))
    capsys.readouterr()
    status = main(["restore", str(bad), f"to={target}", "--json"])
    err = capsys.readouterr().err
    return status, err, target


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def untouched_from(target: Path, offset: int) -> bool:
    rest = read_region(target, offset, 24 * MIB)
    return rest == bytes([OLD]) * len(rest)


def test_a_corrupted_chunk_is_named_and_nothing_of_it_or_after_it_is_written(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_chunks = [c for c in chunks_of(image) if c.data is not None]
    bad_chunk = data_chunks[3]
    data = bytearray(image.read_bytes())
    data[bad_chunk.stream_offset + 40] ^= 0x01  # one bit inside its payload
    status, err, target = restore(tmp_path, bytes(data), capsys)
    line = one_line(err)
    assert status == 1
    assert f"byte {bad_chunk.stream_offset:,}" in line and "corrupted" in line
    assert untouched_from(target, bad_chunk.offset)
    good = data_chunks[2]
    assert read_region(target, good.offset, good.length) == good.data


@pytest.mark.parametrize("where", ["preamble", "header", "chunk", "trailer"])
def test_a_truncated_image_is_refused_and_its_partial_chunk_not_written(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    whole = image.read_bytes()
    last_chunk = [c for c in chunks_of(image) if c.data is not None][-1]
    cut = {"preamble": 5, "header": PREAMBLE_SIZE + 3, "chunk": last_chunk.stream_offset + 100,
           "trailer": len(whole) - TRAILER_SIZE + 10}[where]
    status, err, target = restore(tmp_path, whole[:cut], capsys)
    line = one_line(err)
    assert status == 1
    assert "truncated" in line and f"byte {cut:,}" in line
    if where == "trailer":  # every chunk was whole and verified: written, but the put-down is not good
        assert read_region(target, last_chunk.offset, last_chunk.length) == last_chunk.data
    else:
        assert untouched_from(target, last_chunk.offset)


def test_wrong_magic_is_refused_before_the_target_is_touched(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(image.read_bytes())
    data[0:8] = b"NOTANIMG"
    status, err, target = restore(tmp_path, bytes(data), capsys)
    line = one_line(err)
    assert status == 1 and "byte 0" in line and "magic" in line
    assert untouched_from(target, 0)


def test_a_future_format_version_is_refused_by_name(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(image.read_bytes())
    data[8:10] = (7).to_bytes(2, "big")
    status, err, target = restore(tmp_path, bytes(data), capsys)
    line = one_line(err)
    assert status == 1 and "format version 7" in line and "byte 8" in line
    assert untouched_from(target, 0)


def test_a_corrupted_header_or_trailer_checksum_is_refused(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(image.read_bytes())
    data[PREAMBLE_SIZE + 2] ^= 0xFF  # disk size field
    status, err, target = restore(tmp_path, bytes(data), capsys)
    assert status == 1 and "header checksum" in one_line(err)
    assert untouched_from(target, 0)

    data = bytearray(image.read_bytes())
    data[-20] ^= 0xFF  # inside the trailer's SHA-256
    status, err, _ = restore(tmp_path, bytes(data), capsys)
    assert status == 1 and "sha256" in one_line(err)


def test_bytes_after_the_trailer_are_refused(image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, _ = restore(tmp_path, image.read_bytes() + b"junk", capsys)
    assert status == 1 and "follows the trailer" in one_line(err)
