"""Hardware information: the engine's inventory as a tree, with copy-to-clipboard and save as JSON.

The tree is built from `Inventory.to_json()`, the same data `img info --json` prints, so the
window and the command line can never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...engine.errors import ImgcastError
from ..inventory_source import InventorySource
from ..units import human_size
from .base import WizardPage

NAME_KEYS = ("device", "name", "model", "address")  # what makes a list entry recognisable


def entry_label(value: Any, index: int) -> str:
    if isinstance(value, dict):
        for key in NAME_KEYS:
            if value.get(key):
                return str(value[key])
    return f"#{index + 1}"


SIZE_KEYS = ("size", "total", "swap", "start")  # bytes in the schema; people read GiB


def scalar_text(value: Any, key: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in SIZE_KEYS and isinstance(value, int) and value >= 1024:
        return f"{human_size(value)} ({value} bytes)"
    return str(value)


# The words `img info` prints for the inventory's keys (engine/cli/cmd_info.py writes them inline
# in its report, so they are repeated here); Copy and Save keep the JSON's own keys.
LABELS = {
    "schema_version": QT_TRANSLATE_NOOP("InventoryPage", "Schema version"),
    "system": QT_TRANSLATE_NOOP("InventoryPage", "System"),
    "vendor": QT_TRANSLATE_NOOP("InventoryPage", "Vendor"),
    "model": QT_TRANSLATE_NOOP("InventoryPage", "Model"),
    "serial": QT_TRANSLATE_NOOP("InventoryPage", "Serial"),
    "firmware_vendor": QT_TRANSLATE_NOOP("InventoryPage", "Firmware vendor"),
    "firmware_version": QT_TRANSLATE_NOOP("InventoryPage", "Firmware version"),
    "firmware_date": QT_TRANSLATE_NOOP("InventoryPage", "Firmware date"),
    "boot_mode": QT_TRANSLATE_NOOP("InventoryPage", "Boot mode"),
    "hostname": QT_TRANSLATE_NOOP("InventoryPage", "Host name"),
    "os": QT_TRANSLATE_NOOP("InventoryPage", "Operating system"),
    "cpu": QT_TRANSLATE_NOOP("InventoryPage", "CPU"),
    "cores": QT_TRANSLATE_NOOP("InventoryPage", "Cores"),
    "threads": QT_TRANSLATE_NOOP("InventoryPage", "Threads"),
    "frequency_mhz": QT_TRANSLATE_NOOP("InventoryPage", "Frequency"),
    "memory": QT_TRANSLATE_NOOP("InventoryPage", "Memory"),
    "total": QT_TRANSLATE_NOOP("InventoryPage", "Total"),
    "swap": QT_TRANSLATE_NOOP("InventoryPage", "Swap"),
    "disks": QT_TRANSLATE_NOOP("InventoryPage", "Disks"),
    "device": QT_TRANSLATE_NOOP("InventoryPage", "Device"),
    "size": QT_TRANSLATE_NOOP("InventoryPage", "Size"),
    "rotational": QT_TRANSLATE_NOOP("InventoryPage", "Rotating"),
    "removable": QT_TRANSLATE_NOOP("InventoryPage", "Removable"),
    "table": QT_TRANSLATE_NOOP("InventoryPage", "Partition table"),
    "partitions": QT_TRANSLATE_NOOP("InventoryPage", "Partitions"),
    "mounted": QT_TRANSLATE_NOOP("InventoryPage", "Mounted"),
    "system_disk": QT_TRANSLATE_NOOP("InventoryPage", "Holds the running system"),
    "unusable_reason": QT_TRANSLATE_NOOP("InventoryPage", "Can be a target"),
    "kind": QT_TRANSLATE_NOOP("InventoryPage", "Kind"),
    "backing_file": QT_TRANSLATE_NOOP("InventoryPage", "Backing file"),
    "read_only": QT_TRANSLATE_NOOP("InventoryPage", "Read only"),
    "type": QT_TRANSLATE_NOOP("InventoryPage", "Type"),
    "fstype": QT_TRANSLATE_NOOP("InventoryPage", "File system"),
    "mountpoint": QT_TRANSLATE_NOOP("InventoryPage", "Mounted at"),
    "start": QT_TRANSLATE_NOOP("InventoryPage", "Starts at"),
    "network": QT_TRANSLATE_NOOP("InventoryPage", "Network adapters"),
    "name": QT_TRANSLATE_NOOP("InventoryPage", "Name"),
    "mac": QT_TRANSLATE_NOOP("InventoryPage", "MAC"),
    "ipv4": QT_TRANSLATE_NOOP("InventoryPage", "IPv4 addresses"),
    "ipv6": QT_TRANSLATE_NOOP("InventoryPage", "IPv6 addresses"),
    "mtu": QT_TRANSLATE_NOOP("InventoryPage", "MTU"),
    "up": QT_TRANSLATE_NOOP("InventoryPage", "Link up"),
    "speed_mbps": QT_TRANSLATE_NOOP("InventoryPage", "Speed"),
    "multicast": QT_TRANSLATE_NOOP("InventoryPage", "Multicast"),
    "is_loopback": QT_TRANSLATE_NOOP("InventoryPage", "This computer only (loopback)"),
    "multicast_interfaces": QT_TRANSLATE_NOOP("InventoryPage", "Interfaces a session can use"),
    "address": QT_TRANSLATE_NOOP("InventoryPage", "Address"),
    "netmask": QT_TRANSLATE_NOOP("InventoryPage", "Netmask"),
    "warnings": QT_TRANSLATE_NOOP("InventoryPage", "Notes"),
}
BOOT_MODES = {"uefi": "UEFI", "legacy": "legacy BIOS"}  # as img info says them


def key_label(key: str, inside: str = "") -> str:
    """'frequency_mhz' -> 'Frequency'; a key with no label reads as words ('some_key' -> 'Some key')."""
    if key == "system" and inside == "disks":
        key = "system_disk"  # a disk's "system": it holds the running system
    if key in LABELS:
        return QCoreApplication.translate("InventoryPage", LABELS[key])
    words = key.replace("_", " ")
    return words[:1].upper() + words[1:]


def value_text(key: str, value: Any) -> str:
    """A leaf's value as `img info` words it: units, 'legacy BIOS', 'no: <why>'."""
    if key == "unusable_reason":
        return "yes" if value is None else f"no: {value}"
    if value is None:
        return "—"
    if key == "boot_mode":
        return BOOT_MODES.get(str(value), str(value))
    if key == "frequency_mhz" and isinstance(value, (int, float)):
        return f"{value:.0f} MHz"
    if key == "speed_mbps" and isinstance(value, (int, float)):
        return f"{value} Mb/s"
    if key in SIZE_KEYS and isinstance(value, int) and value < 1024:
        return human_size(value)
    return scalar_text(value, key)


