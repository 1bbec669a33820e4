"""Session name -> multicast group address and session id (DESIGN.md, "Session name").

The ZENworks hash cannot be recovered (two different names in its manuals give the same
address), so imgcast documents its own: SHA-256 of the normalised name; the group is
231.d[0].d[1].d[2] and the session id is d[3:11]. The id travels in every datagram, so two
names that land on one group never mix their data.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from .errors import UsageError

MAX_NAME_LENGTH = 64
GROUP_FIRST_OCTET = 231  # all imgcast groups start with 231, as ZENworks' did, to ease wire sniffing
DEFAULT_PORT = 9231
DEFAULT_TTL = 1


@dataclass(frozen=True)
class SessionAddress:
    """Every intermediate step is kept, so `img address --explain` and the wizard can show them."""

    name: str
    normalised: str
    digest: bytes
    group: str
    session_id: bytes

    def explain(self) -> list[tuple[str, str]]:
        """The hashing steps as (label, value) pairs, in the order a person follows them."""
        d = self.digest
        return [
            ("Session name", repr(self.name)),
            ("Normalised (NFC, casefold, trimmed)", repr(self.normalised)),
            ("UTF-8 bytes", self.normalised.encode("utf-8").hex(" ")),
            ("SHA-256", d.hex()),
            ("Bytes 0..2 -> address", f"{d[0]:02x} {d[1]:02x} {d[2]:02x} -> {d[0]}.{d[1]}.{d[2]}"),
            ("Multicast group", self.group),
            ("Bytes 3..10 -> session id", self.session_id.hex()),
        ]


def normalise_name(name: str) -> str:
    """Unicode NFC, then casefold, surrounding white space removed: "Doug " and "DOUG" meet."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def check_name(name: str) -> str | None:
    """The reason a name cannot be used, or None when it is fine (for inline validation)."""
    normalised = normalise_name(name)
    if not normalised:
        return "the session name is empty; type a name every computer in the session will use"
    if len(normalised) > MAX_NAME_LENGTH:
        return (
            f"the session name is {len(normalised)} characters long; "
            f"use at most {MAX_NAME_LENGTH}"
        )
    return None


def session_address(name: str) -> SessionAddress:
    """The group address and session id for `name`; raises UsageError for unusable names."""
    problem = check_name(name)
    if problem:
        raise UsageError(problem)
    normalised = normalise_name(name)
    digest = hashlib.sha256(normalised.encode("utf-8")).digest()
    group = f"{GROUP_FIRST_OCTET}.{digest[0]}.{digest[1]}.{digest[2]}"
    return SessionAddress(name, normalised, digest, group, digest[3:11])
