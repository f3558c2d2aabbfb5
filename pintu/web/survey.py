"""The satisfaction survey (applicant) and the published IKM (everyone; details for admin and pimpinan)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from pintu.engine import clock
from pintu.standards import survey
from pintu.people.access import application_or_404
from pintu.contract.plugins import all_services, find_service
from pintu.standards.standard_forms import SurveyForm
from pintu.data.pagedata import survey_answered

bp = Blueprint("survey", __name__)


@bp.app_template_global("survey_pending")
def survey_pending(application) -> bool:
    """True when the current user is the applicant of a finished application not rated yet."""
    if not survey.can_answer(application, current_user):
        return False

    answered = survey_answered(application)  # read with the page, or now
    return not (answered if answered is not None else survey.response_for(application) is not None)


@bp.route("/permohonan/<int:app_id>/survei", methods=["GET", "POST"])
@login_required
def answer(app_id):
    application = application_or_404(app_id)
    if application.applicant_id != current_user.id:
        abort(404)
    service = find_service(application.service)
    existing = survey.response_for(application)
    if existing is not None or not survey.can_answer(application, current_user):
        return render_template("survey/closed.html", application=application, service=service,
                               answered=existing is not None)
    form = SurveyForm()
    if form.validate_on_submit():
        ratings = {c: int(getattr(form, c).data) for c in survey.COLUMNS}
        survey.submit(application, service, ratings, form.suggestion.data,
                      {"gender": form.gender.data, "age": form.age.data, "education": form.education.data,
                       "occupation": form.occupation.data})
        return redirect(url_for("survey.answer", app_id=app_id))
    return render_template("survey/form.html", form=form, application=application, service=service,
                           elements=survey.ELEMENTS), (422 if request.method == "POST" else 200)


def _period():
    """(year, quarter or None, start, end) from ``?tahun=&triwulan=`` (defaults: this year)."""
    today = clock.today()
    try:
        year = int(request.args.get("tahun") or today.year)
        quarter = int(request.args.get("triwulan") or 0) or None
    except ValueError:
        year, quarter = today.year, None
    if not 2000 <= year <= 2100 or quarter not in (None, 1, 2, 3, 4):
        year, quarter = today.year, None
    start, end = survey.period_bounds(year, quarter)
    return year, quarter, start, end


@bp.route("/ikm")
def index():
    year, quarter, start, end = _period()
    data = survey.report(start, end)
    oversight = current_user.is_authenticated and bool(current_user.roles & {"admin", "pimpinan"})
    titles = {s.slug: s.title for s in all_services()}
    return render_template("survey/ikm.html", data=data, year=year, quarter=quarter, titles=titles,
                           elements=survey.ELEMENTS, columns=survey.COLUMNS, oversight=oversight, grades=survey.GRADES,
                           suggestions=survey.low_suggestions(start, end) if oversight else [],
                           years=range(clock.today().year, clock.today().year - 5, -1))


@bp.route("/ikm.csv")
def export():
    year, quarter, start, end = _period()
    titles = {s.slug: s.title for s in all_services()}
    name = f"ikm-{year}" + (f"-tw{quarter}" if quarter else "") + ".csv"
    return Response(survey.csv_rows(survey.report(start, end), titles), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
