"""Reference numbers and tracking codes people can read out over the phone.

Reference: ``<SERVICE CODE>-<YEAR>-<5-digit counter>`` (``LGS-2026-00042``),
from a per-year counter incremented inside the submitting transaction.
Tracking code: 6 characters of Crockford's base32 alphabet (no I, L, O, U),
so it survives being read aloud; compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from pintu.engine import clock
from pintu.data.db import prepared
from pintu.data.models import Application, Counter
from pintu.data.pagedata import instance

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def next_reference(service_code: str, today: dt.date | None = None) -> str:
    year = (today or clock.today()).year
    name = f"ref-{year}"
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == name).execute()
    value = Counter.get_by_id(name).value
    return f"{service_code}-{year}-{value:05d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(6))


def normalise_code(code: str) -> str:
    """Accept what people type: lower case, spaces, O for 0, I/L for 1."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    return code.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def find_by_reference_and_code(reference: str, code: str) -> Application | None:
    """The application with this reference whose tracking code matches, else None.

    Unknown references and wrong codes give the same answer (None).
    """
    reference = (reference or "").strip().upper()
    # References are generated in upper case: compare the column as it is, so the lookup reads
    # its unique index (UPPER(reference) scanned every application ever filed).
    app = None
    if reference:
        fields = Application._meta.sorted_fields
        row = prepared("tracking.find", lambda r: Application.select(*fields).where(Application.reference == r)
                       .tuples(), reference).fetchone()  # the reference is unique
        app = instance(Application, fields, row) if row is not None else None
    expected = app.tracking_code if app else "X" * 6
    ok = hmac.compare_digest(normalise_code(code).encode(), expected.encode())
    return app if (app and ok) else None
