"""Helpers for plugins' ``pintu_demo_data`` hooks: sample files and scripted applications."""

from __future__ import annotations

import io
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

from pintu.data import uploads
from pintu.engine import external, workflow

# A minimal valid PDF (one empty page).  Hand-written because the demo only needs
# a file whose magic bytes and structure are a real PDF; no library is worth adding for it.
_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def sample_pdf(name: str = "berkas.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(_PDF), filename=name, content_type="application/pdf")


@dataclass(frozen=True)
class AsParty:
    """The actor of a demo step taken by a party outside the office (``Step(role=EXTERNAL)``): it
    acts through the link the engine e-mailed, with this name and capacity (jabatan)."""

    name: str
    capacity: str


def application(service, applicant, data, files, steps=(), submit=True):
    """Create an application and play ``steps``: a list of (actor, action key, note), or
    (actor, action key, note, files) where ``files`` maps the current step's requirement
    keys to FileStorage (an applicant's proof of payment, a staff member's answer letter,
    a party's letter).  ``actor`` is a user, or :class:`AsParty` at a party's step."""
    checked = {}
    for key, storage in files.items():
        storage.stream.seek(0)
        req = next(r for r in service.requirements if r.key == key)
        checked[key] = uploads.check(storage, req)
    app = workflow.save_application(service, applicant, dict(data), checked, submit=submit)
    for actor, action, note, *rest in steps:
        step_files = {}
        if rest and rest[0]:
            step = service.step(app.step)
            for key, storage in rest[0].items():
                storage.stream.seek(0)
                step_files[key] = uploads.check(storage, next(r for r in step.requirements if r.key == key))
        if isinstance(actor, AsParty):
            link = external.open_link(app)
            party = external.PartyActor(link.id, service.step(app.step).party.label, actor.name, link.email,
                                        actor.capacity)
            workflow.perform_external(app, party, action, note=note, files=step_files)
        else:
            workflow.perform(app, actor, action, note=note, files=step_files)
        app = type(app).get_by_id(app.id)
    return app
