"""Services declared as data: one TOML file per service standard, one pluggy plugin per service.

An institution's catalog has dozens of standards that differ in their text (requirements,
procedure, completion time, product, manufacturing components) far more than in their
behaviour.  A pack (an installable distribution such as ``plugins/lldikti6``) keeps each
standard in a TOML file carrying the seed's text verbatim, and this module turns the files into
:class:`pintu.Service` declarations and plugin objects, so that every service is its own
plugin (listed by ``flask --app pintu plugins``, switched off one by one with
``DISABLED_PLUGINS``) without a Python module per service.  Python stays for services with
real rules: a pack module may add validators, ``unit_for`` functions or whole hand-written
plugins next to the data ones.

The file format is documented in the README ("Paket layanan: standar sebagai data"); in short::

    slug = "lldikti6-inpassing-pertama"
    title = "Inpassing Pertama"
    category = "Sumber Daya"
    summary = "..."
    completion_text = "Maksimal 20 hari kerja, dihitung sejak persyaratan dinyatakan lengkap dan benar"
    completion_time = { amount = 20, unit = "hari_kerja" }
    procedure = ["...", "..."]
    [manufacturing]
    dasar_hukum = ["..."]
    [[fields]]
    key = "nidn"
    label = "NIDN"
    [[requirements]]
    key = "sk_pengangkatan"
    label = "..."
    [[steps]]
    key = "verifikasi"
    title = "..."
    role = "verifikator"
    unit = "sumber-daya"
    actions = [{ key = "verified", label = "Berkas terverifikasi" }, "return", "refuse"]

Parsing is strict: an unknown key is an error naming the file, so a typo never silently drops
part of a published standard.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, Form, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from pintu.contract.fields import TanggalField
from pintu.contract.formparts import ShownIf, repeated, show_if_attribute
from pintu.hookspecs import hookimpl
from pintu.contract.services import (DEFAULT_NUMBER_SCHEME, EXTERNAL, Action, Document, Duration, Fee, Party, Period,
                                     Requirement, Service, Step, approve, dispose, finish, refuse, send_back,
                                     standard_steps)

REQUIRED = "Wajib diisi."


class CatalogError(ValueError):
    """A service file that cannot be read as a service declaration (the message names the file)."""


def _check_keys(spec: Mapping, allowed: set[str], what: str, where: str) -> None:
    """Refuse keys the format does not know (a typo must not silently drop part of a standard)."""
    unknown = set(spec) - allowed
    if unknown:
        raise CatalogError(f"{where}: unknown {what} {sorted(unknown)}")


# ---------------------------------------------------------------------------
# Conditions ("wajib jika ...", fields shown only for some answers)
# ---------------------------------------------------------------------------

def _condition(spec: Mapping | None, where: str) -> Callable[[Mapping[str, object]], bool] | None:
    """``{field = "jenis", in = ["baru"]}`` / ``{field = "x", equals = "y"}`` / ``{field = "x", checked = true}``."""
    if not spec:
        return None
    unknown = set(spec) - {"field", "in", "equals", "checked"}
    if unknown or "field" not in spec:
        raise CatalogError(f"{where}: a condition is {{field = ..., in = [...] | equals = ... | checked = true}}")
    name = spec["field"]
    if "checked" in spec:
        wanted = bool(spec["checked"])
        return lambda data: bool(data.get(name)) is wanted
    values = {str(v) for v in (spec.get("in") or [spec.get("equals")])}
    return lambda data: str(data.get(name)) in values


def _condition_text(spec: Mapping | None, fields: Mapping[str, Mapping]) -> str:
    """The Indonesian sentence a published standard prints for a condition ("wajib jika Jenis: Baru")."""
    if not spec:
        return ""
    fdef = fields.get(spec["field"], {})
    label = fdef.get("label", spec["field"])
    if "checked" in spec:
        return f"jika {label}" if spec["checked"] else f"jika tidak {label.lower()}"
    choices = {str(k): v for k, v in fdef.get("choices", [])}
    values = [choices.get(str(v), str(v)) for v in (spec.get("in") or [spec.get("equals")])]
    return f"jika {label}: {' / '.join(values)}"


# ---------------------------------------------------------------------------
# Fields -> a FlaskForm
# ---------------------------------------------------------------------------

FIELD_KEYS = {"key", "label", "type", "required", "max_length", "min", "max", "choices", "help", "show_if",
              "pattern", "pattern_message", "demo", "placeholder", "fields", "min_rows", "max_rows", "add_label"}
FIELD_TYPES = {"text", "textarea", "integer", "date", "email", "select", "radio", "checkbox", "nip", "nik", "group"}


def _form_field(spec: Mapping, where: str):
    _check_keys(spec, FIELD_KEYS, "field keys", where)
    kind = spec.get("type", "text")
    if kind not in FIELD_TYPES:
        raise CatalogError(f"{where}: unknown field type {kind!r} (one of {sorted(FIELD_TYPES)})")
    if kind == "group":  # a repeated group: its own [[fields.fields]] per row
        rows = {sub["key"]: _form_field(sub, f"{where} / {sub.get('key')!r}") for sub in spec.get("fields", [])}
        if not rows:
            raise CatalogError(f"{where}: a group needs fields = [...]")
        row_form = type(f"{spec['key'].title().replace('_', '')}Row", (Form,), rows)
        return repeated(row_form, spec["label"], min_rows=int(spec.get("min_rows", 1)),
                        max_rows=int(spec.get("max_rows", 10)), add_label=spec.get("add_label", "Tambah baris"))
    required = spec.get("required", kind != "checkbox")
    validators = []
    condition = _condition(spec.get("show_if"), where)
    render_kw = {}
    if condition is not None:
        validators.append(ShownIf(condition))
        sif = spec["show_if"]
        render_kw.update(show_if_attribute(sif["field"], sif.get("in") or [
            sif.get("equals", "on" if sif.get("checked") else "")]))
    if kind == "checkbox":
        validators.append(DataRequired("Wajib dicentang.") if required else Optional())
    else:
        validators.append(DataRequired(REQUIRED) if required else Optional())
    if kind in ("text", "textarea", "email"):
        validators.append(Length(max=int(spec.get("max_length", 2000 if kind == "textarea" else 200)),
                                 message="Terlalu panjang."))
    if kind == "nip":
        validators.append(Regexp(r"^\d{18}$", message="NIP terdiri atas 18 angka."))
    if kind == "nik":
        validators.append(Regexp(r"^\d{16}$", message="NIK terdiri atas 16 angka."))
    if spec.get("pattern"):
        validators.append(Regexp(spec["pattern"], message=spec.get("pattern_message", "Format tidak sesuai.")))
    if spec.get("placeholder"):
        render_kw["placeholder"] = spec["placeholder"]
    kw = {"validators": validators, "description": spec.get("help", ""), "render_kw": render_kw or None}
    label = spec["label"]
    if kind in ("text", "nip", "nik"):
        return StringField(label, **kw)
    if kind == "textarea":
        return TextAreaField(label, **kw)
    if kind == "email":
        kw["validators"].append(Email("Alamat e-mail tidak valid."))
        return EmailField(label, **kw)
    if kind == "integer":
        lo, hi = spec.get("min"), spec.get("max")
        if lo is not None or hi is not None:
            kw["validators"].append(NumberRange(lo, hi, f"Isi angka {lo if lo is not None else ''}"
                                                        f"{' sampai ' + str(hi) if hi is not None else ' ke atas'}."))
        return IntegerField(label, **kw)
    if kind == "date":
        return TanggalField(label, **kw)
    if kind == "checkbox":
        return BooleanField(label, **kw)
    choices = [(str(k), v) for k, v in spec.get("choices", [])]
    if not choices:
        raise CatalogError(f"{where}: a {kind} field needs choices = [[value, label], ...]")
    if kind == "radio":
        return RadioField(label, choices=choices, **kw)
    return SelectField(label, choices=[("", "— pilih —")] + choices, **kw)


def build_form(slug: str, fields: list[Mapping], where: str) -> type | None:
    """A ``FlaskForm`` subclass with one WTForms field per ``[[fields]]`` entry, in order."""
    if not fields:
        return None
    attrs = {}
    for spec in fields:
        if "key" not in spec or "label" not in spec:
            raise CatalogError(f"{where}: every field needs key and label")
        attrs[spec["key"]] = _form_field(spec, f"{where} field {spec['key']!r}")
    return type(f"{re.sub(r'[^A-Za-z0-9]', '', slug.title())}Form", (FlaskForm,), attrs)


# ---------------------------------------------------------------------------
# Requirements, actions, steps
# ---------------------------------------------------------------------------

REQUIREMENT_KEYS = {"key", "label", "required", "types", "max_mb", "note", "required_if", "identifying"}


def _requirement(spec: Mapping, fields: Mapping[str, Mapping], where: str) -> Requirement:
    _check_keys(spec, REQUIREMENT_KEYS, "requirement keys", where)
    condition = _condition(spec.get("required_if"), where)
    kw = {}
    if condition is not None:
        kw["condition"] = condition
        kw["condition_text"] = "Wajib " + _condition_text(spec["required_if"], fields)
    try:
        return Requirement(spec["key"], spec["label"], required=spec.get("required", True),
                           types=tuple(spec.get("types", ("pdf",))), max_mb=float(spec.get("max_mb", 2)),
                           note=spec.get("note", ""), identifying=spec.get("identifying", False), **kw)
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from None


#: Action shorthands usable as plain strings in ``actions = [...]``.
ACTION_SHORTHANDS: dict[str, Callable[[], Action]] = {
    "return": send_back,
    "refuse": refuse,
    "dispose": dispose,
    "finish": finish,
}
ACTION_KEYS = {"key", "label", "kind", "target", "message", "starts_clock", "note_required", "internal", "style"}


def _action(spec, where: str) -> Action:
    if isinstance(spec, str):
        if spec not in ACTION_SHORTHANDS:
            raise CatalogError(f"{where}: unknown action shorthand {spec!r} (one of {sorted(ACTION_SHORTHANDS)}, "
                               "or a table {key, label, ...})")
        return ACTION_SHORTHANDS[spec]()
    _check_keys(spec, ACTION_KEYS, "action keys", where)
    try:
        return Action(spec["key"], spec["label"], spec.get("kind", "forward"), target=spec.get("target"),
                      message=spec.get("message") or spec["label"], starts_clock=spec.get("starts_clock", False),
                      note_required=spec.get("note_required", False), internal=spec.get("internal", False),
                      style=spec.get("style", "primary"))
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from None


#: Actions of a step that declares none, by role.
DEFAULT_ACTIONS: dict[str, Callable[[], list[Action]]] = {
    "petugas": lambda: [approve("Teruskan", "forward"), send_back(), refuse()],
    "verifikator": lambda: [approve("Berkas terverifikasi", "verified", message="Berkas terverifikasi"),
                            send_back(), refuse()],
    "pimpinan": lambda: [approve("Setujui", "approve", message="Disetujui pimpinan"), refuse()],
    EXTERNAL: lambda: [approve("Setujui", "endorse", message="Disetujui"),
                       Action("decline", "Tidak menyetujui", "refuse", message="Tidak disetujui", style="danger")],
    "pemohon": lambda: [approve("Kirim", "send")],
}
STEP_KEYS = {"key", "title", "role", "unit", "description", "status", "actions", "requirements", "party",
             "pauses_clock", "unit_from", "unit_map", "applies_if", "instructions"}


def _step(spec: Mapping, fields: Mapping[str, Mapping], where: str) -> Step:
    _check_keys(spec, STEP_KEYS, "step keys", where)
    role = spec.get("role", "verifikator")
    if role not in DEFAULT_ACTIONS:
        raise CatalogError(f"{where}: unknown role {role!r}")
    actions = ([_action(a, where) for a in spec["actions"]] if "actions" in spec else DEFAULT_ACTIONS[role]())
    party = None
    if "party" in spec:
        p = spec["party"]
        _check_keys(p, {"label", "email_field", "name_field", "link_days", "show_fields", "email_setting"},
                    "party keys", where)
        if not (p.get("email_field") or p.get("email_setting")):
            raise CatalogError(f"{where}: a party needs email_field (a form field) or email_setting (a setting)")
        party = Party(p["label"], p.get("email_field", ""), p.get("name_field", ""), int(p.get("link_days", 14)),
                      tuple(p.get("show_fields", ())), p.get("email_setting", ""))
    unit_for, units = None, ()
    if "unit_from" in spec:
        name, mapping = spec["unit_from"], dict(spec.get("unit_map") or {})
        if not mapping:
            raise CatalogError(f"{where}: unit_from needs unit_map = {{answer = unit_key}}")
        unit_for = (lambda data, name=name, mapping=mapping: mapping.get(str(data.get(name))))
        units = tuple(dict.fromkeys(mapping.values()))
    try:
        return Step(spec["key"], spec["title"], role=role, actions=actions, unit=spec.get("unit"),
                    status=spec.get("status", "in_process"), description=spec.get("description", ""),
                    requirements=[_requirement(r, fields, where) for r in spec.get("requirements", [])],
                    condition=_condition(spec.get("applies_if"), where), instructions=spec.get("instructions", ""),
                    party=party, pauses_clock=spec.get("pauses_clock", False), unit_for=unit_for, units=units)
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from None


# ---------------------------------------------------------------------------
# Service files
# ---------------------------------------------------------------------------

SERVICE_KEYS = {"slug", "code", "title", "category", "summary", "applicant_categories", "completion_text",
                "completion_time", "fee", "product", "procedure", "complaint_channel", "contact", "legal_basis",
                "eligibility", "responsible_unit", "source", "notes", "max_total_mb", "nip_missing_message",
                "messages", "manufacturing", "fields", "requirements", "steps", "intake", "pickup",
                "pickup_title", "pickup_description", "units", "title_source", "tariff", "periods", "documents"}
DOCUMENT_KEYS = {"key", "title", "template", "step", "action", "signer", "number_scheme", "position"}


@dataclass
class ServiceFile:
    """One parsed service file: the declaration, the units it names and its demo field values."""

    service: Service
    units: list[tuple[str, str]]
    fields: list[Mapping] = field(default_factory=list)
    path: Path | None = None
    title_source: str = ""  # the heading as printed in the seed, for checking the catalog against it


def load_service(path: Path, extra: Mapping | None = None) -> ServiceFile:
    """Read one TOML service file.  ``extra`` adds Python-only declarations (validators, ...)."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{where}: {exc}") from None
    return parse_service(data, where, extra, path)


