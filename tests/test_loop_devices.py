"""make, restore and the disk rules against real block devices: loop devices backed by files.

Root only (CI runs as root); without it every test here skips with the reason. Only loop
devices attached here are written, and each is detached afterwards, also on failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from imgcast.engine.disk.device import DiskReader
from imgcast.engine.disk.own import own_disks
from loop_devices import (
    attached,
    backing_loops,
    needs_loop,
    only_disks,
    partition_node,
    settle,
    show_partitions,
    wait_for_node,
    zero_file,
)
from test_disk_partitions import MIB, need, run

pytestmark = needs_loop


def img(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env,
                          stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def blkid_type(node: str) -> str:
    return run("blkid", "-p", "-o", "value", "-s", "TYPE", node).stdout.decode().strip()


def ext4_disk(device: str, files: dict[str, bytes], tree: Path) -> str:
    """A GPT disk with one ext4 partition holding `files`, made on the loop device itself (so
    sfdisk and mkfs see its real logical sector size)."""
    need("sfdisk", "mkfs.ext4", "debugfs", "blkid")
    done = run("sfdisk", "-q", device, stdin=b"label: gpt\nsize=24MiB, type=L, name=data\n")
    assert done.returncode == 0, done.stderr.decode()
    show_partitions(device)
    part = partition_node(device, 1)
    assert wait_for_node(part), f"{part} did not appear after partitioning"
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    done = run("mkfs.ext4", "-q", "-F", "-d", tree, part)
    assert done.returncode == 0, done.stderr.decode()
    return part


def ext4_file(node: str, name: str) -> bytes:
    return run("debugfs", "-R", f"cat /{name}", node).stdout


def test_size_and_logical_sector_size_come_from_the_kernel(tmp_path: Path) -> None:
    for sector in (512, 4096):
        backing = zero_file(tmp_path / f"disk{sector}.raw", 24 * MIB)
        with attached(backing, sector_size=sector) as device:
            with DiskReader(device) as disk:
                assert disk.is_block_device
                assert (disk.size, disk.sector_size) == (24 * MIB, sector)
        assert backing_loops(backing) == []


def test_a_4k_sector_gpt_disk_round_trips_and_the_kernel_sees_the_new_partition(tmp_path: Path) -> None:
    files = {"hello.txt": b"imaged on a 4Kn disk\n" * 100, "bin/data": os.urandom(3 * MIB)}
    source_file = zero_file(tmp_path / "source.raw", 32 * MIB)
    target_file = zero_file(tmp_path / "target.raw", 32 * MIB)
    image = tmp_path / "4kn.imgcast"
    with attached(source_file, sector_size=4096) as source, attached(target_file, sector_size=4096) as target:
        part = ext4_disk(source, files, tmp_path / "tree")
        made = img("make", image, f"from={source}", "--json")
        assert made.returncode == 0, made.stderr
        refused = img("restore", image, f"to={target}")
        assert refused.returncode == 2 and "--yes" in one_line(refused)
        assert not os.path.exists(partition_node(target, 1))
        restored = img("restore", image, f"to={target}", "--yes")
        assert restored.returncode == 0, restored.stderr
        settle()
        target_part = partition_node(target, 1)
        # BLKRRPART after the put-down: the new partition is there without re-attaching
        assert wait_for_node(target_part), f"{target_part} did not appear after the restore"
        assert blkid_type(target_part) == "ext4"
        for name, data in files.items():
            assert ext4_file(target_part, name) == data
        with open(part, "rb") as a, open(target_part, "rb") as b:
            assert a.read() == b.read()
    assert backing_loops(source_file) == backing_loops(target_file) == []


def test_an_exclusive_open_refuses_a_device_another_program_holds(tmp_path: Path) -> None:
    source = tmp_path / "small.raw"
    source.write_bytes(os.urandom(4 * MIB))
    image = tmp_path / "small.imgcast"
    assert img("make", image, f"from={source}").returncode == 0
    target_file = tmp_path / "held.raw"
    old = os.urandom(8 * MIB)
    target_file.write_bytes(old)
    with attached(target_file, partscan=False) as target:
        holder = os.open(target, os.O_RDONLY | os.O_EXCL)  # what a mount or RAID does
        try:
            done = img("restore", image, f"to={target}", "--yes")
        finally:
            os.close(holder)
        assert done.returncode == 1
        assert "in use by another program" in one_line(done)
    assert target_file.read_bytes() == old


def test_img_info_lists_a_loop_device_with_its_backing_file_and_it_can_be_this_computers_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backing = zero_file(tmp_path / "listed.raw", 16 * MIB)
    with attached(backing) as device:
        done = img("info", "--json")
        assert done.returncode == 0, done.stderr
        disks = {d["device"]: d for d in json.loads(done.stdout)["disks"]}
        assert disks[device]["kind"] == "loop"
        assert disks[device]["backing_file"] == str(backing)
        assert disks[device]["size"] == 16 * MIB
        assert disks[device]["unusable_reason"] is None
        human = img("info")
        assert device in human.stdout and "loop on" in human.stdout
        monkeypatch.setenv("IMGCAST_DISKS", device)
        own = own_disks("write", min_size=8 * MIB)
        assert [d.device for d in own.eligible] == [device]
        too_small = own_disks("write", min_size=32 * MIB)
        assert not too_small.eligible and "too small" in too_small.none_message()


def test_a_mounted_loop_device_is_refused_like_any_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backing = zero_file(tmp_path / "mounted.raw", 32 * MIB)
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    image = tmp_path / "x.imgcast"
    other = tmp_path / "other.raw"
    other.write_bytes(os.urandom(MIB))
    assert img("make", image, f"from={other}").returncode == 0
    with attached(backing) as device:
        part = ext4_disk(device, {"a": b"a"}, tmp_path / "tree")
        mounted = run("mount", "-t", "ext4", part, mountpoint)
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount here: {mounted.stderr.decode().strip()}")
        try:
            monkeypatch.setenv("IMGCAST_DISKS", device)
            own = own_disks("write")
            assert not own.eligible
            assert "mounted" in own.none_message() and device in own.none_message()
            done = img("restore", image, f"to={device}", "--yes")
            assert done.returncode == 2 and "mounted" in one_line(done)
            seed = img("session", "doug", "client", "--interface", "127.0.0.1", "--ttl", "0",
                       env=only_disks(device))
            assert seed.returncode == 1
            line = one_line(seed)
            assert "no disk of this computer can be written" in line and "mounted" in line
        finally:
            run("umount", mountpoint)
    assert backing_loops(backing) == []


def test_a_user_without_rights_to_the_device_is_told_how_to_get_them(tmp_path: Path) -> None:
    """The same commands as an ordinary user (uid 65534): `img restore` and `img make` on a disk
    the user may not open. The Python running the tests lives where only root may read, so the
    process warms every import as root on files, then drops to the user for the real calls."""
    source = tmp_path / "small.raw"
    source.write_bytes(os.urandom(MIB))
    backing = zero_file(tmp_path / "guarded.raw", 2 * MIB)
    with tempfile.TemporaryDirectory(prefix="imgcast-user-") as shared_name:
        shared = Path(shared_name)
        shared.chmod(0o777)  # pytest's own folders are root's alone
        image = shared / "small.imgcast"
        assert img("make", image, f"from={source}").returncode == 0
        image.chmod(0o644)
        script = shared / "as_user.py"
        script.write_text(
            "import os, sys\n"
            "from imgcast.engine.cli.main import main\n"
            f"main(['restore', {str(image)!r}, 'to={shared}/warm.raw'])\n"
            f"main(['make', '{shared}/warm.imgcast', 'from={source}'])\n"
            "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
            "print(main(sys.argv[1:]))\n"
        )
        with attached(backing, partscan=False) as device:
            writing = subprocess.run([sys.executable, script, "restore", str(image), f"to={device}", "--yes"],
                                     capture_output=True, text=True, timeout=60, check=False)
            reading = subprocess.run([sys.executable, script, "make", f"{shared}/user.imgcast", f"from={device}"],
                                     capture_output=True, text=True, timeout=60, check=False)
    for done, verb in ((writing, "writing a disk"), (reading, "reading a disk")):
        assert done.stdout.strip().splitlines()[-1] == "2", done.stderr
        line = done.stderr.strip().splitlines()[-1]
        assert f"permission denied; {verb} needs root" in line and "'disk' group" in line
    assert backing.read_bytes() == bytes(2 * MIB)
