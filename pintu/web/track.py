"""Public tracking without login: reference number + tracking code -> status and steps only."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from pintu.people import ratelimit
from pintu.web.forms import TrackForm
from pintu.contract.plugins import get_service
from pintu.engine.timeline import status_text, step_overview
from pintu.engine.tracking import lookup

bp = Blueprint("track", __name__)

TRACK_SCOPE = "track-miss"  # lookups that matched no application, per client address
TRACK_LIMITED = ("Terlalu banyak pencarian dengan nomor atau kode lacak yang tidak cocok dari alamat jaringan Anda. "
                 "Demi keamanan, coba lagi dalam {wait}.")


@bp.route("/lacak")
def track():
    form = TrackForm(request.args)
    result = None
    searched = bool(request.args)
    if searched and form.validate():
        # Only lookups that did not match are counted, but once there are too many every lookup from
        # the address waits: guessing codes must not go on, and someone with the right code retries later.
        # The limit, the application and its steps are read with one statement (tracking.lookup).
        limit, address = ratelimit.Limit.from_config("RATE_LIMIT_TRACK"), ratelimit.client_address()
        wait, application, visited = lookup(form.reference.data, form.code.data, TRACK_SCOPE, address, limit)
        if wait:
            message = TRACK_LIMITED.format(wait=ratelimit.wait_text(wait))
            return (render_template("track.html", form=form, result=None, searched=searched, limited=message),
                    429, {"Retry-After": str(wait)})
        if application is not None:
            service = get_service(application.service)
            # The status as the viewer reads it (macros.status_pill's status_of(), asked once here).
            viewer = getattr(current_user._get_current_object(), "id", None)
            result = dict(application=application, service=service,
                          steps=step_overview(application, service, visited),
                          status_text=status_text(application, for_applicant=viewer == application.applicant_id,
                                                  service=service))
        else:
            ratelimit.hit(TRACK_SCOPE, address)
    status = 404 if searched and result is None else 200
    return render_template("track.html", form=form, result=result, searched=searched), status
