"""Register, log in and out, reset and change the password, edit the profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import accounts, notifications
from ..models import User
from ..forms import ChangePasswordForm, ForgotForm, LoginForm, ProfileForm, RegisterForm, ResetForm

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "E-mail atau kata sandi salah, atau akun dikunci sementara karena terlalu banyak percobaan."


def safe_next(target: str | None) -> str | None:
    """Only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        if User.get_or_none(User.email == email):
            form.email.errors.append("E-mail ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi.")
        else:
            user = accounts.create_user(email, form.name.data, form.password.data, phone=form.phone.data,
                                        category=form.category.data, id_number=form.id_number.data or "")
            login_user(user)
            flash("Pendaftaran berhasil. Selamat datang di PINTU.", "success")
            return redirect(url_for("catalog.home"))
    return render_template("auth/register.html", form=form), (422 if form.errors else 200)


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        if user:
            login_user(user)
            flash(f"Selamat datang, {user.name}.", "success")
            default = url_for("inbox.index") if user.is_staff else url_for("applications.mine")
            return redirect(safe_next(form.next.data) or default)
        flash(LOGIN_FAILED, "error")
    return render_template("auth/login.html", form=form), (422 if request.method == "POST" else 200)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    accounts.end_other_sessions(current_user)
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("catalog.home"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        user = User.get_or_none(User.email == accounts.normalise_email(form.email.data))
        if user and user.is_active:
            token = accounts.create_reset_token(user)
            link = url_for("auth.reset", token=token, _external=True)
            body = render_template("email/reset.txt", user=user, link=link)
            notifications.dispatch([notifications.queue_mail(user.email, "[PINTU] Atur ulang kata sandi", body)])
        flash("Jika e-mail tersebut terdaftar, tautan untuk mengatur ulang kata sandi telah dikirim.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/atur-sandi/<token>", methods=["GET", "POST"])
def reset(token):
    user = accounts.use_reset_token(token)
    if user is None:
        flash("Tautan atur ulang kata sandi tidak berlaku atau sudah digunakan.", "error")
        return redirect(url_for("auth.forgot"))
    form = ResetForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        accounts.consume_reset_token(token)
        logout_user()
        flash("Kata sandi telah diganti. Silakan masuk dengan kata sandi baru.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if request.method == "POST" and request.form.get("which") == "profile" and form.validate_on_submit():
        form.populate_obj(current_user)
        current_user.id_number = (current_user.id_number or "").replace(" ", "")
        current_user.save()
        flash("Profil disimpan.", "success")
        return redirect(url_for("auth.profile"))
    if request.method == "POST" and request.form.get("which") == "password" and password_form.validate_on_submit():
        from werkzeug.security import check_password_hash

        if not check_password_hash(current_user.password_hash, password_form.current.data):
            password_form.current.errors.append("Kata sandi saat ini salah.")
        else:
            accounts.set_password(current_user, password_form.password.data)
            login_user(current_user)  # this session continues with the new token; others end
            flash("Kata sandi diganti. Sesi di perangkat lain telah diakhiri.", "success")
            return redirect(url_for("auth.profile"))
    status = 422 if (form.errors or password_form.errors) else 200
    return render_template("auth/profile.html", form=form, password_form=password_form), status
