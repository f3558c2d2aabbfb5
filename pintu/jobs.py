"""Background jobs: RQ workers when ``REDIS_URL`` is set, inline otherwise.

Jobs are plain functions taking plain arguments.  Inline, a failing job is
retried ``JOB_RETRIES`` times at once and then left failed (its own state
records that); with RQ it is retried with back-off by the worker.  Either way
a failing job never raises into the request that enqueued it.
"""

from __future__ import annotations

import logging

from flask import current_app

log = logging.getLogger(__name__)


def redis_connection():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def queue():
    from rq import Queue

    return Queue("pintu", connection=redis_connection())


def enqueue(func, *args) -> None:
    retries = int(current_app.config.get("JOB_RETRIES", 3))
    if current_app.config.get("REDIS_URL"):
        from rq import Retry

        try:
            queue().enqueue(func, *args, retry=Retry(max=retries, interval=[10, 60, 300][:retries]))
            return
        except Exception:  # Redis down: do not lose the job, do it now.
            log.exception("could not enqueue %s, running inline", func.__name__)
    for attempt in range(retries + 1):
        try:
            func(*args)
            return
        except Exception:
            log.exception("job %s failed (attempt %d)", func.__name__, attempt + 1)


def run_worker(burst: bool = False) -> None:
    """Run an RQ worker inside the current app context (jobs need the config and database)."""
    from rq import SimpleWorker

    # SimpleWorker runs jobs in this process, so the app context and its
    # database connection setup apply to every job.
    SimpleWorker([queue()], connection=redis_connection()).work(burst=burst)
