"""The counter (loket): a petugas finds or creates the walk-in applicant's account and files an
application for them (logic in :mod:`pintu.oversight.loket`)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from pintu.data import staging, uploads
from pintu.engine import formtokens, workflow
from pintu.oversight import loket
from pintu.web.forms import ClaimForm, CounterApplicantForm, application_form_class, form_data
from pintu.data.models import Application, FormToken, User
from pintu.contract.plugins import all_services, find_service, get_service

bp = Blueprint("loket", __name__, url_prefix="/loket")


def petugas_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.has_role("petugas"):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _applicant(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None or user.is_staff or user.is_admin:
        abort(404)
    return user


@bp.route("/", methods=["GET", "POST"])
@petugas_required
def index():
    q = request.args.get("q", "").strip()
    found = loket.find_applicants(q)
    form = CounterApplicantForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = loket.create_applicant(name=form.name.data.strip(), phone=form.phone.data.strip(),
                                          category=form.category.data, id_number=form.id_number.data or "",
                                          email=form.email.data or "", by=current_user)
        except loket.LoketError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash("Akun pemohon dibuat.", "success")
            return redirect(url_for("loket.applicant", user_id=user.id))
    status = 422 if form.errors else 200
    return render_template("loket/index.html", q=q, found=found, form=form, has_email=loket.has_email), status


@bp.route("/pemohon/<int:user_id>", methods=["GET", "POST"])
@petugas_required
def applicant(user_id):
    user = _applicant(user_id)
    form = ClaimForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            loket.claim(user, form.email.data, current_user)
        except loket.LoketError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"E-mail disimpan; tautan untuk mengatur kata sandi dikirim ke {user.email}.", "success")
            return redirect(url_for("loket.applicant", user_id=user.id))
    services = sorted((s for s in all_services() if s.open_to(user.category)), key=lambda s: s.title)
    recent = list(Application.select().where(Application.applicant == user.id, Application.status != "draft")
                  .order_by(Application.id.desc()).limit(10))
    return render_template("loket/applicant.html", user=user, services=services, form=form, recent=recent,
                           has_email=loket.has_email(user), get_service=find_service), 422 if form.errors else 200


@bp.route("/pemohon/<int:user_id>/layanan/<slug>", methods=["GET", "POST"])
@petugas_required
def apply(user_id, slug):
    user = _applicant(user_id)
    service = get_service(slug)
    if not service.open_to(user.category):
        flash(f"Layanan ini hanya untuk {service.audience_label}.", "error")
        return redirect(url_for("loket.applicant", user_id=user.id))
    form = application_form_class(service)()
    keys = [r.key for r in service.requirements]
    errors: dict = {}
    staged: dict = {}
    token = request.form.get(formtokens.FIELD, "") if request.method == "POST" else ""
    if request.method == "POST":
        done = FormToken.get_or_none(FormToken.token == token) if formtokens.valid(token) else None
        if done is not None and done.application_id:  # a double click: the first one's receipt
            return redirect(url_for("loket.receipt", app_id=done.application_id))
        form.validate()
        errors = {n: m[0] for n, m in form.errors.items() if n != "csrf_token"}
        if "csrf_token" in form.errors or not formtokens.valid(token):
            errors["__all__"] = "Formulir kedaluwarsa. Periksa isian di bawah, lalu kirim kembali."
        files = uploads.check_posted(service.requirements, request.files, errors)  # as the online form
        staged = staging.kept(request.form, user, keys)
        data = form_data(form)
        for name in errors:
            if name in data:
                data[name] = None
        try:
            if errors:
                raise workflow.ValidationFailed(errors)
            application = loket.submit(service, user, current_user, data, {**staged, **files}, token)
        except formtokens.Replayed:
            done = FormToken.get_or_none(FormToken.token == token)
            return redirect(url_for("loket.receipt", app_id=done.application_id) if done and done.application_id
                            else url_for("loket.applicant", user_id=user.id))
        except workflow.ValidationFailed as exc:
            errors = dict(exc.errors)
        except workflow.WorkflowError as exc:
            errors = {"__all__": str(exc)}
        else:
            return redirect(url_for("loket.receipt", app_id=application.id))
        # Nothing saved: keep the valid files (owned by the applicant, as an online form would).
        staged = staging.existing(staged)
        staged.update(staging.stage({k: f for k, f in files.items() if f"file_{k}" not in errors}, user))
        token = token if formtokens.valid(token) else ""
    return render_template("applications/form.html", service=service, form=form, errors=errors, application=None,
                           current={}, staged=staged, returned=None, form_token=token or formtokens.issue(),
                           version=None, loket_for=user), 422 if errors else 200


@bp.route("/tanda-terima/<int:app_id>")
@petugas_required
def receipt(app_id):
    application = Application.get_or_none(Application.id == app_id)
    if application is None or application.status == "draft":
        abort(404)
    return render_template("loket/receipt.html", application=application, service=get_service(application.service),
                           has_email=loket.has_email(application.applicant))
