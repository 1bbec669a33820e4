"""Whole sessions driven through the wizard against real engine participants on loopback.

Every participant runs in this process on the qasync loop: the wizard's runner and the engine
runners it talks to. Multicast interface 127.0.0.1, TTL 1, small raw files in tmp_path; every
wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from imgcast.app import dialogs
from imgcast.app.window import MainWindow
from imgcast.engine import events as ev
from PySide6.QtCore import Qt
from test_app_support import FakeInventory, qloop, settings_dir, show_active  # noqa: F401

session = pytest.importorskip("imgcast.engine.session", reason="the session runner has not landed yet")

SESSION_MS = 60_000
IMAGE_SIZE = 6 << 20


@pytest.fixture
def window(qtbot, qloop, monkeypatch):  # noqa: F811
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    win = MainWindow(inventory=FakeInventory())
    qtbot.addWidget(win)
    show_active(qtbot, win)
    return win


@pytest.fixture
def port() -> int:
    return random.randint(20000, 60000)


@pytest.fixture
def name() -> str:
    """A name of its own, so concurrent test runs on this machine never share a group."""
    return f"wizard-test-{os.getpid()}-{random.randrange(1 << 30)}"


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "source.raw"
    path.write_bytes(random.randbytes(IMAGE_SIZE))
    return path


class EngineParticipant:
    """An engine SessionRunner on the test's loop, with its events and final result kept."""

    def __init__(self, **fields) -> None:
        self.events: list[ev.Event] = []
        self.runner = session.SessionRunner(session.SessionSettings(**fields), self.events.append)
        self.task = asyncio.ensure_future(self.runner.run())

    @property
    def final(self) -> ev.Event | None:
        return self.task.result() if self.task.done() and not self.task.cancelled() else None


def engine_client(name: str, port: int, target, **extra) -> EngineParticipant:
    return EngineParticipant(name=name, role="client", target=str(target), interface="127.0.0.1",
                             port=port, ttl=1, **extra)


def drive_wizard(window, qtbot, role, name, port, *, source=None, target=None, clients=None,
                 timeout=None, rate_mb=None) -> None:
    """Click through the wizard exactly as an operator would, up to the running session."""
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    window.pages["role"].radios[role].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    page = window.session_page
    qtbot.keyClicks(page.name_edit, name)
    page.interface_combo.setCurrentIndex(page.interface_combo.findData("127.0.0.1"))
    page.port_spin.setValue(port)
    if clients is not None:
        page.clients_spin.setValue(clients)
    if timeout is not None:
        page.timeout_spin.setValue(timeout)
    if rate_mb is not None:
        page.rate_check.setChecked(True)
        page.rate_spin.setValue(rate_mb)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    disk = window.disk_page
    if source is not None:
        disk.source.path_edit.setText(str(source))
    if target is not None:
        disk.target.path_edit.setText(str(target))
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.disk_page.error_label.isHidden(), window.disk_page.error_label.text()
    assert window.current_name() == "progress"


def summary_states(window) -> dict[str, str]:
    model = window.clients
    return {row.peer.client_id: row.state for row in model.rows}


def test_wizard_master_puts_an_image_on_two_engine_clients(window, qtbot, tmp_path, image, port, name):
    targets = [tmp_path / f"client{n}.raw" for n in (1, 2)]
    clients = [engine_client(name, port, t) for t in targets]
    drive_wizard(window, qtbot, "master", name, port, source=image, clients=2, timeout=1)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    final = window.controller.final
    assert isinstance(final, ev.SessionFinished), final
    assert len(final.verified) == 2 and final.all_verified
    assert "All 2 clients verified" in window.summary_page.headline.text()
    assert list(summary_states(window).values()) == ["verified", "verified"]
    qtbot.waitUntil(lambda: all(c.task.done() for c in clients), timeout=SESSION_MS)
    for client, target in zip(clients, targets, strict=True):
        assert isinstance(client.final, ev.SessionFinished), client.final
        assert target.read_bytes() == image.read_bytes()


def test_wizard_client_receives_from_an_engine_master(window, qtbot, tmp_path, image, port, name):
    master = EngineParticipant(name=name, role="master", source=str(image), clients=1, timeout_minutes=1,
                               interface="127.0.0.1", port=port, ttl=1)
    target = tmp_path / "mine.raw"
    drive_wizard(window, qtbot, "client", name, port, target=target)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFinished), window.controller.final
    assert "copy is verified" in window.summary_page.headline.text()
    assert target.read_bytes() == image.read_bytes()
    qtbot.waitUntil(lambda: master.task.done(), timeout=SESSION_MS)
    assert isinstance(master.final, ev.SessionFinished) and master.final.all_verified


