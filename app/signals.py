"""Emitting Qt signals from Python safely on PySide6 6.12.0.

In PySide6 6.12.0, `SignalInstance.emit()` returns True without taking a reference to it, so
every emit from Python leaves True one reference short; after a few thousand emits (a session
sends many progress events) the interpreter aborts with "bool_dealloc: deallocating True".
Signals Qt emits from C++ (clicks, timers) are not affected.

The bug is detected once at import, and only then does `emit` give the reference back, so on a
fixed PySide6 this module does nothing extra. The real fix is to avoid 6.12.0 in pyproject.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_PROBES = 8
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    stolen = before - sys.getrefcount(True)
    for _ in range(max(0, stolen)):
        _incref(True)  # give back what the probe itself cost
    return stolen >= _PROBES


EMIT_STEALS_A_REFERENCE = _emit_steals_a_reference()


def give_back_emit_reference(result: Any) -> None:
    """Return the reference a Python-side emit took from its result (only when the bug is present)."""
    if EMIT_STEALS_A_REFERENCE:
        _incref(result)


def emit(signal: Any, *args: Any) -> None:
    """`signal.emit(*args)`, without the reference leak of PySide6 6.12.0."""
    give_back_emit_reference(signal.emit(*args))
