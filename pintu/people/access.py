"""Who may see what.  Every view that shows an application goes through here."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from pintu.data.models import Application, Event, Message, User
from pintu.contract.plugins import find_service
from pintu.contract.services import ANONYMOUS_FIELD, MASKED_IDENTITY
from pintu.engine import dispositions
from pintu.data import pagedata
from pintu.engine.timeline import STAFF_ONLY_KINDS


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_can_view(user: User, application: Application) -> bool:
    """Staff see submitted applications of services with a step for one of their roles/units (a
    step routed by data, ``Step.unit_for``, counts with the unit it routes this application to),
    and applications disposed to one of their units."""
    if application.status == "draft" or not user.is_staff:
        return False
    service = find_service(application.service)
    if service is None:
        return False
    if any(acts_at(user, step, application) for step in service.steps):
        return True
    unit_keys = {m.unit.key for m in user.memberships() if m.unit_id}
    if not unit_keys:
        return False

    return any(d.unit.key in unit_keys for d in dispositions.of(application))


def oversees(user: User) -> bool:
    """Admin and the institution's pimpinan (the role held without a unit: not the head of a Bidang)
    oversee every submitted application, read-only (issue 10: search, archive, dashboard); their
    views of personal documents are audited (see :func:`via_oversight`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or user.takes_step("pimpinan", None)


def via_oversight(user: User, application: Application) -> bool:
    """True when ``user`` sees ``application`` only because they oversee everything."""
    return (application.applicant_id != user.id and application.status != "draft" and oversees(user)
            and not staff_can_view(user, application))


def acts_at(user: User, step, application: Application) -> bool:
    """Whether ``user`` holds the role of the staff ``step`` in the unit it has for ``application``."""
    if step.for_applicant or step.external:
        return False
    return user.takes_step(step.role, step.unit_key(application.data))


def can_view(user: User, application: Application) -> bool:
    return (application.applicant_id == user.id or staff_can_view(user, application)
            or (application.status != "draft" and oversees(user)))


def staff_or_oversight_required(view):
    """Staff, and admin (who is not staff but oversees every application)."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.is_staff or oversees(current_user)):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def application_or_404(app_id: int, user: User | None = None, page: bool = False) -> Application:
    """The application if ``user`` (default: the current user) may see it, else 404.

    404 rather than 403, so that nobody learns which numbers exist.  ``page``: read with everything
    its page shows, in the same single query (:func:`pintu.data.pagedata.load`).
    """
    user = user or current_user
    # With its applicant (every page showing an application names them), SQL written once.
    application = pagedata.load(app_id, lists=page)
    if application is None or not can_view(user, application):
        abort(404)
    return application


# ---------------------------------------------------------------------------
# Files: every download route asks can_download()
# ---------------------------------------------------------------------------

def can_download(user: User, upload) -> bool:
    """True when ``user`` may download ``upload``; every download route asks this.

    * a thread attachment follows its message: an internal note's file only for staff who can see
      the application, any other like the application;
    * a staff step's product (answer letter, press release: ``Step.requirements`` on a staff step)
      reaches the applicant only once the action that delivered it moved the application on (the
      applicant sees that event); staff who can see the application always;
    * requirement uploads (the form's and the applicant steps') like the application, except
      documents declared ``Requirement(identifying=True)`` of a service with
      ``confidential_identity``: only for those who may see the applicant's identity;
    * files deleted by retention or account deletion: nobody.
    """
    if user is None or not getattr(user, "is_authenticated", False) or upload is None:
        return False
    if getattr(upload, "purged_at", None) is not None:
        return False
    application = upload.application
    is_applicant = application.applicant_id == user.id
    staff = not is_applicant and (staff_can_view(user, application)
                                  or (application.status != "draft" and oversees(user)))
    if not (is_applicant or staff):
        return False
    if upload.requirement == "message":
        message = Message.get_or_none(Message.attachment == upload.id)
        if message is None or message.internal:
            return staff
        return True
    service = find_service(application.service)
    if service is None:
        return staff
    if upload.requirement in {r.key for r in service.output_requirements}:
        return staff or (is_applicant and _product_released(application, service, upload))
    requirement = next((r for r in service.all_requirements if r.key == upload.requirement), None)
    if requirement is not None and getattr(requirement, "identifying", False):
        return identity_visible(user, application, service)
    return True


def _product_released(application: Application, service, upload) -> bool:
    """Whether the action that delivered a staff-step product is on the applicant's timeline."""
    steps = [s.key for s in service.steps if not s.for_applicant
             and any(r.key == upload.requirement for r in s.requirements)]
    events = getattr(application, "_events", None)  # read with the page (pintu.data.pagedata)
    if events is not None:
        return any(e.from_step in steps and e.kind not in STAFF_ONLY_KINDS and e.created_at >= upload.created_at
                   for e in events)
    return (Event.select().where(Event.application == application.id, Event.from_step.in_(steps),
                                 Event.kind.not_in(list(STAFF_ONLY_KINDS)),
                                 Event.created_at >= upload.created_at).exists())


# ---------------------------------------------------------------------------
# The applicant's identity (Service.confidential_identity)
# ---------------------------------------------------------------------------


def reported_anonymously(application: Application) -> bool:
    """The applicant ticked "laporkan secara anonim" (services with ``anonymous_reporting``)."""
    return bool((application.data or {}).get(ANONYMOUS_FIELD))


def identity_visible(user: User | None, application: Application, service=None) -> bool:
    """Whether ``user`` may see who the applicant is (name, e-mail, phone, NIK/NIP, identifying files).

    Always for the applicant.  For a service without ``confidential_identity``: for everyone who may
    see the application.  With it: only for the staff of the steps named by
    ``Service.identity_steps`` (default: every staff step of the service itself, i.e. the
    narahubung and the leadership), never for units answering a disposition; and for nobody but
    the applicant when the application was reported anonymously.  No query: it reads the user's
    cached memberships, so lists can ask it per row.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_id == user.id:
        return True
    service = service or find_service(application.service)
    if service is None or not service.confidential_identity:
        return True
    if reported_anonymously(application):
        return False
    return any(acts_at(user, step, application) for step in service.identity_staff_steps)


def applicant_name(user: User | None, application: Application, service=None) -> str:
    """The applicant's name as ``user`` may see it."""
    if identity_visible(user, application, service):
        return application.applicant.name
    return MASKED_IDENTITY


# ---------------------------------------------------------------------------
# Issued documents (pintu.output.documents)
# ---------------------------------------------------------------------------

def can_download_document(user: User, doc) -> bool:
    """True when ``user`` may download the issued document ``doc``; every route serving one asks this.

    Staff who may see the application and its applicant's identity (``Service.confidential_identity``):
    every document, superseded ones included.  The applicant:
    the current (not superseded) documents of their application.  Nobody before the PDF is in place.
    """
    if user is None or not getattr(user, "is_authenticated", False) or doc is None or doc.rendered_at is None:
        return False
    application = doc.application
    if application.applicant_id == user.id:
        return doc.superseded_by_id is None
    # The letter names the applicant: staff who may not see a confidential applicant's identity do not get it.
    return staff_can_view(user, application) and identity_visible(user, application)


def can_reissue(user: User, application: Application, document) -> bool:
    """Staff acting at the document's step, or holding its signer role, may re-issue it; admins too."""
    if user is None or application.applicant_id == user.id or not staff_can_view(user, application):
        return False
    if not identity_visible(user, application):
        return False
    service = find_service(application.service)
    steps = [service.step(k) for k in document.steps] if service is not None else []
    return user.is_admin or user.has_role(document.signer) or any(
        step is not None and user.has_role(step.role, step.unit_key(application.data)) for step in steps)
