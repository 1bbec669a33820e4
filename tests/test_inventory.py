"""The hardware inventory: a fake Linux root in tmp_path, this machine, and the JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import imgcast.engine.inventory as inventory_package
import pytest
from imgcast.engine.cli.main import main
from imgcast.engine.inventory import (
    collect_inventory,
    list_disks,
    multicast_interfaces,
    system_disk,
)
from json_schema_check import errors
from zisd_disks import LINUX_FS_GUID, MiB, make_gpt_disk

SCHEMA = json.loads((Path(inventory_package.__file__).parent / "schema.json").read_text())
ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"


def put(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A laptop-like machine: NVMe system disk, a SATA disk known to udev, a mounted USB stick,
    a disk udev does not know (its table is read from the device node), loop devices, two NICs."""
    root = tmp_path / "root"
    for key, value in {"sys_vendor": "Dell Inc.", "product_name": "OptiPlex 7090", "product_serial": "7XK2Q93",
                       "bios_vendor": "Dell Inc.", "bios_version": "1.21.0", "bios_date": "03/14/2025",
                       "board_serial": "To Be Filled By O.E.M."}.items():
        put(root, f"sys/class/dmi/id/{key}", value + "\n")
    (root / "sys/firmware/efi/efivars").mkdir(parents=True)
    put(root, "proc/cpuinfo", "processor\t: 0\nmodel name\t: Intel(R) Core(TM) i7-11700 @ 2.50GHz\n\n"
                              "processor\t: 1\nmodel name\t: Intel(R) Core(TM) i7-11700 @ 2.50GHz\n")
    put(root, "proc/meminfo", "MemTotal:       16318480 kB\nSwapTotal:       2097148 kB\n")
    put(root, "proc/sys/kernel/hostname", "lab-pc-17\n")
    # NVMe system disk: p1 EFI at 1 MiB, p2 root.
    put(root, "sys/block/nvme0n1/size", str(500118192))
    put(root, "sys/block/nvme0n1/dev", "259:0")
    put(root, "sys/block/nvme0n1/removable", "0")
    put(root, "sys/block/nvme0n1/queue/rotational", "0")
    put(root, "sys/block/nvme0n1/device/model", "Samsung SSD 980 PRO 500GB          \n")
    put(root, "sys/block/nvme0n1/device/serial", "S5GYNX0R123456\n")
    for number, start, size in ((1, 2048, 1048576), (2, 1050624, 499067568)):
        put(root, f"sys/block/nvme0n1/nvme0n1p{number}/partition", str(number))
        put(root, f"sys/block/nvme0n1/nvme0n1p{number}/start", str(start))
        put(root, f"sys/block/nvme0n1/nvme0n1p{number}/size", str(size))
        put(root, f"sys/block/nvme0n1/nvme0n1p{number}/dev", f"259:{number}")
    put(root, "run/udev/data/b259:0", "E:ID_PART_TABLE_TYPE=gpt\n")
    put(root, "run/udev/data/b259:1", f"E:ID_FS_TYPE=vfat\nE:ID_PART_ENTRY_TYPE={ESP}\n")
    put(root, "run/udev/data/b259:2", f"E:ID_FS_TYPE=ext4\nE:ID_PART_ENTRY_TYPE={LINUX_FS_GUID}\n")
    # SATA spinning disk, not in use.
    put(root, "sys/block/sda/size", str(1953525168))
    put(root, "sys/block/sda/dev", "8:0")
    put(root, "sys/block/sda/removable", "0")
    put(root, "sys/block/sda/queue/rotational", "1")
    put(root, "sys/block/sda/device/model", "ST1000DM010-2EP1")
    put(root, "run/udev/data/b8:0", "E:ID_PART_TABLE_TYPE=dos\nE:ID_SERIAL_SHORT=Z9A1B2C3\n")
    put(root, "sys/block/sda/sda1/partition", "1")
    put(root, "sys/block/sda/sda1/start", "2048")
    put(root, "sys/block/sda/sda1/size", "1953523120")
    put(root, "sys/block/sda/sda1/dev", "8:1")
    put(root, "run/udev/data/b8:1", "E:ID_FS_TYPE=ntfs\nE:ID_PART_ENTRY_TYPE=0x7\n")
    # USB stick, mounted at a path with a space.
    put(root, "sys/block/sdb/size", str(60555264))
    put(root, "sys/block/sdb/removable", "1")
    put(root, "sys/block/sdb/queue/rotational", "0")
    put(root, "sys/block/sdb/device/model", "Ultra Fit")
    put(root, "sys/block/sdb/sdb1/partition", "1")
    put(root, "sys/block/sdb/sdb1/start", "2048")
    put(root, "sys/block/sdb/sdb1/size", "60553216")
    # A disk udev does not know: the table is read from the device node (a GPT disk file here).
    put(root, "sys/block/sdc/size", str(8 * MiB // 512))
    put(root, "sys/block/sdc/queue/logical_block_size", "512")
    (root / "sys/block/sdc/device").mkdir(parents=True)
    put(root, "sys/block/sdc/sdc1/partition", "1")
    put(root, "sys/block/sdc/sdc1/start", "2048")
    put(root, "sys/block/sdc/sdc1/size", "6144")
    (root / "dev").mkdir()
    make_gpt_disk(root / "dev/sdc", 8 * MiB, [(2048, 8191, LINUX_FS_GUID)])
    # Virtual devices the inventory leaves out.
    put(root, "sys/block/loop0/size", "1000")
    put(root, "sys/block/zram0/size", "1000")
    put(root, "proc/mounts", "sysfs /sys sysfs rw 0 0\n/dev/nvme0n1p2 / ext4 rw,relatime 0 0\n"
                             "/dev/nvme0n1p1 /boot/efi vfat rw 0 0\n/dev/sdb1 /media/usb\\040stick vfat rw 0 0\n")
    put(root, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n")
    put(root, "sys/class/net/eth0/address", "3c:ec:ef:12:34:56\n")
    put(root, "sys/class/net/eth0/mtu", "1500\n")
    put(root, "sys/class/net/eth0/speed", "1000\n")
    put(root, "sys/class/net/eth0/operstate", "up\n")
    put(root, "sys/class/net/eth0/flags", "0x1003\n")
    put(root, "sys/class/net/wlan0/address", "a0:b1:c2:d3:e4:f5\n")
    put(root, "sys/class/net/wlan0/operstate", "down\n")
    put(root, "sys/class/net/wlan0/flags", "0x1002\n")
    put(root, "sys/class/net/wlan0/speed", "-1\n")
    put(root, "sys/class/net/lo/address", "00:00:00:00:00:00\n")
    put(root, "sys/class/net/lo/flags", "0x9\n")
    put(root, "sys/class/net/lo/mtu", "65536\n")
    return root


def test_a_fake_linux_root_is_read_fully(fake_root: Path) -> None:
    inv = collect_inventory(str(fake_root))
    assert inv.warnings == []
    s = inv.system
    assert (s.vendor, s.model, s.serial) == ("Dell Inc.", "OptiPlex 7090", "7XK2Q93")
    assert (s.firmware_version, s.firmware_date, s.boot_mode, s.hostname) == ("1.21.0", "03/14/2025", "uefi", "lab-pc-17")
    assert inv.cpu.model == "Intel(R) Core(TM) i7-11700 @ 2.50GHz" and inv.cpu.threads == 2
    assert inv.memory.total == 16318480 * 1024 and inv.memory.swap == 2097148 * 1024
    disks = {d.device: d for d in inv.disks}
    assert sorted(disks) == ["/dev/nvme0n1", "/dev/sda", "/dev/sdb", "/dev/sdc"]

    nvme = disks["/dev/nvme0n1"]
    assert nvme.model == "Samsung SSD 980 PRO 500GB" and nvme.serial == "S5GYNX0R123456"
    assert nvme.size == 500118192 * 512 and nvme.rotational is False and nvme.removable is False
    assert nvme.table == "gpt" and nvme.system and nvme.mounted
    assert nvme.unusable_reason == "holds the running system (/)"
    p1, p2 = nvme.partitions
    assert (p1.device, p1.start, p1.size, p1.type, p1.fstype, p1.mountpoint) == (
        "/dev/nvme0n1p1", 1 * MiB, 512 * MiB, ESP, "vfat", "/boot/efi")
    assert p2.mountpoint == "/" and p2.fstype == "ext4"

    sda = disks["/dev/sda"]
    assert sda.table == "mbr" and sda.serial == "Z9A1B2C3" and sda.rotational is True
    assert sda.partitions[0].type == "0x7" and sda.partitions[0].fstype == "ntfs"
    assert sda.unusable_reason is None and not sda.mounted and not sda.system

    sdb = disks["/dev/sdb"]
    assert sdb.removable is True and sdb.mounted
    assert sdb.unusable_reason == "/dev/sdb1 is mounted at /media/usb stick"
    assert sdb.partitions[0].fstype == "vfat"  # from /proc/mounts when udev says nothing

    sdc = disks["/dev/sdc"]
    assert sdc.table == "gpt" and sdc.partitions[0].type == LINUX_FS_GUID  # read from the disk itself
    assert sdc.unusable_reason is None

    net = {a.name: a for a in inv.network}
    assert net["eth0"].mac == "3c:ec:ef:12:34:56" and net["eth0"].speed_mbps == 1000
    assert net["eth0"].up and net["eth0"].multicast and not net["eth0"].is_loopback
    assert not net["wlan0"].up and net["wlan0"].speed_mbps is None
    assert net["lo"].is_loopback and net["lo"].mac is None
    assert inv.network[-1].name == "lo"  # loopback listed last
    assert system_disk(str(fake_root)) == "/dev/nvme0n1"
    assert errors(inv.to_json(), SCHEMA) == []


def test_swap_and_device_mapper_make_a_disk_unusable(fake_root: Path) -> None:
    put(fake_root, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/sda1 partition 100 0 -2\n")
    assert {d.device: d for d in list_disks(str(fake_root))}["/dev/sda"].unusable_reason == "/dev/sda1 is in use as swap space"
    put(fake_root, "proc/swaps", "Filename\n")
    (fake_root / "sys/block/sda/sda1/holders/dm-0").mkdir(parents=True)
    reason = {d.device: d for d in list_disks(str(fake_root))}["/dev/sda"].unusable_reason
    assert reason == "/dev/sda1 is in use by dm-0 (LVM, RAID or encryption)"


def test_root_on_lvm_marks_the_disks_beneath_it(fake_root: Path) -> None:
    put(fake_root, "proc/mounts", "/dev/mapper/vg-root / ext4 rw 0 0\n")
    (fake_root / "sys/block/dm-0/slaves/sda1").mkdir(parents=True)
    (fake_root / "dev/mapper").mkdir(parents=True)
    (fake_root / "dev/mapper/vg-root").symlink_to("../dm-0")
    disks = {d.device: d for d in list_disks(str(fake_root))}
    assert disks["/dev/sda"].system and not disks["/dev/nvme0n1"].system


def _every_file(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink())


def test_every_missing_entry_is_tolerated(fake_root: Path) -> None:
    files = _every_file(fake_root)
    assert len(files) > 60
    for rel in files:
        path = fake_root / rel
        saved = path.read_bytes()
        path.unlink()
        try:
            document = collect_inventory(str(fake_root)).to_json()
        finally:
            path.write_bytes(saved)
        assert errors(document, SCHEMA) == [], rel


def test_garbage_in_every_entry_is_tolerated(fake_root: Path) -> None:
    for rel in _every_file(fake_root):
        (fake_root / rel).write_bytes(b"\xff\xfegarbage\x00 -1 x:y\n")
    document = collect_inventory(str(fake_root)).to_json()
    assert errors(document, SCHEMA) == []


def test_an_empty_root_gives_an_empty_inventory(tmp_path: Path) -> None:
    inv = collect_inventory(str(tmp_path))
    assert inv.disks == [] and inv.network == [] and inv.system.boot_mode == "unknown"
    assert inv.system.vendor is None and inv.cpu.model is None
    assert errors(inv.to_json(), SCHEMA) == []


def test_without_efi_the_boot_mode_is_legacy(fake_root: Path) -> None:
    import shutil

    shutil.rmtree(fake_root / "sys/firmware/efi")
    put(fake_root, "sys/firmware/acpi/tables/DSDT", "x")
    assert collect_inventory(str(fake_root)).system.boot_mode == "legacy"


def test_this_machine_validates_against_the_schema() -> None:
    document = collect_inventory().to_json()
    assert errors(document, SCHEMA) == []
    assert document["cpu"]["threads"] and document["memory"]["total"] > 0


def test_loopback_is_a_multicast_interface_here() -> None:
    interfaces = multicast_interfaces()
    loopback = [i for i in interfaces if i.address == "127.0.0.1"]
    assert loopback and loopback[0].is_loopback and loopback[0].up and loopback[0].netmask == "255.0.0.0"
    assert interfaces[-1].is_loopback  # real interfaces first


def test_img_info_json_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert errors(document, SCHEMA) == []
    assert document["schema_version"] == 1


def test_img_info_prints_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for heading in ("System", "Disks", "Network adapters", "Interfaces a session can use", "127.0.0.1"):
        assert heading in out


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ({"schema_version": 2}, "is not one of [1]"),
        ({"disks": [{"device": "/dev/sda"}]}, "missing 'size'"),
        ({"memory": {"total": "lots", "swap": 0}}, "'lots' is not of type"),
        ({"cpu": {"model": None, "cores": 1, "threads": 1, "frequency_mhz": 1.0, "socket": 1}}, "unexpected key 'socket'"),
        ({"multicast_interfaces": [{"name": "x", "address": "not-an-ip", "netmask": None, "mtu": 1,
                                    "up": True, "is_loopback": False}]}, "does not match"),
    ],
)
def test_the_schema_check_catches_bad_documents(document: dict, complaint: str) -> None:
    good = collect_inventory().to_json()
    good.update(document)
    assert any(complaint in line for line in errors(good, SCHEMA))


def test_without_sys_block_the_live_machine_falls_back_to_psutil() -> None:
    from imgcast.engine.inventory.disks import _disks_from_psutil

    disks = _disks_from_psutil()
    system = [d for d in disks if d.system]
    assert len(system) == 1 and system[0].unusable_reason == "holds the running system (/)"
    assert any(p.mountpoint == "/" and p.size and p.size > 0 for p in system[0].partitions)


def test_a_loop_device_backing_a_file_is_a_disk_and_an_unattached_one_is_not(fake_root: Path) -> None:
    put(fake_root, "sys/block/loop1/size", str(64 * MiB // 512))
    put(fake_root, "sys/block/loop1/dev", "7:1")
    put(fake_root, "sys/block/loop1/ro", "1")
    put(fake_root, "sys/block/loop1/loop/backing_file", "/srv/images/pc 17.raw\n")
    put(fake_root, "sys/block/loop1/loop1p1/partition", "1")
    put(fake_root, "sys/block/loop1/loop1p1/start", "2048")
    put(fake_root, "sys/block/loop1/loop1p1/size", "4096")
    disks = {d.device: d for d in list_disks(str(fake_root))}
    assert "/dev/loop0" not in disks  # attached to nothing: no disk at all
    loop = disks["/dev/loop1"]
    assert (loop.kind, loop.backing_file, loop.size) == ("loop", "/srv/images/pc 17.raw", 64 * MiB)
    assert loop.read_only and loop.unusable_reason == "is read-only"
    assert [p.device for p in loop.partitions] == ["/dev/loop1p1"]
    assert disks["/dev/sda"].kind == "disk" and disks["/dev/sda"].backing_file is None
    put(fake_root, "proc/mounts", "/dev/loop1p1 /mnt ext4 rw 0 0\n")
    assert {d.device: d for d in list_disks(str(fake_root))}["/dev/loop1"].unusable_reason == (
        "/dev/loop1p1 is mounted at /mnt")
    put(fake_root, "proc/mounts", "/dev/loop1p1 / ext4 rw 0 0\n")  # a system booted from a file
    loop = {d.device: d for d in list_disks(str(fake_root))}["/dev/loop1"]
    assert loop.system and loop.unusable_reason == "holds the running system (/)"
