"""This computer's own disk: what `img session doug client` writes and `... master` sends.

ZENworks ran on the computer being imaged, booted from an imaging medium, so its syntax names no
disk: `img session doug client` is a complete command. imgcast keeps that. The disk meant is the
one that is neither mounted nor holding the running system or its boot medium (a live medium is
mounted, so it is refused like any mounted disk), and, to be written, not read-only and large
enough for the announced image. Removable media count only when no fixed disk qualifies: a USB
stick left in a port must never win over the internal disk.

`IMGCAST_DISKS` (device paths, separated by commas) narrows the search to those devices. It never
widens it. Tests set it to their loop devices so this machine's real disks are never considered
for writing, and an imaging room can set it to pin the disk a script may touch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import SessionFailed, UsageError
from ..inventory.disks import READ_ONLY_REASON, list_disks
from ..inventory.model import DiskInfo
from .target import size_text

ENV_DISKS = "IMGCAST_DISKS"
MIN_DISK_SIZE = 1 << 20  # below this no partitioned disk fits: a card reader's stub, a tiny loop
PURPOSES = ("send", "write")


@dataclass(frozen=True)
class OwnDisks:
    """The disks a session could use as this computer's own, and why each other disk cannot."""

    purpose: str  # "send" | "write"
    eligible: tuple[DiskInfo, ...]
    refused: tuple[tuple[DiskInfo, str], ...]

    def none_message(self) -> str:
        """One line naming every disk and why it cannot be used (no disk qualifies)."""
        verb = "sent" if self.purpose == "send" else "written"
        role = "from" if self.purpose == "send" else "to"
        if not self.refused:
            where = f" among {ENV_DISKS}={os.environ[ENV_DISKS]!r}" if ENV_DISKS in os.environ else ""
            return f"no disk of this computer can be {verb}: no disk found{where}; give {role}=PATH"
        reasons = "; ".join(f"{describe(disk)} {reason}" for disk, reason in self.refused)
        return f"no disk of this computer can be {verb}: {reasons}; give {role}=PATH"

    def several_message(self) -> str:
        """One line listing the candidates, for a choice nobody is there to make."""
        verb = "sent" if self.purpose == "send" else "written"
        role = "from" if self.purpose == "send" else "to"
        names = ", ".join(describe(disk) for disk in self.eligible)
        return f"several disks of this computer could be {verb}: {names}; say which with {role}=DISK"


def describe(disk: DiskInfo) -> str:
    """'/dev/sdb (Samsung SSD 870, 465.8 GiB, serial S5Y1NX0R)': enough to recognise the disk in
    the machine before it is overwritten."""
    parts = [disk.model or "disk"]
    if disk.kind == "loop" and disk.backing_file:
        parts[0] = f"loop device on {disk.backing_file}"
    parts.append(size_text(disk.size))
    if disk.serial:
        parts.append(f"serial {disk.serial}")
    return f"{disk.device} ({', '.join(parts)})"


def allowed_devices() -> set[str] | None:
    """The devices IMGCAST_DISKS names (resolved), or None when it is not set. Set but empty
    narrows to no disk at all: it only ever narrows, and a script whose `IMGCAST_DISKS="$PINNED"`
    came out empty must not be handed every disk of the machine."""
    value = os.environ.get(ENV_DISKS)
    if value is None:
        return None
    return {os.path.realpath(item.strip()) for item in value.split(",") if item.strip()}


def refusal(disk: DiskInfo, purpose: str, min_size: int = 0) -> str | None:
    """Why this disk cannot be this computer's disk for `purpose`, or None."""
    reason = disk.unusable_reason
    if purpose == "send" and reason == READ_ONLY_REASON:
        reason = None  # reading a read-only disk is fine
    if reason:
        return reason
    needed = max(min_size, MIN_DISK_SIZE)
    if disk.size < needed:
        if min_size > MIN_DISK_SIZE:
            return (f"is too small: it holds {disk.size:,} bytes, the image needs {min_size:,} "
                    f"({size_text(min_size)})")
        return "is too small to hold a disk"
    return None


def own_disks(purpose: str, *, min_size: int = 0, disks: Sequence[DiskInfo] | None = None) -> OwnDisks:
    """Sort this computer's disks into eligible and refused (with the reason) for `purpose`.

    `min_size` is the disk size the announced image needs (0 when sending or not yet known)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    found = list_disks() if disks is None else list(disks)
    allowed = allowed_devices()
    if allowed is not None:
        found = [disk for disk in found if os.path.realpath(disk.device) in allowed]
    eligible: list[DiskInfo] = []
    refused: list[tuple[DiskInfo, str]] = []
    for disk in found:
        reason = refusal(disk, purpose, min_size)
        if reason is None:
            eligible.append(disk)
        else:
            refused.append((disk, reason))
    fixed = [disk for disk in eligible if not disk.removable]
    if fixed and len(fixed) < len(eligible):
        for disk in eligible:
            if disk.removable:
                refused.append((disk, "is removable (used only when no fixed disk qualifies)"))
        eligible = fixed
    return OwnDisks(purpose, tuple(eligible), tuple(refused))


def only_own_disk(purpose: str, disks: Sequence[DiskInfo]) -> str | None:
    """The device when exactly one of `disks` qualifies for `purpose` (the wizard preselects
    it, as `img session doug client` would take it); None when none or several do."""
    own = own_disks(purpose, disks=disks)
    return own.eligible[0].device if len(own.eligible) == 1 else None


Ask = Callable[[str], str]


def choose_own_disk(own: OwnDisks, *, confirmed: bool, ask: Ask | None) -> str:
    """The device to use, after asking the operator where a person must decide.

    `ask` shows a question and returns the answer typed (None: nobody to ask, as without a
    terminal or with --json). Writing needs consent once, naming the disk: --yes (`confirmed`),
    a "y" to the question, or picking the disk by number from a list that says it is overwritten.
    None qualifies: SessionFailed (exit 1) naming every disk and why; several and nobody to ask:
    UsageError naming them.
    """
    if not own.eligible:
        raise SessionFailed(own.none_message())
    writing = own.purpose == "write"
    if len(own.eligible) == 1:
        disk = own.eligible[0]
        if not writing or confirmed:
            return disk.device
        if ask is None:
            raise UsageError(f"this computer's disk is {describe(disk)}: writing it destroys everything "
                             "on it; add --yes to confirm")
        answer = ask(f"Overwrite this computer's disk {describe(disk)}? Everything on it is replaced. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            raise SessionFailed(f"{disk.device} was not confirmed; nothing was written")
        return disk.device
    if ask is None:
        raise UsageError(own.several_message())
    lines = [f"  {number}) {describe(disk)}" for number, disk in enumerate(own.eligible, 1)]
    question = ("Which disk of this computer should be "
                + ("overwritten (everything on it is replaced)" if writing else "sent") + "?\n"
                + "\n".join(lines) + f"\nNumber (1-{len(own.eligible)}, Enter cancels): ")
    answer = ask(question).strip()
    if answer.isdigit() and 1 <= int(answer) <= len(own.eligible):
        return own.eligible[int(answer) - 1].device
    raise SessionFailed("no disk was chosen" + ("; nothing was written" if writing else ""))
