"""A big button with an icon, a bold title and a one-sentence explanation (the start page's menu).

Qt's QCommandLinkButton would do this, but it draws its title and description at a fixed 9 point
size whatever the widget's font is, so kiosk mode's large type never reached them. This button
lays out ordinary labels instead, which follow the application font (and so kiosk type).
The title label is the button's buddy: its Alt+letter mnemonic clicks the button.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from .theme import emphasise

ICON_LINES = 2.4  # the icon is as tall as this many lines of body text: it grows with kiosk type


class ChoiceButton(QPushButton):
    def __init__(self, icon: QIcon, title: str, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choiceButton")
        self.setAccessibleName(title.replace("&&", "\0").replace("&", "").replace("\0", "&"))
        self.setAccessibleDescription(detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 14, 8)
        layout.setSpacing(14)
        side = round(self.fontMetrics().height() * ICON_LINES)
        self.text_indent = 12 + side + 14  # where the words start: rows below can line up with them
        self.picture = QLabel()
        self.picture.setPixmap(icon.pixmap(QSize(side, side)))
        self.picture.setFixedSize(side, side)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignVCenter)
        words = QVBoxLayout()
        words.setSpacing(2)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("choiceTitle")
        emphasise(self.title_label, 1.15)
        self.title_label.setBuddy(self)
        self.detail_label = QLabel(detail)
        self.detail_label.setObjectName("choiceDetail")
        self.detail_label.setWordWrap(True)
        words.addWidget(self.title_label)
        words.addWidget(self.detail_label)
        layout.addLayout(words, 1)
        for label in (self.picture, self.title_label, self.detail_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        return self.layout().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.layout().totalHeightForWidth(width)
