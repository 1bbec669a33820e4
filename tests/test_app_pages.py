"""The wizard's pages before a session starts: the name preview, Next gating, disk choice and
confirmation, interfaces, and the info views over a faked computer."""

from __future__ import annotations

import json

import pytest
from imgcast.app import dialogs
from imgcast.app.window import MainWindow
from imgcast.engine.cli.main import main as img_main
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_app_support import (  # noqa: F401
    FakeDisk,
    FakeInventory,
    PlainSettings,
    ScriptedRunner,
    qloop,
    settings_dir,
)


@pytest.fixture
def window(qtbot, qloop, monkeypatch):  # noqa: F811
    # pytest-qt closes the window before fixtures end: answer "close anyway?" with yes.
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: True)
    win = MainWindow(inventory=FakeInventory(), runner_factory=ScriptedRunner, settings_class=PlainSettings)
    qtbot.addWidget(win)
    win.show()
    return win


def img_address(capsys, name: str) -> str:
    assert img_main(["address", name]) == 0
    return capsys.readouterr().out.strip()


def type_text(qtbot, edit, text: str) -> None:
    """Type like a person; QTest can only synthesise ASCII keys, so other characters are inserted."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(edit, char)
        else:
            edit.insert(char)


def to_session_page(window, qtbot, role_key: str = "master"):
    qtbot.mouseClick(window.start_page.buttons["session"], Qt.MouseButton.LeftButton)
    window.pages["role"].radios[{"master": "master", "client": "client", "later": None}[role_key]].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "session"
    return window.session_page


@pytest.mark.parametrize("name", ["doug", "mcast01", "  Room 12 / Win11 ", "Ünïcødé-ß", "x" * 64])
def test_typing_a_name_previews_exactly_what_img_address_prints(window, qtbot, capsys, name):
    page = to_session_page(window, qtbot)
    page.name_edit.clear()
    type_text(qtbot, page.name_edit, name)
    assert page.name_edit.text() == name
    assert page.preview.text() == img_address(capsys, name)
    assert window.next_button.isEnabled()


def test_the_explain_panel_shows_the_same_steps_as_img_address_explain(window, qtbot, capsys):
    page = to_session_page(window, qtbot)
    qtbot.keyClicks(page.name_edit, "Doug")
    qtbot.mouseClick(page.explain_button, Qt.MouseButton.LeftButton)
    assert page.explain_tree.isVisible()
    shown = [(page.explain_tree.topLevelItem(i).text(0), page.explain_tree.topLevelItem(i).text(1))
             for i in range(page.explain_tree.topLevelItemCount())]
    assert img_main(["address", "Doug", "--explain"]) == 0
    printed = [line.split("  ", 1) for line in capsys.readouterr().out.splitlines()]
    assert [(label.strip(), value.strip()) for label, value in printed] == shown


@pytest.mark.parametrize("name", ["", "   ", "y" * 65])
def test_invalid_names_block_next_and_say_why(window, qtbot, name):
    page = to_session_page(window, qtbot)
    qtbot.keyClicks(page.name_edit, "ok")
    assert window.next_button.isEnabled()
    page.name_edit.setText(name)
    assert not window.next_button.isEnabled()
    assert page.preview.text() == "—"
    if name:
        assert page.name_problem.text()  # an inline reason, from the engine's check_name
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "session"


def test_session_defaults_are_zenworks_and_interfaces_come_from_the_engine(window, qtbot):
    page = to_session_page(window, qtbot)
    assert page.clients_spin.value() == 5
    assert page.timeout_spin.value() == 15
    assert "clients=N" in page.clients_spin.toolTip() and "t=MINUTES" in page.timeout_spin.toolTip()
    addresses = [page.interface_combo.itemData(i) for i in range(page.interface_combo.count())]
    assert addresses == ["0.0.0.0", "127.0.0.1", "10.9.8.7"]


def test_mounted_and_system_disks_are_shown_but_cannot_be_chosen(window, qtbot):
    page = to_session_page(window, qtbot, "client")
    qtbot.keyClicks(page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    disk_page = window.disk_page
    tree = disk_page.target.tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    assert set(rows) == {"/dev/sda", "/dev/sdb", "/dev/sdc"}
    assert "mounted" in rows["/dev/sdc"].text(4) and "system" in rows["/dev/sda"].text(4)
    for device in ("/dev/sda", "/dev/sdc"):
        rect = tree.visualItemRect(rows[device])
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        tree.setCurrentItem(rows[device])
        assert disk_page.target.selected_disk() is None
        assert not window.next_button.isEnabled()
    rect = tree.visualItemRect(rows["/dev/sdb"])
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert disk_page.target.selected_disk().device == "/dev/sdb"
    assert window.next_button.isEnabled()


@pytest.mark.parametrize("role", ["client", "master", "later"])
def test_this_computers_only_eligible_disk_is_preselected_and_writing_it_still_asks(
        window, qtbot, monkeypatch, role):
    monkeypatch.delenv("IMGCAST_DISKS")  # the fake inventory's disks only: nothing real
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    page = to_session_page(window, qtbot, role)
    qtbot.keyClicks(page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    disk_page = window.disk_page
    shown = [c for c in (disk_page.source, disk_page.target) if not c.isHidden()]
    assert shown
    for chooser in shown:
        assert chooser.disk_radio.isChecked() and chooser.choice() == ("/dev/sdb", True)
        assert chooser.hint.isVisibleTo(window)
    assert window.next_button.isEnabled()
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    if role == "master":
        assert asked == []  # sending only reads the disk
    else:
        assert len(asked) == 1 and "/dev/sdb" in asked[0]


def test_with_several_eligible_disks_none_is_preselected(window, qtbot, monkeypatch):
    monkeypatch.delenv("IMGCAST_DISKS")
    window.disk_page.inventory.disks.append(FakeDisk("/dev/sdd", "Second SSD", 128 << 30))
    page = to_session_page(window, qtbot, "client")
    qtbot.keyClicks(page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    target = window.disk_page.target
    assert target.choice() == (None, False) and not target.hint.isVisibleTo(window)
    assert not window.next_button.isEnabled()


def test_when_no_disk_can_be_used_the_disk_choice_is_off_and_the_page_says_why(window, qtbot, monkeypatch):
    monkeypatch.delenv("IMGCAST_DISKS")
    inventory = window.disk_page.inventory
    inventory.disks = [d for d in inventory.disks if d.unusable_reason]  # the system disk and a mounted one
    page = to_session_page(window, qtbot, "master")
    qtbot.keyClicks(page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    source = window.disk_page.source
    assert not source.disk_radio.isEnabled() and source.file_radio.isChecked()
    assert source.hint.isVisibleTo(window) and "No disk of this computer can be used" in source.hint.text()
    tree = source.tree
    reasons = [tree.topLevelItem(i).text(4) for i in range(tree.topLevelItemCount())]
    assert reasons == ["no: mounted at /media/stick", "no: the running system lives on it"]
    size_text = tree.topLevelItem(0).text(2)
    assert tree.columnWidth(2) > tree.fontMetrics().horizontalAdvance(size_text) + 8  # room to breathe


def test_writing_a_disk_asks_naming_the_disk_and_no_keeps_the_wizard_there(window, qtbot, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    page = to_session_page(window, qtbot, "client")
    qtbot.keyClicks(page.name_edit, "doug")
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    tree = window.disk_page.target.tree
    sdb = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == "/dev/sdb")
    tree.setCurrentItem(sdb)
    runners_before = len(ScriptedRunner.instances)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "/dev/sdb" in asked[0] and "Spare SSD" in asked[0]
    assert window.current_name() == "disk"
    assert len(ScriptedRunner.instances) == runners_before  # no session was started


def test_info_view_renders_a_faked_inventory_copies_and_saves_it(window, qtbot, tmp_path):
    qtbot.mouseClick(window.start_page.buttons["inventory"], Qt.MouseButton.LeftButton)
    page = window.pages["inventory"]
    top = {page.tree.topLevelItem(i).text(0): page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())}
    assert set(top) == {"Computer", "Disks", "Interfaces"}
    disks = [top["Disks"].child(i).text(0) for i in range(top["Disks"].childCount())]
    assert disks == ["/dev/sdb", "/dev/sdc", "/dev/sda"]
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert json.loads(QApplication.clipboard().text())["computer"]["host_name"] == "bench-07"
    target = tmp_path / "inv.json"
    page.save_json(str(target))
    assert json.loads(target.read_text())["interfaces"][1]["address"] == "10.9.8.7"
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current_name() == "start"


def test_info_view_words_the_inventory_as_img_info_does(window, qtbot, monkeypatch):
    from test_app_support import FakeInventoryData

    data = {"system": {"boot_mode": "legacy", "hostname": "vm"}, "cpu": {"frequency_mhz": 2596.2},
            "disks": [{"device": "/dev/vda", "system": True, "unusable_reason": "holds the running system (/)"},
                      {"device": "/dev/vdb", "system": False, "unusable_reason": None}]}
    monkeypatch.setattr(window.inventory, "collect_inventory", lambda: FakeInventoryData(data))
    qtbot.mouseClick(window.start_page.buttons["inventory"], Qt.MouseButton.LeftButton)
    tree = window.pages["inventory"].tree
    rows: dict[str, str] = {}

    def walk(item, path: str) -> None:
        for i in range(item.childCount()):
            child = item.child(i)
            rows[f"{path}/{child.text(0)}"] = child.text(1)
            walk(child, f"{path}/{child.text(0)}")

    walk(tree.invisibleRootItem(), "")
    assert rows["/System/Boot mode"] == "legacy BIOS" and rows["/System/Host name"] == "vm"
    assert rows["/CPU/Frequency"] == "2596 MHz"
    assert rows["/Disks//dev/vda/Can be a target"] == "no: holds the running system (/)"
    assert rows["/Disks//dev/vdb/Can be a target"] == "yes"
    assert rows["/Disks//dev/vda/Holds the running system"] == "yes"
    assert not any("_" in path or "mhz" in path for path in rows), rows


def test_a_disk_whose_image_safe_data_cannot_be_read_says_so_under_the_disk(window, qtbot):
    qtbot.mouseClick(window.start_page.buttons["zisd"], Qt.MouseButton.LeftButton)
    page = window.pages["zisd"]
    page.disk_combo.setCurrentIndex(1)  # /dev/sdc: the fake says it has no room
    assert page.error_label.isVisibleTo(window)
    below_disk = page.error_label.mapTo(page, page.error_label.rect().topLeft()).y()
    assert below_disk < page.height() // 3  # at the top, by the disk, not at the page's foot


def test_zisd_view_lists_disks_and_says_when_a_disk_has_none(window, qtbot):
    qtbot.mouseClick(window.start_page.buttons["zisd"], Qt.MouseButton.LeftButton)
    page = window.pages["zisd"]
    assert page.disk_combo.count() == 3
    assert page.error_label.isHidden()
    assert "no image-safe data yet" in page.state_label.text()
    page.disk_combo.setCurrentIndex(1)  # /dev/sdc: the fake says it has no room
    assert "/dev/sdc" in page.error_label.text() and not page.error_label.isHidden()
    assert not page.write_button.isEnabled()


def test_zisd_form_validates_confirms_naming_the_disk_and_writes(window, qtbot, monkeypatch):
    asked: list[str] = []
    answer = [False]
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or answer[0])
    qtbot.mouseClick(window.start_page.buttons["zisd"], Qt.MouseButton.LeftButton)
    page = window.pages["zisd"]
    page.fields["dhcp"].setChecked(False)
    qtbot.keyClicks(page.fields["ip_address"], "10.0.300.5")
    qtbot.keyClicks(page.fields["computer_name"], "LAB-07")
    qtbot.mouseClick(page.write_button, Qt.MouseButton.LeftButton)
    assert "not an IPv4 address" in page.error_label.text() and asked == []
    page.fields["ip_address"].setText("10.0.30.5")
    qtbot.mouseClick(page.write_button, Qt.MouseButton.LeftButton)  # answered No
    assert len(asked) == 1 and "/dev/sdb" in asked[0]
    assert window.inventory.zisd["/dev/sdb"] is None
    answer[0] = True
    qtbot.mouseClick(page.write_button, Qt.MouseButton.LeftButton)
    # Only what the operator changed is sent (`img zisd set` semantics).
    assert window.inventory.zisd["/dev/sdb"] == {"dhcp": False, "ip_address": "10.0.30.5", "computer_name": "LAB-07"}
    assert page.fields["computer_name"].text() == "LAB-07"  # read back from the disk
    assert "Written to /dev/sdb" in page.state_label.text()


def test_info_views_render_this_computers_real_inventory(qtbot, qloop):  # noqa: F811
    from imgcast.app.inventory_source import EngineInventory
    from imgcast.app.pages.inventory_page import key_label

    win = MainWindow(inventory=EngineInventory())
    qtbot.addWidget(win)
    win.show()
    qtbot.mouseClick(win.start_page.buttons["inventory"], Qt.MouseButton.LeftButton)
    page = win.pages["inventory"]
    assert page.error_label.isHidden(), page.error_label.text()
    expected = win.inventory.collect_inventory().to_json()
    shown = {page.tree.topLevelItem(i).text(0): page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())}
    assert set(shown) == {key_label(key) for key in expected}
    # Each multicast interface the engine reports is a branch named by the interface, loopback included.
    interfaces = shown["Interfaces a session can use"]
    names = {interfaces.child(i).text(0) for i in range(interfaces.childCount())}
    assert "lo" in names and names == {i["name"] for i in expected["multicast_interfaces"]}, names
    assert json.loads(page.as_text()) == json.loads(json.dumps(expected, default=str))
    # The disk page lists the same disks (the image-safe data page is not opened: it would read them).
    win.go("disk")
    tree = win.disk_page.source.tree
    assert tree.topLevelItemCount() == len(win.inventory.list_disks())


def test_zisd_form_reads_validates_confirms_and_writes_a_raw_file_disk(qtbot, qloop, tmp_path, monkeypatch):  # noqa: F811
    """The form against the engine's own zisd code, on a raw file standing in for a disk."""
    from imgcast.app.inventory_source import EngineInventory
    from imgcast.engine import zisd
    from test_app_support import FakeDisk

    disk = tmp_path / "disk.raw"
    disk.write_bytes(bytes(8 << 20))

    class OneFileDisk(EngineInventory):
        def list_disks(self):
            return [FakeDisk(str(disk), "raw file", 8 << 20, table=None)]

    asked: list[str] = []
    answer = [False]
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or answer[0])
    win = MainWindow(inventory=OneFileDisk())
    qtbot.addWidget(win)
    win.show()
    win.go("zisd")
    page = win.pages["zisd"]
    assert set(page.fields) == set(zisd.EDITABLE_KEYS)  # the engine says what can be edited
    assert "no image-safe data yet" in page.state_label.text()
    qtbot.keyClicks(page.fields["ip_address"], "10.0.300.5")
    assert not page.write()
    assert "10.0.300.5" in page.error_label.text() and asked == []
    assert zisd.read_zisd(str(disk)) is None  # nothing was written
    page.fields["ip_address"].setText("10.0.30.5")
    page.fields["subnet_mask"].setText("255.255.255.0")
    qtbot.keyClicks(page.fields["computer_name"], "LAB-07")
    before = disk.read_bytes()
    assert not page.write()  # answered No
    assert len(asked) == 1 and str(disk) in asked[0]
    assert disk.read_bytes() == before
    answer[0] = True
    qtbot.mouseClick(page.write_button, Qt.MouseButton.LeftButton)
    assert page.error_label.isHidden(), page.error_label.text()
    record = zisd.read_zisd(str(disk))
    assert (record.dhcp, record.ip_address, record.computer_name) == (False, "10.0.30.5", "LAB-07")
    assert "Written to" in page.state_label.text()
    # What the form shows now is read back from the disk, in a fresh window too.
    again = MainWindow(inventory=OneFileDisk())
    qtbot.addWidget(again)
    again.go("zisd")
    fields = again.pages["zisd"].fields
    assert not fields["dhcp"].isChecked() and fields["ip_address"].text() == "10.0.30.5"
    assert fields["computer_name"].text() == "LAB-07"


