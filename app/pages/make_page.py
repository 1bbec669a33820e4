"""Save an image file: choose the disk (or a raw disk file) and the .imgcast file to write.

The page turns the answers into one engine call, `make_image` (what `img make FILE from=DISK`
does); which disks can be read and what the file must be called are the engine's rules, and a
refusal comes back to this page as one line.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from ...engine.image.header import LEVELS
from .. import dialogs
from ..file_field import FileField
from ..imaging_controller import ImagingController
from ..inventory_source import InventorySource
from .base import WizardPage
from .disk_page import DiskChooser

LEVEL_WORDS = {  # the engine's compression levels (`img make --level`), as the operator reads them
    "speed": QT_TRANSLATE_NOOP("MakePage", "Faster (larger file)"),
    "balanced": QT_TRANSLATE_NOOP("MakePage", "Balanced"),
    "size": QT_TRANSLATE_NOOP("MakePage", "Smaller (slower)"),
}


class MakePage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Save an image file"),
            self.tr("Copy a disk of this computer into an image file, to send later or put down "
                    "on other computers. The disk is only read."),
            parent)
        self.inventory = inventory
        self.overwrite = False
        self.source = DiskChooser(
            self.tr("Save from"), self.tr("A &disk of this computer"), self.tr("A raw disk fi&le:"),
            self.tr("Bro&wse…"), saving=False, dialog_title=self.tr("Save from a raw disk file"),
            file_filter=self.tr("All files (*)"))
        self.source.changed.connect(self.completeChanged)
        self.body.addWidget(self.source)

        box = QGroupBox(self.tr("Save to"))
        form = QFormLayout(box)
        self.file = FileField(self.tr("Brows&e…"), self.tr("Save the image as"), saving=True)
        self.file.changed.connect(self.completeChanged)
        self.file.edit.returnPressed.connect(self.submitted)
        file_label = QLabel(self.tr("Image f&ile:"))
        file_label.setBuddy(self.file.edit)
        form.addRow(file_label, self.file)
        self.level_combo = QComboBox()
        for level in LEVELS:
            self.level_combo.addItem(self.tr(LEVEL_WORDS.get(level, level)), level)
        self.level_combo.setCurrentIndex(self.level_combo.findData("balanced"))
        self.level_combo.setToolTip(self.tr("How hard the image is compressed (img make --level)."))
        level_label = QLabel(self.tr("&Compression:"))
        level_label.setBuddy(self.level_combo)
        level_row = QHBoxLayout()  # a short choice: a short box, not one across the window
        level_row.addWidget(self.level_combo)
        level_row.addStretch(1)
        form.addRow(level_label, level_row)
        self.raw_check = QCheckBox(self.tr("Copy every sec&tor, not only the blocks in use"))
        self.raw_check.setToolTip(self.tr("For disks whose file systems imgcast cannot read (img make --raw). "
                                          "The image is larger."))
        form.addRow("", self.raw_check)
        self.body.addWidget(box)
        self.body.addStretch(1)

    def next_text(self) -> str:
        return self.tr("&Save the image")

    def enter(self, choices: object) -> None:
        disks = self.listed_disks(self.inventory)
        self.source.fill(disks)

    def is_complete(self) -> bool:
        return bool(self.source.choice()[0] and self.file.path())

    def leave(self, choices: object) -> bool:
        """An existing file is replaced only when the operator says so."""
        self.show_error("")
        path = self.file.path()
        self.overwrite = False
        if Path(path).is_file():
            if not dialogs.confirm(self, self.tr("Replace the image file?"),
                                   self.tr("{0} already exists. Replace it?").format(path)):
                return False
            self.overwrite = True
        return True

    def source_and_target(self) -> tuple[str, str]:
        return str(self.source.choice()[0]), self.file.path()

    def start(self, imaging: ImagingController) -> None:
        """The one engine call this page exists for."""
        disk, _is_disk = self.source.choice()
        imaging.make(self.file.path(), str(disk), level=str(self.level_combo.currentData()),
                     raw=self.raw_check.isChecked(), overwrite=self.overwrite)
