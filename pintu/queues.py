"""The staff inbox: which applications wait on a user's roles and units."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from peewee import JOIN, fn

from . import clock
from .models import Application, Disposition, Unit, User
from .plugins import all_services

TABS = {
    "tugas": "Semua tugas",
    "baru": "Belum ditangani",
    "saya": "Ditangani saya",
    "terlambat": "Lewat batas waktu",
}

SORTS = {
    "lama": ("Terlama menunggu", lambda: Application.updated_at.asc()),
    "tenggat": ("Batas waktu terdekat", lambda: Application.due_date.asc(nulls="LAST")),
    "baru": ("Terbaru", lambda: Application.updated_at.desc()),
}


def actionable_steps(user: User) -> list[tuple[str, str]]:
    """(service slug, step key) pairs where ``user`` may act."""
    return [(s.slug, st.key) for s in all_services() for st in s.steps if user.has_role(st.role, st.unit)]


def _base(user: User, service: str | None = None):
    pairs = actionable_steps(user)
    if service:
        pairs = [p for p in pairs if p[0] == service]
    conds = [((Application.service == slug) & (Application.step == step)) for slug, step in pairs]
    unit_keys = [m.unit.key for m in user.memberships() if m.unit_id and m.role == "verifikator"]
    if unit_keys:
        disposed = (Disposition.select(Disposition.application).join(Unit)
                    .where(Unit.key.in_(unit_keys), Disposition.answered_at.is_null(),
                           Disposition.step == Application.step))
        cond = Application.id.in_(disposed)
        if service:
            cond = cond & (Application.service == service)
        conds.append(cond)
    if not conds:
        return None
    # Nobody processes their own application, so it is nobody's task in their own inbox.
    return Application.select().where(Application.status.in_(("in_process", "ready")), reduce(or_, conds),
                                      Application.applicant != user.id)


def inbox(user: User, tab: str = "tugas", service: str | None = None, sort: str = "lama",
          page: int = 1, per_page: int = 50):
    """(rows, counts per tab, total for the current tab)."""
    base = _base(user, service)
    if base is None:
        return [], {t: 0 for t in TABS}, 0
    today = clock.today()  # due dates are counted in local days
    filters = {
        "tugas": None,
        # COALESCE keeps SQLite off the assignee index: "IS NULL" on it walks every unassigned
        # application ever filed (closed ones included), ~0.5 s at a million rows.
        "baru": fn.COALESCE(Application.assignee, 0) == 0,
        "saya": Application.assignee == user.id,
        "terlambat": (Application.due_date < today),
    }
    counts = {t: (base.where(f) if f is not None else base).count() for t, f in filters.items()}
    query = base.where(filters[tab]) if filters.get(tab) is not None else base
    order = SORTS.get(sort, SORTS["lama"])[1]()
    # The assignee is joined too: the list shows its name (one query per row otherwise).
    assignee = User.alias()
    rows = list(query.select(Application, User, assignee).join(User, on=(Application.applicant == User.id))
                .switch(Application)
                .join(assignee, JOIN.LEFT_OUTER, on=(Application.assignee == assignee.id), attr="assignee")
                .order_by(order, Application.id).paginate(page, per_page))
    return rows, counts, counts.get(tab, 0)
