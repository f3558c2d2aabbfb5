"""Staff search over every application a user may see, closed ones included (``/petugas/cari``).

Visibility is the rule of :mod:`pintu.people.access` written as one SQL condition: admin and pimpinan
oversee every submitted application; other staff see the services with a step for one of their
roles/units, and applications disposed to one of their units.  Drafts are never listed.

The free-text box ``q`` is read as what it looks like, so every kind of lookup goes through an
index: a reference number (``LGL-2026-00042``, unique index), a tracking code (6 characters,
index), a NIK/NIP (digits, index on ``user.id_number``), an e-mail (unique index on
``user.email``); anything else is a part of the applicant's name (case-insensitive; a scan of the
users table, not of the applications).  Filters: service, status, submission date range (local
days).  Pages are keyset-paginated on the application id, newest first: one query per page
whatever the size of the archive.

The applicant of a service with ``confidential_identity`` stays hidden: a lookup by name, NIK/NIP
or e-mail never matches an application whose applicant the user may not see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import SQL, NodeList, fn

from pintu.engine import clock
from pintu.people import accounts
from pintu.data.db import is_sqlite
from pintu.people.access import can_view, identity_visible, oversees
from pintu.data.models import Application, Disposition, User
from pintu.contract.plugins import all_services, find_service
from pintu.engine.tracking import normalise_code
from pintu.contract.services import MASKED_IDENTITY

PER_PAGE = 50
#: Rows read per batch by exports (keyset batches: bounded memory on SQLite and PostgreSQL).
BATCH = 2000

REFERENCE = re.compile(r"^[A-Z]{2,6}-\d{4}-\d{5}$")
TRACKING = re.compile(r"^[0-9A-Z]{6}$")
ID_NUMBER = re.compile(r"^\d{8,20}$")


@dataclass
class Criteria:
    q: str = ""
    service: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_args(self) -> dict:
        """The query-string arguments of these criteria (for links to the next page and exports)."""
        args = {"q": self.q, "layanan": self.service, "status": self.status,
                "dari": self.date_from.isoformat() if self.date_from else "",
                "sampai": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in args.items() if v}


def _services_of(user: User) -> tuple[list[str], list[str]]:
    """(services where ``user`` acts at a step whatever the application, services where that
    depends on the application: a step routed by its data, ``Step.unit_for``, to a unit of theirs)."""
    fixed, routed = [], []
    for service in all_services():
        steps = [st for st in service.steps if not st.for_applicant and not st.external]
        if any(st.unit_for is None and user.takes_step(st.role, st.unit) for st in steps):
            fixed.append(service.slug)
        elif any(st.unit_for is not None and any(m.role == st.role and m.unit_id and (not st.units or m.unit.key in st.units)
                                                 for m in user.memberships()) for st in steps):
            routed.append(service.slug)
    return fixed, routed


def visible_to(user: User):
    """The SQL condition of the applications ``user`` may see (see :func:`pintu.people.access.can_view`);
    rows of services routed per application are checked again by :func:`_shown`."""
    submitted = Application.status != "draft"
    if oversees(user):
        return submitted
    fixed, routed = _services_of(user)
    slugs = fixed + routed
    unit_ids = [m.unit_id for m in user.memberships() if m.unit_id]
    condition = _unindexed(Application.service).in_(slugs) if slugs else None
    if unit_ids:
        disposed = fn.EXISTS(Disposition.select(Disposition.id).where(
            Disposition.application == Application.id, Disposition.unit.in_(unit_ids)))
        condition = disposed if condition is None else (condition | disposed)
    if condition is None:
        return Application.id < 0  # sees nothing
    return submitted & condition


def _unindexed(column):
    """``column`` as a condition the planner should not pick an index for (SQLite: ``+column``).

    SQLite has no statistics (PINTU never runs ANALYZE) and takes an index for ``service IN
    (...)``, then sorts every matching row for ``ORDER BY id DESC``; walking the primary key
    backwards and filtering stops after one page.  PostgreSQL chooses with its statistics."""
    if is_sqlite():
        return NodeList((SQL("+"), column), glue="")
    return column


def _identity_hidden_services(user: User) -> list[str]:
    """Confidential services whose applicants ``user`` may not see (identity lookups skip them)."""
    return [s.slug for s in all_services() if s.confidential_identity
            and not any(st.unit_for is not None or user.takes_step(st.role, st.unit) for st in s.identity_staff_steps)]


def _local_start(day: dt.date) -> dt.datetime:
    """Midnight of a local day as the naive UTC the database stores."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=clock.zone())
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def query(user: User, criteria: Criteria):
    """The applications matching ``criteria`` that ``user`` may see, with their applicant, newest first."""
    rows = (Application.select(Application, User).join(User, on=(Application.applicant == User.id))
            .where(visible_to(user)))
    q = (criteria.q or "").strip()
    if q:
        upper = q.upper()
        digits = re.sub(r"[\s.\-]", "", q)
        if REFERENCE.match(upper):
            rows = rows.where(Application.reference == upper)
        elif ID_NUMBER.match(digits):
            rows = rows.where(User.id_number == digits)
        elif "@" in q:
            rows = rows.where(User.email == accounts.normalise_email(q))
        elif TRACKING.match(upper.replace("-", "")):
            code = normalise_code(q)
            rows = rows.where((Application.tracking_code == code) | fn.LOWER(User.name).contains(q.lower()))
        else:
            rows = rows.where(fn.LOWER(User.name).contains(q.lower()))
        hidden = _identity_hidden_services(user) if identity_lookup(criteria) else []
        if hidden:
            rows = rows.where(Application.service.not_in(hidden))
    if criteria.service:
        rows = rows.where(Application.service == criteria.service)
    if criteria.status:
        rows = rows.where(Application.status == criteria.status)
    if criteria.date_from:
        rows = rows.where(Application.submitted_at >= _local_start(criteria.date_from))
    if criteria.date_to:
        rows = rows.where(Application.submitted_at < _local_start(criteria.date_to + dt.timedelta(days=1)))
    return rows


