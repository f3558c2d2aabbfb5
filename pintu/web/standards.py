"""The published standard: the Standar Pelayanan book (page and PDF), the Maklumat, the institution
profile and its logo; the administrator's pages to edit the profile and the Maklumat."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from pintu.data import audit, uploads
from pintu.engine import service_settings
from pintu.standards import institution, maklumat, standard_book
from pintu.people.access import admin_required
from pintu.contract.plugins import all_services, get_service
from pintu.contract.services import Requirement
from pintu.standards.standard_forms import MaklumatForm, ProfileAdminForm

bp = Blueprint("standards", __name__)

LOGO = Requirement("logo", "Logo", types=("png", "jpg"), max_mb=1)

bp.add_app_template_global(standard_book.condition_phrase, "condition_phrase")


@bp.route("/standar-pelayanan")
def book():
    return render_template("standards/book.html",
                           **standard_book.context(service_settings.effective_all(all_services())))


@bp.route("/standar-pelayanan.pdf")
def book_pdf():
    data = standard_book.pdf(service_settings.effective_all(all_services()))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="standar-pelayanan.pdf"'})


@bp.route("/layanan/<slug>/standar.pdf")
def service_pdf(slug):
    service = service_settings.effective(get_service(slug))
    return Response(standard_book.pdf([service]), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="standar-{slug}.pdf"'})


@bp.route("/maklumat")
def maklumat_page():
    return render_template("standards/maklumat.html", maklumat=maklumat.current())


@bp.route("/profil-instansi/logo")
def logo():
    path = institution.profile().logo_path
    if not path:
        abort(404)
    mimetype = "image/png" if path.endswith(".png") else "image/jpeg"
    try:
        return send_file(path, mimetype=mimetype)
    except FileNotFoundError:
        abort(404)


@bp.route("/admin/profil", methods=["GET", "POST"])
@admin_required
def edit_profile():
    form = ProfileAdminForm(data=None if request.method == "POST" else institution.form_values())
    errors = {}
    if form.validate_on_submit():
        checked = None
        storage = form.logo.data
        if storage is not None and getattr(storage, "filename", ""):
            try:
                checked = uploads.check(storage, LOGO)
            except uploads.UploadError as err:
                errors["logo"] = str(err)
        if not any((form.data.get(f"hours_{d}") or "").strip() for d in range(7)):
            errors["hours_0"] = "Isi jam buka sekurang-kurangnya satu hari."
        if not errors:
            changed = institution.save_profile(form.data, current_user.id, logo=checked,
                                               remove_logo=form.remove_logo.data and checked is None)
            return _saved(changed, "institution.update", institution.KEY, "Profil instansi", "standards.edit_profile")
    elif request.method == "POST":
        flash("Profil belum disimpan: periksa isian yang ditandai.", "error")
    return render_template("standards/profile_edit.html", form=form, errors=errors,
                           days=list(enumerate(institution.DAYS)), current=institution.profile())


@bp.route("/admin/maklumat", methods=["GET", "POST"])
@admin_required
def edit_maklumat():
    form = MaklumatForm(data=None if request.method == "POST" else maklumat.current())
    if form.validate_on_submit():
        changed = maklumat.save(form.data, current_user.id)
        return _saved(changed, "maklumat.update", maklumat.KEY, "Maklumat Pelayanan", "standards.edit_maklumat")
    if request.method == "POST":
        flash("Maklumat belum disimpan: periksa isian yang ditandai.", "error")
    return render_template("standards/maklumat_edit.html", form=form)


def _saved(changed: dict, action: str, key: str, label: str, endpoint: str):
    """Audit what changed in a setting (nothing when nothing changed), tell the admin, show the form again."""
    if changed:
        audit.record(action, ("setting", key, label), changed=changed)
    flash(f"{label} disimpan." if changed else "Tidak ada perubahan.", "success")
    return redirect(url_for(endpoint))
