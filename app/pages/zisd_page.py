"""Image-safe data: what each disk keeps outside its partitions (network identity, computer
name, the last base image put down), shown as a form. Writing it needs the engine's zisd writer;
until this build has one, the form is read-only and says so."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...engine.errors import ImgcastError
from ..inventory_source import InventorySource
from ..units import human_size
from .base import WizardPage


def record_fields(record: Any) -> list[tuple[str, Any]]:
    """The record's fields in order, whatever shape the engine gives it (dataclass or JSON dict)."""
    if hasattr(record, "to_json"):
        record = record.to_json()
    elif dataclasses.is_dataclass(record) and not isinstance(record, type):
        record = dataclasses.asdict(record)
    if isinstance(record, dict):
        flat: list[tuple[str, Any]] = []
        for key, value in record.items():
            if isinstance(value, dict):
                flat.extend((f"{key}.{sub}", inner) for sub, inner in value.items())
            else:
                flat.append((key, value))
        return flat
    return [("value", record)]


class ZisdPage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Image-safe data"),
            self.tr("Kept on each disk outside every partition; putting an image down preserves it."),
            parent)
        self.inventory = inventory
        row = QHBoxLayout()
        disk_label = QLabel(self.tr("&Disk:"))
        self.disk_combo = QComboBox()
        disk_label.setBuddy(self.disk_combo)
        row.addWidget(disk_label)
        row.addWidget(self.disk_combo, 1)
        self.body.addLayout(row)
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.body.addStretch(1)
        self.fields: dict[str, QLineEdit] = {}
        self.disk_combo.currentIndexChanged.connect(self._show_disk)

    def enter(self, choices: Any) -> None:
        self.disk_combo.blockSignals(True)
        self.disk_combo.clear()
        try:
            for disk in self.inventory.list_disks():
                self.disk_combo.addItem(f"{disk.device} — {getattr(disk, 'model', '') or ''} "
                                        f"({human_size(disk.size)})", disk.device)
            self.show_error("")
        except ImgcastError as error:
            self.show_error(self.tr("Disks cannot be listed: {0}").format(error))
        self.disk_combo.blockSignals(False)
        self._show_disk()

    def _show_disk(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        device = self.disk_combo.currentData()
        if not device:
            return
        try:
            record = self.inventory.read_zisd(str(device))
        except (ImgcastError, OSError) as error:
            self.show_error(self.tr("The image-safe data of {0} cannot be read: {1}").format(device, error))
            return
        self.show_error("")
        if record is None:
            self.form.addRow(QLabel(self.tr("This disk has no image-safe data yet.")))
            return
        for key, value in record_fields(record):
            edit = QLineEdit("" if value is None else str(value))
            edit.setReadOnly(True)
            self.fields[key] = edit
            self.form.addRow(key.replace("_", " ").capitalize() + ":", edit)
