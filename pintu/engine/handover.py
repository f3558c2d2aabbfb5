"""The hand-over (pengambilan) of a service's product at a pickup step: who collected it (the
applicant, or a proxy with name, ID number and an optional power of attorney), when, and from
which officer.  Recorded in the transaction of the pickup action; the timeline shows it through
the action's note."""

from __future__ import annotations

from pintu.engine.unit_of_work import unit_of_work
from pintu.data.models import Event, Handover
from pintu.contract.services import FINISH, FORWARD, Requirement
from pintu.data import uploads
from pintu.engine import workflow

#: The optional power of attorney (surat kuasa) a proxy brings.
ATTORNEY = Requirement("surat_kuasa", "Surat kuasa", required=False, types=("pdf", "jpg", "png"), max_mb=2)
COLLECTORS = {"pemohon": "Pemohon sendiri", "kuasa": "Kuasa pemohon"}


def applies(step, action) -> bool:
    """The pickup action: leaving a ``ready`` step with a forward or finish action."""
    return step is not None and step.status == "ready" and action is not None and action.kind in (FORWARD, FINISH)


def _masked_id(id_number: str) -> str:
    digits = "".join(c for c in id_number if c.isdigit())
    return f"berakhiran {digits[-4:]}" if len(digits) >= 4 else ""


def check(application, collector: str, name: str, id_number: str) -> dict[str, str]:
    """Field problems of a hand-over form (Indonesian), empty when it can be recorded."""
    errors = {}
    if collector not in COLLECTORS:
        errors["collector"] = "Pilih siapa yang mengambil: pemohon sendiri atau kuasanya."
    elif collector == "kuasa":
        if not (name or "").strip():
            errors["collector_name"] = "Nama penerima kuasa wajib diisi."
        digits = "".join(c for c in (id_number or "") if c.isdigit())
        if len(digits) not in (16, 18):
            errors["collector_id"] = "Nomor identitas penerima kuasa wajib diisi: NIK 16 digit atau NIP 18 digit."
    return errors


def take(application, officer, action_key: str, *, collector: str, name: str = "", id_number: str = "",
         attorney=None, note: str = "", internal_note: str = "", expected_version: int | None = None) -> Event:
    """Perform the pickup action and record who collected, in one transaction.

    ``attorney`` is a checked upload (:func:`pintu.data.uploads.check` against :data:`ATTORNEY`) or None.
    Raises :class:`pintu.engine.workflow.ValidationFailed` / :class:`~pintu.engine.workflow.WorkflowError`."""
    errors = check(application, collector, name, id_number)
    if errors:
        raise workflow.ValidationFailed(errors)
    applicant = application.applicant
    if collector == "pemohon":
        name, id_number = applicant.name, applicant.id_number or ""
        text = f"Diambil oleh pemohon sendiri ({name})."
    else:
        name, id_number = name.strip(), "".join(c for c in id_number if c.isdigit())
        text = (f"Diambil oleh kuasa pemohon: {name} (NIK/NIP {_masked_id(id_number)})"
                + (", dengan surat kuasa." if attorney is not None else "."))
    full_note = f"{text}\n{note.strip()}" if note.strip() else text
    with unit_of_work() as work:
        event = workflow.perform(application, officer, action_key, note=full_note, internal_note=internal_note,
                                 expected_version=expected_version)
        upload = None
        if attorney is not None:
            upload = uploads.save(attorney, application, ATTORNEY.key, officer, work.files)
        Handover.create(application=application, event=event, collector=collector, name=name[:120],
                        id_number=id_number[:20], attorney=upload, officer=officer)
    return event
