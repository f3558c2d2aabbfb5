"""Housekeeping: the periodic work of every PINTU process (the background thread, or beside the
RQ worker), every ``SWEEP_SECONDS``: render issued documents left behind, send the mail that is
due, delete stale ``.part`` uploads and forms nobody came back to, and queue the daily SLA check.
The app factory hands :func:`periodic` to :func:`pintu.jobs.init_app`.
"""

from __future__ import annotations

import logging

from flask import Flask

from pintu.data import staging, uploads
from pintu.data.db import connection
from pintu.engine import formtokens
from pintu.notify import mail
from pintu.output import documents
from pintu.oversight import reminders

log = logging.getLogger(__name__)

#: ``.part`` files older than this are orphans of killed requests.
PART_MAX_AGE_SECONDS = 3600


def sweep(grace_seconds: float = 0) -> dict:
    """One round of housekeeping: render issued documents left behind, send due mail, delete stale
    ``.part`` files and the files kept from forms nobody came back to.  Returns counts.

    ``grace_seconds`` leaves mail younger than that to the job queued for it (periodic sweeps)."""
    rendered = documents.render_pending(grace_seconds)  # before the mail that may attach them
    sent, not_sent = mail.deliver_due(grace_seconds)
    parts = uploads.sweep_parts(PART_MAX_AGE_SECONDS)
    uploads.sweep_parts(PART_MAX_AGE_SECONDS, documents.folder())  # documents killed while being written
    return {"sent": sent, "not_sent": not_sent, "parts": parts, "staged": sweep_forms(), "documents": rendered}


def sweep_forms() -> int:
    """Delete the files kept from forms nobody came back to (older than a day) and form tokens
    older than a week; returns the number of files."""
    with connection():  # this thread's connection, closed only if opened here
        staged = staging.sweep_staged(staging.KEEP_FOR)
        formtokens.sweep(staging.KEEP_FOR * 7)
    return staged


def periodic(app: Flask) -> None:
    """The sweep, then queuing the daily SLA check; a failure of either is logged and retried next time."""
    try:
        with app.app_context():
            sweep(grace_seconds=float(app.config["SWEEP_SECONDS"]))
    except Exception:  # noqa: BLE001 - a broken sweep must not end the thread; it runs again later
        log.exception("sweep failed")
    try:
        reminders.run_if_due(app)  # the daily SLA check (queued once per process and day)
    except Exception:  # noqa: BLE001
        log.exception("queuing the SLA check failed")