def test_zisd_view_shows_the_last_base_image_the_engine_recorded(qtbot, qloop, tmp_path):  # noqa: F811
    from imgcast.app.inventory_source import EngineInventory
    from imgcast.engine import zisd
    from test_app_support import FakeDisk

    disk = tmp_path / "disk.raw"
    disk.write_bytes(bytes(8 << 20))
    zisd.record_base_image(str(disk), "win11-2026-11.imgcast", bytes(range(32)).hex(), "room 12")

    class OneFileDisk(EngineInventory):
        def list_disks(self):
            return [FakeDisk(str(disk), "raw file", 8 << 20, table=None)]

    win = MainWindow(inventory=OneFileDisk())
    qtbot.addWidget(win)
    win.go("zisd")
    page = win.pages["zisd"]
    shown = [page.last_form.itemAt(r, page.last_form.ItemRole.FieldRole).widget().text()
             for r in range(page.last_form.rowCount())]
    assert "win11-2026-11.imgcast" in shown and bytes(range(32)).hex() in shown and "room 12" in shown


@pytest.mark.parametrize("page_name", ["start", "role", "session", "disk", "progress", "summary",
                                       "inventory", "zisd", "make", "restore", "imaging"])
def test_each_page_has_distinct_mnemonics(window, qtbot, page_name):
    """Alt+letter must reach one control per page (the Back/Next bar included)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    window.choices.role = None  # the disk page then shows both choosers
    window.go(page_name)
    widgets = window.pages[page_name].findChildren(QAbstractButton) + window.pages[page_name].findChildren(QLabel)
    widgets += [window.back_button, window.next_button]
    keys: list[str] = []
    for widget in widgets:
        text = widget.text().replace("&&", "")
        if "&" in text and (not isinstance(widget, QLabel) or widget.buddy() is not None):
            keys.append(text[text.index("&") + 1].lower())
    assert keys and len(keys) == len(set(keys)), sorted(keys)


def test_the_last_session_answers_are_remembered(qtbot, qloop):  # noqa: F811
    first = MainWindow(inventory=FakeInventory(), runner_factory=ScriptedRunner, settings_class=PlainSettings)
    qtbot.addWidget(first)
    page = first.session_page
    page.name_edit.setText("room 12")
    page.clients_spin.setValue(24)
    page.timeout_spin.setValue(2.5)
    page.port_spin.setValue(9400)
    page.rate_check.setChecked(True)
    page.rate_spin.setValue(40)
    page.slow_combo.setCurrentIndex(page.slow_combo.findData("drop"))
    page.drop_rate_edit.setText("7.5M")
    page.late_join_check.setChecked(False)
    first.go("session")
    page.interface_combo.setCurrentIndex(page.interface_combo.findData("10.9.8.7"))
    assert page.leave(first.choices)
    second = MainWindow(inventory=FakeInventory(), runner_factory=ScriptedRunner, settings_class=PlainSettings)
    qtbot.addWidget(second)
    second.go("session")
    again = second.session_page
    assert (again.name_edit.text(), again.clients_spin.value(), again.timeout_spin.value()) == ("room 12", 24, 2.5)
    assert (again.port_spin.value(), again.rate_check.isChecked(), again.rate_spin.value()) == (9400, True, 40)
    assert again.interface_combo.currentData() == "10.9.8.7"
    assert (again.slow_clients(), again.late_join_check.isChecked()) == ("drop:7.5M", False)


def test_a_client_can_neither_tick_nor_edit_the_rate_limit(window, qtbot):
    page = to_session_page(window, qtbot, "master")
    qtbot.mouseClick(page.rate_check, Qt.MouseButton.LeftButton)  # ticked as a master, then...
    assert page.rate_spin.isEnabled()
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    window.pages["role"].radios["client"].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)  # ...this computer is a client
    assert not page.rate_check.isEnabled() and not page.rate_spin.isEnabled()
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    window.pages["role"].radios["master"].setChecked(True)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert page.rate_check.isChecked() and page.rate_spin.isEnabled()
