"""Real file systems: an ext4 and a FAT partition (made by mkfs in image files and spliced into a
GPT disk file, no loop devices), full of files, over free space that still holds stale data.

Used-blocks images skip the stale free space, so they are far smaller than --raw; the restored
partitions must still pass fsck and hold every file byte for byte. --raw gives the same disk.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from imgcast.engine.image.local import make_image, restore_image
from imgcast.engine.image.source import ImageFileSource
from test_disk_partitions import (
    MIB,
    make_disk,
    make_ext4,
    make_fat,
    need,
    read_region,
    run,
    sfdisk_partitions,
    splice,
)
from test_image_roundtrip import sha_beside_safe_area, text_like

EXT4_FILES = {
    "etc/motd": b"welcome to the imaging room\n",
    "data/text.log": text_like(700_000, 41),
    "data/random.bin": random.Random(42).randbytes(1_500_000),
    "deep/a/b/c/d/note.txt": "Grüße aus der Partition\n".encode(),
}
FAT_FILES = {
    "BOOT.CFG": b"timeout=5\ndefault=imgcast\n",
    "RANDOM.BIN": random.Random(43).randbytes(900_000),
    "NOTES.TXT": text_like(300_000, 44),
}
EXT4_SIZE, FAT_SIZE = 24 * MIB, 16 * MIB


@pytest.fixture(scope="module")
def fs_disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("mkfs.ext4", "mkfs.vfat", "mcopy", "partclone.extfs", "partclone.fat", "blkid")
    folder = tmp_path_factory.mktemp("fs")
    disk = make_disk(folder / "disk.raw", 48 * MIB, (
        "label: gpt\n"
        "start=2048, size=24MiB, type=L, name=linux\n"
        "size=16MiB, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=windows\n"
    ))
    parts = sfdisk_partitions(disk)
    splice(disk, parts[0]["start"], make_ext4(folder / "ext4.img", EXT4_SIZE, EXT4_FILES))
    splice(disk, parts[1]["start"], make_fat(folder / "fat.img", FAT_SIZE, FAT_FILES))
    return disk


def extract(disk: Path, part: dict, to: Path) -> Path:
    to.write_bytes(read_region(disk, part["start"], part["size"]))
    return to


def ext4_file(partition: Path, name: str) -> bytes:
    done = subprocess.run(["debugfs", "-R", f"cat /{name}", str(partition)], capture_output=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def fat_file(partition: Path, name: str) -> bytes:
    done = run("mcopy", "-n", "-i", partition, f"::/{name}", "-")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_used_blocks_image_skips_stale_free_space_and_restores_sound_file_systems(
        fs_disk: Path, tmp_path: Path) -> None:
    need("e2fsck", "fsck.vfat", "debugfs")
    used = make_image(str(tmp_path / "used.imgcast"), str(fs_disk))
    raw = make_image(str(tmp_path / "raw.imgcast"), str(fs_disk), raw=True)
    # the stale free space is random (incompressible): only --raw carries it
    assert raw.image_size > 30 * MIB
    assert used.image_size < raw.image_size / 5

    source = ImageFileSource(tmp_path / "used.imgcast")
    header = source.header
    source.close()
    assert header.mode == "used_blocks"
    assert [(p.filesystem, p.sent) for p in header.partitions] == [("ext4", "used_blocks"), ("vfat", "used_blocks")]
    assert all(p.used_bytes < p.size / 2 for p in header.partitions)

    target = tmp_path / "restored.raw"
    restore_image(used.path, str(target))
    parts = sfdisk_partitions(target)
    assert parts == sfdisk_partitions(fs_disk)
    ext4 = extract(target, parts[0], tmp_path / "ext4.img")
    fat = extract(target, parts[1], tmp_path / "fat.img")

    check = run("e2fsck", "-fn", ext4)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    check = run("fsck.vfat", "-n", fat)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    for name, data in EXT4_FILES.items():
        assert ext4_file(ext4, name) == data, name
    for name, data in FAT_FILES.items():
        assert fat_file(fat, name) == data, name


def test_raw_mode_gives_a_bit_identical_disk_stale_data_and_all(fs_disk: Path, tmp_path: Path) -> None:
    made = make_image(str(tmp_path / "raw.imgcast"), str(fs_disk), raw=True, level="speed")
    restore_image(made.path, str(tmp_path / "out.raw"))
    assert sha_beside_safe_area(tmp_path / "out.raw") == sha_beside_safe_area(fs_disk)


def test_a_used_blocks_restore_leaves_unused_blocks_of_the_target_as_they_were(
        fs_disk: Path, tmp_path: Path) -> None:
    """A client writes only what the file systems use; its old free space stays untouched."""
    made = make_image(str(tmp_path / "used.imgcast"), str(fs_disk))
    target = tmp_path / "old.raw"
    old = bytes([0xA5]) * (48 * MIB)
    target.write_bytes(old)
    restored = restore_image(made.path, str(target))
    now = target.read_bytes()
    changed = sum(1 for i in range(0, len(now), 4096) if now[i:i + 4096] != old[i:i + 4096])
    assert 0 < changed * 4096 < 16 * MIB
    assert restored.written + restored.zeroed < 16 * MIB


def test_a_fat_file_system_in_a_logical_partition_is_mapped_too(tmp_path: Path) -> None:
    need("mkfs.vfat", "mcopy", "partclone.fat", "blkid", "fsck.vfat")
    disk = make_disk(tmp_path / "mbr.raw", 40 * MIB, (
        "label: dos\nstart=2048, size=4MiB, type=83\nsize=4MiB, type=83\nsize=4MiB, type=83\n"
        "size=26MiB, type=5\nsize=20MiB, type=c\n"
    ))
    logical = [p for p in sfdisk_partitions(disk) if p["type"] == "c"][0]
    splice(disk, logical["start"], make_fat(tmp_path / "fat.img", logical["size"], FAT_FILES))
    made = make_image(str(tmp_path / "mbr.imgcast"), str(disk))
    source = ImageFileSource(tmp_path / "mbr.imgcast")
    header = source.header
    source.close()
    fat_info = [p for p in header.partitions if p.number == 5][0]
    assert (fat_info.filesystem, fat_info.sent) == ("vfat", "used_blocks")
    assert made.image_size < 4 * MIB  # the 20 MiB of stale random data stay behind
    restore_image(made.path, str(tmp_path / "out.raw"))
    fat = extract(tmp_path / "out.raw", logical, tmp_path / "restored-fat.img")
    assert run("fsck.vfat", "-n", fat).returncode == 0
    for name, data in FAT_FILES.items():
        assert fat_file(fat, name) == data, name
