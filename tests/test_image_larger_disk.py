"""An image put down on a disk larger than the one it was made from: a GPT is fitted to the new
size, as `sgdisk -e` would (backup header and entries at the new end, primary header and
protective MBR updated), so `sfdisk --verify` finds a sound disk and the extra space can be
partitioned. The partitions' data stays exactly as the image put it; an MBR disk, or a target of
the image's own size, is left byte for byte as the image made it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from imgcast.engine.disk.partitions import gpt_grown_writes
from imgcast.engine.image.local import make_image, restore_image
from imgcast.engine.stream import StreamFormat
from imgcast.engine.stream.open import open_sink
from loop_devices import attached, needs_loop, zero_file
from test_disk_partitions import MIB, read_region, run, sfdisk_partitions, stale_bytes
from test_image_roundtrip import gpt_disk, mbr_disk, sha_beside_safe_area


def verify(path: Path | str) -> str:
    """sfdisk's complaints about a disk's table; empty when it finds it sound."""
    done = run("sfdisk", "--verify", path)
    out = (done.stdout + done.stderr).decode()
    problems = [line for line in out.splitlines() if "mismatch" in line or "not on the end" in line]
    return "\n".join(problems) if problems or done.returncode == 0 else out


def last_lba(path: Path | str) -> int:
    return json.loads(run("sfdisk", "-J", path).stdout)["partitiontable"]["lastlba"]


def partition_bytes(path: Path, parts: list[dict]) -> list[bytes]:
    return [read_region(path, p["start"], p["size"]) for p in parts]


def grown_target(path: Path, size: int) -> Path:
    """An existing disk file larger than the image's disk, full of an old disk's leftovers."""
    path.write_bytes(stale_bytes(size, 41))
    return path


def test_a_gpt_put_down_on_a_larger_file_is_fitted_to_its_size(tmp_path: Path) -> None:
    disk = gpt_disk(tmp_path)  # 48 MiB
    parts = sfdisk_partitions(disk)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    target = grown_target(tmp_path / "big.raw", 80 * MIB)
    restored = restore_image(made.path, str(target))
    assert verify(target) == ""
    assert last_lba(target) == 80 * MIB // 512 - 34  # the backup's 32 entry sectors and header follow
    assert sfdisk_partitions(target) == parts
    assert partition_bytes(target, parts) == partition_bytes(disk, parts)
    assert restored.sha256 == made.sha256
    assert any("fitted" in note and "32.0 MiB" in note for note in restored.notes), restored.notes


def test_a_session_client_fits_the_gpt_too(tmp_path: Path) -> None:
    """The client's sink (open_sink) takes the same way through DiskWriter.flush()."""
    disk = gpt_disk(tmp_path)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    target = grown_target(tmp_path / "client.raw", 64 * MIB)
    sink = open_sink(str(target), stream_format=StreamFormat.IMGCAST, disk_size=48 * MIB, confirmed=True)
    sink.write(Path(made.path).read_bytes())
    sink.finish()
    assert verify(target) == ""
    assert last_lba(target) == 64 * MIB // 512 - 34


@pytest.mark.parametrize("build", [mbr_disk, gpt_disk], ids=["mbr", "gpt"])
def test_nothing_moves_when_nothing_needs_to(tmp_path: Path, build) -> None:
    """A target of the image's size, and an MBR disk on a larger one: exactly the image's bytes."""
    disk = build(tmp_path)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    same = grown_target(tmp_path / "same.raw", os.path.getsize(disk))
    restored = restore_image(made.path, str(same))
    assert sha_beside_safe_area(same) == sha_beside_safe_area(disk)
    assert restored.notes == ()
    if build is mbr_disk:
        larger = grown_target(tmp_path / "larger.raw", 64 * MIB)
        tail = read_region(larger, 48 * MIB, 16 * MIB)
        assert restore_image(made.path, str(larger)).notes == ()
        assert read_region(larger, 48 * MIB, 16 * MIB) == tail
        assert verify(larger) == ""


def test_the_fitting_writes_nothing_for_a_disk_of_the_tables_size(tmp_path: Path) -> None:
    disk = gpt_disk(tmp_path)
    with open(disk, "rb") as file:
        def read_at(offset: int, n: int) -> bytes:
            return os.pread(file.fileno(), n, offset)
        assert gpt_grown_writes(read_at, 48 * MIB, 48 * MIB) == []
        assert gpt_grown_writes(read_at, 40 * MIB, 64 * MIB) == []  # a backup not where we look: left alone
        writes = gpt_grown_writes(read_at, 48 * MIB, 64 * MIB)
    assert sorted(w.offset for w in writes) == [0, 512, 64 * MIB - 33 * 512, 64 * MIB - 512]


@needs_loop
def test_a_loop_disk_without_partition_scan_gets_a_note_and_a_fitted_table(tmp_path: Path) -> None:
    """The data is right, so no error; the operator is told how to make the kernel see it."""
    disk = gpt_disk(tmp_path)
    made = make_image(str(tmp_path / "disk.imgcast"), str(disk))
    backing = zero_file(tmp_path / "loop.raw", 72 * MIB)
    with attached(backing, partscan=False) as device:
        restored = restore_image(made.path, device, confirmed=True)
        assert verify(device) == ""
    assert any("partx -u " + device in note for note in restored.notes), restored.notes
    assert any("fitted" in note for note in restored.notes), restored.notes
    assert last_lba(backing) == 72 * MIB // 512 - 34


def test_a_session_client_says_the_gpt_was_fitted(tmp_path: Path) -> None:
    """Over a real loopback session the client's verdict carries the note (JSON and terminal)."""
    import random

    from loopback_cli import run_session

    disk = gpt_disk(tmp_path)  # sent as an image built as it is read
    target = grown_target(tmp_path / "client.raw", 64 * MIB)
    results = run_session(f"imgcast-test-{os.getpid()}-{random.randrange(1 << 30)}", disk, [target])
    assert all(status == 0 for status, _, _ in results), results
    verdicts = [json.loads(line) for _, out, _ in results[1:] for line in out.splitlines()
                if '"target_verified"' in line]
    assert len(verdicts) == 1 and any("fitted" in note for note in verdicts[0]["notes"]), verdicts
    assert verify(target) == ""
