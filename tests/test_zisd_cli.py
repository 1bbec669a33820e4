"""`img info zisd` and `img zisd set|clear|save|load` on disk files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from imgcast.engine.cli.main import main
from imgcast.engine.safe_area import SAFE_AREA_OFFSET
from imgcast.engine.zisd import read_zisd, record_base_image
from zisd_disks import LINUX_FS_GUID, MiB, file_digest, make_gpt_disk, make_mbr_disk


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    return make_gpt_disk(tmp_path / "disk.img", 4 * MiB, [(2048, 8000, LINUX_FS_GUID)])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_set_then_info_shows_every_field(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "zisd", "set", "ip=10.4.0.21", "mask=255.255.0.0", "gateway=10.4.0.1",
                       "dns=10.4.0.2,10.4.0.3", "dns-suffix=school.example", "hostname=room4-21",
                       "computer-name=ROOM4-21", "domain=school.example", str(disk))
    assert code == 0 and "image-safe data updated" in out
    record_base_image(disk, "win11-2026.imgcast", "ab" * 32, "room4")
    code, out, _ = run(capsys, "info", "zisd", str(disk))
    assert code == 0
    for text in ("static", "10.4.0.21", "255.255.0.0", "10.4.0.1", "10.4.0.2, 10.4.0.3", "school.example",
                 "room4-21", "ROOM4-21", "Domain", "win11-2026.imgcast", "ab" * 32, "session room4"):
        assert text in out
    code, out, _ = run(capsys, "info", "zisd", str(disk), "--json")
    document = json.loads(out)
    assert code == 0 and document["status"] == "present"
    data = document["image_safe_data"]
    assert data["ip_address"] == "10.4.0.21" and data["dhcp"] is False and data["domain"] == "school.example"
    assert data["last_base_image"]["session_name"] == "room4"


def test_info_on_a_disk_without_data_says_so(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "info", "zisd", str(disk))
    assert code == 0 and "has no image-safe data" in out
    code, out, _ = run(capsys, "info", "zisd", str(disk), "--json")
    assert json.loads(out) == {"disk": str(disk), "status": "none", "image_safe_data": None, "error": None}


def test_info_on_a_corrupted_record_says_corrupted(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "zisd", "set", "name=PC1", str(disk))[0] == 0
    with open(disk, "r+b") as f:
        f.seek(SAFE_AREA_OFFSET + 16)
        f.write(b"\x99")
    code, _, err = run(capsys, "info", "zisd", str(disk))
    assert code == 1 and "corrupted" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "info", "zisd", str(disk), "--json")
    assert code == 1 and json.loads(out)["status"] == "corrupted"
    code, _, err = run(capsys, "zisd", "set", "name=PC2", str(disk))
    assert code == 1 and "img zisd clear" in err


def test_a_bad_value_writes_nothing(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "zisd", "set", "name=PC1", str(disk))[0] == 0
    before = file_digest(disk)
    for bad in ("ip=10.1.2", "mask=255.255.0.255", "hostname=bad_name", "name=A*B", "gateway=nope"):
        code, _, err = run(capsys, "zisd", "set", bad, str(disk))
        assert code == 2 and err.startswith("img: ") and err.count("\n") == 1, bad
    assert file_digest(disk) == before


def test_no_safe_room_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tight = make_mbr_disk(tmp_path / "tight.img", 4 * MiB, [(63, 8000, 0x07)])
    before = file_digest(tight)
    code, _, err = run(capsys, "zisd", "set", "name=PC1", str(tight))
    assert code == 1
    assert err.startswith("img: no safe room: the first partition starts at sector 63") and err.count("\n") == 1
    assert file_digest(tight) == before


def test_save_clear_load_round_trip(disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "zisd", "set", "ip=192.168.5.9", "mask=255.255.255.0", "name=FRONTDESK", "workgroup=OFFICE", str(disk))
    record_base_image(disk, "base.imgcast", "cd" * 32, None)
    original = read_zisd(disk)
    saved = tmp_path / "frontdesk.json"
    assert run(capsys, "zisd", "save", str(saved), str(disk))[0] == 0
    assert json.loads(saved.read_text())["computer_name"] == "FRONTDESK"
    assert run(capsys, "zisd", "clear", str(disk))[0] == 0
    assert read_zisd(disk) is None
    assert run(capsys, "zisd", "load", str(saved), str(disk))[0] == 0
    loaded = read_zisd(disk)
    assert loaded is not None and original is not None
    assert loaded.identity_json() == original.identity_json()
    assert loaded.last_base_image is None  # a load never claims an image was put down


def test_load_refuses_bad_files(disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"ip_address": "10.0.0.1", "subnet_mask": "255.255.255.0", "dhcp": false, "gateway": "8.8.8.8"}')
    before = file_digest(disk)
    code, _, err = run(capsys, "zisd", "load", str(bad), str(disk))
    assert code == 2 and "gateway: 8.8.8.8 is not in" in err
    bad.write_text("{not json")
    code, _, err = run(capsys, "zisd", "load", str(bad), str(disk))
    assert code == 2 and "not JSON" in err
    code, _, err = run(capsys, "zisd", "load", str(tmp_path / "missing.json"), str(disk))
    assert code == 2 and "no such file" in err
    assert file_digest(disk) == before


def test_save_without_data_fails_plainly(disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "zisd", "save", str(tmp_path / "x.json"), str(disk))
    assert code == 1 and "has no image-safe data to save" in err
    assert not (tmp_path / "x.json").exists()


def test_usage_errors_exit_2(disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "info", "zisdx", str(disk))[0] == 2
    assert run(capsys, "zisd", "frobnicate")[0] == 2
    code, _, err = run(capsys, "info", "zisd", str(tmp_path / "nope.img"))
    assert code == 2 and "no such disk or file" in err
    code, _, err = run(capsys, "zisd", "set", str(disk))
    assert code == 2 and "at least one KEY=VALUE" in err
