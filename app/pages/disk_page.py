"""Source / target page: the master picks a disk or an image file, a client its target disk or a
raw file. Disk facts (size, model, partitions, why a disk cannot be used) come from the engine's
inventory; mounted and system disks are listed so the operator sees them, but cannot be chosen.
Writing a disk asks once more, naming the disk.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.disk.own import only_own_disk
from .. import dialogs
from ..choices import SessionChoices
from ..inventory_source import InventorySource
from ..signals import emit
from ..units import human_size
from .base import WizardPage

DEVICE_ROLE = Qt.ItemDataRole.UserRole


def partition_summary(disk: Any) -> str:
    """'gpt, 3 partitions' — enough to recognise a disk, the details are in Hardware information."""
    parts = list(getattr(disk, "partitions", None) or [])
    table = getattr(disk, "table", None) or "no partition table"
    if not parts:
        return str(table)
    kinds = [getattr(p, "fstype", None) or (p.get("fstype") if isinstance(p, dict) else None) for p in parts]
    named = ", ".join(k for k in kinds if k)
    text = f"{table}, {len(parts)} partition{'s' if len(parts) != 1 else ''}"
    return f"{text} ({named})" if named else text


def disk_title(disk: Any) -> str:
    model = getattr(disk, "model", "") or "disk"
    return f"{disk.device} ({model}, {human_size(disk.size)})"


class DiskChooser(QGroupBox):
    """A disk list plus a file alternative; the operator ends with exactly one path."""

    changed = Signal()

    def __init__(self, title: str, disk_text: str, file_text: str, browse_text: str, saving: bool,
                 parent: QWidget | None = None, dialog_title: str = "", file_filter: str = "") -> None:
        super().__init__(title, parent)
        self.saving = saving
        self.dialog_title = dialog_title or (self.tr("Write the image to a file") if saving
                                             else self.tr("Send an image or raw file"))
        self.file_filter = file_filter or ("" if saving else self.tr("Image files (*.imgcast);;All files (*)"))
        self.disks: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        self.disk_radio = QRadioButton(disk_text)
        layout.addWidget(self.disk_radio)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels([self.tr("Disk"), self.tr("Model"), self.tr("Size"),
                                   self.tr("Partitions"), self.tr("Can be used")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemSelectionChanged.connect(self._disk_picked)
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 5)  # a few disks; more scroll
        layout.addWidget(self.tree)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setVisible(False)
        layout.addWidget(self.hint)
        self.file_radio = QRadioButton(file_text)
        layout.addWidget(self.file_radio)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("/path/to/file"))
        self.path_edit.textChanged.connect(self._file_typed)
        self.browse = QPushButton(browse_text)
        self.browse.clicked.connect(self._browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        self.disk_radio.toggled.connect(self.changed)
        self.file_radio.setChecked(True)

    def fill(self, disks: list[Any], preselect: str | None = None) -> None:
        """List `disks`; `preselect` is this computer's own disk (the engine's rule: the one disk
        not mounted, not the running system), chosen already so the operator only confirms."""
        self.tree.clear()
        self.disks = {disk.device: disk for disk in disks}
        for disk in disks:
            reason = getattr(disk, "unusable_reason", None)
            item = QTreeWidgetItem([
                disk.device, getattr(disk, "model", "") or "", human_size(disk.size),
                partition_summary(disk), self.tr("no: {0}").format(reason) if reason else self.tr("yes"),
            ])
            item.setData(0, DEVICE_ROLE, disk.device)
            if reason:
                # Shown so the operator knows why their disk is missing from the choices.
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(0, reason)
                item.setToolTip(4, reason)
            self.tree.addTopLevelItem(item)
        padding = self.tree.fontMetrics().horizontalAdvance("0") * 2  # columns that do not touch
        for column in range(5):
            self.tree.resizeColumnToContents(column)
            self.tree.setColumnWidth(column, self.tree.columnWidth(column) + padding)
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if preselect is not None and item.data(0, DEVICE_ROLE) == preselect and item.flags():
                self.tree.setCurrentItem(item)
                self.disk_radio.setChecked(True)
        usable = [d for d in disks if not getattr(d, "unusable_reason", None)]
        self.hint.setText(self.hint_text(disks, usable, preselect))
        self.hint.setVisible(bool(self.hint.text()))
        # No disks to show (or none could be listed): offer the file choice alone.
        self.tree.setVisible(bool(disks))
        self.disk_radio.setEnabled(bool(usable))
        if not usable:
            self.file_radio.setChecked(True)

    def hint_text(self, disks: list[Any], usable: list[Any], preselect: str | None) -> str:
        """Why the disk choice is made for the operator, or why it cannot be made at all."""
        if preselect is not None:
            return self.tr("Chosen for you: this computer's disk, the only one that is neither "
                           "mounted nor the running system. Disks that cannot be used say why.")
        if disks and not usable:
            return self.tr("No disk of this computer can be used: each says why in the list. "
                           "Choose a file, or start imgcast from a USB stick or the network "
                           "(the imaging environment) to use this computer's disk.")
        return ""

    def _disk_picked(self) -> None:
        if self.selected_disk() is not None:
            self.disk_radio.setChecked(True)
        emit(self.changed)

    def _file_typed(self, text: str) -> None:
        if text:
            self.file_radio.setChecked(True)
        emit(self.changed)

    def _browse(self) -> None:
        if self.saving:
            path, _ = QFileDialog.getSaveFileName(self, self.dialog_title, "", self.file_filter)
        else:
            path, _ = QFileDialog.getOpenFileName(self, self.dialog_title, "", self.file_filter)
        if path:
            self.path_edit.setText(path)

    def selected_disk(self) -> Any | None:
        items = [i for i in self.tree.selectedItems() if i.flags() & Qt.ItemFlag.ItemIsSelectable]
        return self.disks.get(items[0].data(0, DEVICE_ROLE)) if items else None

    def choice(self) -> tuple[str | None, bool]:
        """(path, is_disk); path None while nothing usable is chosen."""
        if self.disk_radio.isChecked():
            disk = self.selected_disk()
            return (disk.device, True) if disk else (None, True)
        path = self.path_edit.text().strip()
        return (path or None, False)


class DiskPage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("What is sent, and where it goes"), "", parent)
        self.inventory = inventory
        self.role: str | None = "master"
        self.source = DiskChooser(
            self.tr("Send from (this computer as master)"),
            self.tr("A &disk of this computer"), self.tr("An image or raw &file:"), self.tr("Bro&wse…"),
            saving=False)
        self.target = DiskChooser(
            self.tr("Write to (this computer as client)"),
            self.tr("A d&isk of this computer (everything on it is replaced)"),
            self.tr("A raw fi&le:"), self.tr("Brows&e…"), saving=True)
        # Both choosers ("decide later") in a kiosk's large type are taller than a 1280x800
        # screen: they scroll, so the Back/Next bar stays on it.
        choosers = QWidget()
        column = QVBoxLayout(choosers)
        column.setContentsMargins(0, 0, 0, 0)
        for chooser in (self.source, self.target):
            chooser.changed.connect(self.completeChanged)
            column.addWidget(chooser)
        column.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidget(choosers)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body.addWidget(self.scroller, 1)

    def next_text(self) -> str:
        return self.tr("&Start session")

    def enter(self, choices: SessionChoices) -> None:
        self.role = choices.role
        self.source.setVisible(choices.role in ("master", None))
        self.target.setVisible(choices.role in ("client", None))
        self.intro_label.setText({
            "master": self.tr("Choose what this computer sends."),
            "client": self.tr("Choose where this computer writes what it receives."),
            None: self.tr("This computer becomes master or client when someone presses M, so choose both."),
        }[choices.role])
        self.intro_label.show()
        disks = self.listed_disks(self.inventory)
        self.source.fill(disks, only_own_disk("send", disks))
        self.target.fill(disks, only_own_disk("write", disks))

    def _needed(self) -> list[DiskChooser]:
        return [c for c, roles in ((self.source, ("master", None)), (self.target, ("client", None)))
                if self.role in roles]

    def is_complete(self) -> bool:
        return all(chooser.choice()[0] for chooser in self._needed())

    def leave(self, choices: SessionChoices) -> bool:
        choices.source, choices.source_is_disk = self.source.choice()
        choices.target, choices.target_is_disk = self.target.choice()
        choices.confirmed = False
        if self.role in ("client", None) and choices.target_is_disk:
            disk = self.target.selected_disk()
            if not dialogs.confirm(
                self, self.tr("Overwrite a disk?"),
                self.tr("Everything on {0} will be replaced by the image. This cannot be undone.\n\n"
                        "Overwrite {1}?").format(disk_title(disk), disk.device),
            ):
                return False
            choices.confirmed = True
        return True
