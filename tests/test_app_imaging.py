"""Saving and putting down image files through the wizard, with the engine's real make/restore
on raw disk files in tmp_path: a round trip gives the same disk, Cancel stops both directions and
says what is left, and a disk target is confirmed by name."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from imgcast.app import dialogs
from imgcast.app.imaging_controller import ImagingFailed
from imgcast.app.window import MainWindow
from imgcast.engine.image import local
from imgcast.engine.image.events import ImageMade, ImageRestored
from imgcast.engine.zisd import read_zisd
from PySide6.QtCore import Qt
from test_app_support import FakeInventory, qloop, settings_dir  # noqa: F401
from test_image_roundtrip import mbr_disk, sha_beside_safe_area

WAIT_MS = 30_000


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Every confirmation question; answered yes unless a test says otherwise."""
    questions: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: questions.append(text) or True)
    return questions


@pytest.fixture
def window(qtbot, qloop, asked):  # noqa: F811
    win = MainWindow(inventory=FakeInventory())
    qtbot.addWidget(win)
    win.show()
    return win


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def save_through_wizard(window, qtbot, disk: Path, image: Path) -> None:
    click(qtbot, window.start_page.buttons["make"])
    page = window.pages["make"]
    assert window.current_name() == "make" and not window.next_button.isEnabled()
    qtbot.keyClicks(page.source.path_edit, str(disk))
    qtbot.keyClicks(page.file.edit, str(image))
    assert window.next_button.isEnabled()
    click(qtbot, window.next_button)


def put_down_through_wizard(window, qtbot, image: Path, target: Path) -> None:
    click(qtbot, window.start_page.buttons["restore"])
    page = window.pages["restore"]
    qtbot.keyClicks(page.file.edit, str(image))
    qtbot.keyClicks(page.target.path_edit, str(target))
    click(qtbot, window.next_button)


def wait_for_result(window, qtbot) -> object:
    qtbot.waitUntil(lambda: not window.imaging.running and window.imaging.final is not None, timeout=WAIT_MS)
    return window.imaging.final


def facts(page) -> dict[str, str]:
    form = page.facts
    return {form.itemAt(row, form.ItemRole.LabelRole).widget().text():
            form.itemAt(row, form.ItemRole.FieldRole).widget().text() for row in range(form.rowCount())}


def random_disk(path: Path, size: int) -> Path:
    path.write_bytes(random.randbytes(size))
    return path


def test_save_then_put_down_through_the_wizard_gives_the_same_disk(window, qtbot, tmp_path, asked):
    disk = mbr_disk(tmp_path)
    image = tmp_path / "saved.imgcast"
    save_through_wizard(window, qtbot, disk, image)
    assert window.current_name() == "imaging"
    made = wait_for_result(window, qtbot)
    assert isinstance(made, ImageMade), made
    assert image.is_file() and not Path(str(image) + ".partial").exists()
    page = window.imaging_page
    assert page.status.text() == "The image file is saved"
    assert facts(page)["SHA-256:"] == made.sha256 and str(image) in page.intro_label.text()
    assert page.bar.value() == page.bar.maximum()
    assert any("partition 1" in page.log.item(i).text() for i in range(page.log.count()))
    click(qtbot, page.done_button)
    assert window.current_name() == "start"

    target = tmp_path / "target.raw"
    put_down_through_wizard(window, qtbot, image, target)
    about = window.pages["restore"].about.text()  # read from the image's header before writing
    assert about.startswith("Image of a disk of 48.0 MiB (MBR, 2 partitions)") and disk.name in about, about
    restored = wait_for_result(window, qtbot)
    assert isinstance(restored, ImageRestored), restored
    assert asked == []  # a raw file is not a disk: nothing to confirm
    assert sha_beside_safe_area(target) == sha_beside_safe_area(disk)
    assert target.stat().st_size == disk.stat().st_size
    assert read_zisd(str(target)).last_base_image.name == image.name  # the engine kept its record
    assert "verified" in window.imaging_page.status.text()
    assert facts(window.imaging_page)["SHA-256:"] == made.sha256


