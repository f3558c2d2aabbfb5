"""Who may see what.  Every view that shows an application goes through here."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Application, Disposition, Unit, User
from .plugins import find_service


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
    """Staff see submitted applications of services with a step for one of their roles/units,
    and applications disposed to one of their units."""
    if application.status == "draft" or not user.is_staff:
        return False
    service = find_service(application.service)
    if service is None:
        return False
    if any(user.has_role(step.role, step.unit) for step in service.steps):
        return True
    unit_keys = [m.unit.key for m in user.memberships() if m.unit_id]
    return bool(unit_keys) and Disposition.select().join(Unit).where(
        Disposition.application == application.id, Unit.key.in_(unit_keys)).exists()


def can_view(user: User, application: Application) -> bool:
    return application.applicant_id == user.id or staff_can_view(user, application)


def application_or_404(app_id: int, user: User | None = None) -> Application:
    """The application if ``user`` (default: the current user) may see it, else 404.

    404 rather than 403, so that nobody learns which numbers exist.
    """
    user = user or current_user
    application = Application.get_or_none(Application.id == app_id)
    if application is None or not can_view(user, application):
        abort(404)
    return application
