"""Image-safe data: what each disk keeps outside its partitions (network identity, computer
name, the last base image put down), as a form that can be edited and written.

Validation and the meaning of each field are the engine's (`img zisd set` semantics): the page
sends KEY=VALUE pairs and shows the one-line reason when the engine refuses them. Writing asks
once, naming the disk. When the build has no zisd writer the form is read-only and says so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...engine.errors import ImgcastError
from .. import dialogs
from ..inventory_source import InventorySource
from ..units import human_size
from .base import WizardPage

LABELS = {
    "dhcp": QT_TRANSLATE_NOOP("ZisdPage", "Address by &DHCP"),
    "ip_address": QT_TRANSLATE_NOOP("ZisdPage", "&IP address"),
    "subnet_mask": QT_TRANSLATE_NOOP("ZisdPage", "Subnet &mask"),
    "gateway": QT_TRANSLATE_NOOP("ZisdPage", "&Gateway"),
    "dns_servers": QT_TRANSLATE_NOOP("ZisdPage", "DNS &servers"),
    "dns_suffix": QT_TRANSLATE_NOOP("ZisdPage", "DNS s&uffix"),
    "dns_host_name": QT_TRANSLATE_NOOP("ZisdPage", "DNS &host name"),
    "computer_name": QT_TRANSLATE_NOOP("ZisdPage", "&Computer name"),
    "workgroup": QT_TRANSLATE_NOOP("ZisdPage", "&Workgroup"),
    "domain": QT_TRANSLATE_NOOP("ZisdPage", "D&omain"),
}


NETWORK_KEYS = frozenset({"dhcp", "ip_address", "subnet_mask", "gateway", "dns_servers", "dns_suffix"})
LAST_LABELS = {
    "name": QT_TRANSLATE_NOOP("ZisdPage", "Image"),
    "sha256": QT_TRANSLATE_NOOP("ZisdPage", "SHA-256"),
    "time": QT_TRANSLATE_NOOP("ZisdPage", "Put down at"),
    "session_name": QT_TRANSLATE_NOOP("ZisdPage", "Session"),
}


def as_dict(record: Any) -> dict[str, Any]:
    """The record as plain data, whatever shape the engine gives it (to_json, dataclass, dict)."""
    if record is None:
        return {}
    if hasattr(record, "to_json"):
        return dict(record.to_json())
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.asdict(record)
    return dict(record) if isinstance(record, dict) else {"value": record}


def field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


class ZisdPage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Image-safe data"),
            self.tr("Kept on each disk outside every partition; putting an image down preserves it "
                    "and records the new base image."),
            parent)
        self.inventory = inventory
        self.record: Any = None
        row = QHBoxLayout()
        disk_label = QLabel(self.tr("Dis&k:"))
        self.disk_combo = QComboBox()
        disk_label.setBuddy(self.disk_combo)
        row.addWidget(disk_label)
        row.addWidget(self.disk_combo, 1)
        self.body.addLayout(row)
        # A disk that cannot be read leaves the page empty: its reason goes right under the disk,
        # where the eye is, not at the foot of a blank page.
        self.outer.removeWidget(self.error_label)
        self.body.addWidget(self.error_label)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.body.addWidget(self.state_label)
        self.identity_box = QGroupBox(self.tr("Identity of this workstation"))
        # Network settings left, names right: one column of ten rows did not fit a kiosk's 800 rows.
        columns = QHBoxLayout(self.identity_box)
        self.form = QFormLayout()
        self.names_form = QFormLayout()
        columns.addLayout(self.form, 1)
        columns.addSpacing(16)
        columns.addLayout(self.names_form, 1)
        self.body.addWidget(self.identity_box)
        self.last_box = QGroupBox(self.tr("Last base image put down"))
        self.last_form = QFormLayout(self.last_box)
        self.body.addWidget(self.last_box)
        self.body.addStretch(1)
        buttons = QHBoxLayout()
        self.revert_button = QPushButton(self.tr("Re&vert"))
        self.revert_button.clicked.connect(self._show_disk)
        self.write_button = QPushButton(self.tr("W&rite to disk…"))
        self.write_button.setObjectName("primary")
        self.write_button.clicked.connect(self.write)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.write_button)
        self.body.addLayout(buttons)
        self.fields: dict[str, QLineEdit | QCheckBox] = {}
        self.loaded: dict[str, str] = {}  # each field's text as read from the disk
        self.disk_combo.currentIndexChanged.connect(self._show_disk)

    def enter(self, choices: Any) -> None:
        self.disk_combo.blockSignals(True)
        self.disk_combo.clear()
        try:
            for disk in self.inventory.list_disks():
                model = getattr(disk, "model", "") or ""
                self.disk_combo.addItem(f"{disk.device} — {model} ({human_size(disk.size)})" if model
                                        else f"{disk.device} ({human_size(disk.size)})", disk.device)
            self.show_error("")
        except ImgcastError as error:
            self.show_error(self.tr("Disks cannot be listed: {0}").format(error))
        self.disk_combo.blockSignals(False)
        self._show_disk()

    def _say(self, text: str) -> None:
        """The disk's state in one line; hidden when there is nothing to say, so no gap is left."""
        self.state_label.setText(text)
        self.state_label.setVisible(bool(text))

    def device(self) -> str | None:
        data = self.disk_combo.currentData()
        return str(data) if data else None

    def _clear(self) -> None:
        for form in (self.form, self.names_form, self.last_form):
            while form.rowCount():
                form.removeRow(0)
        self.fields = {}
        self.loaded = {}
        self.identity_box.hide()
        self.last_box.hide()

    def _show_disk(self) -> None:
        self._clear()
        self.record = None
        device = self.device()
        keys = self.inventory.zisd_keys()
        self.write_button.setEnabled(False)
        self.revert_button.setEnabled(False)
        if not device:
            self._say(self.tr("No disk to show."))
            return
        try:
            self.record = self.inventory.read_zisd(device)
        except (ImgcastError, OSError) as error:
            self.show_error(self.tr("The image-safe data of {0} cannot be read: {1}").format(device, error))
            self._say("")
            return
        self.show_error("")
        self.identity_box.show()
        self.last_box.show()
        data = as_dict(self.record)
        editable = keys is not None
        self._say(
            (self.tr("This disk has no image-safe data yet; fill in the form to create it.") if editable
             else self.tr("This disk has no image-safe data yet."))
            if self.record is None else
            ("" if editable else self.tr("Read only: this build of imgcast cannot write image-safe data.")))
        for key in keys or [k for k in data if k != "last_base_image"]:
            value = data.get(key, True if key == "dhcp" else None)
            if key == "dhcp":
                widget: QLineEdit | QCheckBox = QCheckBox()
                widget.setChecked(bool(value))
                widget.setEnabled(editable)
            else:
                widget = QLineEdit(field_text(value))
                widget.setReadOnly(not editable)
                if key == "dns_servers":
                    widget.setPlaceholderText(self.tr("comma separated, e.g. 10.0.0.2, 10.0.0.3"))
            self.loaded[key] = self._value_of(widget)
            label = QLabel(self.tr(LABELS.get(key, key.replace("_", " ").capitalize())) + ":")
            label.setBuddy(widget)
            (self.form if key in NETWORK_KEYS else self.names_form).addRow(label, widget)
            self.fields[key] = widget
        last = data.get("last_base_image")
        if isinstance(last, dict) and last:
            for key, value in last.items():
                shown = QLabel(field_text(value))  # a record, not a field: it is never edited here
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                words = LAST_LABELS.get(key)
                self.last_form.addRow((self.tr(words) if words else key.replace("_", " ").capitalize()) + ":", shown)
        else:
            self.last_form.addRow(QLabel(self.tr("None recorded: no session or restore has finished on this disk.")))
        self.write_button.setEnabled(editable)
        self.revert_button.setEnabled(editable)

    def _value(self, key: str) -> str:
        return self._value_of(self.fields[key])

    @staticmethod
    def _value_of(widget: QLineEdit | QCheckBox) -> str:
        if isinstance(widget, QCheckBox):
            return "yes" if widget.isChecked() else "no"
        return widget.text().strip()

    def settings(self) -> list[str]:
        """What the operator changed, as the KEY=VALUE pairs `img zisd set` takes. Only changes are
        sent, so the engine's rules apply as on the command line (typing an address means static)."""
        return [f"{key}={self._value(key)}" for key in self.fields if self._value(key) != self.loaded.get(key)]

    def write(self) -> bool:
        """Validate, ask once naming the disk, write. Any refusal is shown on the page."""
        device = self.device()
        if not device:
            return False
        try:
            data = self.inventory.edit_zisd(self.record, self.settings())
        except ImgcastError as error:
            self.show_error(str(error))
            return False
        if not dialogs.confirm(self, self.tr("Write image-safe data?"),
                               self.tr("Write this identity to {0}? It is kept outside every partition "
                                       "and survives reimaging.").format(device)):
            return False
        try:
            self.inventory.write_zisd(device, data)
        except (ImgcastError, OSError) as error:
            self.show_error(self.tr("Nothing was written to {0}: {1}").format(device, error))
            return False
        self._show_disk()
        self._say(self.tr("Written to {0}.").format(device))
        return True
