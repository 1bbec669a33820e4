"""Start page: what the operator came to do (the ZENworks engine's menu, as big buttons)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QWidget

from ..choice_button import ChoiceButton
from ..signals import emit
from ..theme import icon
from .base import WizardPage


class StartPage(WizardPage):
    """Emits `chosen` with "session", "demo", "make", "restore", "inventory" or "zisd"."""

    chosen = Signal(str)
    uses_navigation = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("What would you like to do?"),
            self.tr("imgcast puts one disk image down on many computers at once over the network."),
            parent,
        )
        self.buttons: dict[str, ChoiceButton] = {}
        for key, icon_name, text, detail in (
            ("session", "session", self.tr("&Multicast session"),
             self.tr("Send this computer's disk or an image file to many computers, or receive one.")),
            ("demo", "demo", self.tr("&Demo session on this computer"),
             self.tr("A real session over loopback with a generated image: see the whole flow without a network.")),
            ("make", "save-image", self.tr("&Save an image file"),
             self.tr("Copy a disk of this computer into an image file, to send or put down later.")),
            ("restore", "put-down", self.tr("&Put an image file down"),
             self.tr("Replace everything on a disk of this computer with an image file.")),
            ("inventory", "hardware", self.tr("&Hardware information"),
             self.tr("Disks, network interfaces and the rest of what imgcast detects here.")),
            ("zisd", "zisd", self.tr("&Image-safe data"),
             self.tr("The network identity and last image kept on each disk, which imaging never overwrites.")),
        ):
            button = ChoiceButton(icon(icon_name), text, detail)
            button.clicked.connect(lambda _=False, k=key: emit(self.chosen, k))
            self.buttons[key] = button
            self.body.addWidget(button)
            if key == "demo":
                row = QHBoxLayout()
                row.addSpacing(button.text_indent)
                label = QLabel(self.tr("Demo &clients:"))
                self.demo_clients = QSpinBox()
                self.demo_clients.setRange(1, 16)
                self.demo_clients.setValue(3)
                self.demo_clients.setToolTip(self.tr("How many receiving computers the demo simulates."))
                label.setBuddy(self.demo_clients)
                row.addWidget(label)
                row.addWidget(self.demo_clients)
                row.addStretch(1)
                self.body.addLayout(row)
        self.body.addStretch(1)
