"""A disk laid out as Windows installs it comes back whole, from a used-blocks image and through
a session: GPT, EFI system partition (FAT), 16 MiB Microsoft reserved partition (no file
system), the NTFS system partition and the NTFS recovery partition.

The NTFS alternate boot sector sits in the partition's last sector, outside the volume's own
sector count and so outside partclone's map of used blocks; a used-blocks image that left it
out made `ntfsfix -n` report "Checking the alternate boot sector... BAD". The disk starts full
of stale bytes, as a used disk is, so the used-blocks image must be far smaller than --raw.
Root only (loop devices); skips with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from loop_devices import (
    attached,
    needs_loop,
    partition_node,
    show_partitions,
    wait_for_node,
    zero_file,
)
from loopback_cli import finish, img, loopback_options
from test_disk_partitions import MIB, need, run, stale_bytes

pytestmark = needs_loop

DISK = 256 * MIB
LAYOUT = """label: gpt
size=48MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"
size=16MiB, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE, name="Microsoft reserved partition"
size=150MiB, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Basic data partition"
type=DE94BBA4-06D1-4D40-A16A-BFD50179D6AC, name="Recovery"
"""
FILES = {
    "esp": ("EFI/Boot/bootx64.efi", 1 * MIB),
    "system": ("explorer.bin", 40 * MIB),  # ntfscp writes into existing folders only
    "recovery": ("winre.wim", 3 * MIB),
}


def tool(*command: str | Path) -> subprocess.CompletedProcess[bytes]:
    done = run(*command)
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr.decode(errors='replace')}"
    return done


def img_done(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imgcast.engine.cli.main", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done


class WindowsDisk:
    """The source disk and the facts every copy is checked against."""

    def __init__(self, device: str, folder: Path) -> None:
        self.device = device
        self.files: dict[str, bytes] = {}
        table = json.loads(tool("sfdisk", "--json", device).stdout)["partitiontable"]
        sector = table.get("sectorsize", 512)
        self.sector = sector
        self.partitions = [(p["start"] * sector, p["size"] * sector) for p in table["partitions"]]
        esp, system, recovery = (partition_node(device, n) for n in (1, 3, 4))
        tool("mkfs.vfat", "-n", "SYSTEM", esp)
        name, size = FILES["esp"]
        self.files["esp"] = os.urandom(size)
        payload = folder / "bootx64.efi"
        payload.write_bytes(self.files["esp"])
        tool("mmd", "-i", esp, "::/EFI", "::/EFI/Boot")
        tool("mcopy", "-i", esp, payload, f"::/{name}")
        for key, node, label in (("system", system, "Windows"), ("recovery", recovery, "Recovery")):
            tool("mkntfs", "-Q", "-F", "-L", label, node)  # quick: the stale bytes stay
            name, size = FILES[key]
            self.files[key] = os.urandom(size)
            payload = folder / key
            payload.write_bytes(self.files[key])
            tool("ntfscp", node, payload, name)

    def region(self, device: str, offset: int, length: int) -> bytes:
        with open(device, "rb") as disk:
            return os.pread(disk.fileno(), length, offset)

    def gpt_primary(self, device: str) -> bytes:
        return self.region(device, 0, 34 * self.sector)  # protective MBR, header, 32 sectors of entries

    def gpt_backup(self, device: str) -> bytes:
        return self.region(device, DISK - 33 * self.sector, 33 * self.sector)

    def msr(self, device: str) -> bytes:
        return self.region(device, *self.partitions[1])

    def check_copy(self, copy: str) -> None:
        """The copy on loop device `copy` is the same Windows disk, as its tools see it."""
        nodes = [partition_node(copy, n) for n in (1, 2, 3, 4)]
        for node in nodes:
            assert wait_for_node(node), f"{node} is missing after the put-down"
        assert self.gpt_primary(copy) == self.gpt_primary(self.device)
        assert self.gpt_backup(copy) == self.gpt_backup(self.device)
        assert self.msr(copy) == self.msr(self.device)
        for node in (nodes[2], nodes[3]):
            check = run("ntfsfix", "-n", node)
            report = check.stdout.decode(errors="replace") + check.stderr.decode(errors="replace")
            assert check.returncode == 0 and "BAD" not in report, report
            assert "Checking the alternate boot sector... OK" in report, report
        assert tool("ntfscat", nodes[2], FILES["system"][0]).stdout == self.files["system"]
        assert tool("ntfscat", nodes[3], FILES["recovery"][0]).stdout == self.files["recovery"]
        esp_copy = tool("mcopy", "-n", "-i", nodes[0], f"::/{FILES['esp'][0]}", "-").stdout
        assert esp_copy == self.files["esp"]


@pytest.fixture(scope="module")
def windows(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WindowsDisk]:
    need("sfdisk", "partx", "mkfs.vfat", "mmd", "mcopy", "mkntfs", "ntfscp", "ntfscat", "ntfsfix")
    folder = tmp_path_factory.mktemp("windows")
    backing = folder / "windows.raw"
    with open(backing, "wb") as disk:  # a used disk: stale bytes everywhere
        for _ in range(DISK // (16 * MIB)):
            disk.write(stale_bytes(16 * MIB, disk.tell()))
    with ExitStack() as stack:
        device = stack.enter_context(attached(backing))
        done = run("sfdisk", "-q", device, stdin=LAYOUT.encode())
        assert done.returncode == 0, done.stderr.decode()
        show_partitions(device)
        yield WindowsDisk(device, folder)


def test_the_source_disk_is_sound_before_imaging(windows: WindowsDisk) -> None:
    windows.check_copy(windows.device)


def test_a_used_blocks_image_puts_a_windows_disk_back_whole_and_is_far_smaller_than_raw(
        windows: WindowsDisk, tmp_path: Path) -> None:
    used, raw = tmp_path / "used.imgcast", tmp_path / "raw.imgcast"
    img_done("make", used, f"from={windows.device}", "--level", "speed")
    img_done("make", raw, f"from={windows.device}", "--raw", "--level", "speed")
    used_size, raw_size = used.stat().st_size, raw.stat().st_size
    print(f"\nWindows disk of {DISK >> 20} MiB: used-blocks image {used_size / MIB:.1f} MiB, "
          f"--raw image {raw_size / MIB:.1f} MiB")
    assert used_size < raw_size / 3
    target_file = zero_file(tmp_path / "target.raw", DISK)
    with attached(target_file) as target:
        img_done("restore", used, f"to={target}", "--yes")
        windows.check_copy(target)


def test_a_session_puts_a_windows_disk_down_whole(windows: WindowsDisk, tmp_path: Path,
                                                  session_name: str) -> None:
    target_file = zero_file(tmp_path / "session-target.raw", DISK)
    net = loopback_options()
    with attached(target_file) as target:
        client = img("session", session_name, "client", f"to={target}", "--yes", *net)
        master = img("session", session_name, "master", "clients=1", f"from={windows.device}", *net)
        (m_status, _, m_err), (c_status, _, c_err) = finish([master, client], seconds=240)
        assert (m_status, c_status) == (0, 0), m_err + c_err
        windows.check_copy(target)
