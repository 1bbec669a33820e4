"""A multicast session on loopback moves images: from a saved .imgcast file (sent byte for byte)
and from a raw disk file (the image stream built on the fly), to three clients at once.

Network safety: multicast interface 127.0.0.1, TTL 0, every process bounded in time.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from imgcast.engine.cli import main as cli_main
from imgcast.engine.image.local import make_image
from loopback_cli import run_session
from test_disk_partitions import MIB, make_disk, stale_bytes, write_at
from test_image_roundtrip import sha_beside_safe_area, text_like

pytestmark = pytest.mark.skipif("cmd_session" not in cli_main.COMMANDS,
                                reason="img session is not on this branch yet")






@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("session")
    disk = make_disk(folder / "disk.raw", 32 * MIB, "label: gpt\nstart=2048, size=28MiB, type=L\n")
    write_at(disk, 2 * MIB, text_like(3 * MIB, 1))
    write_at(disk, 12 * MIB, stale_bytes(2 * MIB, 2))
    return disk


@pytest.mark.parametrize("send", ["image file", "raw disk"])
def test_a_session_puts_the_same_disk_down_on_three_clients(disk: Path, tmp_path: Path, send: str) -> None:
    if send == "image file":
        source = Path(make_image(str(tmp_path / "disk.imgcast"), str(disk)).path)
    else:
        source = disk
    targets = [tmp_path / f"client{n}.raw" for n in range(3)]
    results = run_session(f"imgcast-test-{os.getpid()}-{random.randrange(1 << 30)}", source, targets)
    for status, out, err in results:
        assert status == 0, err[-2000:]
        for line in out.splitlines():
            json.loads(line)
    for target in targets:
        assert sha_beside_safe_area(target) == sha_beside_safe_area(disk)
