"""The staff inbox: the work queues of the signed-in officer, by tab, filtered and sorted, a page at a
time (htmx swaps the list).  Acting on an application happens on its page (:mod:`pintu.web.applications`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from pintu.engine import queues
from pintu.people.access import staff_required
from pintu.web import inbox_page

bp = Blueprint("inbox", __name__, url_prefix="/petugas")


@bp.route("/")
@staff_required
def index():
    tab = request.args.get("tab", "tugas")
    tab = tab if tab in queues.TABS else "tugas"
    service = request.args.get("layanan") or None
    sort = request.args.get("urut", "lama")
    sort = sort if sort in queues.SORTS else "lama"
    after = request.args.get("setelah") or None
    user = current_user._get_current_object()  # the engine reads it ~70 times: no proxy lookup each time
    page = queues.inbox(user, tab, service, sort, after)
    ctx = dict(rows=inbox_page.rows(page.rows, user),
               tabs=inbox_page.tabs(page.counts, service, sort, tab), next_cursor=page.next_cursor, after=after,
               tab=tab, service=service, sort=sort, sort_options=inbox_page.sort_options(sort),
               service_options=inbox_page.service_options(service))
    if request.htmx and request.htmx.target == "inbox":
        return render_template("inbox/_list.html", **ctx)
    return render_template("inbox/index.html", **ctx)
