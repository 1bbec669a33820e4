"""One image-file path: a line the operator can type in, and a Browse button for the file dialog.

Used where the file is the whole answer (the image to save to, the image to put down); where a
file is the alternative to a disk, the disk chooser has its own line."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from .signals import emit


class FileField(QWidget):
    changed = Signal()

    def __init__(self, browse_text: str, dialog_title: str, saving: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saving = saving
        self.dialog_title = dialog_title
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("/path/to/image.imgcast"))
        self.edit.textChanged.connect(lambda _text: emit(self.changed))
        self.browse = QPushButton(browse_text)
        self.browse.clicked.connect(self._browse)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self.setFocusProxy(self.edit)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        self.edit.setText(path)

    def _filter(self) -> str:
        return self.tr("imgcast images (*.imgcast);;All files (*)")

    def _browse(self) -> None:
        if self.saving:
            path, _ = QFileDialog.getSaveFileName(self, self.dialog_title, self.path(), self._filter())
            if path and not path.endswith(".imgcast"):
                path += ".imgcast"  # the dialog's filter does not add it; image files end in .imgcast
        else:
            path, _ = QFileDialog.getOpenFileName(self, self.dialog_title, self.path(), self._filter())
        if path:
            self.edit.setText(path)