def test_cancel_while_saving_leaves_no_image_file(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(local, "PROGRESS_EVERY", 0.0)  # report every piece, so Cancel lands at once
    disk = random_disk(tmp_path / "disk.raw", 64 << 20)
    image = tmp_path / "cancelled.imgcast"
    save_through_wizard(window, qtbot, disk, image)
    click(qtbot, window.imaging_page.cancel_button)
    final = wait_for_result(window, qtbot)
    assert isinstance(final, ImagingFailed) and final.cancelled, final
    assert list(tmp_path.iterdir()) == [disk]  # neither the image nor its .partial
    page = window.imaging_page
    assert page.status.text() == "Cancelled" and facts(page)["Result:"] == "No image file was written."
    assert page.done_button.isVisible() and not page.cancel_button.isVisible()


def test_cancel_while_putting_down_says_the_target_is_incomplete(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(local, "PROGRESS_EVERY", 0.0)
    disk = random_disk(tmp_path / "disk.raw", 64 << 20)
    image = tmp_path / "whole.imgcast"
    local.make_image(str(image), str(disk))
    target = tmp_path / "target.raw"
    put_down_through_wizard(window, qtbot, image, target)
    click(qtbot, window.imaging_page.cancel_button)
    final = wait_for_result(window, qtbot)
    assert isinstance(final, ImagingFailed) and final.cancelled, final
    assert "incomplete" in facts(window.imaging_page)["Result:"]
    assert str(target) in facts(window.imaging_page)["Result:"]
    assert not target.exists() or sha_beside_safe_area(target) != sha_beside_safe_area(disk)


def test_a_file_that_is_not_an_image_fails_on_the_result_and_writes_nothing(window, qtbot, tmp_path):
    not_an_image = random_disk(tmp_path / "holiday.imgcast", 1 << 20)
    target = tmp_path / "target.raw"
    put_down_through_wizard(window, qtbot, not_an_image, target)
    final = wait_for_result(window, qtbot)
    assert isinstance(final, ImagingFailed) and not final.cancelled and not final.usage, final
    page = window.imaging_page
    assert page.status.text() == "Putting the image down failed"
    assert "not an .imgcast image" in facts(page)["Why:"]
    assert "may be incomplete" in facts(page)["Result:"]
    assert not target.exists()


def test_a_refused_name_goes_back_to_the_page_with_the_engines_reason(window, qtbot, tmp_path):
    disk = random_disk(tmp_path / "disk.raw", 1 << 20)
    save_through_wizard(window, qtbot, disk, tmp_path / "no-suffix.img")
    wait_for_result(window, qtbot)
    qtbot.waitUntil(lambda: window.current_name() == "make", timeout=WAIT_MS)
    page = window.pages["make"]
    assert "image files end in .imgcast" in page.error_label.text() and page.error_label.isVisible()
    assert not (tmp_path / "no-suffix.img").exists()


def test_an_existing_image_is_replaced_only_when_the_operator_agrees(window, qtbot, tmp_path, asked, monkeypatch):
    disk = random_disk(tmp_path / "disk.raw", 1 << 20)
    image = tmp_path / "old.imgcast"
    image.write_bytes(b"an older image")
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    save_through_wizard(window, qtbot, disk, image)
    assert window.current_name() == "make" and len(asked) == 1 and str(image) in asked[0]
    assert image.read_bytes() == b"an older image"
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or True)
    click(qtbot, window.next_button)
    assert isinstance(wait_for_result(window, qtbot), ImageMade)
    assert image.read_bytes() != b"an older image"


def test_putting_down_on_a_disk_asks_naming_it_and_mounted_or_system_disks_cannot_be_chosen(
        window, qtbot, tmp_path, asked, monkeypatch):
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    click(qtbot, window.start_page.buttons["restore"])
    page = window.pages["restore"]
    not_an_image = tmp_path / "some.imgcast"
    not_an_image.write_bytes(b"x" * 4096)
    qtbot.keyClicks(page.file.edit, str(not_an_image))
    assert page.about.text().startswith("Not an image imgcast can put down")
    tree = page.target.tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    for device in ("/dev/sda", "/dev/sdc"):  # the system disk, a mounted disk
        click_at = tree.visualItemRect(rows[device]).center()
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
        assert page.target.selected_disk() is None and not window.next_button.isEnabled()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(rows["/dev/sdb"]).center())
    assert window.next_button.isEnabled()
    click(qtbot, window.next_button)  # answered No
    assert len(asked) == 1 and "/dev/sdb" in asked[0] and "Spare SSD" in asked[0]
    assert window.current_name() == "restore" and window.imaging.task is None


def test_kiosk_goes_back_to_the_start_page_after_saving(qtbot, qloop, tmp_path, asked):  # noqa: F811
    from PySide6.QtCore import QSettings

    QSettings().setValue("kiosk/return_seconds", 0.5)
    win = MainWindow(kiosk=True, inventory=FakeInventory())
    win.exit_allowed = True
    qtbot.addWidget(win)
    win.show()
    save_through_wizard(win, qtbot, random_disk(tmp_path / "disk.raw", 1 << 20), tmp_path / "k.imgcast")
    assert isinstance(wait_for_result(win, qtbot), ImageMade)
    assert "Back to the start page in 0:0" in win.imaging_page.kiosk_note.text()
    qtbot.waitUntil(lambda: win.current_name() == "start", timeout=WAIT_MS)
    assert (tmp_path / "k.imgcast").is_file()


def test_a_put_down_on_a_larger_disk_says_its_table_was_fitted(window, qtbot, tmp_path, asked):
    from imgcast.engine.image.local import make_image
    from test_image_roundtrip import gpt_disk

    image = make_image(str(tmp_path / "gpt.imgcast"), str(gpt_disk(tmp_path))).path  # a 48 MiB disk
    target = tmp_path / "larger.raw"
    target.write_bytes(bytes(80 << 20))
    put_down_through_wizard(window, qtbot, Path(image), target)
    assert isinstance(wait_for_result(window, qtbot), ImageRestored)
    assert "fitted" in facts(window.imaging_page)["Note:"], facts(window.imaging_page)
