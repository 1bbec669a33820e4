"""The signal adapter between the engine's image-file calls (`make_image`, `restore_image`) and
the wizard: the same calls `img make` and `img restore` make, nothing of the image format here.

Those calls are plain blocking functions (they are CPU- and disk-bound), so the controller runs
each one in the qasync loop's executor, awaited by a task on the Qt main thread, the way the
session controller awaits a runner. Their `on_event` is called on the worker thread; every event
is handed to the loop thread with `call_soon_threadsafe` and only there becomes a Qt signal.

Cancel: the engine calls stop when `on_event` raises (the make removes its partial file, the
restore leaves its target incomplete), so after `cancel()` the next Progress the worker reports
raises `ImagingCancelled` on the worker thread. Progress comes a few times a second.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ..engine.errors import ImgcastError, UsageError
from ..engine.events import Event, Progress
from .failures import failure_text
from .signals import emit


class ImagingCancelled(Exception):
    """Raised inside the engine's pump (through on_event) to stop it at the operator's request."""


@dataclass(frozen=True)
class ImagingFailed:
    """How a make or restore ended when it did not succeed, in words for the window."""

    reason: str
    usage: bool = False  # refused before anything was written (bad path, existing file, ...)
    cancelled: bool = False


class ImagingController(QObject):
    """Runs one make or restore at a time and reports it as signals on the GUI thread."""

    event = Signal(object)  # Progress, PartitionMapped, ... as the engine reports them
    finished = Signal(object)  # ImageMade / ImageRestored, or ImagingFailed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.task: asyncio.Task | None = None
        self.final: object | None = None
        self._cancel = threading.Event()

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def make(self, file: str, disk: str, *, level: str = "balanced", raw: bool = False,
             overwrite: bool = False) -> None:
        """Save `disk` (a disk or raw disk file) as the image `file`: `img make FILE from=DISK`."""
        from ..engine.image.local import make_image

        self._launch(functools.partial(make_image, file, disk, raw=raw, level=level, overwrite=overwrite))

    def restore(self, file: str, target: str, *, confirmed: bool) -> None:
        """Put the image `file` down on `target`: `img restore FILE to=DISK` (`--yes` = confirmed)."""
        from ..engine.image.local import restore_image

        self._launch(functools.partial(restore_image, file, target, confirmed=confirmed))

    def cancel(self) -> None:
        self._cancel.set()

    def _launch(self, call: Callable[..., Event]) -> None:
        if self.running:
            raise ImgcastError("an image file is already being saved or put down")
        self._cancel.clear()
        self.final = None
        loop = asyncio.get_event_loop()
        self.task = asyncio.ensure_future(self._run(loop, call))

    def _on_worker_event(self, loop: asyncio.AbstractEventLoop, event: Event) -> None:
        """The engine's on_event, on the worker thread."""
        if self._cancel.is_set() and isinstance(event, Progress) and event.done < event.total:
            raise ImagingCancelled
        loop.call_soon_threadsafe(self._deliver, event)

    def _deliver(self, event: Event) -> None:
        emit(self.event, event)

    async def _run(self, loop: asyncio.AbstractEventLoop, call: Callable[..., Event]) -> None:
        """Run the engine call off the GUI thread and report how it ended, whatever happens."""
        work = loop.run_in_executor(None, functools.partial(call, on_event=functools.partial(
            self._on_worker_event, loop)))
        final: object
        try:
            final = await work
        except ImagingCancelled:
            final = ImagingFailed("cancelled by the operator", cancelled=True)
        except asyncio.CancelledError:  # the window closed: the worker stops at its next report
            self._cancel.set()
            final = ImagingFailed("cancelled by the operator", cancelled=True)
        except UsageError as error:
            final = ImagingFailed(str(error), usage=True)
        except Exception as error:  # noqa: BLE001 - shown in the window, never a console traceback
            final = ImagingFailed(failure_text(error))
        self.final = final
        emit(self.finished, final)

    async def wait_finished(self, seconds: float) -> None:
        """Closing the window: stop the work and give the worker a bounded moment to clean up."""
        if self.task is not None and not self.task.done():
            self._cancel.set()
            try:
                await asyncio.wait_for(asyncio.shield(self.task), seconds)
            except (TimeoutError, asyncio.CancelledError):
                pass

