"""Oversight pages: the staff search (``/petugas/cari``), the dashboard (``/dasbor``) and their exports."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from pintu.oversight import charts, dashboard as dash, exports, search
from pintu.people.access import oversees, staff_or_oversight_required
from pintu.web.forms import PeriodForm, SearchForm
from pintu.contract.plugins import all_services, find_service
from pintu.contract.services import STATUSES
from pintu.engine.clock import to_local
from pintu.engine.timeline import status_text
from pintu.data import audit

bp = Blueprint("oversight", __name__)


def _search_form() -> tuple[SearchForm, search.Criteria | None]:
    """The filters from the query string, and the criteria when they are valid."""
    form = SearchForm(request.args)
    services = sorted(all_services(), key=lambda s: s.title)
    form.layanan.choices = [("", "Semua layanan")] + [(s.slug, s.title) for s in services]
    form.status.choices = [("", "Semua status")] + [(k, v) for k, v in STATUSES.items() if k != "draft"]
    if not form.validate():
        return form, None
    service = form.layanan.data if form.layanan.data in {s.slug for s in services} else ""
    status = form.status.data if form.status.data in STATUSES else ""
    return form, search.Criteria(q=(form.q.data or "").strip(), service=service, status=status,
                                 date_from=form.dari.data, date_to=form.sampai.data)


@bp.route("/petugas/cari")
@staff_or_oversight_required
def find():
    form, criteria = _search_form()
    after = request.args.get("setelah", type=int)
    result = search.page(current_user, criteria, after) if criteria is not None else search.Page([], None)
    status = 200 if criteria is not None else 422
    return render_template("oversight/search.html", form=form, rows=result.rows, next_cursor=result.next_cursor,
                           after=after, args=criteria.as_args() if criteria else {}, get_service=find_service,
                           searched=bool(request.args)), status


SEARCH_HEADER = ["Nomor", "Layanan", "Pemohon", "NIK/NIP", "E-mail", "Status", "Tahap", "Diajukan (WIB)",
                 "Batas waktu", "Ditutup (WIB)"]


def _search_rows(criteria: search.Criteria):
    for a in search.iterate(current_user, criteria):
        service = find_service(a.service)
        name, id_number, email = search.applicant_shown(current_user, a, service)
        step = service.step(a.step) if service and a.step else None
        yield [a.reference, service.title if service else a.service, name, id_number, email,
               status_text(a, False, service), step.title if step else "",
               to_local(a.submitted_at).replace(tzinfo=None) if a.submitted_at else None,
               a.due_date, to_local(a.closed_at).replace(tzinfo=None) if a.closed_at else None]


@bp.route("/petugas/cari/unduh.<fmt>")
@staff_or_oversight_required
def export_search(fmt):
    if fmt not in exports.MIMETYPES:
        abort(404)
    form, criteria = _search_form()
    if criteria is None:
        abort(400)
    audit.record("export.search", ("search", fmt), **criteria.as_args())
    table = exports.Table("Permohonan", SEARCH_HEADER, _search_rows(criteria))
    return exports.response(fmt, "pintu-permohonan", [table])


def _period():
    """(form, start, end) of the dashboard's period; the current month by default."""
    form = PeriodForm(request.args)
    start, end = dash.default_period()
    if form.validate():
        start, end = form.dari.data or start, form.sampai.data or end
        if start > end:  # only "dari" given, after today
            end = start
    return form, start, end


def _oversight_only():
    if not oversees(current_user):
        abort(403)


@bp.route("/dasbor")
@staff_or_oversight_required
def dashboard():
    _oversight_only()
    form, start, end = _period()
    summary = dash.summarise(start, end)
    received_chart = charts.bars("Permohonan diterima per layanan", [(r.label, r.received) for r in summary.by_service])
    backlog_chart = charts.bars("Permohonan terbuka menurut umur",
                                [(label, n) for (label, _, _), n in zip(dash.BUCKETS, summary.total.backlog)])
    late_chart = charts.bars("Selesai tepat waktu dan terlambat",
                             [("Tepat waktu", summary.total.on_time),
                              ("Terlambat", summary.total.finished - summary.total.on_time, "bar-late")])
    args = {"dari": start.isoformat(), "sampai": end.isoformat()}
    status = 200 if not form.errors else 422
    return render_template("oversight/dashboard.html", form=form, summary=summary, buckets=dash.BUCKETS,
                           received_chart=received_chart, backlog_chart=backlog_chart, late_chart=late_chart,
                           args=args, get_service=find_service), status


SUMMARY_HEADER = ["Tingkat", "Layanan / unit", "Diterima", "Masih terbuka (dari yang diterima)", "Selesai",
                  "Ditolak", "Dibatalkan", "Dikembalikan", "Sedang diproses", "Median (hari kerja)",
                  "Persentil 90 (hari kerja)", "Selesai tepat waktu (%)"]


def _summary_rows(summary):
    for level, rows in (("Layanan", summary.by_service), ("Unit", summary.by_unit), ("Total", [summary.total])):
        for r in rows:
            share = round(100 * r.on_time_share, 1) if r.on_time_share is not None else None
            yield [level, r.label, r.received, r.still_open, r.finished, r.refused, r.cancelled, r.returned,
                   r.in_progress, r.median, r.p90, share]


def _backlog_rows(summary):
    for r in [*summary.by_service, summary.total]:
        yield [r.label, *r.backlog]


@bp.route("/dasbor/unduh.<fmt>")
@staff_or_oversight_required
def export_dashboard(fmt):
    _oversight_only()
    if fmt not in exports.MIMETYPES:
        abort(404)
    _form, start, end = _period()
    summary = dash.summarise(start, end)
    audit.record("export.dashboard", ("dashboard", fmt), dari=start.isoformat(), sampai=end.isoformat())
    tables = [exports.Table("Ringkasan", SUMMARY_HEADER, _summary_rows(summary)),
              exports.Table("Umur backlog", ["Layanan", *[b[0] for b in dash.BUCKETS]], _backlog_rows(summary))]
    return exports.response(fmt, f"pintu-dasbor-{start.isoformat()}-{end.isoformat()}", tables)
