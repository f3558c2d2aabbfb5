"""In-app notifications."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from pintu.data.models import Notification, utcnow

bp = Blueprint("notifications", __name__)


@bp.route("/notifikasi")
@login_required
def index():
    rows = list(Notification.select().where(Notification.user == current_user.id)
                .order_by(Notification.id.desc()).limit(100))
    return render_template("notifications.html", rows=rows)


@bp.route("/notifikasi/baca", methods=["POST"])
@login_required
def mark_read():
    (Notification.update(read_at=utcnow())
     .where(Notification.user == current_user.id, Notification.read_at.is_null()).execute())
    return redirect(url_for("notifications.index"))
