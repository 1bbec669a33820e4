"""What the operator chose on the wizard's pages, gathered in one place until the session starts.

This is intent only, in the operator's words; `to_settings` turns it into the engine's
SessionSettings in one step, so the engine (not the wizard) decides what is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENTS = 5  # ZENworks' defaults: start when 5 clients joined ...
DEFAULT_TIMEOUT_MINUTES = 15.0  # ... or 15 minutes after the last one joined


@dataclass
class SessionChoices:
    role: str | None = "master"  # "master" | "client" | None (decide later)
    name: str = ""
    clients: int | None = DEFAULT_CLIENTS
    timeout_minutes: float | None = DEFAULT_TIMEOUT_MINUTES
    interface: str = "0.0.0.0"
    port: int = 9231
    ttl: int = 1
    rate: float | None = None  # bytes per second
    source: str | None = None
    source_is_disk: bool = False
    target: str | None = None
    target_is_disk: bool = False
    confirmed: bool = False
    passphrase: bytes | None = field(default=None, repr=False)  # a secured session; never stored
    slow_clients: str = "catch-up"  # --slow-clients: catch-up | wait | drop:RATE (the engine parses it)
    late_join: bool = True  # --no-late-join when False

    @property
    def secured(self) -> bool:
        return self.passphrase is not None

    def to_settings(self, settings_class: Any = None) -> Any:
        """The engine's SessionSettings for these choices (or `settings_class`, same fields)."""
        if settings_class is None:
            from ..engine.session import SessionSettings as settings_class

        wants_source = self.role in ("master", None)
        wants_target = self.role in ("client", None)
        secured = {"passphrase": self.passphrase} if self.passphrase is not None else {}
        return settings_class(
            **secured,
            name=self.name,
            role=self.role,
            clients=self.clients if wants_source else None,
            timeout_minutes=self.timeout_minutes if wants_source else None,
            source=self.source if wants_source else None,
            target=self.target if wants_target else None,
            interface=self.interface,
            port=self.port,
            ttl=self.ttl,
            rate=self.rate,
            confirmed=self.confirmed,
            slow_clients=self.slow_clients,
            late_join=self.late_join,
        )
