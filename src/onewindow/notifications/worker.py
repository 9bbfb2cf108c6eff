"""The background loop: runs queued jobs (django-tasks-db) and, every ``TICK_INTERVAL_SECONDS``, the
periodic tick (warnings, escalation; ``onewindow.coordination.tick``) and the daily digests.

The same loop serves ``onewindow worker`` (in the foreground, stopped by a signal) and the demo (in a
background thread of the launching process, stopped through its ``stop`` event), so the demo and
production run the same code.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from onewindow.notifications.digests import send_digests

logger = logging.getLogger("onewindow.worker")

# How often the queue is looked at when it is empty.
POLL_SECONDS = 1.0


def run_tick(*, at: datetime.datetime) -> str:
    """The periodic tick as of ``at``, and a line saying what it did.

    Coordination sits above notifications, so its tick (which also sends the digests) is imported here,
    when it runs, never at module level. Without it (an installation that leaves it out) only the
    digests are due.
    """
    try:
        from onewindow.coordination.tick import run_tick as coordination_tick
    except ModuleNotFoundError as error:
        # Only a missing module means "no tick"; a broken import inside it must surface.
        if error.name not in ("onewindow.coordination", "onewindow.coordination.tick"):
            raise
        return f"tick {at.isoformat()}: {send_digests(at=at)} digests"
    return str(coordination_tick(at=at))


def run_queued_jobs(*, worker_id: str) -> None:
    """Run every job waiting in the database queue, then return."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not backend.startswith("django_tasks_db."):
        # The immediate backend (tests) ran each job when it was enqueued: nothing waits.
        return
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=list(settings.TASKS["default"].get("QUEUES") or ["default"]),
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


class BackgroundLoop:
    """Jobs as they come, the tick and digests every ``tick_interval`` seconds (first at once)."""

    def __init__(
        self,
        *,
        tick_interval: int | None = None,
        report: Callable[[str], None] | None = None,
        clock: Callable[[], datetime.datetime] = timezone.now,
    ):
        self.tick_interval = tick_interval or settings.ONEWINDOW_TICK_INTERVAL_SECONDS
        self.report = report or logger.info
        self.clock = clock
        self.stop = threading.Event()
        self.failures = 0
        self.passes = 0
        self.worker_id = f"onewindow-{get_random_string(16)}"
        self._next_tick = 0.0

    def tick(self) -> None:
        at = self.clock()
        self.report(run_tick(at=at))

    def iteration(self) -> None:
        """One pass: due jobs, then the tick if its time has come. A failure is logged and counted,
        never fatal: the next pass tries again."""
        close_old_connections()
        for step in (self._jobs, self._tick_if_due):
            try:
                step()
            except Exception:
                self.failures += 1
                logger.exception("background step %s failed", step.__name__)

    def _jobs(self) -> None:
        run_queued_jobs(worker_id=self.worker_id)

    def _tick_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_tick:
            self._next_tick = now + self.tick_interval
            self.tick()

    def run(self, *, iterations: int | None = None) -> None:
        """Until ``stop`` is set (or for ``iterations`` passes)."""
        done = 0
        while not self.stop.is_set():
            self.iteration()
            self.passes += 1
            done += 1
            if iterations is not None and done >= iterations:
                break
            self.stop.wait(POLL_SECONDS)

    def _run_in_thread(self) -> None:
        try:
            self.run()
        finally:
            # Django's connections belong to the thread that opened them; close this thread's own.
            connections.close_all()

    def start_thread(self) -> threading.Thread:
        """Run in a background thread until ``stop`` is set; join the thread to wait for the end."""
        thread = threading.Thread(target=self._run_in_thread, name="onewindow-background", daemon=True)
        thread.start()
        return thread