def parse_service(data: Mapping, where: str, extra: Mapping | None = None, path: Path | None = None) -> ServiceFile:
    _check_keys(data, SERVICE_KEYS, "keys", where)
    fields = list(data.get("fields", []))
    by_key = {f.get("key"): f for f in fields}
    middle = [_step(s, by_key, f"{where} step {s.get('key')!r}") for s in data.get("steps", [])]
    intake, pickup = data.get("intake", True), data.get("pickup", True)
    full = standard_steps(*middle, ready_title=data.get("pickup_title", "Hasil siap diambil di ULT"),
                          ready_description=data.get("pickup_description",
                                                     "Produk layanan dapat diambil di Unit Layanan Terpadu"))
    steps = full[(0 if intake else 1):(len(full) if pickup else len(full) - 1)]
    kw = {k: data[k] for k in ("slug", "code", "title", "category", "summary", "completion_text", "fee", "product",
                                "complaint_channel", "contact", "responsible_unit", "source", "nip_missing_message",
                                "messages") if k in data}
    for k in ("applicant_categories", "procedure", "legal_basis", "eligibility", "notes"):
        if k in data:
            kw[k] = tuple(data[k])
    if "max_total_mb" in data:
        kw["max_total_mb"] = float(data["max_total_mb"])
    if "completion_time" in data:
        ct = data["completion_time"]
        try:
            kw["completion_time"] = Duration(float(ct["amount"]), ct.get("unit", "hari_kerja"))
        except (KeyError, ValueError, TypeError) as exc:
            raise CatalogError(f"{where}: completion_time: {exc}") from None
    kw["manufacturing"] = dict(data.get("manufacturing", {}))
    try:
        if "tariff" in data:
            t = data["tariff"]
            _check_keys(t, {"amount", "per", "payer"}, "tariff keys", where)
            kw["tariff"] = Fee(int(t["amount"]), t.get("per", ""), t.get("payer", ""))
        if "periods" in data:
            kw["periods"] = tuple(Period(p["start"], p["end"], p.get("label", "")) for p in data["periods"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{where}: tariff/periods: {exc}") from None
    documents = []
    for d in data.get("documents", []):  # letters the service issues: numbered, QR-verifiable (pintu.output.letters)
        _check_keys(d, DOCUMENT_KEYS, "document keys", where)
        try:
            documents.append(Document(d["key"], d["title"], d["template"], step=d["step"], action=d.get("action"),
                                      signer=d.get("signer", "pimpinan"),
                                      number_scheme=d.get("number_scheme", DEFAULT_NUMBER_SCHEME),
                                      position=d.get("position", "")))
        except (KeyError, ValueError) as exc:
            raise CatalogError(f"{where}: document: {exc}") from None
    if documents:
        kw["documents"] = documents
    kw.update(extra or {})
    try:
        service = Service(steps=steps, form=build_form(data.get("slug", ""), fields, where),
                          requirements=[_requirement(r, by_key, f"{where} requirement {r.get('key')!r}")
                                        for r in data.get("requirements", [])], **kw)
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from None
    units = [(k, v) for k, v in (data.get("units") or {}).items()]
    return ServiceFile(service, units, fields, path, data.get("title_source", ""))


# ---------------------------------------------------------------------------
# Packs: a folder of service files, one plugin object per service
# ---------------------------------------------------------------------------

class ServicePlugin:
    """The pluggy plugin of one data-declared service (what a pack's entry point names)."""

    def __init__(self, pack: "ServicePack", entry: ServiceFile):
        self.pack = pack
        self.entry = entry
        self.__name__ = entry.service.slug

    @hookimpl
    def pintu_services(self):
        return [self.entry.service]

    @hookimpl
    def pintu_units(self):
        named = dict(self.pack.units)
        wanted = {}
        for step in self.entry.service.steps:
            for key in ([step.unit] if step.unit else []) + list(step.units):
                wanted[key] = named.get(key) or dict(self.entry.units).get(key) or key
        return list(wanted.items())

    @hookimpl
    def pintu_template_dirs(self):
        return [str(self.pack.templates)] if self.pack.templates and self.pack.templates.is_dir() else []

    @hookimpl
    def pintu_demo_data(self, applicants, staff):
        from pintu.demo.packs import walk_service

        walk_service(self.entry, applicants, staff, self.pack.demo_domain)


class ServicePack:
    """The services of one pack: ``ServicePack(Path(__file__).parent / "services", units=...)``.

    A pack module exposes one plugin per service file through ``__getattr__ = PACK.module_getattr``
    and lists them as entry points (``flask --app pintu pack-entry-points <dir>`` prints the
    lines for ``pyproject.toml``).  The plugin attribute of ``services/08-inpassing-pertama.toml``
    is ``inpassing_pertama`` (leading number dropped, dashes to underscores).  ``extras`` maps
    such an attribute to Python-only declarations (validators, ``eligibility`` rules, ...)
    merged into the service.  ``seed_list`` is a TSV copy of the seed's rows of
    ``services.tsv`` (seed, no, title, ...): the tests check the catalog against it.
    """

    def __init__(self, directory: Path, units: Mapping[str, str] | None = None, *, templates: Path | None = None,
                 extras: Mapping[str, Mapping] | None = None, demo_domain: str = "pintu.test",
                 seed_list: Path | None = None):
        self.directory = Path(directory)
        self.seed_list = seed_list
        self.units = list((units or {}).items())
        self.templates = templates
        self.extras = dict(extras or {})
        self.demo_domain = demo_domain
        self._plugins: dict[str, ServicePlugin] | None = None

    @staticmethod
    def attribute(path: Path) -> str:
        return re.sub(r"^\d+[-_]", "", path.stem).replace("-", "_")

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.toml"))

    @property
    def plugins(self) -> dict[str, ServicePlugin]:
        if self._plugins is None:
            out = {}
            for path in self.files():
                name = self.attribute(path)
                out[name] = ServicePlugin(self, load_service(path, self.extras.get(name)))
            unknown = set(self.extras) - set(out)
            if unknown:
                raise CatalogError(f"{self.directory}: extras for unknown services {sorted(unknown)}")
            self._plugins = out
        return self._plugins

    def module_getattr(self, name: str):
        try:
            return self.plugins[name]
        except KeyError:
            raise AttributeError(name) from None

    def services(self) -> list[Service]:
        return [p.entry.service for p in self.plugins.values()]

