"""The one door from the wizard to the engine's hardware inventory and image-safe data.

Pages take an object with these four methods instead of importing the engine directly, so a
test can hand them a faked computer (disks that are mounted, a system disk, odd interfaces)
and the same pages show the real one in use. The engine modules are imported on first use:
when a build lacks them, the page says so in the window instead of failing to open.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from ..engine.errors import ImgcastError


class InventorySource(Protocol):
    def list_disks(self) -> list[Any]: ...
    def multicast_interfaces(self) -> list[Any]: ...
    def collect_inventory(self) -> Any: ...
    def read_zisd(self, disk: str) -> Any: ...
    def zisd_keys(self) -> tuple[str, ...] | None: ...
    def edit_zisd(self, current: Any, settings: list[str]) -> Any: ...
    def write_zisd(self, disk: str, data: Any) -> None: ...


class EngineInventory:
    """The real computer, as imgcast.engine.inventory and imgcast.engine.zisd see it."""

    def _module(self, name: str) -> Any:
        try:
            return importlib.import_module(f"imgcast.engine.{name}")
        except ImportError:
            words = {"inventory": "hardware inventory", "zisd": "image-safe data"}.get(name, name)
            raise ImgcastError(f"this build of imgcast has no {words} support yet") from None

    def list_disks(self) -> list[Any]:
        return list(self._module("inventory").list_disks())

    def multicast_interfaces(self) -> list[Any]:
        return list(self._module("inventory").multicast_interfaces())

    def collect_inventory(self) -> Any:
        return self._module("inventory").collect_inventory()

    def read_zisd(self, disk: str) -> Any:
        return self._module("zisd").read_zisd(disk)

    def zisd_keys(self) -> tuple[str, ...] | None:
        """The fields an operator may edit, or None when this build cannot write image-safe data."""
        try:
            return tuple(self._module("zisd").EDITABLE_KEYS)
        except (ImgcastError, AttributeError):
            return None

    def edit_zisd(self, current: Any, settings: list[str]) -> Any:
        """`img zisd set` semantics: KEY=VALUE over the current data, validated (UsageError says why)."""
        zisd = self._module("zisd")
        return zisd.apply_settings(current if current is not None else zisd.ImageSafeData(), settings)

    def write_zisd(self, disk: str, data: Any) -> None:
        self._module("zisd").write_zisd(disk, data)
