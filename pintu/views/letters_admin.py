"""Administration of issued documents: numbering schemes and the register of outgoing letters."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit, documents, numbering
from ..access import admin_required
from ..plugins import all_services, find_service

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
    """Agenda surat keluar: issued documents, newest first, searchable, exportable as CSV."""
    q = request.args.get("q", "").strip()
    if request.args.get("format") == "csv":
        rows = [documents.register_row(d) for d in documents.register(q, limit=100000)]
        audit.record("export.csv", ("register", "surat-keluar"), rows=len(rows), q=q)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["Nomor", "Tanggal", "Dokumen", "Layanan", "Pemegang", "Status", "Verifikasi"])
        for r in rows:
            writer.writerow([r["number"], r["date"], r["title"], r["service"], r["holder"], r["status"], r["url"]])
        return Response("\ufeff" + buf.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=agenda-surat-keluar.csv",
                                 "Cache-Control": "no-store"})
    before = request.args.get("sebelum", type=int)
    found = documents.register(q, limit=REGISTER_PAGE + 1, before=before)
    more = len(found) > REGISTER_PAGE
    found = found[:REGISTER_PAGE]
    next_url = url_for("letters_admin.register", q=q or None, sebelum=found[-1].id) if more else None
    return render_template("admin/register.html", rows=[(d, documents.register_row(d)) for d in found], q=q,
                           next_url=next_url)