@dataclass
class Page:
    rows: list
    next_cursor: int | None


def page(user: User, criteria: Criteria, after: int | None = None, per_page: int | None = None) -> Page:
    """One page (one query), keyset on the id: ``after`` is the last id of the previous page."""
    per_page = per_page or PER_PAGE
    rows = query(user, criteria)
    if after:
        rows = rows.where(Application.id < after)
    found = list(rows.order_by(Application.id.desc()).limit(per_page + 1))
    more = len(found) > per_page
    found = found[:per_page]
    return Page(_shown(user, criteria, found), found[-1].id if more and found else None)


def identity_lookup(criteria: Criteria) -> bool:
    """Whether ``q`` looks for a person (name, NIK/NIP, e-mail) rather than a reference."""
    q = (criteria.q or "").strip()
    return bool(q) and not REFERENCE.match(q.upper())


def _shown(user: User, criteria: Criteria, rows: list) -> list:
    """Rows the SQL could not decide alone: of a service routed per application (``Step.unit_for``),
    only those :func:`pintu.people.access.can_view` allows; and from a lookup by person (name, NIK/NIP,
    e-mail), none whose applicant ``user`` may not see (an anonymous report: a masked row matching
    a name would still tell who filed it; confidential services hidden from the user as a whole
    are already left out in SQL by :func:`query`)."""
    routed = set() if oversees(user) else set(_services_of(user)[1])
    if routed:
        rows = [a for a in rows if a.service not in routed or can_view(user, a)]
    if identity_lookup(criteria):
        rows = [a for a in rows if identity_visible(user, a, find_service(a.service))]
    return rows


def iterate(user: User, criteria: Criteria):
    """Every matching application, newest first, read in keyset batches of :data:`BATCH` (exports)."""
    after = None
    while True:
        rows = query(user, criteria)
        if after is not None:
            rows = rows.where(Application.id < after)
        batch = list(rows.order_by(Application.id.desc()).limit(BATCH))
        yield from _shown(user, criteria, batch)
        if len(batch) < BATCH:
            return
        after = batch[-1].id


def applicant_shown(user: User, application: Application, service) -> tuple[str, str, str]:
    """(name, NIK/NIP, e-mail) of the applicant as ``user`` may see them."""
    if identity_visible(user, application, service):
        who = application.applicant
        return who.name, who.id_number, who.email

    return MASKED_IDENTITY, "", ""

