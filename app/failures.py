"""One line for the window from whatever stopped a piece of engine work."""

from __future__ import annotations

from ..engine.errors import ImgcastError


def failure_text(error: Exception) -> str:
    """The engine's own message, or for an OSError the path and what the system said; anything
    else is named as unexpected (shown in the window, never a console traceback)."""
    if isinstance(error, ImgcastError):
        return str(error)
    if isinstance(error, OSError):  # a path the operator typed: say which, and what the system said
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{(error.strerror or str(error)).lower()}"
    return f"unexpected error: {type(error).__name__}: {error}"
