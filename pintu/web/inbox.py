"""The staff inbox: the work queues of the signed-in officer, by tab, filtered and sorted, a page at a
time (htmx swaps the list).  Acting on an application happens on its page (:mod:`pintu.web.applications`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from pintu.contract.plugins import all_services, get_service
from pintu.engine import queues, workflow
from pintu.people.access import staff_required

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
    page = queues.inbox(current_user, tab, service, sort, after)
    ctx = dict(rows=page.rows, counts=page.counts, cap=queues.COUNT_CAP, next_cursor=page.next_cursor,
               after=after, tab=tab, service=service, sort=sort,
               tabs=queues.TABS, sorts={k: v[0] for k, v in queues.SORTS.items()},
               services=sorted(all_services(), key=lambda s: s.title), get_service=get_service,
               days_left=workflow.working_days_left)
    if request.htmx and request.htmx.target == "inbox":
        return render_template("inbox/_list.html", **ctx)
    return render_template("inbox/index.html", **ctx)
