"""Files kept between two tries of a form.

When an applicant's form cannot be saved (a field is wrong, a validator objects, the form
went stale), the *valid* files that came with it are stored once as
:class:`~pintu.data.models.StagedUpload` rows owned by the user and attached to nothing.  The
re-rendered form shows them ("Sudah diunggah: nama.pdf — ganti") with a hidden field
``staged_<requirement>`` carrying the row id; the next POST uses them without a re-upload
(:func:`kept` checks that each id belongs to the same user and requirement), and the save that
succeeds turns each into an :class:`~pintu.data.models.Upload` of the application (:func:`attach`,
same stored file, no copy).  :func:`sweep_staged` deletes rows and files nobody came back for.
"""

from __future__ import annotations

import datetime as dt

from pintu.data import uploads
from pintu.data.db import write_transaction
from pintu.data.models import Application, StagedUpload, Upload, User, utcnow

FIELD_PREFIX = "staged_"
#: How long a kept file waits for the applicant to come back.
KEEP_FOR = dt.timedelta(days=1)


class StagedGone(Exception):
    """A kept file was used by another save or swept in between."""

    def __init__(self, requirement: str):
        super().__init__(requirement)
        self.requirement = requirement


def stage(files: dict, user: User) -> dict[str, StagedUpload]:
    """Store the checked ``files`` (requirement key -> CheckedFile) for ``user``; return the rows."""
    if not files:
        return {}
    written = []
    with uploads.kept_on_commit(written), write_transaction():
        rows = {}
        for key, checked in files.items():
            stored_name, tmp = uploads.store(checked)
            written.append(tmp)
            rows[key] = StagedUpload.create(user=user, requirement=key, stored_name=stored_name,
                                            original_name=checked.original_name, mime_type=checked.mime_type,
                                            size=checked.size, sha256=checked.sha256)
    return rows


def kept(form, user: User, keys) -> dict[str, StagedUpload]:
    """The kept files a form refers to (``staged_<key>`` = row id), only those of ``user`` for ``key``."""
    wanted = {}
    for key in keys:
        raw = (form.get(FIELD_PREFIX + key) or "").strip()
        if raw.isdigit():
            wanted[int(raw)] = key
    if not wanted:
        return {}
    rows = StagedUpload.select().where(StagedUpload.id.in_(list(wanted)), StagedUpload.user == user.id)
    return {r.requirement: r for r in rows if wanted.get(r.id) == r.requirement}


def existing(rows: dict[str, StagedUpload]) -> dict[str, StagedUpload]:
    """``rows`` without those taken or swept in the meantime."""
    if not rows:
        return {}
    alive = {r.id for r in StagedUpload.select(StagedUpload.id).where(StagedUpload.id.in_([r.id for r in rows.values()]))}
    return {k: r for k, r in rows.items() if r.id in alive}


def attach(staged: StagedUpload, application: Application, actor: User) -> Upload:
    """Inside the caller's transaction: make ``staged`` the current upload of its requirement.

    Raises :class:`StagedGone` when the row is no longer there (another save took it, or the sweep)."""
    taken = StagedUpload.delete().where(StagedUpload.id == staged.id, StagedUpload.user == actor.id).execute()
    if not taken or not uploads.path_of(staged.stored_name).exists():
        raise StagedGone(staged.requirement)
    Upload.update(superseded=True).where(Upload.application == application,
                                         Upload.requirement == staged.requirement).execute()
    return Upload.create(application=application, requirement=staged.requirement, stored_name=staged.stored_name,
                         original_name=staged.original_name, mime_type=staged.mime_type, size=staged.size,
                         sha256=staged.sha256, uploaded_by=actor)


def sweep_staged(older_than: dt.timedelta = KEEP_FOR) -> int:
    """Delete kept files (rows and stored files) older than ``older_than``; return how many.

    Safe to run at any time, also while people submit: a row is deleted before its file, and a
    save that finds its row gone tells the applicant to upload that file again."""
    count = 0
    old = list(StagedUpload.select().where(StagedUpload.created_at < utcnow() - older_than))
    for row in old:
        if StagedUpload.delete().where(StagedUpload.id == row.id).execute():
            uploads.path_of(row.stored_name).unlink(missing_ok=True)
            count += 1
    return count
