"""Checking and storing uploaded files.

A file is accepted only when its *content* (magic bytes, sniffed with the
``filetype`` library) and its extension both match one of the requirement's
types; the browser's Content-Type is ignored.  Accepted files are written
under generated names in ``UPLOAD_FOLDER`` (outside ``static/``); the
original name is kept only as sanitised metadata.

Saving is two-phase so that an application and its files are saved together
or not at all: :func:`check` reads and validates without touching the disk,
:func:`store` writes to a temporary name, and the caller renames into place
with :func:`commit_files` after the database transaction commits (or calls
:func:`discard_files` when it fails).
"""

from __future__ import annotations

from contextlib import contextmanager

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from pintu.contract.services import FILE_TYPES, Requirement
from pintu.data.models import Upload


class UploadError(ValueError):
    """An upload that cannot be accepted; ``str(err)`` is the Indonesian message."""


@dataclass
class CheckedFile:
    requirement: str
    original_name: str
    mime_type: str
    extension: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _human_mb(n: float) -> str:
    return f"{n:g} MB"


def check(storage: FileStorage, requirement: Requirement) -> CheckedFile:
    """Validate one uploaded file against ``requirement``; raise :class:`UploadError`."""
    name = storage.filename or ""
    # Read at most one byte more than allowed, so a huge upload is not read whole.
    content = storage.stream.read(requirement.max_bytes + 1)
    if not content:
        raise UploadError("Berkas kosong. Pilih berkas yang benar.")
    if len(content) > requirement.max_bytes:
        raise UploadError(f"Ukuran berkas melebihi batas {_human_mb(requirement.max_mb)}.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = filetype.guess(content)
    mime = kind.mime if kind else ""
    for key in requirement.types:
        mimes, extensions, _label = FILE_TYPES[key]
        if mime in mimes and ext in extensions:
            clean = secure_filename(name) or f"berkas.{ext}"
            return CheckedFile(requirement.key, clean[:200], mime, ext, content)
    allowed = requirement.types_label
    if mime and not any(mime in FILE_TYPES[t][0] for t in requirement.types):
        raise UploadError(f"Isi berkas bukan {allowed}. Unggah berkas {allowed} yang asli"
                          + (f" ({requirement.note.lower()})." if requirement.note else "."))
    raise UploadError(f"Jenis berkas tidak diterima. Hanya {allowed} yang diperbolehkan.")


def check_posted(requirements, posted, errors: dict) -> dict:
    """Check the files of a form (``request.files``) posted for ``requirements``, as fields ``file_<key>``:
    returns requirement key -> :class:`CheckedFile`; a refused file's message goes into ``errors``."""
    checked = {}
    for req in requirements:
        storage = posted.get(f"file_{req.key}")
        if storage is None or not storage.filename:
            continue
        try:
            checked[req.key] = check(storage, req)
        except UploadError as exc:
            errors[f"file_{req.key}"] = str(exc)
    return checked


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(checked: CheckedFile) -> tuple[str, Path]:
    """Write ``checked`` under a generated name with a ``.part`` suffix; return (name, temp path)."""
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    tmp = upload_folder() / (stored_name + ".part")
    tmp.write_bytes(checked.content)
    return stored_name, tmp


def save(checked: CheckedFile, application, requirement: str, by, written: list[Path], party: str = "") -> Upload:
    """Store ``checked`` as an :class:`~pintu.data.models.Upload` of ``application`` for ``requirement``
    (inside the caller's transaction); its temporary file is appended to ``written`` and put in
    place when the transaction commits (:func:`kept_on_commit`)."""
    stored_name, tmp = store(checked)
    written.append(tmp)
    return Upload.create(application=application, requirement=requirement, stored_name=stored_name,
                         original_name=checked.original_name, mime_type=checked.mime_type, size=checked.size,
                         sha256=checked.sha256, uploaded_by=by, party=party)


@contextmanager
def kept_on_commit(written: list[Path]):
    """Around a write transaction: the temporary files appended to ``written`` inside it are put in
    place when it commits, and removed when it fails (``with kept_on_commit(w), write_transaction():``)."""
    try:
        yield written
    except BaseException:
        discard_files(written)
        raise
    commit_files(written)


def commit_files(paths: list[Path]) -> None:
    """Rename temporary files into place (after the database commit)."""
    for tmp in paths:
        os.replace(tmp, tmp.with_suffix(""))


def discard_files(paths: list[Path]) -> None:
    for tmp in paths:
        tmp.unlink(missing_ok=True)


def path_of(stored_name: str) -> Path:
    return upload_folder() / stored_name


def sweep_parts(max_age_seconds: float = 3600, folder: Path | None = None) -> int:
    """Delete ``.part`` files older than ``max_age_seconds`` (left by requests killed between
    :func:`store` and :func:`commit_files`) in ``folder`` (default: ``UPLOAD_FOLDER``); returns how
    many.  A request never holds one that long."""
    import time

    folder = Path(folder or current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in folder.rglob("*.part"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return removed


def current(application, key: str):
    """The application's current (not superseded) upload of requirement ``key``, or None."""
    return (Upload.select().where(Upload.application == application.id, Upload.requirement == key,
                                  Upload.superseded == False)  # noqa: E712
            .order_by(Upload.id.desc()).first())
