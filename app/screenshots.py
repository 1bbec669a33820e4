"""Save a PNG of every wizard page, at 1280x800, in kiosk mode and dark, to screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m imgcast.app.screenshots [OUTDIR]

The session pages are filled by replaying a short, made-up event sequence (a lobby with three
clients, a transfer at 40 % with a client catching up and one joining late, the catch-up pass,
a finished session with a dropped and two caught-up clients) through the same signal adapter a real runner
uses, so every state can be pictured without a network; the image-file pages likewise through
the imaging adapter (saving at 36 %, saved; putting down at 36 %, verified). The hardware view
shows this computer, the image-safe data form a sample record.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ..engine import events as ev
from .choices import SessionChoices
from .inventory_source import EngineInventory
from .main import make_application
from .window import MainWindow

SIZE = (1280, 800)


class ReplayRunner:
    """Plays events on request; the screenshots decide when (lobby, transfer, end)."""

    def __init__(self, settings: Any, on_event: Any) -> None:
        self.on_event = on_event
        self.done: asyncio.Future | None = None

    async def run(self) -> ev.Event:
        self.done = asyncio.get_running_loop().create_future()
        return await self.done

    def start_now(self) -> None: ...
    def become_master(self) -> None: ...
    def cancel(self) -> None: ...


class SampleImageSafeData(EngineInventory):
    """This computer's hardware, but a sample image-safe record: screenshots never read a disk."""

    def read_zisd(self, disk: str) -> Any:
        return {
            "dhcp": False, "ip_address": "10.12.0.11", "subnet_mask": "255.255.255.0",
            "gateway": "10.12.0.1", "dns_servers": ["10.12.0.2", "10.12.0.3"], "dns_suffix": "lab.example",
            "dns_host_name": "room12-pc01", "computer_name": "ROOM12-PC01", "workgroup": None,
            "domain": "LAB", "last_base_image": {"name": "win11-2026-11.imgcast", "sha256": "9c" * 32,
                                                  "time": "2026-11-20T14:03:11Z", "session_name": "room 12 win11"},
        }


class ReplaySettings(SessionChoices):
    """Screenshots need no engine session settings: the choices themselves stand in."""

    def __init__(self, **fields: Any) -> None:
        super().__init__(**{k: v for k, v in fields.items() if k in SessionChoices.__dataclass_fields__})


