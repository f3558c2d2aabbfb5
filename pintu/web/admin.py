"""Administration: users and their roles, units, the mail outbox, the audit log, account deletions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pintu.data import audit
from pintu.engine import service_settings
from pintu.notify import mail, mailsecrets
from pintu.people import accounts, privacy
from pintu.people.access import admin_required
from pintu.web.forms import (MembershipForm, ServiceSettingsForm, ServiceTargetForm, UnitForm, UserAdminForm,
                             UserCategoryForm, parse_periods)
from pintu.data.models import AuditEntry, DeletionRequest, Membership, OutgoingMail, Unit, User
from pintu.oversight import targets
from pintu.contract.plugins import all_services, get_service

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/pengguna")
@admin_required
def users():
    q = request.args.get("q", "").strip()
    query = User.select().order_by(User.name)
    if q:
        query = query.where(User.name.contains(q) | User.email.contains(q))
    return render_template("admin/users.html", rows=list(query.limit(200)), q=q)


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id):
    target = User.get_or_none(User.id == user_id) or abort(404)
    form = MembershipForm()
    form.unit.choices = [("", "- tanpa unit -")] + [(u.key, u.name) for u in Unit.select().order_by(Unit.name)]
    active_form = UserAdminForm(obj=target)
    category_form = UserCategoryForm(obj=target)
    if request.method == "POST":
        if request.form.get("which") == "membership" and form.validate_on_submit():
            if form.role.data == "verifikator" and not form.unit.data:
                flash("Verifikator harus terikat pada satu unit.", "error")
            else:
                accounts.grant(target, form.role.data, form.unit.data or None)
                audit.record("role.grant", target, role=form.role.data, unit=form.unit.data or None)
                flash("Peran ditambahkan.", "success")
                return redirect(url_for("admin.user", user_id=user_id))
        elif request.form.get("which") == "active" and active_form.validate_on_submit():
            target.is_active = active_form.is_active.data
            target.save()
            audit.record("user.update", target, is_active=target.is_active)
            if not target.is_active:
                accounts.end_other_sessions(target)
            flash("Status akun disimpan.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
        elif request.form.get("which") == "category" and category_form.validate_on_submit():
            # The applicant category opens services (staff services for pegawai/dosen): only admin sets it.
            target.category = category_form.category.data
            target.save()
            flash("Kategori pemohon disimpan.", "success")
            return redirect(url_for("admin.user", user_id=user_id))
    memberships = list(Membership.select().where(Membership.user == target))
    return render_template("admin/user.html", target=target, form=form, active_form=active_form,
                           category_form=category_form, memberships=memberships)


@bp.route("/pengguna/<int:user_id>/peran/<int:membership_id>/hapus", methods=["POST"])
@admin_required
def remove_membership(user_id, membership_id):
    # CSRFProtect checks every POST (form field or X-CSRFToken header) before this runs.
    membership = Membership.get_or_none(Membership.id == membership_id, Membership.user == user_id)
    if membership is not None:
        audit.record("role.revoke", membership.user, role=membership.role,
                     unit=membership.unit.key if membership.unit_id else None)
        membership.delete_instance()
    flash("Peran dihapus.", "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/unit", methods=["GET", "POST"])
@admin_required
def units():
    form = UnitForm()
    if form.validate_on_submit():
        key = form.key.data.strip().lower()
        if Unit.get_or_none(Unit.key == key):
            form.key.errors.append("Kode unit sudah dipakai.")
        else:
            unit = Unit.create(key=key, name=form.name.data.strip())
            audit.record("unit.create", unit)
            flash("Unit ditambahkan.", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", rows=list(Unit.select().order_by(Unit.name)), form=form)


@bp.route("/target-layanan", methods=["GET", "POST"])
@admin_required
def service_targets():
    """Internal completion targets of the services whose standard names no time (pintu.oversight.targets)."""
    form = ServiceTargetForm()
    services = targets.untimed_services()
    if form.validate_on_submit() and form.service.data in {s.slug for s in services}:
        days = int(form.days.data.strip())
        targets.set_target(form.service.data, days)
        audit.record("service.target", ("service", form.service.data), days=days)
        flash("Target internal disimpan.", "success")
        return redirect(url_for("admin.service_targets"))
    status = 422 if form.errors else 200
    return render_template("admin/targets.html", services=services, current=targets.all_targets(), form=form,
                           default=targets.default_days()), status


@bp.route("/kotak-keluar")
@admin_required
def outbox():
    files = mail.outbox_files()
    mails = list(OutgoingMail.select().order_by(OutgoingMail.id.desc()).limit(100))
    return render_template("admin/outbox.html", files=files, mails=mails)


@bp.route("/kotak-keluar/<name>")
@admin_required
def outbox_file(name):
    path = mail.outbox_folder() / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    # The file is the delivered message (the recipient's mailbox in development): secret links in it
    # are hidden here, so an administrator cannot use someone's reset link.
    body = mailsecrets.redact(msg.get_body(("plain",)).get_content())
    return render_template("admin/outbox_file.html", msg=msg, body=body, name=name)


AUDIT_PAGE = 50


@bp.route("/audit")
@admin_required
def audit_log():
    """The audit trail, newest first, filtered by action, actor or object; keyset-paginated by id."""
    action = request.args.get("aksi", "").strip()
    actor = request.args.get("pelaku", "").strip()
    object_type = request.args.get("objek", "").strip()
    object_id = request.args.get("id", "").strip()
    before = request.args.get("sebelum", type=int)
    query = AuditEntry.select()
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        user = User.get_or_none(User.email == accounts.normalise_email(actor))
        query = query.where(AuditEntry.actor_id == (user.id if user else -1))
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
        if object_id:
            query = query.where(AuditEntry.object_id == object_id)
    if before:
        query = query.where(AuditEntry.id < before)
    rows = list(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1))
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    filters = {k: v for k, v in (("aksi", action), ("pelaku", actor), ("objek", object_type), ("id", object_id)) if v}
    next_url = url_for("admin.audit_log", sebelum=rows[-1].id, **filters) if more else None
    return render_template("admin/audit.html", rows=rows, next_url=next_url, filters=filters,
                           first_page=before is None)


@bp.route("/penghapusan-akun")
@admin_required
def deletions():
    pending = list(DeletionRequest.select(DeletionRequest, User).join(User)
                   .where(DeletionRequest.status == "pending").order_by(DeletionRequest.id))
    done = list(DeletionRequest.select().where(DeletionRequest.status == "done")
                .order_by(DeletionRequest.id.desc()).limit(50))
    still_open = privacy.open_applications_of([r.user_id for r in pending])  # one query for the page
    return render_template("admin/deletions.html", pending=pending, done=done,
                           open_of={r.id: still_open.get(r.user_id, []) for r in pending})


@bp.route("/penghapusan-akun/<int:request_id>/jalankan", methods=["POST"])
@admin_required
def execute_deletion(request_id):
    from flask_login import current_user

    req = DeletionRequest.get_or_none(DeletionRequest.id == request_id) or abort(404)
    try:
        result = privacy.execute_deletion(req, current_user._get_current_object())
    except privacy.PrivacyError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Akun dianonimkan: {len(result.applications)} permohonan dianonimkan, {result.files} berkas dihapus.",
              "success")
    return redirect(url_for("admin.deletions"))


@bp.route("/layanan")
@admin_required
def service_settings_list():
    services = sorted(all_services(), key=lambda s: (s.category, s.title))
    return render_template("admin/services.html", rows=service_settings.effective_all(services))


@bp.route("/layanan/<slug>", methods=["GET", "POST"])
@admin_required
def service_settings_edit(slug):
    declared = get_service(slug)
    values, version = service_settings.overrides(slug)
    # On POST only what was posted counts (a missing field means empty, never the stored value).
    form = ServiceSettingsForm() if request.method == "POST" else ServiceSettingsForm(
        data=_settings_form_data(values, version))
    if form.validate_on_submit():
        periods, _ = parse_periods(form.periods.data)
        new = {k: form[k].data for k in service_settings.KEYS if k != "periods"}
        if new["completion_amount"] is not None:
            new["completion_amount"] = float(new["completion_amount"])
        else:
            new["completion_unit"] = None
        if new["tariff_amount"] is None:
            new["tariff_per"] = new["tariff_payer"] = None
        new["periods"] = periods if (periods or declared.periods or "periods" in values) else None
        try:
            service_settings.save(declared, new, current_user, int(form.version.data or 0))
        except service_settings.StaleSettings:
            flash("Pengaturan layanan ini baru saja diubah oleh administrator lain. Periksa nilai terbaru "
                  "di bawah lalu simpan lagi.", "error")
            return redirect(url_for("admin.service_settings_edit", slug=slug))
        flash("Pengaturan layanan disimpan.", "success")
        return redirect(url_for("admin.service_settings_edit", slug=slug))
    return render_template("admin/service.html", declared=declared, service=service_settings.effective(declared),
                           form=form, overridden=sorted(values)), (422 if form.errors else 200)


def _settings_form_data(values: dict, version: int) -> dict:
    data = {k: values.get(k) for k in service_settings.KEYS if k != "periods"}
    data["periods"] = "\n".join(f"{p['start']} s.d. {p['end']} {p.get('label', '')}".strip()
                                 for p in values.get("periods", []))
    data["version"] = version
    data["completion_unit"] = data["completion_unit"] or "hari_kerja"
    return data
