"""The progress and summary pages react to each engine event and turn each button into one
runner call (scripted runner: the end-to-end tests with real sessions are in test_app_session.py)."""

from __future__ import annotations

import json

import pytest
from imgcast.app import dialogs
from imgcast.app.window import MainWindow
from imgcast.engine import events as ev
from PySide6.QtCore import QPoint, Qt
from test_app_support import (  # noqa: F401
    FakeInventory,
    PlainSettings,
    ScriptedRunner,
    peer,
    qloop,
    settings_dir,
    show_active,
)

WAIT_MS = 5000


@pytest.fixture
def window(qtbot, qloop, monkeypatch):  # noqa: F811
    # pytest-qt closes the window before fixtures end: answer "close anyway?" with yes.
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    ScriptedRunner.instances.clear()
    win = MainWindow(inventory=FakeInventory(), runner_factory=ScriptedRunner, settings_class=PlainSettings)
    qtbot.addWidget(win)
    show_active(qtbot, win)
    return win


def start(window, qtbot, tmp_path, role: str | None, timeout: float = 15.0,
          rate_mb: float | None = None, passphrase: str | None = None) -> ScriptedRunner:
    """Click through the wizard to a running session with raw files as source/target."""
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    window.pages["role"].radios[role].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    page = window.session_page
    qtbot.keyClicks(page.name_edit, "doug")
    page.timeout_spin.setValue(timeout)
    if rate_mb is not None:
        qtbot.mouseClick(page.rate_check, Qt.MouseButton.LeftButton)
        page.rate_spin.setValue(rate_mb)
    if passphrase is not None:
        qtbot.keyClicks(page.passphrase_edit, passphrase)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    disk = window.disk_page
    if role in ("master", None):
        disk.source.path_edit.setText(str(tmp_path / "source.raw"))
    if role in ("client", None):
        disk.target.path_edit.setText(str(tmp_path / "target.raw"))
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "progress"
    qtbot.waitUntil(lambda: ScriptedRunner.instances and ScriptedRunner.instances[-1].result is not None,
                    timeout=WAIT_MS)
    return ScriptedRunner.instances[-1]


