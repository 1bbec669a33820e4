"""Role page: master, client, or decide later; each choice explained in one sentence."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QRadioButton, QWidget

from ..choices import SessionChoices
from ..theme import icon
from .base import WizardPage

ROLES = ("master", "client", None)


class RolePage(WizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Which part does this computer play?"),
            self.tr("Every computer in a session runs imgcast with the same session name."),
            parent,
        )
        self.group = QButtonGroup(self)
        grid = QGridLayout()
        self.radios: dict[str | None, QRadioButton] = {}
        for row, (role, icon_name, text, sentence) in enumerate((
            ("master", "master", self.tr("&Master: send an image"),
             self.tr("This computer sends its disk, or an image file, to every client that joins.")),
            ("client", "client", self.tr("&Client: receive an image"),
             self.tr("This computer's disk (or a file) is overwritten with what the master sends.")),
            (None, "decide", self.tr("&Decide later"),
             self.tr("Every computer waits; the first one where someone presses M (or \"Become "
                     "master\") sends, and all the others receive.")),
        )):
            picture = QLabel()
            picture.setPixmap(icon(icon_name).pixmap(QSize(40, 40)))
            radio = QRadioButton(text)
            radio.setObjectName("roleChoice")
            explanation = QLabel(sentence)
            explanation.setObjectName("roleExplanation")
            explanation.setWordWrap(True)
            self.group.addButton(radio, row)
            self.radios[role] = radio
            grid.addWidget(picture, row * 2, 0, 2, 1)
            grid.addWidget(radio, row * 2, 1)
            grid.addWidget(explanation, row * 2 + 1, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.body.addStretch(1)
        self.radios["master"].setChecked(True)

    def role(self) -> str | None:
        return ROLES[self.group.checkedId()]

    def enter(self, choices: SessionChoices) -> None:
        self.radios[choices.role].setChecked(True)
        self.radios[choices.role].setFocus()

    def leave(self, choices: SessionChoices) -> bool:
        choices.role = self.role()
        return True