def pump(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def peer(n: int) -> ev.Peer:
    return ev.Peer(f"{n:016x}", f"room12-pc{n:02d}", f"10.12.0.{10 + n}", 256_060_514_304)


def shoot(window: MainWindow, out: Path, name: str) -> None:
    pump()
    window.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def shoot_imaging(window: MainWindow, out: Path, prefix: str) -> None:
    """The image-file pages, with progress and results replayed through the imaging adapter."""
    from ..engine.image.events import ImageMade, ImageRestored, PartitionMapped

    window.go("make")
    make = window.pages["make"]
    disks = [make.source.tree.topLevelItem(i) for i in range(make.source.tree.topLevelItemCount())]
    usable = [item for item in disks if item.flags() & Qt.ItemFlag.ItemIsSelectable]
    if usable:
        make.source.tree.setCurrentItem(usable[0])
    else:
        make.source.path_edit.setText("/srv/disks/room12-master.raw")
    make.file.set_path("/srv/images/win11-2026-11.imgcast")
    shoot(window, out, prefix + "10-save-image")
    imaging = window.imaging
    window.imaging_page.begin("make", "/dev/nvme0n1", "/srv/images/win11-2026-11.imgcast")
    window.go("imaging")
    for step in range(60):  # the chart's history: its samples come from report timing, which a replay lacks
        window.imaging_page.chart.add(380e6 + 40e6 * ((step * 7) % 5) / 5 - (120e6 if 20 < step < 26 else 0))
    total = 256_060_514_304
    for event in (PartitionMapped(1, "vfat", 104_857_600, 31_457_280, "used_blocks"),
                  PartitionMapped(2, "", 16_777_216, 0, "whole"),
                  PartitionMapped(3, "ntfs", 255_937_052_672, 38_654_705_664, "used_blocks"),
                  ev.Progress(total * 37 // 100, total, 412e6, 0, 0)):
        imaging.event.emit(event)
    shoot(window, out, prefix + "11-saving")
    imaging.finished.emit(ImageMade("/srv/images/win11-2026-11.imgcast", total, 17_394_712_311, 61_045,
                                    "9c" * 32, 611.2))
    shoot(window, out, prefix + "12-saved")
    window.go_home()
    window.go("restore")
    restore = window.pages["restore"]
    restore.file.set_path("/srv/images/win11-2026-11.imgcast")
    shoot(window, out, prefix + "13-put-down")
    window.imaging_page.begin("restore", "/srv/images/win11-2026-11.imgcast", "/dev/sdb")
    window.go("imaging")
    for step in range(40):
        window.imaging_page.chart.add(180e6 + 20e6 * ((step * 3) % 4) / 4)
    imaging.event.emit(ev.Progress(6_300_000_000, 17_394_712_311, 188e6, 0, 0))
    shoot(window, out, prefix + "14-putting-down")
    imaging.finished.emit(ImageRestored("/dev/sdb", total, 17_394_712_311, 70_866_960_384, 185_193_553_920,
                                        "9c" * 32, 402.7))
    shoot(window, out, prefix + "15-put-down-verified")
    window.go_home()


def capture(out: Path, kiosk: bool, prefix: str) -> MainWindow:
    from .event_loop import WizardEventLoop as AsyncLoop

    app = QApplication.instance()
    loop = AsyncLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    window = MainWindow(kiosk=kiosk, inventory=SampleImageSafeData(), runner_factory=ReplayRunner,
                        settings_class=ReplaySettings)
    window.exit_allowed = True
    window.resize(*SIZE)
    window.setFixedSize(*SIZE)  # a kiosk is full screen; offscreen, full screen is this size
    window.show()
    shoot(window, out, prefix + "1-start")
    window.go("role")
    shoot(window, out, prefix + "2-role")
    window.pages["role"].leave(window.choices)
    window.go("session")
    window.session_page.name_edit.setText("Room 12 Win11")
    window.session_page.explain_button.setChecked(True)
    window.session_page.slow_combo.setCurrentIndex(window.session_page.slow_combo.findData("drop"))
    shoot(window, out, prefix + "3-session")
    window.session_page.leave(window.choices)
    window.go("disk")
    window.disk_page.source.path_edit.setText("/srv/images/win11-2026-11.imgcast")
    shoot(window, out, prefix + "4-source")
    window.next()
    runner: ReplayRunner = window.controller.runner
    pump()
    for event in (ev.LobbyOpened("231.106.199.225", 9231, "1f2e3d4c5b6a7988", 21_474_836_480, 256_060_514_304),
                  ev.ClientJoined(peer(1), 1, 5), ev.ClientJoined(peer(2), 2, 5),
                  ev.ClientJoined(peer(3), 3, 5), ev.StartScheduled(900)):
        runner.on_event(event)
    shoot(window, out, prefix + "5-lobby")
    clients = (peer(1), peer(2), peer(3))
    runner.on_event(ev.TransferStarted(clients, 21_474_836_480))
    for step in range(1, 41):
        rate = 95e6 + 10e6 * ((step * 7) % 5) / 5
        runner.on_event(ev.Progress(step * 214_748_364, 21_474_836_480, rate, step // 4, step // 4))
    # pc02 is too slow for the others and catches up; pc04 arrives late; pc03 crawls (drop:5M).
    runner.on_event(ev.ClientCatchingUp(peer(2), "it took 11.2 MB/s while the others took 98.4 MB/s"))
    runner.on_event(ev.ClientJoined(peer(4), 4, 5, late=True))
    for n, done, rate, pass_no in ((1, 8_589_934_592, 98.4e6, 1), (2, 2_400_000_000, 11.2e6, 0),
                                   (3, 1_100_000_000, 1.3e6, 1), (4, 0, 0.0, 0)):
        runner.on_event(ev.ClientProgress(peer(n).client_id, done, n * 3, n * 3, rate=rate, pass_no=pass_no,
                                          catching_up=pass_no == 0))
    shoot(window, out, prefix + "6-transfer")
    runner.on_event(ev.ClientVerified(peer(1)))
    drop_reason = "it took the image at 1.2 MB/s, below the drop:5M limit"
    runner.on_event(ev.ClientDropped(peer(3), drop_reason))
    runner.on_event(ev.PassStarted(2, (peer(2), peer(4)), 2_930))
    for n, done, rate in ((2, 14_100_000_000, 23.5e6), (4, 5_300_000_000, 61.0e6)):
        runner.on_event(ev.ClientProgress(peer(n).client_id, done, 2, 2, rate=rate, pass_no=2, catching_up=True))
    # the master's bar in a catch-up pass counts that pass: 2,930 slices of 128 x 1,472 bytes
    runner.on_event(ev.Progress(201_000_000, 552_099_840, 23.5e6, 2, 2, pass_no=2))
    shoot(window, out, prefix + "6b-catch-up-pass")
    runner.on_event(ev.ClientVerified(peer(2)))
    runner.on_event(ev.ClientVerified(peer(4)))
    runner.done.set_result(ev.SessionFinished(
        (peer(1), peer(2), peer(4)), (), (peer(3),), "9c" * 32, 21_474_836_480, 612.9, (drop_reason,),
        (ev.CaughtUp(peer(2).client_id, peer(2).host, False, 2, 391.5),
         ev.CaughtUp(peer(4).client_id, peer(4).host, True, 2, 402.7))))
    pump(300)
    shoot(window, out, prefix + "7-summary")
    window.go_home()
    window.go("inventory")
    shoot(window, out, prefix + "8-hardware")
    window.go("zisd")
    shoot(window, out, prefix + "9-image-safe-data")
    window.go_home()
    shoot_imaging(window, out, prefix)
    window.close()
    asyncio.events._set_running_loop(None)
    return window


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    windows = []  # kept until the end: PySide6 can crash if they are collected mid-run
    # Settings go to a throwaway folder: taking pictures must not change the operator's wizard.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="imgcast-screenshots-"))
    for kiosk, scheme, prefix in ((False, "light", ""), (True, "light", "kiosk-"), (False, "dark", "dark-")):
        app = make_application(kiosk, scheme)
        if not kiosk:
            font = app.font()
            font.setPointSize(10)
            app.setFont(font)
        windows.append(capture(out, kiosk, prefix))
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 6.12 can abort while collecting Qt objects


if __name__ == "__main__":
    sys.exit(main())
