"""What the staff inbox page shows, as plain strings computed in Python.

The inbox lists up to a page of applications on the page staff keep open all day; a Jinja macro
and a few filters, globals and ``url_for`` calls per row (status pill, due badge, applicant name,
step title, detail link) cost more than the rest of the page. Here each row's texts are computed
in Python: what is the same for many rows (the texts of a service, step and status; the badge of
a due date; today, the holidays, the link pattern) once per page, the date texts and working-day
counts once per process (:func:`pintu.engine.clock.day_text`, :func:`pintu.engine.workingdays.working_days_between`).
The rows' HTML is written here too (:data:`ROW`); the template places it.
"""

from __future__ import annotations

from html import escape as html_escape
from urllib.parse import urlencode

from flask import url_for
from markupsafe import Markup

from pintu.contract.plugins import all_services, find_service
from pintu.contract.services import MASKED_IDENTITY
from pintu.engine import clock, queues, workflow
from pintu.engine.queues import InboxRow
from pintu.engine.timeline import status_text
from pintu.people.access import identity_visible

_ID = 987654321  # a placeholder id: the detail link is built once per page, then filled per row


#: One listed row. Written here rather than in templates/inbox/_list.html: ten template
#: expressions per row (each an attribute lookup, an escape and a generator step) made the rows
#: the page's largest cost. Every value is escaped before it is placed (``_e``).
ROW = ('<tr><td><a href="{url}">{reference}</a></td><td>{service}</td><td>{applicant}</td><td>{step}</td>'
       '<td><span class="pill {status}">{status_text}</span></td><td>{due}</td><td>{assignee}</td></tr>\n')
DUE = '<span class="{}">{}</span>'


def _e(value) -> str:
    """``value`` as HTML text. ``html.escape`` rather than ``str(markupsafe.escape(...))``: the same
    five characters escaped at a quarter of the cost, and an inbox page escapes ~150 values."""
    if hasattr(value, "__html__"):  # already markup (as markupsafe.escape would leave it)
        return str(value.__html__())
    return html_escape(str(value))


def due_badge(row: InboxRow, days_left: int | None) -> tuple[str, str]:
    """(class, text) of the due badge, as the work panel (templates/applications/_work.html) shows it."""
    if not row.due_date:
        return "", ""
    day = clock.day_text(row.due_date)
    if row.paused_since:
        return "due paused", f"Batas: {day} (jam layanan dihentikan sementara)"
    if days_left is None:
        return "due", f"Batas: {day}"
    if days_left < 0:
        return "due late", f"Batas: {day} (terlambat {-days_left} hari kerja)"
    return "due", f"Batas: {day} ({'hari ini' if days_left == 0 else f'{days_left} hari kerja lagi'})"


def rows(listed: list[InboxRow], user) -> Markup:
    """The rows (``<tr>``) of one inbox page as the viewer ``user`` reads them; empty without any."""
    if not listed:
        return Markup("")
    link = url_for("applications.detail", app_id=_ID).replace(str(_ID), "{}")
    today, extra = clock.today(), clock.extra_holidays()
    texts: dict[tuple, dict] = {}  # (service, step, status, own) -> the escaped texts of those
    dues: dict[tuple, str] = {}  # (due date, paused, status) -> the escaped due cell
    out = []
    for row in listed:
        key = (row.service, row.step, row.status, row.applicant_id == user.id)
        if key not in texts:
            service = find_service(row.service)
            step = service.step(row.step) if service is not None else None
            texts[key] = {"service": _e(service.title if service else row.service),
                          "step": _e(step.title if step else "-"), "status": _e(row.status),
                          "status_text": _e(status_text(row, for_applicant=key[3], service=service)),
                          "_service": service, "_confidential": bool(service and service.confidential_identity)}
        known = texts[key]
        due_key = (row.due_date, row.paused_since is not None, row.status)
        if due_key not in dues:
            css, text = due_badge(row, workflow.working_days_left(row, today, extra))
            dues[due_key] = DUE.format(_e(css), _e(text)) if css else "-"
        # Who applied: asked per row only where the service hides it (it may depend on the data).
        visible = not known["_confidential"] or identity_visible(user, row, known["_service"])
        out.append(ROW.format(url=link.format(row.id), reference=_e(row.reference), service=known["service"],
                              applicant=_e(row.applicant_name if visible else MASKED_IDENTITY), step=known["step"],
                              status=known["status"], status_text=known["status_text"], due=dues[due_key],
                              assignee=_e(row.assignee_name) if row.assignee_id else "-"))
    return Markup("".join(out))


TAB = ('<a href="{url}" hx-get="{url}"\n     hx-target="#inbox" hx-push-url="true" class="{active}">{label} '
       '<span class="count">{count}</span></a>\n')


def tabs(counts: dict[str, int], service: str | None, sort: str, current: str) -> Markup:
    """The tab links with their counts ("999+" at the cap), keeping the service filter and sort;
    ``current`` is marked active. Written here for the reason of :data:`ROW`."""
    base = url_for("inbox.index")
    out = []
    cap = queues.COUNT_CAP
    for key, label in queues.TABS.items():
        query = {"tab": key, "layanan": service, "urut": sort}
        n = counts[key]
        out.append(TAB.format(url=_e(f"{base}?{urlencode({k: v for k, v in query.items() if v})}"),
                              active="active" if key == current else "", label=_e(label),
                              count=f"{cap - 1}+" if n >= cap else n))
    return Markup("".join(out))


def sort_options(selected: str) -> Markup:
    """The ``<option>``s of the sort choice."""
    return Markup("".join(f'<option value="{_e(key)}" {"selected" if key == selected else ""}>{_e(label)}</option>'
                          for key, (label, _column, _desc) in queues.SORTS.items()))


def service_options(selected: str | None) -> Markup:
    """The ``<option>``s of the service filter, by title (a template loop over the twenty-odd
    services cost more than the rest of the filter form)."""
    return Markup("".join(
        f'<option value="{_e(s.slug)}"{" selected" if s.slug == selected else ""}>{_e(s.title)}</option>'
        for s in sorted(all_services(), key=lambda s: s.title)))
