"""Public tracking without login: reference number + tracking code -> status and steps only."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..forms import TrackForm
from ..plugins import get_service
from ..timeline import step_overview
from ..tracking import find_by_reference_and_code

bp = Blueprint("track", __name__)


@bp.route("/lacak")
def track():
    form = TrackForm(request.args)
    result = None
    searched = bool(request.args)
    if searched and form.validate():
        application = find_by_reference_and_code(form.reference.data, form.code.data)
        if application is not None:
            service = get_service(application.service)
            result = dict(application=application, service=service, steps=step_overview(application, service))
    status = 404 if searched and result is None else 200
    return render_template("track.html", form=form, result=result, searched=searched), status
