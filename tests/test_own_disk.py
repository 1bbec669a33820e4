"""Which disk is "this computer's" when a session names none: the rules, one at a time, on
made-up disk lists (no real disk is looked at: the lists are passed in)."""

from __future__ import annotations

import pytest
from imgcast.engine.disk.own import choose_own_disk, describe, own_disks
from imgcast.engine.errors import SessionFailed, UsageError
from imgcast.engine.inventory.model import DiskInfo

GIB = 1 << 30


def disk(device: str, size: int = 64 * GIB, **facts: object) -> DiskInfo:
    return DiskInfo(device=device, model=facts.pop("model", "SSD"), serial=facts.pop("serial", "S1"),
                    size=size, **facts)  # type: ignore[arg-type]


SYSTEM = disk("/dev/sda", system=True, unusable_reason="holds the running system (/)")
STICK = disk("/dev/sdc", 16 * GIB, removable=True, model="USB stick")
READ_ONLY = disk("/dev/sdd", read_only=True, unusable_reason="is read-only")


@pytest.fixture(autouse=True)
def no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMGCAST_DISKS", raising=False)


def test_the_one_disk_not_mounted_nor_the_system_is_chosen_without_a_question_when_sending() -> None:
    own = own_disks("send", disks=[SYSTEM, disk("/dev/sdb")])
    assert [d.device for d in own.eligible] == ["/dev/sdb"]
    assert choose_own_disk(own, confirmed=False, ask=None) == "/dev/sdb"


def test_a_removable_disk_counts_only_when_no_fixed_disk_qualifies() -> None:
    own = own_disks("write", disks=[SYSTEM, STICK, disk("/dev/sdb")])
    assert [d.device for d in own.eligible] == ["/dev/sdb"]
    assert ("/dev/sdc", "is removable (used only when no fixed disk qualifies)") in [
        (d.device, reason) for d, reason in own.refused]
    assert [d.device for d in own_disks("write", disks=[SYSTEM, STICK]).eligible] == ["/dev/sdc"]


def test_a_read_only_disk_can_be_sent_but_not_written() -> None:
    assert [d.device for d in own_disks("send", disks=[READ_ONLY]).eligible] == ["/dev/sdd"]
    written = own_disks("write", disks=[READ_ONLY])
    assert not written.eligible and "/dev/sdd (SSD, 64.0 GiB, serial S1) is read-only" in written.none_message()


def test_a_disk_smaller_than_the_announced_image_is_refused_saying_both_sizes() -> None:
    own = own_disks("write", min_size=100 * GIB, disks=[disk("/dev/sdb")])
    assert not own.eligible
    message = own.none_message()
    assert message.startswith("no disk of this computer can be written: /dev/sdb")
    assert "68,719,476,736 bytes" in message and "100.0 GiB" in message and message.endswith("give to=PATH")


def test_none_names_every_disk_and_why_in_one_line() -> None:
    mounted = disk("/dev/sdb", unusable_reason="/dev/sdb1 is mounted at /home")
    own = own_disks("write", disks=[SYSTEM, mounted, READ_ONLY])
    with pytest.raises(SessionFailed) as failure:
        choose_own_disk(own, confirmed=True, ask=None)
    line = str(failure.value)
    assert "\n" not in line
    for device, reason in (("/dev/sda", "holds the running system"), ("/dev/sdb", "mounted at /home"),
                           ("/dev/sdd", "read-only")):
        assert device in line and reason in line


def test_several_without_a_terminal_is_a_one_line_usage_error_listing_them() -> None:
    own = own_disks("write", disks=[disk("/dev/sdb"), disk("/dev/sde", serial="S2")])
    with pytest.raises(UsageError) as failure:
        choose_own_disk(own, confirmed=True, ask=None)
    assert "/dev/sdb (SSD, 64.0 GiB, serial S1)" in str(failure.value)
    assert "/dev/sde (SSD, 64.0 GiB, serial S2)" in str(failure.value) and "to=DISK" in str(failure.value)


def test_several_on_a_terminal_is_a_numbered_question() -> None:
    own = own_disks("write", disks=[disk("/dev/sdb"), disk("/dev/sde")])
    questions: list[str] = []
    assert choose_own_disk(own, confirmed=False, ask=lambda q: questions.append(q) or "2\n") == "/dev/sde"
    assert "  1) /dev/sdb" in questions[0] and "  2) /dev/sde" in questions[0] and "overwritten" in questions[0]
    with pytest.raises(SessionFailed, match="no disk was chosen; nothing was written"):
        choose_own_disk(own, confirmed=False, ask=lambda q: "\n")


def test_writing_the_one_disk_asks_once_naming_it_unless_yes() -> None:
    own = own_disks("write", disks=[disk("/dev/sdb", model="Spare SSD", serial="XYZ")])
    questions: list[str] = []
    assert choose_own_disk(own, confirmed=False, ask=lambda q: questions.append(q) or "y\n") == "/dev/sdb"
    assert len(questions) == 1 and "/dev/sdb (Spare SSD, 64.0 GiB, serial XYZ)" in questions[0]
    with pytest.raises(SessionFailed, match="not confirmed"):
        choose_own_disk(own, confirmed=False, ask=lambda q: "n\n")
    with pytest.raises(UsageError, match="--yes"):
        choose_own_disk(own, confirmed=False, ask=None)
    assert choose_own_disk(own, confirmed=True, ask=lambda q: pytest.fail("asked despite --yes")) == "/dev/sdb"


def test_imgcast_disks_narrows_the_search_and_never_widens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGCAST_DISKS", "/dev/sde, /dev/sdz")
    own = own_disks("write", disks=[SYSTEM, disk("/dev/sdb"), disk("/dev/sde")])
    assert [d.device for d in own.eligible] == ["/dev/sde"] and not own.refused
    monkeypatch.setenv("IMGCAST_DISKS", "/dev/sdz")
    assert "no disk found among IMGCAST_DISKS='/dev/sdz'" in own_disks("write", disks=[disk("/dev/sdb")]).none_message()
    for empty in ("", " "):  # a script's IMGCAST_DISKS="$PINNED" that came out empty: no disk, not every disk
        monkeypatch.setenv("IMGCAST_DISKS", empty)
        own = own_disks("write", disks=[SYSTEM, disk("/dev/sdb")])
        assert not own.eligible and not own.refused
        assert f"no disk found among IMGCAST_DISKS={empty!r}" in own.none_message()


def test_a_loop_device_is_described_by_its_backing_file() -> None:
    loop = disk("/dev/loop3", 32 << 20, kind="loop", backing_file="/srv/pc.raw", model="loop device", serial=None)
    assert describe(loop) == "/dev/loop3 (loop device on /srv/pc.raw, 32.0 MiB)"
