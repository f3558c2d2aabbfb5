"""What the staff inbox page shows, as plain strings computed in Python.

The inbox lists up to a page of applications on the page staff keep open all day; a Jinja macro
and a few filters, globals and ``url_for`` calls per row (status pill, due badge, applicant name,
step title, detail link) cost more than the rest of the page. Here each row's texts are computed
in Python: what is the same for many rows (the texts of a service, step and status; the badge of
a due date; today, the holidays, the link pattern) once per page, the date texts and working-day
counts once per process (:func:`pintu.clock.day_text`,
:func:`pintu.workingdays.working_days_between`); the template only places the strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for

from . import clock, queues, workflow
from .access import MASKED_IDENTITY, identity_visible
from .plugins import find_service
from .queues import InboxRow
from .timeline import status_text

_ID = 987654321  # a placeholder id: the detail link is built once per page, then filled per row


@dataclass(slots=True)
class ShownRow:
    url: str
    reference: str
    service: str  # the service's title
    applicant: str  # the name, or the mask when the viewer may not see who applied
    step: str  # the step's title, "-" when the application is at none
    status: str  # the status key (the pill's class)
    status_text: str
    due_class: str  # "due", "due late" or "due paused"; "" without a due date
    due_text: str
    assignee: str


@dataclass(slots=True)
class TabLink:
    key: str
    label: str
    url: str
    count: str  # "12", or "999+" at the cap


def due_badge(row: InboxRow, days_left: int | None) -> tuple[str, str]:
    """(class, text) of the due badge, as the ``due`` macro of templates/macros.html shows it."""
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


def rows(listed: list[InboxRow], user) -> list[ShownRow]:
    """The rows of one inbox page as the viewer ``user`` reads them."""
    if not listed:
        return []
    link = url_for("applications.detail", app_id=_ID).replace(str(_ID), "{}")
    today, extra = clock.today(), clock.extra_holidays()
    texts: dict[tuple, tuple] = {}  # (service, step, status, own) -> (service, step, status texts, confidential)
    badges: dict[tuple, tuple[str, str]] = {}  # (due date, paused, status) -> badge
    out = []
    for row in listed:
        key = (row.service, row.step, row.status, row.applicant_id == user.id)
        if key not in texts:
            service = find_service(row.service)
            step = service.step(row.step) if service is not None else None
            texts[key] = (service, service.title if service else row.service, step.title if step else "-",
                          status_text(row, for_applicant=key[3], service=service),
                          service is not None and service.confidential_identity)
        service, service_title, step_title, status, confidential = texts[key]
        badge_key = (row.due_date, row.paused_since is not None, row.status)
        if badge_key not in badges:
            badges[badge_key] = due_badge(row, workflow.working_days_left(row, today, extra))
        due_class, due_text = badges[badge_key]
        # Who applied: asked per row only where the service hides it (it may depend on the data).
        visible = not confidential or identity_visible(user, row, service)
        out.append(ShownRow(link.format(row.id), row.reference, service_title,
                            row.applicant_name if visible else MASKED_IDENTITY, step_title, row.status, status,
                            due_class, due_text, row.assignee_name if row.assignee_id else "-"))
    return out


def tabs(counts: dict[str, int], service: str | None, sort: str) -> list[TabLink]:
    """The tab links with their counts ("999+" at the cap), keeping the service filter and sort."""
    base = url_for("inbox.index")
    out = []
    cap = queues.COUNT_CAP
    for key, label in queues.TABS.items():
        query = {"tab": key, "layanan": service, "urut": sort}
        n = counts[key]
        out.append(TabLink(key, label, f"{base}?{urlencode({k: v for k, v in query.items() if v})}",
                           f"{cap - 1}+" if n >= cap else str(n)))
    return out