def fill_tree(parent: QTreeWidgetItem, value: Any, inside: str = "") -> None:
    """Dicts and lists become branches, everything else a leaf with its value in column 2."""
    if isinstance(value, dict):
        items = [(key_label(str(k), inside), str(k), v) for k, v in value.items()]
    else:
        items = [(entry_label(v, i), inside, v) for i, v in enumerate(value)]
    for label, key, child in items:
        if isinstance(child, (dict, list)) and child:
            node = QTreeWidgetItem([label, ""])
            parent.addChild(node)
            fill_tree(node, child, key)
        else:
            empty = "—" if isinstance(child, (dict, list)) else value_text(key, child)
            parent.addChild(QTreeWidgetItem([label, empty]))


class InventoryPage(WizardPage):
    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Hardware information"),
            self.tr("What imgcast detects on this computer (the same as `img info`)."), parent)
        self.inventory = inventory
        self.data: dict[str, Any] | None = None
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Item"), self.tr("Value")])
        self.tree.setAlternatingRowColors(True)
        self.body.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button = QPushButton(self.tr("&Copy to clipboard"))
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton(self.tr("Save as &JSON…"))
        self.save_button.clicked.connect(self._ask_and_save)
        self.note = QLabel()
        row.addWidget(self.refresh_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        row.addWidget(self.note, 1)
        self.body.addLayout(row)

    def enter(self, choices: Any) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        self.note.setText("")
        try:
            self.data = self.inventory.collect_inventory().to_json()
        except ImgcastError as error:
            self.data = None
            self.show_error(self.tr("The hardware inventory is not available: {0}").format(error))
        except OSError as error:
            self.data = None
            self.show_error(self.tr("The hardware could not be read: {0}").format(error))
        else:
            self.show_error("")
            root = self.tree.invisibleRootItem()
            fill_tree(root, self.data)
            self.tree.expandToDepth(1)
            self.tree.resizeColumnToContents(0)
        for button in (self.copy_button, self.save_button):
            button.setEnabled(self.data is not None)

    def as_text(self) -> str:
        return json.dumps(self.data, indent=2, default=str)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.as_text())
        self.note.setText(self.tr("Copied."))

    def save_json(self, path: str) -> None:
        try:
            Path(path).write_text(self.as_text() + "\n", encoding="utf-8")
        except OSError as error:
            self.show_error(self.tr("Could not save: {0}").format(error.strerror or error))
            return
        self.note.setText(self.tr("Saved to {0}").format(path))

    def _ask_and_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the inventory"), "imgcast-inventory.json",
                                              self.tr("JSON (*.json)"))
        if path:
            self.save_json(path)
