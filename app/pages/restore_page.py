"""Put an image file down: choose the .imgcast file and the disk (or raw disk file) it replaces.

Mounted disks and the system disk are listed with the reason but cannot be chosen; writing a
disk asks once more, naming it. The page turns the answers into one engine call,
`restore_image` (what `img restore FILE to=DISK` does), which checks the image end to end.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from ...engine.disk.device import is_block_device
from ...engine.errors import ImgcastError
from .. import dialogs
from ..file_field import FileField
from ..imaging_controller import ImagingController
from ..inventory_source import InventorySource
from ..units import human_size
from .base import WizardPage
from .disk_page import DiskChooser, disk_title


class RestorePage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Put an image file down"),
            self.tr("Replace everything on a disk with an image file. The disk's image-safe data "
                    "is kept, and the image is checked once it is down."),
            parent)
        self.inventory = inventory
        self.confirmed = False
        box = QGroupBox(self.tr("Image to put down"))
        form = QFormLayout(box)
        self.file = FileField(self.tr("Bro&wse…"), self.tr("Choose the image to put down"), saving=False)
        self.file.changed.connect(self.completeChanged)
        file_label = QLabel(self.tr("Image f&ile:"))
        file_label.setBuddy(self.file.edit)
        form.addRow(file_label, self.file)
        self.about = QLabel()
        self.about.setWordWrap(True)
        form.addRow("", self.about)
        self.file.changed.connect(self._describe_image)
        self.body.addWidget(box)
        self.target = DiskChooser(
            self.tr("Write to"), self.tr("A &disk of this computer (everything on it is replaced)"),
            self.tr("A raw disk fi&le:"), self.tr("Brows&e…"), saving=True,
            dialog_title=self.tr("Write to a raw disk file"), file_filter=self.tr("All files (*)"))
        self.target.changed.connect(self.completeChanged)
        self.target.path_edit.returnPressed.connect(self.submitted)
        self.body.addWidget(self.target)
        self.body.addStretch(1)

    def next_text(self) -> str:
        return self.tr("&Put the image down")

    def _describe_image(self) -> None:
        """What the chosen file holds, from its header (the engine's reader): the operator sees
        which disk it was made from and how big a target it needs before anything is written."""
        from ...engine.image.source import read_image_header

        path = self.file.path()
        self.about.setText("")
        if not path or not Path(path).is_file():
            return
        try:
            with open(path, "rb") as image:
                header = read_image_header(image)
        except (ImgcastError, OSError) as error:
            self.about.setText(self.tr("Not an image imgcast can put down: {0}").format(
                getattr(error, "strerror", None) or error))
            return
        made = datetime.datetime.fromtimestamp(header.created).strftime("%Y-%m-%d %H:%M")
        parts = len(header.partitions)
        table = self.tr("no partition table") if header.table_kind == "none" else self.tr(
            "{0}, {1} partitions").format(header.table_kind.upper(), parts)
        self.about.setText(self.tr("Image of a disk of {0} ({1}), made on {2} from {3} on {4}. "
                                   "The target needs at least {0}.").format(
            human_size(header.disk_size), table, header.host or "?", header.source or "?", made))

    def enter(self, choices: object) -> None:
        disks = self.listed_disks(self.inventory)
        self.target.fill(disks)

    def is_complete(self) -> bool:
        return bool(self.file.path() and self.target.choice()[0])

    def leave(self, choices: object) -> bool:
        """Writing a disk (chosen from the list, or a device typed as a path) asks, naming it."""
        self.show_error("")
        target, is_disk = self.target.choice()
        self.confirmed = False
        if is_disk or is_block_device(str(target)):
            disk = self.target.selected_disk() if is_disk else None
            named = disk_title(disk) if disk is not None else str(target)
            if not dialogs.confirm(
                self, self.tr("Overwrite a disk?"),
                self.tr("Everything on {0} will be replaced by {1}. This cannot be undone.\n\n"
                        "Overwrite {2}?").format(named, self.file.path(), target),
            ):
                return False
            self.confirmed = True
        return True

    def source_and_target(self) -> tuple[str, str]:
        return self.file.path(), str(self.target.choice()[0])

    def start(self, imaging: ImagingController) -> None:
        """The one engine call this page exists for."""
        target, _is_disk = self.target.choice()
        imaging.restore(self.file.path(), str(target), confirmed=self.confirmed)
