"""Refusals before anything is written: a target too small, a mounted target, the system disk,
swap, things that are not disks. Mounts are faked through the one mount-table reader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from imgcast.engine.cli.main import main
from imgcast.engine.disk import safety
from imgcast.engine.disk.safety import Mount, check_writable_target, find_use
from imgcast.engine.errors import UsageError
from imgcast.engine.image.local import make_image
from imgcast.engine.stream import StreamFormat
from imgcast.engine.stream.open import open_sink
from loop_devices import attached, needs_loop
from test_disk_partitions import MIB, make_disk, stale_bytes, write_at


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("safety")
    disk = make_disk(folder / "disk.raw", 16 * MIB, "label: gpt\nstart=2048, size=12MiB, type=L\n")
    write_at(disk, 2 * MIB, stale_bytes(MIB, 1))
    return Path(make_image(str(folder / "disk.imgcast"), str(disk)).path)


def restore_cli(image: Path, target: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["restore", str(image), f"to={target}"])
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return status, err


def test_a_file_smaller_than_the_source_disk_grows(image: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A regular file has no size limit: it grows to the source disk's size, here and for a
    session client, and a client that lets it go before writing cuts it back to its size."""
    target = tmp_path / "small.raw"
    target.write_bytes(stale_bytes(8 * MIB, 2))
    capsys.readouterr()
    assert main(["restore", str(image), f"to={target}"]) == 0, capsys.readouterr().err
    assert target.stat().st_size == 16 * MIB
    other = tmp_path / "client.raw"
    old = stale_bytes(8 * MIB, 3)
    other.write_bytes(old)
    open_sink(str(other), stream_format=StreamFormat.RAW, disk_size=16 * MIB, confirmed=True).abort()
    assert other.read_bytes() == old
    sink = open_sink(str(other), stream_format=StreamFormat.IMGCAST, disk_size=16 * MIB, confirmed=True)
    sink.write(image.read_bytes())
    sink.finish()
    assert other.stat().st_size == 16 * MIB


@needs_loop
def test_a_disk_smaller_than_the_source_disk_is_refused_before_writing(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = stale_bytes(8 * MIB, 2)
    backing = tmp_path / "small.raw"
    backing.write_bytes(old)
    with attached(backing, partscan=False) as device:
        capsys.readouterr()
        status = main(["restore", str(image), f"to={device}", "--yes"])
        err = capsys.readouterr().err.strip()
        assert status == 2
        assert "too small" in err and "8.0 MiB" in err and "16.0 MiB" in err and len(err.splitlines()) == 1
        with pytest.raises(UsageError, match="too small"):
            open_sink(device, stream_format=StreamFormat.RAW, disk_size=16 * MIB, confirmed=True)
    assert backing.read_bytes() == old


def test_a_larger_target_is_fine_and_keeps_its_tail(image: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "large.raw"
    tail = stale_bytes(MIB, 3)
    target.write_bytes(bytes(16 * MIB) + tail)
    capsys.readouterr()
    assert main(["restore", str(image), f"to={target}"]) == 0
    table_end = 33 * 512  # the GPT's backup entries and header, moved to the larger disk's end
    assert target.read_bytes()[16 * MIB:-table_end] == tail[:-table_end]


def test_a_mounted_target_is_refused_naming_the_mount(
        image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "usb.raw"
    old = stale_bytes(16 * MIB, 4)
    target.write_bytes(old)
    monkeypatch.setattr(safety, "read_mount_table", lambda: [Mount("proc", "/proc"), Mount(str(target), "/media/usb")])
    status, err = restore_cli(image, target, capsys)
    assert status == 2
    assert "mounted" in err and "/media/usb" in err and "umount" in err
    assert target.read_bytes() == old


def test_the_system_disk_and_swap_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "system.raw"
    target.write_bytes(bytes(MIB))
    monkeypatch.setattr(safety, "read_mount_table", lambda: [Mount(str(target), "/")])
    with pytest.raises(UsageError, match="running system"):
        open_sink(str(target), stream_format=StreamFormat.IMGCAST, disk_size=MIB, confirmed=True)
    monkeypatch.setattr(safety, "read_mount_table", lambda: [Mount(str(target), "[swap]")])
    with pytest.raises(UsageError, match="swap"):
        open_sink(str(target), stream_format=StreamFormat.RAW, disk_size=MIB, confirmed=True)


def test_the_real_root_device_is_found_in_use() -> None:
    """Read-only: the device / is mounted from counts as in use (nothing is opened for writing)."""
    root = next((m for m in safety.read_mount_table() if m.mountpoint == "/"), None)
    if root is None or not root.source.startswith("/dev/") or not os.path.exists(root.source):
        pytest.skip("/ is not mounted from a device node here")
    assert find_use(root.source) is not None
    with pytest.raises(UsageError, match="running system|mounted"):
        check_writable_target(root.source)


def test_targets_that_are_not_disks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a disk"):
        open_sink("/dev/null", stream_format=StreamFormat.IMGCAST, disk_size=MIB, confirmed=True)
    with pytest.raises(UsageError, match="directory"):
        open_sink(str(tmp_path), stream_format=StreamFormat.IMGCAST, disk_size=MIB, confirmed=True)
    with pytest.raises(UsageError, match="not an image file"):
        open_sink(str(tmp_path / "x.imgcast"), stream_format=StreamFormat.IMGCAST, disk_size=MIB, confirmed=True)
    with pytest.raises(UsageError, match="does not exist"):
        open_sink(str(tmp_path / "no" / "x.raw"), stream_format=StreamFormat.IMGCAST, disk_size=MIB, confirmed=True)


def test_a_missing_target_file_is_created_sparse_at_the_disk_size(image: Path, tmp_path: Path) -> None:
    target = tmp_path / "new.raw"
    assert main(["restore", str(image), f"to={target}"]) == 0
    assert target.stat().st_size == 16 * MIB
    assert target.stat().st_blocks * 512 < 4 * MIB


@pytest.mark.parametrize("stream_format", [StreamFormat.RAW, StreamFormat.IMGCAST])
def test_a_target_let_go_before_any_write_is_left_as_the_operator_left_it(tmp_path: Path, stream_format) -> None:
    """A client that gives up on a master before the transfer (a replayed recording in a secured
    session) aborts its target: a file it created is empty again, so opening it for a larger disk
    is not refused as too small; a file that was there keeps its bytes."""
    created = tmp_path / "created.raw"
    open_sink(str(created), stream_format=stream_format, disk_size=MIB, confirmed=True).abort()
    assert created.stat().st_size == 0
    sink = open_sink(str(created), stream_format=stream_format, disk_size=2 * MIB, confirmed=True)
    sink.abort()
    existing = tmp_path / "existing.raw"
    existing.write_bytes(b"kept" * MIB)
    open_sink(str(existing), stream_format=stream_format, disk_size=MIB, confirmed=True).abort()
    assert existing.read_bytes() == b"kept" * MIB


def test_a_mounted_source_disk_is_not_imaged(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    disk = tmp_path / "live.raw"
    disk.write_bytes(stale_bytes(2 * MIB, 6))
    monkeypatch.setattr(safety, "read_mount_table", lambda: [Mount(str(disk), "/home")])
    capsys.readouterr()
    assert main(["make", str(tmp_path / "live.imgcast"), f"from={disk}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "in use" in err and "/home" in err and len(err.splitlines()) == 1
    assert not list(tmp_path.glob("live.imgcast*"))
