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
``work.mails`` and ``work.documents``.  A change made inside another one (a hand-over performs the
pickup action; the last disposition answer moves the application on) joins it: it runs in a
savepoint of the outer transaction, and its files, mails and documents wait for the outer commit.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
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


#: The change open in this context, which a nested one joins.
_OPEN: ContextVar[Work | None] = ContextVar("pintu_unit_of_work", default=None)


@contextmanager
def unit_of_work():
    """A write transaction whose files, mails and documents follow its commit (see the module)."""
    outer = _OPEN.get()
    if outer is not None:
        yield from _joined(outer)
        return
    work = Work()
    token = _OPEN.set(work)
    try:
        with uploads.kept_on_commit(work.files), write_transaction():
            yield work
    finally:
        _OPEN.reset(token)
    documents.dispatch(work.documents)
    notifications.dispatch(work.mails)


def _joined(outer: Work):
    """A change inside ``outer``: a savepoint; when it fails, what it added is dropped (its rows are
    rolled back with the savepoint, its files removed) and the error goes on to the outer change."""
    marks = len(outer.files), len(outer.mails), len(outer.documents)
    try:
        with write_transaction():
            yield outer
    except BaseException:
        uploads.discard_files(outer.files[marks[0]:])
        del outer.files[marks[0]:], outer.mails[marks[1]:], outer.documents[marks[2]:]
        raise
