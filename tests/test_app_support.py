"""Shared pieces of the wizard tests: a qasync loop on pytest-qt's QApplication, isolated
QSettings, a faked computer (disks and interfaces) and a scripted session runner.

Not a test module itself; the test_app_* files import from it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from imgcast.engine import events as ev
from imgcast.engine.errors import ImgcastError
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture
def settings_dir(tmp_path, qapp):
    """QSettings in tmp_path, so tests never read or write the operator's real settings."""
    QCoreApplication.setOrganizationName("imgcast-tests")
    QCoreApplication.setApplicationName("imgcast-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    return tmp_path / "settings"


@pytest.fixture
def qloop(qapp, settings_dir):
    """A qasync loop that counts as running while pytest-qt pumps Qt events (qtbot.waitUntil)."""
    from imgcast.app.event_loop import WizardEventLoop

    loop = WizardEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    # Let the cancellations run now, while the windows they report to still exist.
    deadline = time.monotonic() + 5
    while any(not t.done() for t in pending) and time.monotonic() < deadline:
        qapp.processEvents()
    loop._QEventLoop__is_running = False  # stop() would also quit the QApplication
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    loop.close()


def show_active(qtbot, win) -> None:
    """Show the window and make it the active one. The progress page's keys (m, s) are window
    shortcuts that act only in the active window, and an X server with no window manager (Xvfb)
    activates nothing by itself; the offscreen platform does."""
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)


@dataclass
class FakeDisk:
    device: str
    model: str
    size: int
    serial: str = "S123"
    rotational: bool = False
    removable: bool = False
    table: str | None = "gpt"
    partitions: list[Any] = field(default_factory=list)
    mounted: bool = False
    system: bool = False
    unusable_reason: str | None = None
    kind: str = "disk"
    backing_file: str | None = None
    read_only: bool = False


@dataclass
class FakeInterface:
    name: str
    address: str
    netmask: str = "255.255.255.0"
    mtu: int = 1500
    up: bool = True
    is_loopback: bool = False


class FakeInventoryData:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_json(self) -> dict[str, Any]:
        return self.data


class FakeInventory:
    """A computer with one free disk, one mounted disk, the system disk and two interfaces."""

    def __init__(self) -> None:
        self.disks = [
            FakeDisk("/dev/sdb", "Spare SSD", 256 << 30, partitions=[]),
            FakeDisk("/dev/sdc", "USB stick", 32 << 30, removable=True, mounted=True, table="dos",
                     partitions=[{"name": "sdc1"}], unusable_reason="mounted at /media/stick"),
            FakeDisk("/dev/sda", "System NVMe", 512 << 30, system=True,
                     partitions=[{"name": "sda1"}, {"name": "sda2"}],
                     unusable_reason="the running system lives on it"),
        ]
        self.interfaces = [FakeInterface("lo", "127.0.0.1", "255.0.0.0", 65536, True, True),
                           FakeInterface("eno1", "10.9.8.7")]
        self.zisd = {"/dev/sdb": None}

    def list_disks(self) -> list[Any]:
        return list(self.disks)

    def multicast_interfaces(self) -> list[Any]:
        return list(self.interfaces)

    def collect_inventory(self) -> Any:
        return FakeInventoryData({
            "computer": {"host_name": "bench-07", "vendor": "ACME", "memory": 16 << 30},
            "disks": [{"device": d.device, "model": d.model, "size": d.size,
                       "partitions": d.partitions} for d in self.disks],
            "interfaces": [{"name": i.name, "address": i.address, "mtu": i.mtu} for i in self.interfaces],
        })

    def read_zisd(self, disk: str) -> Any:
        if disk not in self.zisd:
            raise ImgcastError(f"{disk} has no room for image-safe data")
        return self.zisd[disk]

    ZISD_KEYS = ("dhcp", "ip_address", "subnet_mask", "computer_name")

    def zisd_keys(self) -> tuple[str, ...] | None:
        return self.ZISD_KEYS

    def edit_zisd(self, current: Any, settings: list[str]) -> Any:
        """KEY=VALUE pairs into a dict; refuses an impossible address, as the engine does."""
        import ipaddress

        from imgcast.engine.errors import UsageError

        data = dict(current or {})
        for pair in settings:
            key, _, value = pair.partition("=")
            data[key] = (value == "yes") if key == "dhcp" else (value or None)
        if data.get("ip_address"):
            try:
                ipaddress.IPv4Address(data["ip_address"])
            except ValueError:
                raise UsageError(f"ip_address: {data['ip_address']!r} is not an IPv4 address") from None
        return data

    def write_zisd(self, disk: str, data: Any) -> None:
        self.zisd[disk] = data


@dataclass
class PlainSettings:
    """The fields of the engine's SessionSettings, for tests that do not run a real session."""

    name: str
    role: str | None
    clients: int | None = None
    timeout_minutes: float | None = None
    source: str | None = None
    target: str | None = None
    interface: str = "0.0.0.0"
    port: int = 9231
    ttl: int = 1
    rate: float | None = None
    confirmed: bool = False
    passphrase: bytes | None = None
    slow_clients: str = "catch-up"
    late_join: bool = True


class ScriptedRunner:
    """Stands in for SessionRunner in the page-level tests: the test plays the engine's events.

    The end-to-end tests use the real runner; this one proves the pages react to each event
    and turn each button into exactly one runner call."""

    instances: list[ScriptedRunner] = []

    def __init__(self, settings: Any, on_event) -> None:
        self.settings = settings
        self.on_event = on_event
        self.calls: list[str] = []
        self.result: asyncio.Future | None = None
        ScriptedRunner.instances.append(self)

    async def run(self) -> ev.Event:
        self.result = asyncio.get_running_loop().create_future()
        return await self.result

    def emit(self, event: ev.Event) -> None:
        self.on_event(event)

    def finish(self, final: ev.Event) -> None:
        assert self.result is not None
        self.result.set_result(final)

    def start_now(self) -> None:
        self.calls.append("start_now")

    def become_master(self) -> None:
        self.calls.append("become_master")

    def cancel(self) -> None:
        self.calls.append("cancel")
        if self.result is not None and not self.result.done():
            self.result.set_result(ev.SessionFailed("cancelled by the operator"))


def peer(n: int, size: int | None = 8 << 20) -> ev.Peer:
    return ev.Peer(f"{n:016x}", f"pc-{n:02d}", f"127.0.0.{n}", size)
