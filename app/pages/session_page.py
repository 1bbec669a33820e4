"""Session page: the session name with its multicast address previewed as it is typed, the
start rule (clients / timeout), the network interface and an optional rate limit, and what the
master does about slow and late clients (`--slow-clients`, `--no-late-join`).

The preview and the "how this address is made" panel come straight from
imgcast.engine.naming, so they always equal `img address NAME [--explain]`.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...engine.errors import ImgcastError
from ...engine.naming import DEFAULT_PORT, check_name, session_address
from ...engine.protocol.policy import parse_slow_policy
from ..choices import DEFAULT_CLIENTS, DEFAULT_TIMEOUT_MINUTES, SessionChoices
from ..inventory_source import InventorySource
from ..signals import emit
from ..theme import emphasise
from .base import WizardPage

MEGABYTE = 1_000_000
SIDE_BY_SIDE_WIDTH = 1100  # page width (px) from which the start and network options sit side by side
MAX_DEMO_CLIENTS = 16  # every demo client is a runner in this process


class SessionPage(WizardPage):
    #: The operator asked for a demo with this many clients.
    demoRequested = Signal(int)

    def __init__(self, inventory: InventorySource, parent: QWidget | None = None) -> None:
        super().__init__(
            self.tr("Name the session"),
            self.tr("Use the same name on every computer of this session. The name alone decides "
                    "the multicast address, so two rooms with different names never mix."),
            parent,
        )
        self.inventory = inventory
        form = QFormLayout()
        self.body.addLayout(form)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("for example: room12-win11"))
        self.name_edit.setMaxLength(200)  # the engine says what is too long; this only stops pastes of novels
        self.name_edit.setClearButtonEnabled(True)
        name_label = QLabel(self.tr("&Session name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)

        self.preview = QLabel("—")
        self.preview.setObjectName("addressPreview")
        emphasise(self.preview, 1.6)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setToolTip(self.tr("The multicast group address every computer of this session uses."))
        form.addRow(self.tr("Multicast address:"), self.preview)
        self.name_problem = QLabel()
        self.name_problem.setObjectName("inlineError")
        self.name_problem.setWordWrap(True)
        form.addRow("", self.name_problem)
        self.name_form = form

        self.explain_button = QToolButton()
        self.explain_button.setText(self.tr("How this &address is made"))
        self.explain_button.setCheckable(True)
        self.explain_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.explain_button.setArrowType(Qt.ArrowType.RightArrow)
        self.explain_button.toggled.connect(self._toggle_explain)
        form.addRow("", self.explain_button)
        self.explain_tree = QTreeWidget()
        self.explain_tree.setColumnCount(2)
        self.explain_tree.setHeaderLabels([self.tr("Step"), self.tr("Value")])
        self.explain_tree.setRootIsDecorated(False)
        self.explain_tree.setMaximumHeight(self.explain_tree.fontMetrics().height() * 10)
        self.explain_tree.hide()
        form.addRow("", self.explain_tree)

        # A secured session: every computer of it types the same passphrase. It is never saved.
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setMaxLength(1024)
        self.passphrase_edit.setPlaceholderText(self.tr("optional: the same on every computer"))
        self.passphrase_edit.setToolTip(self.tr(
            "With a passphrase the session is encrypted and authenticated: only computers that know it "
            "can read the image or take part. An encrypted image file needs it too."))
        passphrase_label = QLabel(self.tr("Passp&hrase:"))
        passphrase_label.setBuddy(self.passphrase_edit)
        form.addRow(passphrase_label, self.passphrase_edit)
        self.security_note = QLabel()
        self.security_note.setObjectName("securityNote")
        self.security_note.setWordWrap(True)
        form.addRow("", self.security_note)
        self.passphrase_edit.textChanged.connect(self._passphrase_changed)
        self._passphrase_changed("")

        start_box = QGroupBox(self.tr("When the master starts sending"))
        start_form = QFormLayout(start_box)
        self.clients_spin = QSpinBox()
        self.clients_spin.setRange(0, 9999)
        self.clients_spin.setSpecialValueText(self.tr("no count (start by hand or by time)"))
        self.clients_spin.setValue(DEFAULT_CLIENTS)
        self.clients_spin.setToolTip(self.tr(
            "clients=N: the master starts as soon as this many clients have joined."))
        clients_label = QLabel(self.tr("&Clients to wait for:"))
        clients_label.setBuddy(self.clients_spin)
        start_form.addRow(clients_label, self.clients_spin)
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(0, 24 * 60)
        self.timeout_spin.setDecimals(2)
        self.timeout_spin.setSingleStep(0.5)
        self.timeout_spin.setSuffix(self.tr(" min"))
        self.timeout_spin.setSpecialValueText(self.tr("no timeout"))
        self.timeout_spin.setValue(DEFAULT_TIMEOUT_MINUTES)
        self.timeout_spin.setToolTip(self.tr(
            "t=MINUTES: if fewer clients have joined, the master starts this long after the "
            "last one joined (fractions allowed). You can always start at once."))
        timeout_label = QLabel(self.tr("…or start after &minutes:"))
        timeout_label.setBuddy(self.timeout_spin)
        start_form.addRow(timeout_label, self.timeout_spin)
        # Whether the door closes when sending starts (--no-late-join when unticked).
        self.late_join_check = QCheckBox(self.tr("Computers that arrive la&te may still join"))
        self.late_join_check.setToolTip(self.tr(
            "A client that joins while the image is being sent gets what it missed in a catch-up pass. "
            "Unticked: nobody can join once sending has started."))
        self.late_join_check.setChecked(True)
        start_form.addRow(self.late_join_check)
        self.start_box = start_box
        # Side by side when the page is wide (stacked, they pushed the explain panel off a kiosk's
        # 800 rows), stacked when narrow (side by side, they would hold the window 750 px wide).
        boxes = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.option_boxes = boxes
        boxes.addWidget(start_box, 1)

        net_box = QGroupBox(self.tr("Network"))
        net_form = QFormLayout(net_box)
        self.interface_combo = QComboBox()
        self.interface_combo.setToolTip(self.tr("The network interface that carries the multicast."))
        interface_label = QLabel(self.tr("&Interface:"))
        interface_label.setBuddy(self.interface_combo)
        net_form.addRow(interface_label, self.interface_combo)
        rate_row = QHBoxLayout()
        self.rate_check = QCheckBox(self.tr("&Limit the rate to"))
        self.rate_spin = QDoubleSpinBox()
        self.rate_spin.setRange(0.1, 100_000)
        self.rate_spin.setValue(100)
        self.rate_spin.setSuffix(self.tr(" MB/s"))
        self.rate_spin.setEnabled(False)
        self.rate_check.toggled.connect(self._rate_changed)
        self.rate_check.setToolTip(self.tr("Keep the session from filling a shared network."))
        rate_row.addWidget(self.rate_check)
        rate_row.addWidget(self.rate_spin)
        rate_row.addStretch(1)
        net_form.addRow("", rate_row)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1024, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.port_spin.setToolTip(self.tr("UDP port; every computer of the session must use the same."))
        port_label = QLabel(self.tr("UDP &port:"))
        port_label.setBuddy(self.port_spin)
        net_form.addRow(port_label, self.port_spin)
        boxes.addWidget(net_box, 1)
        self.body.addLayout(boxes)
        self.body.addLayout(self._slow_clients_row())
        self.body.addWidget(self.slow_problem)
        demo_row = QHBoxLayout()
        self.demo_button = QPushButton(self.tr("Run it as a &demo on this computer"))
        self.demo_button.setToolTip(self.tr(
            "A real session over loopback with a generated image and as many clients as set above "
            "(at most 16): shows the whole flow without a network."))
        self.demo_button.clicked.connect(self._demo)
        demo_row.addWidget(self.demo_button)
        demo_row.addStretch(1)
        self.body.addLayout(demo_row)
        self.body.addStretch(1)
        for box in (self.clients_spin, self.timeout_spin, self.port_spin, self.rate_spin):
            box.setMaximumWidth(box.fontMetrics().horizontalAdvance("0") * 24)
        self.interface_combo.setMaximumWidth(self.interface_combo.fontMetrics().horizontalAdvance("0") * 70)
        # A computer with many long interface entries must not make the page wider than a kiosk's screen.
        self.interface_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.interface_combo.setMinimumContentsLength(24)

        self.name_edit.textChanged.connect(self._name_changed)
        self.name_edit.returnPressed.connect(self.submitted)
        self._name_changed("")
        self._restore()

    def _slow_clients_row(self) -> QHBoxLayout:
        """--slow-clients as one row under the boxes (a third box beside them squeezed all three
        on a kiosk); the words are the engine's, and so is the parser that checks the rate."""
        row = QHBoxLayout()
        self.slow_combo = QComboBox()
        for word, text, tip in (
            ("catch-up", self.tr("Catch up (the others go on at their own pace)"), self.tr(
                "A client too slow for the others keeps what it received and gets the rest in a further "
                "pass, at a pace it can take; nobody waits for it and nobody is dropped for being slow.")),
            ("wait", self.tr("Wait for the slowest"), self.tr(
                "Everyone receives at the pace of the slowest client (as udpcast and ZENworks did).")),
            ("drop", self.tr("Drop clients slower than"), self.tr(
                "Like catch up, but a client that stays below this rate for 10 seconds is dropped and "
                "listed with the reason.")),
        ):
            self.slow_combo.addItem(text, word)
            self.slow_combo.setItemData(self.slow_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.slow_label = QLabel(self.tr("Sl&ow clients:"))
        self.slow_label.setBuddy(self.slow_combo)
        row.addWidget(self.slow_label)
        row.addWidget(self.slow_combo)
        self.drop_rate_edit = QLineEdit("5M")
        self.drop_rate_edit.setToolTip(self.tr("Bytes per second: for example 5M, 500k or 1.5G."))
        row.addWidget(self.drop_rate_edit)
        self.drop_rate_unit = QLabel(self.tr("bytes/s"))
        row.addWidget(self.drop_rate_unit)
        row.addStretch(1)
        self.slow_problem = QLabel()
        self.slow_problem.setObjectName("inlineError")
        self.slow_problem.setWordWrap(True)
        self.slow_problem.hide()
        self.drop_rate_edit.textChanged.connect(self._slow_changed)
        self.slow_combo.currentIndexChanged.connect(self._slow_changed)
        self._slow_changed()
        return row

    def slow_clients(self) -> str:
        """The --slow-clients words for the choice made (the rate as typed: the engine parses it)."""
        word = str(self.slow_combo.currentData())
        return f"drop:{self.drop_rate_edit.text().strip()}" if word == "drop" else word

    def slow_clients_problem(self) -> str:
        """Why the slow-clients choice cannot be used, in the engine's one line; '' when it can."""
        if not self.slow_combo.isEnabled():
            return ""
        try:
            parse_slow_policy(self.slow_clients())
        except ImgcastError as error:
            return str(error)
        return ""

    def _slow_changed(self, *_: object) -> None:
        dropping = self.slow_combo.currentData() == "drop"
        self.drop_rate_edit.setVisible(dropping)
        self.drop_rate_unit.setVisible(dropping)
        problem = self.slow_clients_problem()
        self.slow_problem.setText(problem)
        self.slow_problem.setVisible(bool(problem))
        emit(self.completeChanged)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        self.option_boxes.setDirection(QBoxLayout.Direction.LeftToRight if wide
                                       else QBoxLayout.Direction.TopToBottom)

    def _restore(self) -> None:
        """The last session's answers: a helpdesk runs the same room's session again and again."""
        settings = QSettings()
        self.name_edit.setText(str(settings.value("session/name", "")))
        self.clients_spin.setValue(int(str(settings.value("session/clients", DEFAULT_CLIENTS))))
        self.timeout_spin.setValue(float(str(settings.value("session/timeout_minutes", DEFAULT_TIMEOUT_MINUTES))))
        self.port_spin.setValue(int(str(settings.value("session/port", DEFAULT_PORT))))
        rate = float(str(settings.value("session/rate_mb", 0)))
        self.rate_check.setChecked(rate > 0)
        if rate > 0:
            self.rate_spin.setValue(rate)
        slow = str(settings.value("session/slow_clients", "catch-up"))
        word, _, drop_rate = slow.partition(":")
        self.slow_combo.setCurrentIndex(max(self.slow_combo.findData(word), 0))
        if drop_rate:
            self.drop_rate_edit.setText(drop_rate)
        self.late_join_check.setChecked(str(settings.value("session/late_join", "true")).lower() == "true")

    def _remember(self) -> None:
        settings = QSettings()
        settings.setValue("session/name", self.name_edit.text())
        settings.setValue("session/clients", self.clients_spin.value())
        settings.setValue("session/timeout_minutes", self.timeout_spin.value())
        settings.setValue("session/port", self.port_spin.value())
        settings.setValue("session/rate_mb", self.rate_spin.value() if self.rate_check.isChecked() else 0)
        settings.setValue("session/slow_clients", self.slow_clients())
        settings.setValue("session/late_join", self.late_join_check.isChecked())

    # --- the name and its address ------------------------------------------------------

    def _name_changed(self, text: str) -> None:
        problem = check_name(text)
        self.explain_tree.clear()
        if problem:
            self.preview.setText("—")
            # An empty field is not an error yet: only say why once something was typed.
            self.name_problem.setText(problem if text else "")
            self.name_form.setRowVisible(self.name_problem, bool(problem and text))
        else:
            address = session_address(text)
            self.preview.setText(address.group)
            self.name_problem.setText("")
            self.name_form.setRowVisible(self.name_problem, False)
            for label, value in address.explain():
                item = QTreeWidgetItem([label, value])
                item.setToolTip(1, value)
                self.explain_tree.addTopLevelItem(item)
            self.explain_tree.resizeColumnToContents(0)
        emit(self.completeChanged)

    def _passphrase_changed(self, text: str) -> None:
        self.security_note.setText(self.tr("Secured: encrypted and authenticated.") if text
                                   else self.tr("Not secured: anyone on this network can read this image."))

    def _demo(self) -> None:
        emit(self.demoRequested, min(max(self.clients_spin.value(), 1), MAX_DEMO_CLIENTS))

    def _toggle_explain(self, shown: bool) -> None:
        self.explain_tree.setVisible(shown)
        self.explain_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def is_complete(self) -> bool:
        return check_name(self.name_edit.text()) is None and not self.slow_clients_problem()

    # --- interfaces ----------------------------------------------------------------------

    def _fill_interfaces(self, wanted: str) -> None:
        self.interface_combo.clear()
        self.interface_combo.addItem(self.tr("System default (0.0.0.0)"), "0.0.0.0")
        try:
            interfaces = self.inventory.multicast_interfaces()
        except ImgcastError:
            interfaces = []
        seen = {"0.0.0.0"}
        for info in interfaces:
            if info.address in seen:
                continue
            seen.add(info.address)
            state = self.tr("up") if info.up else self.tr("down")
            kind = self.tr(", loopback: this computer only") if info.is_loopback else ""
            self.interface_combo.addItem(
                f"{info.name} — {info.address} ({state}, MTU {info.mtu}{kind})", info.address)
        if "127.0.0.1" not in seen:
            self.interface_combo.addItem(self.tr("Loopback — 127.0.0.1 (this computer only)"), "127.0.0.1")
        index = self.interface_combo.findData(wanted)
        self.interface_combo.setCurrentIndex(max(index, 0))

    def _rate_changed(self) -> None:
        """The value box follows its box: editable only while the limit is both offered (the
        master sends, a client has no rate) and ticked."""
        self.rate_spin.setEnabled(self.rate_check.isEnabled() and self.rate_check.isChecked())

    # --- wizard hooks --------------------------------------------------------------------

    def enter(self, choices: SessionChoices) -> None:
        if not self.name_edit.text() and choices.name:
            self.name_edit.setText(choices.name)
        remembered = str(QSettings().value("session/interface", choices.interface))
        self._fill_interfaces(remembered)
        # The start rule only matters where this computer may become the master.
        self.start_box.setEnabled(choices.role != "client")
        self.rate_check.setEnabled(choices.role != "client")
        self._rate_changed()
        for widget in (self.slow_label, self.slow_combo, self.drop_rate_edit, self.drop_rate_unit):
            widget.setEnabled(choices.role != "client")
        self._slow_changed()
        self.name_edit.setFocus()

    def leave(self, choices: SessionChoices) -> bool:
        choices.name = self.name_edit.text()
        choices.clients = self.clients_spin.value() or None
        choices.timeout_minutes = self.timeout_spin.value() or None
        choices.interface = str(self.interface_combo.currentData())
        choices.port = self.port_spin.value()
        choices.rate = self.rate_spin.value() * MEGABYTE if self.rate_check.isChecked() else None
        choices.passphrase = self.passphrase_edit.text().encode() or None
        problem = self.slow_clients_problem()
        self.show_error(problem)
        if problem:
            return False
        choices.slow_clients = self.slow_clients()
        choices.late_join = self.late_join_check.isChecked()
        QSettings().setValue("session/interface", choices.interface)
        self._remember()
        return True
