"""Encrypted image files: make, restore, the wrong passphrase, damage, and what the file reveals."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from imgcast.engine.errors import ImgcastError, UsageError
from imgcast.engine.image.format import ImageFormatError
from imgcast.engine.image.local import make_image, restore_image
from imgcast.engine.image.source import ImageFileSource
from imgcast.engine.secure.image import (
    WRONG_PASSPHRASE,
    ImageOpener,
    ImageSealer,
    read_sealed_header,
)
from imgcast.engine.secure.kdf import KdfParams
from imgcast.engine.stream import StreamFormat
from test_disk_partitions import MIB, make_disk, write_at
from test_image_cli import img
from test_image_roundtrip import sha_beside_safe_area, text_like

PASS = b"room 101 imaging"
FAST = KdfParams(14, 8, 1)


@pytest.fixture()
def disk(tmp_path: Path) -> Path:
    disk = make_disk(tmp_path / "disk.raw", 16 * MIB, "label: dos\nstart=2048, size=12MiB, type=83\n")
    write_at(disk, 2 * MIB, text_like(3 * MIB))
    return disk


def plaintext_runs(data: bytes, size: int = 16) -> set[bytes]:
    """Every 16-byte run of the non-repetitive bytes of `data` (a sample, stride 7)."""
    return {data[i:i + size] for i in range(0, len(data) - size, 7) if len(set(data[i:i + size])) > 4}


def test_an_encrypted_image_restores_bit_for_bit_and_reveals_no_plaintext(disk: Path, tmp_path: Path) -> None:
    image = tmp_path / "secret.imgcast"
    made = make_image(str(image), str(disk), level="speed", passphrase=PASS)
    assert made.encrypted
    data = image.read_bytes()
    params, record, disk_size, _ = read_sealed_header(data)
    assert disk_size == 16 * MIB and params.log2_n >= 14
    plain = disk.read_bytes()[2 * MIB:5 * MIB]
    runs = plaintext_runs(plain)
    assert not any(data[i:i + 16] in runs for i in range(len(data) - 16))
    assert b"imgcast" not in data[64:] and disk.name.encode() not in data  # no header text: host, source
    target = tmp_path / "out.raw"
    restore_image(str(image), str(target), passphrase=PASS)
    assert sha_beside_safe_area(target) == sha_beside_safe_area(disk)


def test_restore_refuses_a_missing_or_wrong_passphrase_before_writing(disk: Path, tmp_path: Path) -> None:
    image = tmp_path / "secret.imgcast"
    make_image(str(image), str(disk), level="speed", passphrase=PASS)
    target = tmp_path / "out.raw"
    with pytest.raises(UsageError, match="encrypted image: give its passphrase"):
        restore_image(str(image), str(target))
    with pytest.raises(ImgcastError) as caught:
        restore_image(str(image), str(target), passphrase=b"wrong")
    assert WRONG_PASSPHRASE in str(caught.value) and "\n" not in str(caught.value)
    assert not target.exists()


def test_a_session_master_sends_the_encrypted_file_as_it_is(disk: Path, tmp_path: Path) -> None:
    image = tmp_path / "secret.imgcast"
    make_image(str(image), str(disk), level="speed", passphrase=PASS)
    source = ImageFileSource(image, passphrase=PASS)
    assert source.stream_format == StreamFormat.SEALED_IMGCAST and source.disk_size == 16 * MIB
    assert source.read(1 << 30) == image.read_bytes()  # not decrypted, not re-encrypted
    source.close()
    with pytest.raises(ImgcastError, match="does not match"):
        ImageFileSource(image, passphrase=b"wrong")


def stream(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 3 * 4096, 3 * 4096 + 5])
def test_records_round_trip_at_every_boundary_in_pieces_of_any_size(size: int) -> None:
    data = stream(size)
    sealer = ImageSealer(PASS, 123, params=FAST, record_size=4096)
    rng = random.Random(size)
    out, at = bytearray(), 0
    while at < size:
        step = rng.randrange(1, 9000)
        out += sealer.seal(data[at:at + step])
        at += step
    out += sealer.finish()
    opener, plain, at = ImageOpener(PASS), bytearray(), 0
    while at < len(out):
        step = rng.randrange(1, 9000)
        plain += opener.feed(out[at:at + step])
        at += step
    plain += opener.finish()
    assert bytes(plain) == data and opener.disk_size == 123


def sealed(size: int = 3 * 4096 + 100) -> bytes:
    sealer = ImageSealer(PASS, 123, params=FAST, record_size=4096)
    return sealer.seal(stream(size)) + sealer.finish()


def open_all(data: bytes) -> bytes:
    opener = ImageOpener(PASS)
    return opener.feed(data) + opener.finish()


def test_a_file_cut_at_a_record_boundary_or_altered_is_refused() -> None:
    data = sealed()
    head = len(data) - 3 * (4096 + 16) - (100 + 16)
    for cut in (head + 4096 + 16, head + 2 * (4096 + 16), len(data) - 1):
        with pytest.raises(ImageFormatError):
            open_all(data[:cut])
    for at in (0, 5, 12, 20, head + 3, len(data) - 3):
        damaged = bytearray(data)
        damaged[at] ^= 1
        with pytest.raises(ImgcastError):
            open_all(bytes(damaged))
    swapped = bytearray(data)
    first, second = slice(head, head + 4112), slice(head + 4112, head + 2 * 4112)
    swapped[first], swapped[second] = data[second], data[first]
    with pytest.raises(ImageFormatError):
        open_all(bytes(swapped))


def test_an_announced_cost_beyond_the_bounds_is_refused_before_deriving() -> None:
    data = bytearray(sealed())
    data[14] = 30  # log2_n
    with pytest.raises(ImageFormatError, match="scrypt cost"):
        open_all(bytes(data))


def test_the_cli_takes_the_passphrase_from_a_file_never_from_the_command_line(disk: Path, tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_bytes(PASS + b"\n")
    os.chmod(secret, 0o600)
    image = tmp_path / "cli.imgcast"
    made = img("make", image, f"from={disk}", "--level", "speed", "--passphrase-file", secret)
    assert made.returncode == 0, made.stderr
    assert "encrypted image" in made.stdout
    refused = img("restore", image, f"to={tmp_path / 'a.raw'}", "--passphrase", "hunter2")
    assert refused.returncode == 2 and "never given on the command line" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    (tmp_path / "bad.txt").write_text("not it\n")
    wrong = img("restore", image, f"to={tmp_path / 'b.raw'}", "--passphrase-file", tmp_path / "bad.txt")
    assert wrong.returncode == 1 and "passphrase does not match" in wrong.stderr
    assert not (tmp_path / "b.raw").exists()
    none = img("restore", image, f"to={tmp_path / 'c.raw'}")
    assert none.returncode == 2 and "--passphrase-file" in none.stderr
    good = img("restore", image, f"to={tmp_path / 'd.raw'}", "--passphrase-file", secret)
    assert good.returncode == 0, good.stderr
    assert sha_beside_safe_area(tmp_path / "d.raw") == sha_beside_safe_area(disk)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert img("make", tmp_path / "e.imgcast", f"from={disk}", "--passphrase-file", empty).returncode == 2
