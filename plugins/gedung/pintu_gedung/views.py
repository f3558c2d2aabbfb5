"""Pages of the plugin: the public schedule, the fee preview, and the admin's building pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user


from . import bookings
from .forms import BuildingForm
from .models import Building

from pintu import admin_required, form_data

bp = Blueprint("gedung", __name__, url_prefix="/gedung", static_folder="static",
               static_url_path="/static")


def _active_buildings():
    return list(Building.select().where(Building.active == True).order_by(Building.name))  # noqa: E712


def _is_staff() -> bool:
    """Staff of this service (they may open its applications): the schedule shows them the references."""
    if not current_user.is_authenticated or not current_user.is_staff:
        return False
    from . import SERVICE

    return any(current_user.takes_step(step.role, step.unit) for step in SERVICE.steps if not step.for_applicant)


# ---------------------------------------------------------------------------
# Template helpers (the service page and the application form use them)
# ---------------------------------------------------------------------------

@bp.app_template_global()
def gedung_buildings():
    return _active_buildings()


@bp.app_template_global()
def gedung_preview(form, application=None):
    """Fee and availability of the form as it stands (shown when the form is rendered or re-rendered)."""
    return bookings.preview(form_data(form), application.id if application is not None else None)


@bp.app_template_filter("rupiah")
def rupiah(amount):
    return bookings.rupiah(amount or 0)


# ---------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------

@bp.route("/")
def index():
    return render_template("gedung/index.html", buildings=_active_buildings(), bookings=bookings)


@bp.route("/jadwal")
def schedule():
    """A building's schedule, month or week view; readable without logging in."""
    buildings = _active_buildings()
    wanted = bookings.parse_int(request.args.get("gedung"))
    building = next((b for b in buildings if b.id == wanted), buildings[0] if buildings else None)
    view = "minggu" if request.args.get("tampilan") == "minggu" else "bulan"
    anchor = bookings.parse_date(request.args.get("tanggal")) or bookings.now().date()
    ctx = dict(buildings=buildings, building=building, s=bookings.schedule(building, view, anchor),
               staff=_is_staff(), bookings=bookings)
    if request.htmx and request.htmx.target == "jadwal":
        return render_template("gedung/_jadwal.html", **ctx)
    return render_template("gedung/jadwal.html", **ctx)


@bp.route("/biaya")
def fee():
    """htmx: the fee (and availability) of the request being filled in, recomputed on every change."""
    return render_template("gedung/_biaya.html", preview=bookings.preview(request.args))


# ---------------------------------------------------------------------------
# Admin: buildings
# ---------------------------------------------------------------------------

@bp.route("/admin/")
@admin_required
def admin_list():
    rows = list(Building.select().order_by(Building.active.desc(), Building.name))
    return render_template("gedung/admin_list.html", rows=rows)


def _save(form: BuildingForm, building: Building) -> None:
    building.name = form.name.data
    building.capacity = form.capacity.data
    building.facilities = (form.facilities.data or "").strip()
    building.tariff_day = form.tariff_day.data
    building.tariff_half_day = form.tariff_half_day.data
    building.active = bool(form.active.data)
    building.save()


@bp.route("/admin/tambah", methods=["GET", "POST"])
@admin_required
def admin_add():
    form = BuildingForm()
    if form.validate_on_submit():
        building = Building()
        _save(form, building)
        flash(f"Gedung {building.name} ditambahkan.", "success")
        return redirect(url_for("gedung.admin_list"))
    return render_template("gedung/admin_form.html", form=form, building=None), 422 if form.errors else 200


@bp.route("/admin/<int:building_id>/ubah", methods=["GET", "POST"])
@admin_required
def admin_edit(building_id):
    building = Building.get_or_none(Building.id == building_id)
    if building is None:
        abort(404)
    form = BuildingForm(obj=building, building=building)
    if form.validate_on_submit():
        _save(form, building)
        flash(f"Data {building.name} disimpan.", "success")
        return redirect(url_for("gedung.admin_list"))
    return render_template("gedung/admin_form.html", form=form, building=building), 422 if form.errors else 200
