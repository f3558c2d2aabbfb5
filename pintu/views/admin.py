"""Administration: users and their roles, units, the mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import accounts, mail, mailsecrets
from ..access import admin_required
from ..forms import MembershipForm, UnitForm, UserAdminForm, UserCategoryForm
from ..models import Membership, OutgoingMail, Unit, User

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
                flash("Peran ditambahkan.", "success")
                return redirect(url_for("admin.user", user_id=user_id))
        elif request.form.get("which") == "active" and active_form.validate_on_submit():
            target.is_active = active_form.is_active.data
            target.save()
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
    Membership.delete().where(Membership.id == membership_id, Membership.user == user_id).execute()
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
            Unit.create(key=key, name=form.name.data.strip())
            flash("Unit ditambahkan.", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", rows=list(Unit.select().order_by(Unit.name)), form=form)


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
