"""The start page's "demo session on this computer": a real loopback session with a generated image."""

from __future__ import annotations

import pytest
from imgcast.app import dialogs
from imgcast.app.window import MainWindow
from imgcast.engine import events as ev
from PySide6.QtCore import Qt
from test_app_support import FakeInventory, qloop, settings_dir  # noqa: F401

pytest.importorskip("imgcast.engine.demo", reason="the engine's demo has not landed yet")


def test_demo_runs_a_real_session_and_the_summary_shows_every_client_verified(qtbot, qloop, tmp_path,  # noqa: F811
                                                                                monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    win = MainWindow(inventory=FakeInventory())
    qtbot.addWidget(win)
    win.show()
    win.demo_size = 4 << 20
    win.demo_workdir = str(tmp_path)
    win.demo_rate = 16_000_000  # paced like the wizard's demo, faster
    win.demo_join_seconds = 0.0  # the wizard's demo has them arrive a second apart
    win.start_page.demo_clients.setValue(2)
    qtbot.mouseClick(win.start_page.buttons["demo"], Qt.MouseButton.LeftButton)
    assert win.current_name() == "progress", win.start_page.error_label.text()
    qtbot.waitUntil(lambda: win.current_name() == "summary", timeout=60_000)
    final = win.controller.final
    assert isinstance(final, ev.SessionFinished), final
    assert len(final.verified) == 2 and final.all_verified
    assert "All 2 clients verified" in win.summary_page.headline.text()
    assert [row.state for row in win.clients.rows] == ["verified", "verified"]
    assert win.progress_page.chart.samples  # the trainer saw throughput over time
    report = win.summary_page.report()  # the session the demo really ran, not `img address demo`
    lobby = next(e for e in report["events"] if e["event"] == "lobby_opened")
    assert report["group"] == lobby["group"] and report["session"].startswith("demo-")  # the name it ran under
    copies = sorted(tmp_path.glob("client-*.raw"))
    assert len(copies) == 2
    assert all(c.read_bytes() == (tmp_path / "demo-disk.raw").read_bytes() for c in copies)


def test_the_session_page_runs_a_demo_with_its_client_count(qtbot, qloop, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    win = MainWindow(inventory=FakeInventory())
    qtbot.addWidget(win)
    win.show()
    win.demo_size, win.demo_workdir, win.demo_rate, win.demo_join_seconds = 4 << 20, str(tmp_path), None, 0.0
    qtbot.mouseClick(win.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(win.next_button, Qt.MouseButton.LeftButton)
    win.session_page.clients_spin.setValue(3)
    qtbot.mouseClick(win.session_page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.current_name() == "summary", timeout=60_000)
    final = win.controller.final
    assert isinstance(final, ev.SessionFinished) and len(final.verified) == 3 and final.all_verified


def test_the_wizards_demo_fills_the_lobby_one_client_at_a_time(qtbot, qloop, tmp_path, monkeypatch):  # noqa: F811
    """A trainer shows the lobby filling up: the demo clients arrive apart (a second by default,
    quicker here), and the page says how many have joined before the transfer starts."""
    import time

    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    win = MainWindow(inventory=FakeInventory())
    qtbot.addWidget(win)
    win.show()
    assert win.demo_join_seconds >= 0.5 and win.demo_rate and win.demo_rate <= 2_000_000
    win.demo_size, win.demo_workdir, win.demo_rate, win.demo_join_seconds = 1 << 20, str(tmp_path), None, 0.4
    joined: list[float] = []
    details: list[str] = []

    def seen(event: ev.Event) -> None:
        if isinstance(event, ev.ClientJoined):
            joined.append(time.monotonic())
            details.append(win.progress_page.detail.text())

    win.controller.event.connect(seen)
    win.start_page.demo_clients.setValue(2)
    qtbot.mouseClick(win.start_page.buttons["demo"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.current_name() == "summary", timeout=60_000)
    assert isinstance(win.controller.final, ev.SessionFinished) and win.controller.final.all_verified
    assert len(joined) == 2 and joined[1] - joined[0] >= 0.3, joined
    assert "1 of 2 clients joined" in details[0]
