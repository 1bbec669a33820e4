"""The signal adapter between the engine's session runner and the wizard's pages.

The runner calls `on_event` on the asyncio loop, which qasync runs on the Qt main thread, so
each event becomes a plain Qt signal. The controller turns the operator's buttons into exactly
one runner call each; it decides nothing about the protocol.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..engine.events import Event, SessionFailed
from .failures import failure_text
from .signals import emit

RunnerFactory = Callable[[Any, Callable[[Event], None]], Any]


def engine_runner(settings: Any, on_event: Callable[[Event], None]) -> Any:
    from ..engine.session import SessionRunner

    return SessionRunner(settings, on_event)


class SessionController(QObject):
    """Runs one session (or one demo) at a time and reports it as signals."""

    event = Signal(object)  # every event this computer sees
    demo_event = Signal(str, object)  # demo only: (participant, event) for the other participants
    finished = Signal(object)  # the final SessionFinished or SessionFailed

    def __init__(self, runner_factory: RunnerFactory = engine_runner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner_factory = runner_factory
        self.runner: Any = None
        self.task: asyncio.Task | None = None  # reports the end; always finishes
        self.session_task: asyncio.Future | None = None  # the runner's run() (or the demo)
        self.final: Event | None = None
        self.demo_master_label: str | None = None
        self.heard_from_engine = False  # the runner has said something: it is past its start-up

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self, settings: Any) -> None:
        """Start a session; bad settings raise UsageError here, before anything is sent."""
        check = getattr(settings, "check", None)
        if callable(check):
            check()
        self.runner = self.runner_factory(settings, self._deliver)
        self._launch(self.runner.run())

    def start_demo(self, clients: int, size: int, workdir: str | None = None,
                   rate: float | None = None, join_interval: float = 0.0, name: str | None = None) -> None:
        """A real loopback session with a generated image; the master's events drive the page.
        `join_interval`: seconds between the clients' arrivals (0: all at once)."""
        from ..engine.demo import run_demo

        self.runner = None

        def on_event(label: str, event: Event) -> None:
            if self.demo_master_label is None and label.lower().startswith("master"):
                self.demo_master_label = label
            if label == self.demo_master_label:
                emit(self.event, event)
            else:
                emit(self.demo_event, label, event)

        async def demo() -> Event:
            finals = await run_demo(clients, on_event, size=size, workdir=workdir, rate=rate,
                                    join_interval=join_interval, name=name)
            return finals[0]

        self._launch(demo())

    def _deliver(self, event: Event) -> None:
        """The runner's on_event: called on the loop thread (the Qt main thread under qasync)."""
        self.heard_from_engine = True
        emit(self.event, event)

    def _launch(self, coroutine: Any) -> None:
        self.final = None
        self.heard_from_engine = False
        self.session_task = asyncio.ensure_future(coroutine)
        self.task = asyncio.ensure_future(self._finish(self.session_task))

    async def _finish(self, session: asyncio.Future) -> None:
        """Wait for the session and report how it ended, whatever happens (even a cancel before it ran)."""
        try:
            final = await session
        except asyncio.CancelledError:
            final = SessionFailed("cancelled by the operator")
        except Exception as error:  # noqa: BLE001 - shown in the window, never a console traceback
            final = SessionFailed(failure_text(error))
        self.final = final
        emit(self.finished, final)

    async def wait_finished(self, seconds: float) -> None:
        """Give a cancelled session a bounded moment to say goodbye (the master tells its clients)."""
        if self.task is not None and not self.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.task), seconds)
            except (TimeoutError, asyncio.CancelledError):
                if self.session_task is not None:
                    self.session_task.cancel()

    # --- the operator's buttons, one engine call each ----------------------------------------

    def start_now(self) -> str | None:
        """Close the lobby; returns the engine's reason when it cannot (shown by the page)."""
        return self.runner.start_now() if self.runner is not None else None

    def become_master(self) -> str | None:
        """Claim mastership; returns the engine's reason when it cannot (shown by the page)."""
        return self.runner.become_master() if self.runner is not None else None

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
        # A demo, or a runner still starting up (nothing said yet, so nothing sent): stop the task.
        if self.session_task is not None and (self.runner is None or not self.heard_from_engine):
            self.session_task.cancel()