def test_decide_later_the_m_key_makes_the_wizard_the_master(window, qtbot, tmp_path, image, port, name):
    other_target = tmp_path / "other.raw"
    other = EngineParticipant(name=name, role=None, source=None, target=str(other_target),
                              clients=1, timeout_minutes=1, interface="127.0.0.1", port=port, ttl=1)
    drive_wizard(window, qtbot, None, name, port, source=image, target=tmp_path / "unused.raw",
                 clients=1, timeout=1)
    progress = window.progress_page
    qtbot.waitUntil(lambda: progress.become_master_button.isVisible(), timeout=SESSION_MS)
    qtbot.keyClick(progress.cancel_button, Qt.Key.Key_M)
    assert progress.error_label.isHidden(), progress.error_label.text()
    qtbot.waitUntil(lambda: progress.role == "master", timeout=15_000)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFinished), window.controller.final
    assert window.controller.final.all_verified
    qtbot.waitUntil(lambda: other.task.done(), timeout=SESSION_MS)
    assert any(isinstance(e, ev.RoleDecided) and e.role == "client" for e in other.events)
    assert other_target.read_bytes() == image.read_bytes()
    assert not (tmp_path / "unused.raw").exists() or (tmp_path / "unused.raw").stat().st_size == 0


def test_cancel_in_the_lobby(window, qtbot, image, port, name):
    drive_wizard(window, qtbot, "master", name, port, source=image, clients=3, timeout=5)
    progress = window.progress_page
    qtbot.waitUntil(lambda: progress.start_now_button.isVisible(), timeout=SESSION_MS)
    qtbot.mouseClick(progress.start_now_button, Qt.MouseButton.LeftButton)  # nobody joined yet
    assert progress.error_label.text() == "no client has joined yet"  # the engine's words, in the window
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFailed)
    assert "Session ended without success" in window.summary_page.title()


def test_cancel_mid_transfer_leaves_the_client_told_its_target_is_incomplete(
        window, qtbot, tmp_path, image, port, name):
    master = EngineParticipant(name=name, role="master", source=str(image), clients=1, timeout_minutes=1,
                               interface="127.0.0.1", port=port, ttl=1, rate=1_000_000)
    target = tmp_path / "mine.raw"
    drive_wizard(window, qtbot, "client", name, port, target=target)
    progress = window.progress_page
    qtbot.waitUntil(lambda: progress.last_progress is not None and progress.last_progress.done > 0,
                    timeout=SESSION_MS)
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFailed)
    text = window.summary_page.headline.text()
    assert "incomplete" in text and str(target) in text
    master.runner.cancel()
    qtbot.waitUntil(lambda: master.task.done(), timeout=SESSION_MS)


def test_countdown_starts_the_session_after_a_fractional_timeout(window, qtbot, tmp_path, image, port, name):
    target = tmp_path / "client.raw"
    drive_wizard(window, qtbot, "master", name, port, source=image, clients=3, timeout=0.03)  # 1.8 s
    progress = window.progress_page
    qtbot.waitUntil(lambda: progress.start_now_button.isVisible(), timeout=SESSION_MS)
    client = engine_client(name, port, target)
    qtbot.waitUntil(lambda: progress.countdown.isVisible(), timeout=SESSION_MS)
    assert "Starting by itself in 0:0" in progress.countdown.text()
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    final = window.controller.final
    assert isinstance(final, ev.SessionFinished) and len(final.verified) == 1, final
    assert any(isinstance(e, ev.StartScheduled) and 0 < e.seconds <= 1.8 for e in master_events(window))
    qtbot.waitUntil(lambda: client.task.done(), timeout=SESSION_MS)
    assert target.read_bytes() == image.read_bytes()


def master_events(window) -> list[ev.Event]:
    return window.progress_page.seen_events


def test_cancel_at_once_before_the_engine_has_said_anything(window, qtbot, image, port, name):
    drive_wizard(window, qtbot, "master", name, port, source=image, clients=3, timeout=5)
    qtbot.mouseClick(window.progress_page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFailed)


def test_a_target_that_cannot_be_written_is_reported_in_the_window(window, qtbot, tmp_path, image, port, name):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where a folder should be")
    master = EngineParticipant(name=name, role="master", source=str(image), clients=1, timeout_minutes=0.05,
                               interface="127.0.0.1", port=port, ttl=1)
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    window.pages["role"].radios["client"].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.session_page.name_edit, name)
    window.session_page.interface_combo.setCurrentIndex(window.session_page.interface_combo.findData("127.0.0.1"))
    window.session_page.port_spin.setValue(port)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    window.disk_page.target.path_edit.setText(str(blocked / "target.raw"))
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    # Either refused before starting (on the page) or reported as the session's end: never silent.
    if window.current_name() == "disk":
        assert window.disk_page.error_label.text()
    else:
        qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
        assert isinstance(window.controller.final, ev.SessionFailed)
        assert f"{blocked / 'target.raw'}: not a directory" in window.summary_page.headline.text().lower()
    master.runner.cancel()
    qtbot.waitUntil(lambda: master.task.done(), timeout=SESSION_MS)


def test_cancel_while_undecided_claims_nothing(window, qtbot, tmp_path, image, port, name):
    drive_wizard(window, qtbot, None, name, port, source=image, target=tmp_path / "mine.raw", clients=1, timeout=1)
    progress = window.progress_page
    qtbot.waitUntil(lambda: progress.become_master_button.isVisible(), timeout=SESSION_MS)
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=SESSION_MS)
    assert isinstance(window.controller.final, ev.SessionFailed)
    assert not any(isinstance(e, ev.RoleDecided) for e in progress.seen_events)
    assert not (tmp_path / "mine.raw").exists()  # nothing was written
