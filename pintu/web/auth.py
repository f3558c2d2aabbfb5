"""Register, log in and out, reset and change the password, edit the profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from pintu.people import account_links, accounts, ratelimit
from pintu.web.forms import (ChangePasswordForm, ForgotForm, LoginForm, ProfileForm, RegisterForm,
                             ReminderPreferenceForm, ResetForm)

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "E-mail atau kata sandi salah."
LOGIN_WAIT = ("Terlalu banyak percobaan masuk yang gagal untuk e-mail ini. Demi keamanan, tunggu {wait} sebelum "
              "mencoba lagi, atau atur ulang kata sandi lewat “Lupa kata sandi?”.")
LOGIN_ADDRESS_LIMITED = ("Terlalu banyak percobaan masuk yang gagal dari alamat jaringan Anda. "
                         "Coba lagi dalam {wait}.")
REGISTER_LIMITED = ("Terlalu banyak pendaftaran dari alamat jaringan Anda. Coba lagi dalam {wait}; "
                    "isian Anda tetap ada di formulir ini (kecuali kata sandi).")
FORGOT_LIMITED = ("Terlalu banyak permintaan atur ulang kata sandi dari alamat jaringan Anda. "
                  "Coba lagi dalam {wait}.")


def safe_next(target: str | None) -> str | None:
    """Only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def too_many(template: str, message: str, wait: int, **context):
    """The form page again, with what was typed, a clear message and 429 Too Many Requests."""
    body = render_template(template, limited=message.format(wait=ratelimit.wait_text(wait)), **context)
    return body, 429, {"Retry-After": str(wait)}


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        # Counted before the NIP/NIK check too, so that check cannot be used to probe numbers freely.
        wait = ratelimit.take("register", ratelimit.client_address(),
                              ratelimit.Limit.from_config("RATE_LIMIT_REGISTER"))
        if wait:
            return too_many("auth/register.html", REGISTER_LIMITED, wait, form=form)
        if accounts.id_number_taken(form.id_number.data):
            form.id_number.errors.append(accounts.ID_NUMBER_TAKEN)
        else:
            # The same answer whether or not the address has an account: the mail tells the owner which.
            account_links.register(email=form.email.data, name=form.name.data, password=form.password.data,
                                   phone=form.phone.data, category=form.category.data,
                                   id_number=form.id_number.data or "")
            return redirect(url_for("auth.register_sent"))
    return render_template("auth/register.html", form=form), (422 if form.errors else 200)


@bp.route("/daftar/periksa-email")
def register_sent():
    return render_template("auth/register_sent.html")


@bp.route("/daftar/konfirmasi/<token>")
def verify_email(token):
    verified = account_links.verify(token)
    if verified is None:
        flash("Tautan konfirmasi tidak berlaku, sudah kedaluwarsa, atau akun sudah diaktifkan. "
              "Silakan masuk, atau daftar ulang.", "error")
        return redirect(url_for("auth.login"))
    logout_user()
    login_user(verified.user)
    flash("Alamat e-mail terkonfirmasi. Akun Anda aktif; selamat datang di PINTU.", "success")
    if verified.id_number_dropped:
        flash(accounts.ID_NUMBER_TAKEN, "error")
    return redirect(url_for("catalog.home"))


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data, ratelimit.client_address())
        if result.user:
            user = result.user
            login_user(user)
            flash(f"Selamat datang, {user.name}.", "success")
            default = url_for("inbox.index") if user.is_staff else url_for("applications.mine")
            return redirect(safe_next(form.next.data) or default)
        if result.wait:
            message = LOGIN_ADDRESS_LIMITED if result.by_address else LOGIN_WAIT
            return too_many("auth/login.html", message, result.wait, form=form)
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
        wait = ratelimit.take("forgot", ratelimit.client_address(), ratelimit.Limit.from_config("RATE_LIMIT_FORGOT"))
        if wait:
            return too_many("auth/forgot.html", FORGOT_LIMITED, wait, form=form)
        account_links.request_password_reset(form.email.data)
        flash("Jika e-mail tersebut terdaftar, tautan untuk mengatur ulang kata sandi telah dikirim.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), (422 if form.errors else 200)


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
        if accounts.id_number_taken(form.id_number.data, except_user=current_user):
            form.id_number.errors.append(accounts.ID_NUMBER_TAKEN)
        else:
            # ProfileForm has no category: the applicant category is changed by an administrator only.
            form.populate_obj(current_user)
            current_user.id_number = accounts.clean_id_number(current_user.id_number)
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
    reminder_form = ReminderPreferenceForm(prefix="rem", obj=current_user)
    if (request.method == "POST" and request.form.get("which") == "reminders" and current_user.is_staff
            and reminder_form.validate_on_submit()):
        current_user.reminder_digest = bool(reminder_form.reminder_digest.data)
        current_user.save()
        flash("Pilihan pengingat disimpan.", "success")
        return redirect(url_for("auth.profile"))
    status = 422 if (form.errors or password_form.errors) else 200
    return render_template("auth/profile.html", form=form, password_form=password_form,
                           reminder_form=reminder_form), status
