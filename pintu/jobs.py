"""Background jobs and the periodic sweep.  No request waits on a job.

With ``REDIS_URL`` jobs go to RQ and run in ``flask --app pintu worker``
processes; without it (or while Redis cannot be reached) they go to a small
in-process queue served by one daemon thread of the app process
(``BACKGROUND_JOBS``; with it off, e.g. in tests, queued jobs wait for
:func:`run_pending`).  Jobs are plain functions taking plain arguments whose
state lives in the database (the mail job's row is its job), so a job lost
with a Redis restart or a crash is found again by :func:`sweep`.

:func:`pintu.housekeeping.sweep` sends the mail that is due (left pending, or due
for a retry) and removes stale ``.part`` uploads.  The worker and the background
thread run the app's periodic work (:func:`init_app`) every ``SWEEP_SECONDS``;
``flask --app pintu sweep`` runs the sweep once (cron, tests).

The in-process runner is written here rather than taken from a library: it is
a queue and one thread, and the task queues on PyPI (RQ, Celery, Huey, Dramatiq)
all need a broker or their own worker process, which is exactly what this mode
does without.
"""

from __future__ import annotations

import logging
import queue as queue_module
import threading
import time

from flask import Flask, current_app

log = logging.getLogger(__name__)

def redis_connection(for_worker: bool = False):
    from redis import Redis

    if for_worker:  # the worker blocks on the queue longer than any short socket timeout
        return Redis.from_url(current_app.config["REDIS_URL"])
    # A request enqueuing a job must not hang on an unreachable Redis either.
    return Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=3)


def queue(for_worker: bool = False):
    from rq import Queue

    return Queue("pintu", connection=redis_connection(for_worker))


def enqueue(func, *args) -> None:
    """Run ``func(*args)`` later, outside the request; never raises into the caller."""
    if current_app.config.get("REDIS_URL"):
        try:
            queue().enqueue(func, *args)
            return
        except Exception:  # Redis down: do not lose the job, run it in this process's background thread.
            log.exception("could not enqueue %s, running it in the background thread", func.__name__)
    runner(current_app).submit(func, *args)


def init_app(app: Flask, periodic) -> None:
    """Give ``app`` its periodic work: ``periodic(app)`` runs every ``SWEEP_SECONDS`` in the
    background thread and beside the RQ worker (the app factory passes
    :func:`pintu.housekeeping.periodic`; this module runs jobs and knows none of them)."""
    app.extensions["pintu_periodic"] = periodic


def _periodic(app: Flask) -> None:
    work = app.extensions.get("pintu_periodic")
    if work is not None:
        work(app)


class Runner:
    """One app's in-process job queue and its daemon thread (started on first use)."""

    def __init__(self, app: Flask):
        self.app = app
        self.jobs: queue_module.Queue = queue_module.Queue()
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    @property
    def background(self) -> bool:
        return bool(self.app.config.get("BACKGROUND_JOBS"))

    def submit(self, func, *args) -> None:
        self.jobs.put((func, args))
        if self.background:
            self.start()

    def start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.stopping.clear()
                self.thread = threading.Thread(target=self._loop, name="pintu-jobs", daemon=True)
                self.thread.start()

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        self.jobs.put(None)
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self, func, args) -> None:
        try:
            with self.app.app_context():
                func(*args)
        except Exception:  # noqa: BLE001 - the job's own state records the failure
            log.exception("job %s failed", getattr(func, "__name__", func))

    def run_pending(self) -> int:
        """Run the queued jobs now, in this thread; returns how many ran."""
        done = 0
        while True:
            try:
                item = self.jobs.get_nowait()
            except queue_module.Empty:
                return done
            if item is not None:
                self._run(*item)
                done += 1

    def _loop(self) -> None:
        from pintu.data.db import database

        # Models use one process-wide database proxy: if another app of this process (tests build
        # many) re-points it, this app's thread must not work on that database; it ends instead.
        own_database = database.obj
        next_sweep = 0.0  # sweep at once: a restart picks up what the last process left
        while not self.stopping.is_set() and database.obj is own_database:
            if time.monotonic() >= next_sweep:
                _periodic(self.app)
                next_sweep = time.monotonic() + float(self.app.config["SWEEP_SECONDS"])
            try:
                item = self.jobs.get(timeout=max(0.0, next_sweep - time.monotonic()))
            except queue_module.Empty:
                continue
            if item is not None and database.obj is own_database:
                self._run(*item)


def runner(app: Flask) -> Runner:
    """The app's in-process runner (created once per app)."""
    if hasattr(app, "_get_current_object"):  # current_app: the thread needs the app itself
        app = app._get_current_object()
    found = app.extensions.get("pintu_jobs")
    if found is None:
        found = app.extensions.setdefault("pintu_jobs", Runner(app))
    return found


def start_background(app: Flask) -> None:
    """Start the app's background thread when this process is the one that sends mail (no Redis)."""
    if app.config.get("BACKGROUND_JOBS") and not app.config.get("REDIS_URL"):
        runner(app).start()


def run_pending() -> int:
    """Run this app's queued in-process jobs now (tests, ``BACKGROUND_JOBS`` off)."""
    return runner(current_app).run_pending()


def run_worker(burst: bool = False) -> None:
    """Run an RQ worker inside the current app context (jobs need the config and database),
    with the periodic sweep in a thread beside it (``--burst``: one sweep first, then the queue)."""
    from rq import SimpleWorker

    app = current_app._get_current_object()
    if burst:
        _periodic(app)
    else:
        def sweeper():
            while True:
                _periodic(app)
                time.sleep(float(app.config["SWEEP_SECONDS"]))

        threading.Thread(target=sweeper, name="pintu-sweeper", daemon=True).start()
    # SimpleWorker runs jobs in this process, so the app context and its
    # database connection setup apply to every job.
    SimpleWorker([queue(for_worker=True)], connection=redis_connection(for_worker=True)).work(burst=burst)
