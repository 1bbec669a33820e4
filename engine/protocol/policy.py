"""What the master does about a client that cannot keep up (`--slow-clients POLICY`).

- `wait`: everyone moves at the slowest client's pace (udpcast's and ZENworks' behaviour).
- `catch-up` (the default): each pass runs at the pace of the clients that keep up; a client
  that falls behind keeps what it received and gets the rest in a further pass, at a pace it can
  take, once the pass it fell out of has been sent. Nobody is dropped for being slow, only for
  silence. Late joiners are served the same way.
- `drop:RATE`: as catch-up, but a client that stays below RATE bytes/s (and well below the
  others) for `DROP_AFTER` seconds is dropped, told why, and listed with the reason.

Parsing lives here so the CLI and the wizard accept exactly the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError

DROP_AFTER = 10.0  # seconds below the drop rate before a client is dropped
_UNITS = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}


@dataclass(frozen=True)
class SlowPolicy:
    kind: str = "catch-up"  # "wait" | "catch-up" | "drop"
    drop_below: float = 0.0  # bytes/s, for "drop"

    @property
    def defers(self) -> bool:
        """Does a pass leave behind the clients that cannot keep up?"""
        return self.kind != "wait"

    def __str__(self) -> str:
        return f"drop:{format_rate(self.drop_below)}" if self.kind == "drop" else self.kind


def parse_rate_text(text: str) -> float:
    """'5M', '500k', '1.5G', '2000000' (bytes/s; a trailing B/s or /s is allowed) -> bytes/s."""
    t = text.strip().lower().removesuffix("b/s").removesuffix("/s").removesuffix("b")
    number, unit = (t[:-1], t[-1]) if t and t[-1] in "kmg" else (t, "")
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        raise UsageError(f"{text!r} is not a rate; write e.g. 5M or 500k (bytes per second)") from None
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{text!r}: the rate must be more than 0")
    return value


def format_rate(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:g}{unit}"
    return f"{value:g}"


def parse_slow_policy(text: str) -> SlowPolicy:
    """The words of --slow-clients; a bad one raises UsageError naming it and what is allowed."""
    word = text.strip().lower()
    if word in ("wait", "catch-up"):
        return SlowPolicy(word)
    if word.startswith("drop:"):
        return SlowPolicy("drop", parse_rate_text(text.strip()[5:]))
    raise UsageError(f"--slow-clients {text!r}: use catch-up, wait, or drop:RATE (e.g. drop:5M, bytes/s)")
