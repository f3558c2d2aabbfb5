"""Form structure the core understands: conditional fields, repeated groups, computed values.

A service's form is a flask-wtf ``FlaskForm``; these parts give it what real standards need
without plugin code in the views or inline scripts in the templates:

* **Conditional fields** (:func:`conditional`): a field shown and validated only while another
  field has some values (the spouse block only for a married applicant).  The server drops a
  hidden answer; the browser shows and hides the field with ``static/pintu.js`` through a
  ``data-show-if`` attribute, so a strict Content-Security-Policy stays possible.
* **Repeated groups** (:func:`repeated`): a list of rows with the same fields (the children of a
  family-allowance letter), from WTForms' ``FieldList(FormField(...))``.  The application form
  adds and removes rows (with htmx, or a plain submit without script), reports errors on the
  right row, reloads drafts and returned applications row by row, stores the rows as a list of
  dicts, and shows them to staff as numbered lines, never as Python reprs.  The row count is
  bounded by ``max_rows``.
* **Computed values** (:class:`Computed`, ``Service.computed``): declared functions of the data,
  stored with every save and shown with the other answers (the number of children, a period of
  service in years).

Hand-written because WTForms has no notion of conditions across fields, and its FieldList does
not add, remove or reload rows from stored JSON by itself; the rest is WTForms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Mapping

from wtforms import FieldList, FormField
from wtforms.validators import DataRequired, Optional, StopValidation

REQUIRED = "Wajib diisi."

#: Names of the submit buttons that add a row to / remove a row from a repeated group.
ADD_ROW = "_tambah_baris"
REMOVE_ROW = "_hapus_baris"


class ShownIf:
    """WTForms validator (first in the chain) for a field shown only while ``condition(data)`` holds.

    When the condition is false the field is not validated and its value is dropped, so a hidden
    field can neither block a submission nor leave stale data behind.
    """

    field_flags = {}

    def __init__(self, condition: Callable[[Mapping[str, object]], bool]):
        self.condition = condition

    def __call__(self, form, field):
        data = {name: f.data for name, f in form._fields.items()}
        if not self.condition(data):
            field.data = None
            field.errors[:] = []
            raise StopValidation()


def conditional(field: str, *values: str, required: bool = True, validators=(), checked: bool = False) -> dict:
    """Keyword arguments for a WTForms field shown only while ``field`` has one of ``values``
    (or, with ``checked=True``, while the checkbox ``field`` is ticked)::

        nama_pasangan = StringField("Nama suami/istri", **conditional("status_kawin", "kawin"))
    """
    wanted = {str(v) for v in values}
    if checked:
        condition = (lambda data: bool(data.get(field)))
    else:
        condition = (lambda data: str(data.get(field)) in wanted)
    chain = [ShownIf(condition), DataRequired(REQUIRED) if required else Optional(), *validators]
    return {"validators": chain, "render_kw": show_if_attribute(field, ["on"] if checked else values)}


def show_if_attribute(field: str, values) -> dict:
    """The ``data-show-if`` attribute ``static/pintu.js`` reads: show while ``field`` has one of
    ``values`` (a ticked checkbox reads "on", an unticked one "")."""
    return {"data-show-if": f"{field}={'|'.join(str(v) for v in values)}"}


def repeated(row_form: type, label: str, *, min_rows: int = 1, max_rows: int = 10,
             add_label: str = "Tambah baris") -> FieldList:
    """A repeated group: ``FieldList(FormField(row_form), min_entries=min_rows, max_entries=max_rows)``.

    ``row_form`` is a plain ``wtforms.Form`` subclass (no CSRF of its own) with the fields of one
    row.  ``min_rows`` rows are shown to start with; at most ``max_rows`` are accepted.
    """
    return FieldList(FormField(row_form), label, min_entries=min_rows, max_entries=max_rows,
                     render_kw={"data-add-label": add_label})


@dataclass(frozen=True)
class Computed:
    """A value computed from the application's data, stored with each save and shown.

    ``function`` receives the data dict (repeated groups as lists of dicts) and returns a
    JSON-friendly value (or None when it cannot be computed yet).
    """

    key: str
    label: str
    function: Callable[[Mapping[str, object]], object]


# ---------------------------------------------------------------------------
# Helpers used by pintu.web.forms and the application view
# ---------------------------------------------------------------------------

def is_group(field) -> bool:
    return isinstance(field, FieldList)


def jsonable(value):
    """A form value as JSON-friendly data (dates as ISO strings, decimals as floats, rows as dicts)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if k != "csrf_token"}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if hasattr(value, "__float__") and not isinstance(value, (int, float, bool)):
        return float(value)
    return value


def group_rows(field) -> list[dict]:
    """The rows of a repeated group as dicts, blank rows left out."""
    rows = []
    for entry in field.entries:
        row = jsonable(entry.data)
        if any(v not in (None, "", False, []) for v in row.values()):
            rows.append(row)
    return rows


def group_errors_of(entry, submit: bool = True) -> dict[str, str]:
    """Errors of one row of a repeated group keyed by the sub-field's full name
    (``anak-1-tanggal_lahir``); for a draft only wrong formats of filled-in sub-fields count."""
    out = {}
    for sub in entry.form:
        if sub.errors and (submit or (sub.raw_data and any(str(v).strip() for v in sub.raw_data))):
            out[sub.name] = sub.errors[0]
    return out


def row_is_blank(entry) -> bool:
    return all(not (sub.raw_data and any(str(v).strip() for v in sub.raw_data)) for sub in entry.form)


def load_group(field, rows) -> None:
    """Fill a repeated group from stored rows (a draft, a returned application)."""
    rows = [r for r in (rows or []) if isinstance(r, dict)]
    while field.entries:
        field.pop_entry()
    for row in rows[:field.max_entries or None]:
        entry = field.append_entry()
        for sub in entry.form:  # stored JSON back through each field's own parsing (dates, numbers)
            value = row.get(sub.short_name)
            if value not in (None, ""):
                try:
                    sub.process_formdata([str(value)])
                except ValueError:
                    sub.data = value
    while len(field.entries) < field.min_entries:
        field.append_entry()


def edit_rows(form, posted: Mapping[str, str]) -> bool:
    """Apply an "add row" / "remove row" button of the posted form; True when one was pressed."""
    if ADD_ROW in posted:
        group = form._fields.get(posted[ADD_ROW])
        if group is not None and is_group(group) and (not group.max_entries or len(group.entries) < group.max_entries):
            group.append_entry()
        return True
    if REMOVE_ROW in posted:
        name = posted[REMOVE_ROW]
        group_name, _, index = name.rpartition("-")
        group = form._fields.get(group_name)
        if group is not None and is_group(group) and index.isdigit():
            kept = [jsonable(e.data) for e in group.entries if e.name != name]
            load_group(group, kept)
        return True
    return False


def computed_values(computed, data: Mapping[str, object]) -> dict:
    """``{key: value}`` of the service's computed values for ``data`` (None when a function fails on
    incomplete data, e.g. a draft)."""
    out = {}
    for item in computed or ():
        try:
            out[item.key] = jsonable(item.function(data))
        except (TypeError, ValueError, KeyError, ArithmeticError):
            out[item.key] = None
    return out
