"""Linux's own tables (/sys, /proc, /run/udev) read below a root path.

Everything goes through `Tables` so tests can hand in a fake root in a temporary folder, and so
a missing or unreadable entry is simply None: machines differ in what their kernel exposes.
"""

from __future__ import annotations

import os
from pathlib import Path


class Tables:
    def __init__(self, root: str | os.PathLike[str] = "/") -> None:
        self.root = Path(root)
        self.is_live = self.root.resolve() == Path("/")

    def path(self, rel: str) -> Path:
        return self.root / rel.lstrip("/")

    def text(self, rel: str) -> str | None:
        """The file's text, stripped; None when missing, unreadable or empty."""
        try:
            value = self.path(rel).read_text(errors="replace").strip()
        except (OSError, ValueError):
            return None
        return value.replace("\x00", "") or None

    def integer(self, rel: str) -> int | None:
        value = self.text(rel)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    def listdir(self, rel: str) -> list[str]:
        try:
            return sorted(os.listdir(self.path(rel)))
        except OSError:
            return []

    def exists(self, rel: str) -> bool:
        return self.path(rel).exists()

    def lines(self, rel: str) -> list[str]:
        value = self.text(rel)
        return value.splitlines() if value else []

    def udev(self, major_minor: str | None) -> dict[str, str]:
        """udev's properties of a block device ("E:KEY=VALUE" lines), when udev runs."""
        if not major_minor:
            return {}
        found: dict[str, str] = {}
        for line in self.lines(f"run/udev/data/b{major_minor}"):
            if line.startswith("E:") and "=" in line:
                key, _, value = line[2:].partition("=")
                found[key] = value
        return found

    def mounts(self) -> list[tuple[str, str, str]]:
        """(source, mount point, fstype) from /proc/mounts, octal escapes undone."""
        found = []
        for line in self.lines("proc/mounts"):
            parts = line.split()
            if len(parts) >= 3:
                found.append((_unescape(parts[0]), _unescape(parts[1]), parts[2]))
        return found


def _unescape(text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as \\040 etc."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 3 < len(text) + 1 and text[i + 1:i + 4].isdigit():
            out.append(chr(int(text[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