def test_master_lobby_shows_clients_as_they_join_counts_down_and_starts_now(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master", timeout=0.25, rate_mb=12.5)
    settings = runner.settings
    assert (settings.name, settings.role, settings.clients, settings.timeout_minutes) == ("doug", "master", 5, 0.25)
    assert settings.rate == 12_500_000 and settings.interface == "0.0.0.0" and settings.port == 9231
    assert settings.source == str(tmp_path / "source.raw") and settings.target is None
    progress = window.progress_page
    runner.emit(ev.LobbyOpened("231.200.152.171", 9231, "ab" * 8, 8 << 20, 8 << 20))
    assert "231.200.152.171" in progress.status.text()
    assert progress.start_now_button.isVisible() and not progress.become_master_button.isVisible()
    runner.emit(ev.ClientJoined(peer(1), 1, 5))
    runner.emit(ev.ClientJoined(peer(2), 2, 5))
    assert window.clients.rowCount() == 2 and "2 of 5" in progress.detail.text()
    assert window.clients.data(window.clients.index(1, 0)) == "pc-02"
    runner.emit(ev.StartScheduled(15.0))
    qtbot.waitUntil(lambda: progress.countdown.isVisible(), timeout=WAIT_MS)
    assert "0:15" in progress.countdown.text() or "0:14" in progress.countdown.text()
    qtbot.mouseClick(progress.start_now_button, Qt.MouseButton.LeftButton)
    assert runner.calls == ["start_now"]


def test_transfer_shows_bar_rate_eta_chart_per_client_rows_then_summary(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.ClientJoined(peer(1), 1, 2))
    runner.emit(ev.ClientJoined(peer(2), 2, 2))
    runner.emit(ev.TransferStarted((peer(1), peer(2)), 8 << 20))
    assert not progress.start_now_button.isVisible() and not progress.countdown.isVisible()
    runner.emit(ev.Progress(2 << 20, 8 << 20, 1 << 20, 3, 3))
    runner.emit(ev.ClientProgress(peer(1).client_id, 4 << 20, 2, 2))
    assert progress.bar.value() == 250
    assert "2.0 MiB of 8.0 MiB" in progress.stats.text() and "1.0 MB/s" in progress.stats.text()
    assert "ETA 0:06" in progress.stats.text() and "lost 3, repaired 3" in progress.stats.text()
    assert window.clients.data(window.clients.index(0, 4)) == "50 %"
    assert window.clients.data(window.clients.index(0, 7)) == "2 / 2"
    runner.emit(ev.Progress(4 << 20, 8 << 20, 2 << 20, 3, 3))
    assert len(progress.chart.samples) == 2
    runner.emit(ev.ClientVerified(peer(1)))
    runner.emit(ev.ClientDropped(peer(2), "silent for 30 s"))
    runner.finish(ev.SessionFinished((peer(1),), (), (peer(2),), "cd" * 32, 8 << 20, 4.0))
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    summary = window.summary_page
    assert "1 verified, 0 failed, 1 dropped" in summary.headline.text()
    states = [window.clients.data(window.clients.index(r, 3)) for r in range(2)]
    assert states == ["verified", "dropped: silent for 30 s"]
    report_path = tmp_path / "report.json"
    summary.save_report(str(report_path))
    report = json.loads(report_path.read_text())
    assert report["result"]["event"] == "session_finished" and report["group"] == "231.200.152.171"
    assert [c["state"] for c in report["clients"]] == ["verified", "dropped"]
    assert [e["event"] for e in report["events"]][:3] == ["client_joined", "client_joined", "transfer_started"]
    qtbot.mouseClick(summary.done_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "start"


def test_decide_later_m_key_claims_master(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, None)
    assert runner.settings.role is None
    assert runner.settings.source and runner.settings.target
    progress = window.progress_page
    runner.emit(ev.WaitingForMaster("231.200.152.171", 9231))
    assert progress.become_master_button.isVisible()
    qtbot.keyClick(progress.cancel_button, Qt.Key.Key_M)
    assert runner.calls == ["become_master"]
    runner.emit(ev.RoleDecided("master", "00" * 8))
    runner.emit(ev.LobbyOpened("231.200.152.171", 9231, "ab" * 8, None, 8 << 20))
    assert progress.role == "master"
    assert not progress.become_master_button.isVisible() and progress.start_now_button.isVisible()
    qtbot.keyClick(progress.cancel_button, Qt.Key.Key_M)
    assert runner.calls == ["become_master"]  # M only means something while undecided


def test_cancel_in_the_lobby_ends_the_session_and_says_so(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    runner.emit(ev.LobbyOpened("231.200.152.171", 9231, "ab" * 8, 8 << 20, 8 << 20))
    qtbot.mouseClick(window.progress_page.cancel_button, Qt.MouseButton.LeftButton)
    assert runner.calls == ["cancel"]
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    assert "cancelled" in window.summary_page.headline.text()


def test_client_cancelled_mid_transfer_is_told_its_target_is_incomplete(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "client")
    progress = window.progress_page
    assert not progress.table.isVisible()
    runner.emit(ev.MasterFound("teacher", "127.0.0.1", 8 << 20, 8 << 20))
    runner.emit(ev.Joined("01" * 8))
    runner.emit(ev.TransferStarted((), 8 << 20))
    runner.emit(ev.Progress(1 << 20, 8 << 20, 1 << 20, 0, 0))
    assert progress.status.text() == "Receiving the image"
    qtbot.mouseClick(progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    text = window.summary_page.headline.text()
    assert "incomplete" in text and str(tmp_path / "target.raw") in text


def test_bad_settings_are_shown_on_the_page_that_can_fix_them(window, qtbot, tmp_path, monkeypatch):
    from imgcast.engine.errors import UsageError

    def refuse(settings, on_event):
        raise UsageError("from=/nope: no such file")

    window.controller.runner_factory = refuse
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.session_page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    window.disk_page.source.path_edit.setText("/nope")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "disk"
    assert window.disk_page.error_label.text() == "from=/nope: no such file"


@pytest.mark.parametrize("passphrase", [None, "lab secret"])
def test_the_passphrase_field_secures_the_session_and_the_pages_say_so(window, qtbot, tmp_path, passphrase):
    session_page = window.session_page
    runner = start(window, qtbot, tmp_path, "master", passphrase=passphrase)
    assert session_page.passphrase_edit.echoMode() == session_page.passphrase_edit.EchoMode.Password
    progress = window.progress_page
    if passphrase:
        assert runner.settings.passphrase == passphrase.encode()
        assert progress.lock.isVisible() and "Secured" in progress.security.text()
    else:
        assert runner.settings.passphrase is None
        assert not progress.lock.isVisible()
        assert "anyone on this network can read this image" in progress.security.text()
    runner.emit(ev.AuthenticationFailed(12))
    assert any("12 datagrams failed authentication" in progress.log.item(i).text()
               for i in range(progress.log.count()))
    runner.emit(ev.MasterIgnored("old-run", "10.0.0.9", "it does not answer this computer's join"))
    assert "Ignoring the master old-run (10.0.0.9)" in progress.status.text()
    assert any("ignoring the master old-run" in progress.log.item(i).text() for i in range(progress.log.count()))


def test_the_passphrase_is_never_remembered(window, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    start(window, qtbot, tmp_path, "master", passphrase="do not keep")
    settings = QSettings()
    assert not any("do not keep" in str(settings.value(key)) for key in settings.allKeys())


# --- slow and late clients (issue 11) ------------------------------------------------------------

SLOW_REASON = "it took 12 MB/s while the others took 95 MB/s"
DROP_REASON = "it took the image at 1.2 MB/s, below the drop:5M limit"


def to_session_page(window, qtbot, role: str | None = "master"):
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    window.pages["role"].radios[role].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    page = window.session_page
    qtbot.keyClicks(page.name_edit, "doug")
    return page


def choose(page, word: str) -> None:
    page.slow_combo.setCurrentIndex(page.slow_combo.findData(word))


def finish_session_page(window, qtbot, tmp_path) -> ScriptedRunner:
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    window.disk_page.source.path_edit.setText(str(tmp_path / "source.raw"))
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ScriptedRunner.instances and ScriptedRunner.instances[-1].result is not None,
                    timeout=WAIT_MS)
    return ScriptedRunner.instances[-1]


def test_by_default_slow_clients_catch_up_and_late_computers_may_join(window, qtbot, tmp_path):
    page = to_session_page(window, qtbot)
    assert page.slow_combo.currentText() == "Catch up (the others go on at their own pace)"
    assert page.late_join_check.isChecked() and not page.drop_rate_edit.isVisible()
    runner = finish_session_page(window, qtbot, tmp_path)
    assert (runner.settings.slow_clients, runner.settings.late_join) == ("catch-up", True)


@pytest.mark.parametrize(("choice", "rate", "words"), [("wait", None, "wait"), ("drop", "2.5M", "drop:2.5M")])
def test_the_slow_clients_choice_and_late_join_box_become_the_settings(window, qtbot, tmp_path, choice, rate, words):
    page = to_session_page(window, qtbot)
    choose(page, choice)
    if rate is not None:
        assert page.drop_rate_edit.isVisible()
        page.drop_rate_edit.clear()
        qtbot.keyClicks(page.drop_rate_edit, rate)
    # on its box: a check box as wide as its row takes clicks only on the box and the words
    qtbot.mouseClick(page.late_join_check, Qt.MouseButton.LeftButton, pos=QPoint(8, page.late_join_check.height() // 2))
    runner = finish_session_page(window, qtbot, tmp_path)
    assert (runner.settings.slow_clients, runner.settings.late_join) == (words, False)


def test_a_bad_drop_rate_is_refused_in_one_line_on_the_page(window, qtbot):
    page = to_session_page(window, qtbot)
    choose(page, "drop")
    page.drop_rate_edit.clear()
    qtbot.keyClicks(page.drop_rate_edit, "fast")
    assert page.slow_problem.isVisible()
    assert page.slow_problem.text() == "'fast' is not a rate; write e.g. 5M or 500k (bytes per second)"
    assert not window.next_button.isEnabled() and not page.leave(window.choices)
    assert window.current_name() == "session"
    page.drop_rate_edit.setText("0")
    assert "more than 0" in page.slow_problem.text()
    choose(page, "wait")  # the rate no longer matters
    assert not page.slow_problem.isVisible() and window.next_button.isEnabled()


def test_a_client_has_no_say_about_slow_clients(window, qtbot):
    page = to_session_page(window, qtbot, "client")
    assert not page.slow_combo.isEnabled() and not page.late_join_check.isEnabled()


def test_the_table_shows_catching_up_the_pass_and_each_clients_rate(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    clients = window.clients

    def row(n: int) -> list[str]:
        return [clients.data(clients.index(n - 1, column)) for column in range(clients.columnCount())]

    header = [clients.headerData(c, Qt.Orientation.Horizontal) for c in range(clients.columnCount())]
    state, rate, pass_ = header.index("State"), header.index("Rate"), header.index("Pass")
    runner.emit(ev.TransferStarted((peer(1), peer(2)), 8 << 20))
    runner.emit(ev.ClientProgress(peer(1).client_id, 4 << 20, 0, 0, rate=3 << 20))
    runner.emit(ev.ClientProgress(peer(2).client_id, 1 << 20, 0, 0, rate=1 << 19))
    assert (row(1)[state], row(1)[rate], row(1)[pass_]) == ("receiving", "3.1 MB/s", "1")
    runner.emit(ev.ClientCatchingUp(peer(2), SLOW_REASON))
    runner.emit(ev.ClientProgress(peer(2).client_id, 1 << 20, 0, 0, rate=1 << 19, pass_no=0, catching_up=True))
    assert row(2)[state] == "catching up"
    assert SLOW_REASON in clients.data(clients.index(1, state), Qt.ItemDataRole.ToolTipRole)
    assert (row(2)[rate], row(2)[pass_]) == ("524.3 kB/s", "waiting")
    runner.emit(ev.ClientJoined(peer(3), 3, None, late=True))
    assert (row(3)[state], row(3)[pass_], row(3)[-1]) == ("joined late", "waiting", "—")
    runner.emit(ev.PassStarted(2, (peer(2), peer(3)), 230))
    assert row(2)[pass_] == "2" and row(3)[pass_] == "2"
    progress = window.progress_page
    assert progress.status.text() == "Pass 2: catching up 2 clients, 230 slices"
    log = [progress.log.item(i).text() for i in range(progress.log.count())]
    assert any(f"pc-02 (127.0.0.2) is catching up ({SLOW_REASON})" in line for line in log)
    assert any("pc-03 (127.0.0.3) joined late" in line for line in log)
    assert any(line.endswith("pass 2: 2 clients (pc-02, pc-03), 230 slices") for line in log)


def test_the_summary_lists_dropped_clients_with_reasons_and_caught_up_clients_with_time(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    runner.emit(ev.TransferStarted((peer(1), peer(2), peer(3)), 8 << 20))
    runner.emit(ev.ClientCatchingUp(peer(2), SLOW_REASON))
    runner.emit(ev.ClientJoined(peer(4), 4, None, late=True))
    runner.finish(ev.SessionFinished(
        (peer(1), peer(2), peer(4)), (), (peer(3),), "cd" * 32, 8 << 20, 90.0, (DROP_REASON,),
        (ev.CaughtUp(peer(2).client_id, "pc-02", False, 2, 27.3), ev.CaughtUp(peer(4).client_id, "pc-04", True, 3, 75))))
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    facts = window.summary_page.facts
    shown = {facts.itemAt(r, facts.ItemRole.LabelRole).widget().text():
             facts.itemAt(r, facts.ItemRole.FieldRole).widget().text() for r in range(facts.rowCount())}
    assert shown["Dropped:"] == f"pc-03: {DROP_REASON}"
    assert shown["Caught up:"] == ("pc-02: caught up in pass 2, 0:27 after it fell behind\n"
                                   "pc-04: caught up in pass 3, 1:15 after it joined late")
    clients = window.clients
    states = [clients.data(clients.index(r, clients.STATE_COLUMN)) for r in range(4)]
    assert states == ["verified", "verified in pass 2", f"dropped: {DROP_REASON}", "verified in pass 3"]
    assert "caught up in pass 3, 1:15 after it joined late" in clients.data(
        clients.index(3, clients.STATE_COLUMN), Qt.ItemDataRole.ToolTipRole)


def test_a_plain_finish_lists_no_dropped_or_caught_up_clients(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    runner.finish(ev.SessionFinished((peer(1),), (), (), "cd" * 32, 8 << 20, 9.0))
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    facts = window.summary_page.facts
    labels = [facts.itemAt(r, facts.ItemRole.LabelRole).widget().text() for r in range(facts.rowCount())]
    assert "Dropped:" not in labels and "Caught up:" not in labels


def test_a_client_says_why_it_catches_up_once_per_change(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "client")
    progress = window.progress_page
    runner.emit(ev.TransferStarted((), 8 << 20))
    for _ in range(3):
        runner.emit(ev.CatchingUp(0, "too slow for the others"))
    assert progress.status.text() == "Catching up: waiting while the others finish"
    assert progress.detail.text().startswith("Too slow for the others. Nothing received is lost")
    runner.emit(ev.CatchingUp(2, "too slow for the others"))
    assert progress.status.text() == "Catching up in pass 2"
    log = [progress.log.item(i).text() for i in range(progress.log.count())]
    assert sum("catching up (too slow for the others)" in line for line in log) == 2


def test_a_stream_with_no_size_shows_a_real_bar_percentage_and_eta_from_the_disk_position(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.LobbyOpened("231.1.2.3", 9231, "ab" * 8, None, 64 << 20))
    runner.emit(ev.ClientJoined(peer(1), 1, 2))
    runner.emit(ev.TransferStarted((peer(1),), None))
    runner.emit(ev.Progress(8 << 20, None, 1_000_000, 0, 0, position=16 << 20, span=64 << 20))
    runner.emit(ev.ClientProgress(peer(1).client_id, 8 << 20, 0, 0, position=16 << 20))
    assert progress.bar.maximum() > 0 and progress.bar.value() == progress.bar.maximum() // 4
    assert "25 %" in progress.stats.text() and "64.0 MiB disk" in progress.stats.text()
    # 48 MiB of disk left at 2 disk bytes per stream byte and 1 MB/s: 0:25
    assert "ETA 0:25" in progress.stats.text()
    assert window.clients.data(window.clients.index(0, 4)) == "25 %"


def test_a_stream_with_no_size_and_no_position_keeps_the_busy_bar(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.TransferStarted((peer(1),), None))
    runner.emit(ev.Progress(22 << 20, None, 2_900_000, 0, 0))
    runner.emit(ev.ClientProgress(peer(1).client_id, 20 << 20, 0, 0))
    assert progress.bar.maximum() == 0 and "ETA" not in progress.stats.text()
    assert window.clients.data(window.clients.index(0, 4)) == "20.0 MiB"


def test_the_image_line_keeps_what_the_lobby_said_and_the_log_has_no_dangling_words(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.LobbyOpened("231.1.2.3", 9231, "ab" * 8, None, 64 << 20))
    assert "64.0 MiB" in progress.detail.text()
    runner.emit(ev.ClientJoined(peer(1), 1, 2))
    assert "64.0 MiB" in progress.detail.text() and "1 of 2" in progress.detail.text()
    runner.emit(ev.StartScheduled(30.0))
    runner.emit(ev.ClientJoined(peer(2), 2, 2))  # (the master announces no countdown for it)
    runner.emit(ev.TransferStarted((peer(1), peer(2)), None))
    assert "64.0 MiB" in progress.detail.text() and "—" not in progress.detail.text()
    assert progress.status.text() == "Sending to 2 clients"
    log = [progress.log.item(i).text() for i in range(progress.log.count())]
    assert sum("starts by itself" in line for line in log) == 1, log
    assert log[-1].endswith("transfer started to 2 clients"), log
    assert not any("client(s)" in line or line.endswith("—") for line in log), log


def test_one_client_is_one_client(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    runner.emit(ev.TransferStarted((peer(1),), 8 << 20))
    assert window.progress_page.status.text() == "Sending to 1 client"
    assert window.progress_page.log.item(window.progress_page.log.count() - 1).text().endswith(
        "transfer started to 1 client, 8.0 MiB")


def test_two_computers_with_one_name_and_address_are_told_apart_by_their_client_id(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    twin_a = ev.Peer("a17f03c2", "vm", "127.0.0.1", None)
    twin_b = ev.Peer("5be0aa11", "vm", "127.0.0.1", None)
    other = ev.Peer("77777777", "lab-3", "127.0.0.1", None)
    runner.emit(ev.ClientJoined(twin_a, 1, None))
    assert window.clients.data(window.clients.index(0, 0)) == "vm"  # only when needed
    runner.emit(ev.ClientJoined(twin_b, 2, None))
    runner.emit(ev.ClientJoined(other, 3, None))
    names = [window.clients.data(window.clients.index(i, 0)) for i in range(3)]
    assert names == ["vm (a17f)", "vm (5be0)", "lab-3"]
    assert window.clients.data(window.clients.index(0, 2)) == "a file"


def newest_log_line_shown(log) -> bool:
    last = log.item(log.count() - 1)
    return log.viewport().rect().contains(log.visualItemRect(last))


def test_the_log_follows_its_newest_line_when_the_chart_takes_its_room_and_for_demo_participants(window, qtbot,
                                                                                                  tmp_path):
    """In the lobby the log has room for everything; the bar, stats and chart that appear with
    the transfer take some of it, after the line that said so was added."""
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.LobbyOpened("231.1.2.3", 9231, "ab" * 8, 8 << 20, 8 << 20))
    for n in range(1, 4):
        window.controller.demo_event.emit(f"client-{n}", ev.MasterFound("demo-master", "127.0.0.1", 8 << 20, 8 << 20))
        runner.emit(ev.ClientJoined(peer(n), n, 3))
    qtbot.wait(50)
    runner.emit(ev.TransferStarted((peer(1), peer(2), peer(3)), 8 << 20))
    qtbot.waitUntil(lambda: newest_log_line_shown(progress.log), timeout=WAIT_MS)
    for n in range(1, 4):
        window.controller.demo_event.emit(f"client-{n}", ev.TargetVerified("ab" * 32, 8 << 20))
    qtbot.waitUntil(lambda: newest_log_line_shown(progress.log), timeout=WAIT_MS)
    assert progress.log.item(progress.log.count() - 1).text().endswith("client-3: the copy here is verified, "
                                                                      "SHA-256 " + "ab" * 32)


def test_the_log_stays_where_the_operator_scrolled_up_to_read(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    log = window.progress_page.log
    for n in range(1, 31):
        runner.emit(ev.ClientJoined(peer(n), n, 30))
    qtbot.waitUntil(lambda: log.verticalScrollBar().maximum() > 0 and newest_log_line_shown(log), timeout=WAIT_MS)
    log.verticalScrollBar().setValue(0)
    runner.emit(ev.ClientLeft(peer(1), "switched off"))
    qtbot.wait(50)
    assert log.verticalScrollBar().value() == 0 and not newest_log_line_shown(log)
    log.verticalScrollBar().setValue(log.verticalScrollBar().maximum())  # back down: it follows again
    runner.emit(ev.ClientLeft(peer(2), "switched off"))
    qtbot.waitUntil(lambda: newest_log_line_shown(log), timeout=WAIT_MS)


def test_a_stream_whose_size_becomes_known_at_its_end_keeps_the_disk_position_in_the_same_words(window, qtbot,
                                                                                                 tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.TransferStarted((peer(1),), None))
    runner.emit(ev.Progress(8 << 20, None, 1_000_000, 0, 0, position=21 << 20, span=32 << 20))
    assert "8.0 MiB sent, 66 % of the 32.0 MiB disk" in progress.stats.text()
    runner.emit(ev.Progress(14 << 20, 15 << 20, 1_000_000, 0, 0, position=31 << 20, span=32 << 20))
    assert "14.0 MiB sent, 97 % of the 32.0 MiB disk" in progress.stats.text(), progress.stats.text()
    assert progress.bar.value() == int(1000 * 31 / 32)


def test_the_report_names_the_session_the_engine_announced_and_times_every_event(window, qtbot, tmp_path):
    """An audit record: the group the session really ran on (the demo's is not the one its
    choices name), each event with when the wizard got it, the session's start and end, the
    computer and the imgcast version."""
    import datetime
    import socket

    from imgcast.engine import imgcast_version

    runner = start(window, qtbot, tmp_path, "master")
    runner.emit(ev.LobbyOpened("231.7.7.7", 9231, "ab" * 8, 8 << 20, 8 << 20))
    runner.emit(ev.ClientJoined(peer(1), 1, 1))
    runner.emit(ev.TransferStarted((peer(1),), 8 << 20))
    runner.emit(ev.ClientVerified(peer(1)))
    runner.finish(ev.SessionFinished((peer(1),), (), (), "cd" * 32, 8 << 20, 4.0))
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    report = window.summary_page.report()
    assert report["group"] == "231.7.7.7" and report["session_id"] == "ab" * 8 and report["port"] == 9231
    assert report["session"] is None  # "doug" is on another group: the wizard was not told this one's name
    assert report["host"] == socket.gethostname() and report["imgcast_version"] == imgcast_version()
    assert report["role"] == "master" and report["result"]["event"] == "session_finished"

    def when(text: str) -> datetime.datetime:
        moment = datetime.datetime.fromisoformat(text)
        assert moment.tzinfo is not None, text
        return moment

    times = [when(e["time"]) for e in report["events"]]
    assert [e["event"] for e in report["events"]] == ["lobby_opened", "client_joined", "transfer_started",
                                                       "client_verified"]
    assert when(report["started"]) <= times[0] and times == sorted(times) and times[-1] <= when(report["ended"])
    json.dumps(report)


def test_the_report_keeps_the_chosen_name_when_it_is_the_announced_groups_and_a_client_takes_its_group(
        window, qtbot, tmp_path):
    from imgcast.engine.naming import session_address

    runner = start(window, qtbot, tmp_path, "client")
    runner.emit(ev.WaitingForMaster(session_address("doug").group, 9231))
    runner.emit(ev.MasterFound("lab-master", "10.0.0.1", 8 << 20, 8 << 20))
    runner.finish(ev.SessionFinished((), (), (), "cd" * 32, 8 << 20, 4.0))
    qtbot.waitUntil(lambda: window.current_name() == "summary", timeout=WAIT_MS)
    report = window.summary_page.report()
    assert report["session"] == "doug" and report["group"] == session_address("doug").group
    assert report["master"] == {"host": "lab-master", "address": "10.0.0.1"}


def test_a_catch_up_pass_shows_its_own_progress_and_a_verdict_its_notes(window, qtbot, tmp_path):
    runner = start(window, qtbot, tmp_path, "master")
    progress = window.progress_page
    runner.emit(ev.TransferStarted((peer(1), peer(2)), None))
    runner.emit(ev.PassStarted(2, (peer(2),), 160))
    runner.emit(ev.Progress(10 << 20, 40 << 20, 2_500_000, 0, 0, pass_no=2))
    assert "Pass 2: 10.0 MiB of 40.0 MiB" in progress.stats.text(), progress.stats.text()
    assert progress.bar.value() == progress.bar.maximum() // 4
    runner.emit(ev.TargetVerified("ab" * 32, 40 << 20, ("the GPT was fitted to /dev/sdb's size",)))
    log = [progress.log.item(i).text() for i in range(progress.log.count())]
    assert log[-1].endswith("note: the GPT was fitted to /dev/sdb's size"), log
