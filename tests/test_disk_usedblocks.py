"""partclone's used-block maps: the domain log as partclone writes it, and the fallbacks that send
a partition whole when its blocks cannot be mapped."""

from __future__ import annotations

import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from imgcast.engine.disk import usedblocks
from imgcast.engine.image.local import make_image, restore_image
from imgcast.engine.image.source import ImageFileSource
from test_disk_partitions import MIB, make_disk, make_ext4, need, sfdisk_partitions, splice
from test_image_roundtrip import sha_beside_safe_area

DOMAIN_LOG = """# Domain logfile created by unset_name v0.3.23
# Source: p.ext4
# Offset: 0x00000000
# current_pos  current_status
0x04000000     ?
#      pos        size  status
0x00000000  0x00448400  +
0x00448400  0x003B8000  ?
0x00800400  0x00040800  +
0x00840C00  0x007BF800  ?
"""


def test_the_domain_log_gives_used_ranges_on_the_disk() -> None:
    ranges = usedblocks.parse_domain_log(DOMAIN_LOG, base=MIB, limit=64 * MIB)
    assert ranges == ((MIB, 0x448400), (MIB + 0x800400, 0x40800))
    clipped = usedblocks.parse_domain_log(DOMAIN_LOG, base=0, limit=0x800400 + 0x100)
    assert clipped == ((0, 0x448400), (0x800400, 0x100))


@pytest.fixture(scope="module")
def ext4_disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("mkfs.ext4", "partclone.extfs", "blkid")
    folder = tmp_path_factory.mktemp("fallback")
    disk = make_disk(folder / "disk.raw", 20 * MIB, "label: gpt\nstart=2048, size=16MiB, type=L\n")
    splice(disk, sfdisk_partitions(disk)[0]["start"], make_ext4(folder / "p.img", 16 * MIB, {"a.txt": b"a" * 5000}))
    return disk


def sent_of(image: str) -> list[tuple[str, str]]:
    source = ImageFileSource(image)
    source.close()
    return [(p.filesystem, p.sent) for p in source.header.partitions]


@pytest.mark.parametrize("why", ["partclone missing", "no room for the copy"])
def test_a_partition_that_cannot_be_mapped_is_sent_whole(ext4_disk: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    if why == "partclone missing":
        real_which = shutil.which
        monkeypatch.setattr(usedblocks.shutil, "which",
                            lambda name: None if name.startswith("partclone") else real_which(name))
    else:
        usage = namedtuple("usage", "total used free")
        monkeypatch.setattr(usedblocks.shutil, "disk_usage", lambda path: usage(1 << 40, 1 << 40, MIB))
    made = make_image(str(tmp_path / "whole.imgcast"), str(ext4_disk))
    assert sent_of(made.path) == [("ext4", "whole")]
    restore_image(made.path, str(tmp_path / "out.raw"))
    assert sha_beside_safe_area(tmp_path / "out.raw") == sha_beside_safe_area(ext4_disk)  # whole means every byte, stale ones too
    monkeypatch.undo()
    mapped = make_image(str(tmp_path / "mapped.imgcast"), str(ext4_disk))
    assert sent_of(mapped.path) == [("ext4", "used_blocks")]
    assert mapped.image_size < made.image_size / 2
