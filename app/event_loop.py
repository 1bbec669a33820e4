"""The asyncio loop the wizard runs on: qasync's, so engine coroutines and Qt share one thread."""

from __future__ import annotations

from typing import Any

from qasync import QEventLoop

from .signals import give_back_emit_reference


class WizardEventLoop(QEventLoop):
    """qasync's loop; its thread-safe call_soon emits a signal from Python, so on PySide6 6.12.0 it
    hands back the reference that emit takes (engine worker threads call it for every result)."""

    def call_soon_threadsafe(self, callback: Any, *args: Any, context: Any = None) -> Any:
        handle = super().call_soon_threadsafe(callback, *args, context=context)
        give_back_emit_reference(True)
        return handle
