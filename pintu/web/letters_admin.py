"""Administration of issued documents: numbering schemes and the register of outgoing letters."""

from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pintu.data import audit
from pintu.output import documents, numbering
from pintu.oversight import exports
from pintu.people.access import admin_required
from pintu.contract.plugins import all_services, find_service

bp = Blueprint("letters_admin", __name__, url_prefix="/admin")

REGISTER_PAGE = 100


@bp.route("/penomoran", methods=["GET", "POST"])
@admin_required
def schemes():
    """Every declared document with its numbering scheme; an administrator's scheme replaces the declaration's."""
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        service = find_service(request.form.get("service", ""))
        document = service.document(request.form.get("document", "")) if service is not None else None
        if document is None:
            abort(404)
        scheme = request.form.get("scheme", "").strip()
        field = f"{service.slug}/{document.key}"
        problem = numbering.check_scheme(scheme)
        if problem:
            errors[field], typed[field] = problem, scheme
        else:
            old = numbering.scheme_for(service, document)
            numbering.set_scheme(service, document, scheme, current_user.id)
            audit.record("numbering.update", ("document", field, document.title), old=old, new=scheme)
            flash(f"Format penomoran {document.title} ({service.title}) disimpan.", "success")
            return redirect(url_for("letters_admin.schemes"))
    overrides = numbering.schemes()
    rows = [(s, d, overrides.get((s.slug, d.key))) for s in sorted(all_services(), key=lambda s: s.title)
            for d in s.documents]
    return render_template("admin/numbering.html", rows=rows, errors=errors, typed=typed,
                           fields=numbering.FIELDS), 422 if errors else 200


@bp.route("/surat-keluar")
@admin_required
def register():
    """Agenda surat keluar: issued documents, newest first, searchable, exportable as CSV or XLSX
    (streamed and formula-safe through :mod:`pintu.oversight.exports`)."""
    q = request.args.get("q", "").strip()
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        found = documents.register(q, limit=1_000_000)
        audit.record(f"export.{fmt}", ("register", "surat-keluar"), rows=len(found), q=q)
        header = ["Nomor", "Tanggal", "Dokumen", "Layanan", "Pemegang", "Status", "Verifikasi"]
        rows = ([r["number"], r["date"], r["title"], r["service"], r["holder"], r["status"], r["url"]]
                for r in map(documents.register_row, found))
        return exports.response(fmt, "agenda-surat-keluar", [exports.Table("Agenda surat keluar", header, rows)])
    before = request.args.get("sebelum", type=int)
    found = documents.register(q, limit=REGISTER_PAGE + 1, before=before)
    more = len(found) > REGISTER_PAGE
    found = found[:REGISTER_PAGE]
    next_url = url_for("letters_admin.register", q=q or None, sebelum=found[-1].id) if more else None
    return render_template("admin/register.html", rows=[(d, documents.register_row(d)) for d in found], q=q,
                           next_url=next_url)
