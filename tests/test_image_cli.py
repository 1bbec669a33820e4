"""`img make` and `img restore` as a person runs them: real processes, JSON events, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from imgcast.engine.cli.main import main
from test_disk_partitions import MIB, make_disk, stale_bytes, write_at
from test_image_roundtrip import sha_beside_safe_area, text_like


def img(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture()
def disk(tmp_path: Path) -> Path:
    disk = make_disk(tmp_path / "disk.raw", 32 * MIB, "label: dos\nstart=2048, size=28MiB, type=83\n")
    write_at(disk, 3 * MIB, text_like(2 * MIB) + stale_bytes(MIB, 5))
    return disk


def test_make_and_restore_with_json_events(disk: Path, tmp_path: Path) -> None:
    image = tmp_path / "lab.imgcast"
    made = img("make", image, f"from={disk}", "--json", "--level", "speed")
    assert made.returncode == 0, made.stderr
    events = [json.loads(line) for line in made.stdout.splitlines()]
    names = [event["event"] for event in events]
    assert names[0] == "partition_mapped" and names[-1] == "image_made" and "progress" in names
    last = events[-1]
    assert last["image_size"] == image.stat().st_size and last["disk_size"] == 32 * MIB
    progress = [e for e in events if e["event"] == "progress"][-1]
    assert progress["done"] == progress["total"]

    target = tmp_path / "out.raw"
    restored = img("restore", image, f"to={target}", "--json")
    assert restored.returncode == 0, restored.stderr
    events = [json.loads(line) for line in restored.stdout.splitlines()]
    assert events[-1]["event"] == "image_restored" and events[-1]["sha256"] == last["sha256"]
    assert sha_beside_safe_area(target) == sha_beside_safe_area(disk)


def test_human_output_is_a_summary_line(disk: Path, tmp_path: Path) -> None:
    made = img("make", tmp_path / "lab.imgcast", f"from={disk}")
    assert made.returncode == 0, made.stderr
    assert "lab.imgcast:" in made.stdout and "32.0 MiB disk" in made.stdout
    assert "partition 1: no known file system, all 28.0 MiB sent" in made.stderr


def test_usage_errors_exit_2_with_one_line(disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["make", str(tmp_path / "a.imgcast")], "needs from="),
        (["make", str(tmp_path / "a.img"), f"from={disk}"], "end in .imgcast"),
        (["make", str(tmp_path / "a.imgcast"), f"to={disk}"], "unexpected"),
        (["make", str(tmp_path / "a.imgcast"), f"from={tmp_path / 'none.raw'}"], "no such file or disk"),
        (["make", str(tmp_path / "a.imgcast"), f"from={disk}", "--level", "max"], "invalid choice"),
        (["restore", str(tmp_path / "none.imgcast"), f"to={tmp_path / 'x.raw'}"], "no such image file"),
        (["restore", str(tmp_path / "none.imgcast")], "needs to="),
    ]
    for argv, expected in cases:
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and expected in err, (argv, err)
    assert not list(tmp_path.glob("a.imgcast*")), "a refused make leaves nothing behind"


def test_make_never_overwrites_an_image_without_force(disk: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "keep.imgcast"
    image.write_bytes(b"precious")
    assert main(["make", str(image), f"from={disk}"]) == 2
    assert "exists" in capsys.readouterr().err
    assert image.read_bytes() == b"precious"
    assert main(["make", str(image), f"from={disk}", "--force", "--json"]) == 0
    assert image.read_bytes()[:7] == b"IMGCAST"
    assert not (tmp_path / "keep.imgcast.partial").exists()


def test_declining_a_restore_fails_like_declining_a_session(disk: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A person who answers no gave no bad argument: exit 1 (nothing done), as the session
    client's own-disk question does (engine/disk/own.py), not 2 (usage)."""
    from imgcast.engine.cli import cmd_restore

    image = tmp_path / "lab.imgcast"
    assert main(["make", str(image), f"from={disk}", "--json"]) == 0
    target = tmp_path / "target.raw"
    target.write_bytes(b"kept" * MIB)
    monkeypatch.setattr(cmd_restore, "is_block_device", lambda path: True)
    monkeypatch.setattr(cmd_restore, "check_writable_target", lambda path: None)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    capsys.readouterr()
    assert main(["restore", str(image), f"to={target}"]) == 1
    err = capsys.readouterr().err.strip()
    assert "not confirmed; nothing was written" in err and len(err.splitlines()) == 1
    assert target.read_bytes() == b"kept" * MIB


def test_progress_bars_count_in_binary_units() -> None:
    """The bar says MiB, as the result line and the session's bars do (not rich's decimal MB)."""
    from imgcast.engine.cli.cmd_make import EventDisplay
    from imgcast.engine.events import Progress
    from rich.progress import DownloadColumn

    display = EventDisplay(False, "putting down")
    display(Progress(21 * MIB + MIB // 2, 21 * MIB + MIB // 2, 0.0, 0, 0))
    try:
        bar = display._bar
        assert bar is not None
        column = next(c for c in bar.columns if isinstance(c, DownloadColumn))
        shown = str(column.render(bar.tasks[0]))
    finally:
        display._close()
    assert shown == "21.5/21.5 MiB", shown
