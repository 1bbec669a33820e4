"""Imaging keeps the image-safe data: `img restore` and a multicast session (loopback) put an
image down on MBR and GPT disk files that carry an identity; afterwards every byte outside the
safe area is the image's, the identity is the target's own, and the last base image is the new one.

Each part runs once its command is on this branch (img restore: issue 3; img session: the lead).
Network safety: multicast interface 127.0.0.1, TTL 0, every process bounded in time.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from imgcast.engine.cli import main as cli_main
from imgcast.engine.safe_area import SAFE_AREA_END, SAFE_AREA_OFFSET
from imgcast.engine.zisd import ImageSafeData, read_zisd, record_base_image, write_zisd
from loopback_cli import img, run_session
from zisd_disks import LINUX_FS_GUID, MiB, area_bytes, fill_partitions, make_gpt_disk, make_mbr_disk

TARGET = ImageSafeData(dhcp=False, ip_address="10.9.8.7", subnet_mask="255.255.255.0", gateway="10.9.8.1",
                       dns_servers=("10.9.8.2",), computer_name="ROOM9-07", domain="school.example")
MASTER = ImageSafeData(computer_name="MASTER-PC", workgroup="MASTERS")


def build(kind: str, path: Path, seed: int, size: int = 16 * MiB) -> Path:
    sectors = size // 512
    if kind == "mbr":
        make_mbr_disk(path, size, [(2048, 8192, 0x83), (10240, sectors - 10240 - 1, 0x07)])
    else:
        make_gpt_disk(path, size, [(2048, 10239, LINUX_FS_GUID), (10240, sectors - 40, LINUX_FS_GUID)])
    fill_partitions(path, [(2048 * 512, 2048 * 512 + 2 * MiB), (10240 * 512, 10240 * 512 + 3 * MiB)], seed)
    return path


def outside_area(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha256(data[:SAFE_AREA_OFFSET] + data[SAFE_AREA_END:]).hexdigest()


def target_with_identity(kind: str, path: Path) -> Path:
    build(kind, path, seed=99)
    write_zisd(path, TARGET)
    record_base_image(path, "old-base.imgcast", "0" * 64, "last-term")
    return path




def run(*args: str | Path, timeout: float = 60) -> tuple[int, str, str]:
    process = img(*args)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"img {args[0]} did not finish in {timeout} s: {err[-2000:]}")
    return process.returncode, out, err


@pytest.mark.skipif("cmd_restore" not in cli_main.COMMANDS, reason="img restore is not on this branch yet")
@pytest.mark.parametrize("kind", ["mbr", "gpt"])
def test_restore_keeps_the_identity_and_records_the_image(tmp_path: Path, kind: str) -> None:
    source = build(kind, tmp_path / "master.raw", seed=1)
    write_zisd(source, MASTER)
    image = tmp_path / "term2.imgcast"
    code, _, err = run("make", image, f"from={source}", "--json")
    assert code == 0, err
    target = target_with_identity(kind, tmp_path / "target.raw")

    code, out, err = run("restore", image, f"to={target}", "--json")

    assert code == 0, err
    restored = json.loads(out.splitlines()[-1])
    assert outside_area(target) == outside_area(source)
    data = read_zisd(target)
    assert data is not None and data.last_base_image is not None
    assert data.identity_json() == TARGET.identity_json()  # not the master's
    assert data.last_base_image.name == "term2.imgcast"
    assert data.last_base_image.sha256 == restored["sha256"]
    assert data.last_base_image.session_name is None


@pytest.mark.skipif("cmd_restore" not in cli_main.COMMANDS, reason="img restore is not on this branch yet")
def test_a_failed_restore_keeps_the_old_record(tmp_path: Path) -> None:
    source = build("gpt", tmp_path / "master.raw", seed=1)
    image = tmp_path / "base.imgcast"
    assert run("make", image, f"from={source}")[0] == 0
    damaged = tmp_path / "damaged.imgcast"
    damaged.write_bytes(image.read_bytes()[: image.stat().st_size // 2])  # cut off mid-stream
    target = target_with_identity("gpt", tmp_path / "target.raw")
    before = area_bytes(target)

    code, _, err = run("restore", damaged, f"to={target}")

    assert code == 1 and err.startswith("img: ")
    assert area_bytes(target) == before
    data = read_zisd(target)
    assert data is not None and data.last_base_image is not None
    assert data.last_base_image.name == "old-base.imgcast"




@pytest.mark.skipif("cmd_session" not in cli_main.COMMANDS, reason="img session is not on this branch yet")
@pytest.mark.parametrize("kind", ["mbr", "gpt"])
def test_a_multicast_put_down_keeps_each_identity_and_records_the_session(tmp_path: Path, kind: str) -> None:
    source = build(kind, tmp_path / "master.raw", seed=1)
    write_zisd(source, MASTER)
    targets = [target_with_identity(kind, tmp_path / f"client{n}.raw") for n in range(2)]
    write_zisd(targets[1], ImageSafeData(computer_name="ROOM9-08", workgroup="ROOM9"))
    identities = [read_zisd(t) for t in targets]
    name = f"zisd-test-{os.getpid()}-{random.randrange(1 << 30)}"

    for status, _, err in run_session(name, source, targets):
        assert status == 0, err[-2000:]

    for target, before in zip(targets, identities, strict=True):
        assert outside_area(target) == outside_area(source)
        data = read_zisd(target)
        assert data is not None and before is not None and data.last_base_image is not None
        assert data.identity_json() == before.identity_json()
        assert data.last_base_image.session_name == name
