"""One change of the engine, done whole or not at all: the unit of work.

Every change (a submission, a staff or party action, a disposition and its answers, a message, a
hand-over) writes in one database transaction and has effects that must wait for its commit:

* files it stored (written as ``.part`` files inside the transaction) are put in place after the
  commit, and removed when the transaction fails, so no row points to a missing file and no file
  is left without a row;
* the mails it queued (rows of the same transaction) are handed to the job runner after the commit,
  so a slow or broken mail server never blocks or undoes a change;
* the documents it issued are rendered after the commit (a job, or at once).

``with unit_of_work() as work:`` opens the transaction; the code inside appends to ``work.files``,
``work.mails`` and ``work.documents``.  Nested inside another change (``outbox=`` the outer one's
mail list), its mails go out with the outer change.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pintu.data import uploads
from pintu.data.db import write_transaction
from pintu.notify import notifications
from pintu.output import documents


@dataclass
class Work:
    """What a change leaves to do after its commit."""

    files: list[Path] = field(default_factory=list)
    mails: list[int] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)


@contextmanager
def unit_of_work(outbox: list[int] | None = None):
    """A write transaction whose files, mails and documents follow its commit (see the module)."""
    work = Work()
    with uploads.kept_on_commit(work.files), write_transaction():
        yield work
    documents.dispatch(work.documents)
    if outbox is not None:
        outbox += work.mails
    else:
        notifications.dispatch(work.mails)
