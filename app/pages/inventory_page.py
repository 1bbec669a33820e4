"""Hardware information: the engine's inventory as a tree, with copy-to-clipboard and save as JSON.

The tree is built from `Inventory.to_json()`, the same data `img info --json` prints, so the
window and the command line can never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def fill_tree(parent: QTreeWidgetItem, value: Any) -> None:
    """Dicts and lists become branches, everything else a leaf with its value in column 2."""
    # Keys as words ("firmware_vendor" -> "firmware vendor"); Copy and Save keep the JSON's own keys.
    items = ((str(k).replace("_", " "), v) for k, v in value.items()) if isinstance(value, dict) else (
        (entry_label(v, i), v) for i, v in enumerate(value))
    for key, child in items:
        if isinstance(child, (dict, list)) and child:
            node = QTreeWidgetItem([str(key), ""])
            parent.addChild(node)
            fill_tree(node, child)
        else:
            empty = "—" if isinstance(child, (dict, list)) else scalar_text(child, str(key))
            parent.addChild(QTreeWidgetItem([str(key), empty]))


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
