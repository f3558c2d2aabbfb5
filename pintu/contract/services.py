"""Service declarations: the data a plugin hands to PINTU to describe one service.

A service is declared, as data, with :class:`Service`, :class:`Requirement`,
:class:`Step` and :class:`Action`.  A plugin returns its services from the
``pintu_services`` hook (see :mod:`pintu.hookspecs`).  Everything here is
plain data plus optional callables, so a simple service is a short
declaration and the core can render its standard, its form, its workflow
and its clock without knowing anything else about it.

Vocabulary (Indonesian in the interface, English in code):

* requirement = persyaratan (a document the applicant uploads)
* step        = tahap (who must act next: role + optional unit)
* action      = tindakan (what the actor may do at that step)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Mapping, Sequence

# ---------------------------------------------------------------------------
# Applicant categories and staff roles (fixed vocabulary of the core).
# ---------------------------------------------------------------------------

#: Applicant categories offered at registration (key -> Indonesian label).
APPLICANT_CATEGORIES: dict[str, str] = {
    "pegawai": "Pegawai / PNS",
    "dosen": "Dosen",
    "mahasiswa": "Mahasiswa / Alumni",
    "masyarakat": "Masyarakat umum",
    "instansi": "Instansi / Lembaga",
}

#: Staff roles (key -> Indonesian label).  ``pemohon`` is every registered user.
ROLES: dict[str, str] = {
    "petugas": "Petugas ULT",
    "verifikator": "Verifikator unit",
    "pimpinan": "Pimpinan",
    "admin": "Administrator",
}

#: Application statuses (key -> Indonesian label).
STATUSES: dict[str, str] = {
    "draft": "Draf",
    "in_process": "Diproses",
    "returned": "Dikembalikan",
    "refused": "Ditolak",
    "ready": "Hasil siap diambil",
    "done": "Selesai",
    "cancelled": "Dibatalkan",
}

#: Application data key of the "laporkan secara anonim" checkbox (services with ``anonymous_reporting``).
ANONYMOUS_FIELD = "lapor_anonim"

#: What everybody who may not see a confidential applicant's identity (:attr:`Service.confidential_identity`)
#: sees instead of the name.
MASKED_IDENTITY = "Pelapor dirahasiakan"

#: Statuses after which nothing can happen any more.
FINAL_STATUSES = frozenset({"refused", "done", "cancelled"})

#: File types a requirement may accept.  Key -> (mime types, extensions, label).
#: Content is sniffed with the ``filetype`` library; the extension must match too.
FILE_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "pdf": (("application/pdf",), ("pdf",), "PDF"),
    "jpg": (("image/jpeg",), ("jpg", "jpeg"), "JPG"),
    "png": (("image/png",), ("png",), "PNG"),
}

# ---------------------------------------------------------------------------
# Action kinds understood by the workflow engine.
# ---------------------------------------------------------------------------

#: Move to ``Action.target`` or, when it is None, to the next step in order.
#: Leaving the last step with ``forward`` finishes the application ("done").
FORWARD = "forward"
#: Send back to the applicant to fix and resubmit ("dikembalikan"); a note is required.
RETURN = "return"
#: Refuse for good ("ditolak"); a reason is required.
REFUSE = "refuse"
#: Finish the application ("selesai") from any step.
FINISH = "finish"
#: Route the application to one or more units (disposition); the step waits
#: until every routed unit has answered, then moves on as ``forward`` would.
DISPOSE = "dispose"

ACTION_KINDS = frozenset({FORWARD, RETURN, REFUSE, FINISH, DISPOSE})

#: ``Step.role`` of a step taken by a party outside the office (see :class:`Party`).
EXTERNAL = "pihak_luar"

#: The eight manufacturing components of a service standard (PermenPAN-RB 15/2014, "komponen
#: standar pelayanan yang terkait dengan proses pengelolaan pelayanan di internal organisasi"),
#: key -> Indonesian label, in the order the regulation lists them.  ``Service.manufacturing``
#: maps these keys to the standard's text (a string or a list of sentences).
MANUFACTURING_COMPONENTS: dict[str, str] = {
    "dasar_hukum": "Dasar hukum",
    "sarana_prasarana": "Sarana, prasarana dan/atau fasilitas",
    "kompetensi_pelaksana": "Kompetensi pelaksana",
    "pengawasan_internal": "Pengawasan internal",
    "jumlah_pelaksana": "Jumlah pelaksana",
    "jaminan_pelayanan": "Jaminan pelayanan",
    "jaminan_keamanan": "Jaminan keamanan dan keselamatan pelayanan",
    "evaluasi_kinerja": "Evaluasi kinerja pelaksana",
}

#: What a component reads when the standard says nothing about it (never invented).
NOT_SET = "Belum ditetapkan"

#: Units of a completion time as the standards write them (key -> Indonesian label).
#: ``menit`` and ``jam`` count office hours, ``hari_kerja`` working days, ``hari``, ``minggu``
#: and ``bulan`` calendar time (see :func:`pintu.engine.clock.due_date`).
TIME_UNITS: dict[str, str] = {
    "menit": "menit",
    "jam": "jam",
    "hari_kerja": "hari kerja",
    "hari": "hari",
    "minggu": "minggu",
    "bulan": "bulan",
}


@dataclass(frozen=True)
class Duration:
    """A completion time in the standard's own unit: ``Duration(20, "hari_kerja")``, ``Duration(7.5, "jam")``.

    ``unit`` is a key of :data:`TIME_UNITS`.  The published text of the standard stays in
    ``Service.completion_text``; this is what the clock counts.
    """

    amount: float
    unit: str = "hari_kerja"

    def __post_init__(self):
        if self.unit not in TIME_UNITS:
            raise ValueError(f"unknown time unit {self.unit!r} (one of {sorted(TIME_UNITS)})")
        if self.amount < 0:
            raise ValueError("a completion time cannot be negative")

    @property
    def label(self) -> str:
        amount = f"{self.amount:g}".replace(".", ",")
        return f"{amount} {TIME_UNITS[self.unit]}"


@dataclass(frozen=True)
class Fee:
    """A structured fee (tarif): ``Fee(150000, per="hari", payer="Pemohon dari luar Polije")``.

    ``amount`` in rupiah (0: free of charge); ``per`` the unit it is charged by (``"hari"``,
    ``"kegiatan"``, ``"lembar"``; empty: once); ``payer`` who pays.  ``label`` is the published
    text ("Rp150.000 per hari, dibayar oleh ...").
    """

    amount: int
    per: str = ""
    payer: str = ""

    @property
    def label(self) -> str:
        if not self.amount:
            return "Tidak dipungut biaya"
        from babel.numbers import format_decimal

        text = f"Rp{format_decimal(self.amount, locale='id_ID')}"
        if self.per:
            text += f" per {self.per}"
        if self.payer:
            text += f", dibayar oleh {self.payer}"
        return text


@dataclass(frozen=True)
class Period:
    """A window in which proposals are accepted (inpassing, beasiswa): local dates, both included."""

    start: "date"
    end: "date"
    label: str = ""

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends after it starts")

    def contains(self, day) -> bool:
        return self.start <= day <= self.end

    @property
    def text(self) -> str:
        from babel.dates import format_date

        span = f"{format_date(self.start, 'd MMMM y', locale='id')} s.d. {format_date(self.end, 'd MMMM y', locale='id')}"
        return f"{self.label}: {span}" if self.label else span


@dataclass(frozen=True)
class Party:
    """A party outside the office who takes a step (``Step(role=EXTERNAL, party=...)``).

    Examples: the Pimpinan PTS endorsing a lecturer's inpassing, the partner bank printing
    student cards, a ministry bureau.  They have no account: when the application reaches the
    step, PINTU e-mails a signed, expiring, single-purpose link to the address in the
    application data field ``email_field``; the page behind it shows only what the step needs
    (the step's instructions, the documents it asks for, its actions).  ``label`` names the
    party on the timeline and in the published standard ("Pimpinan PTS"); ``name_field``, when
    set, is the data field holding the person's name (pre-filled on the link page);
    ``link_days`` is how long a link stays valid (calendar days).  The event records the name,
    e-mail and capacity (jabatan) the party gives.  A party whose address belongs to the
    institution rather than to the application (the partner bank) names the configuration key
    holding it in ``email_setting`` (``email_field`` then stays empty; a pack sets the key in its
    institution's ``settings``).  ``show_fields`` are the application data keys
    the link page shows the party besides the applicant's name (default: none), e.g.
    ``("nidn", "jabatan_fungsional")``: the party sees nothing else of the application.
    """

    label: str
    email_field: str
    name_field: str = ""
    link_days: int = 14
    show_fields: Sequence[str] = ()
    email_setting: str = ""


@dataclass(frozen=True)
class Action:
    """Something a qualified actor may do at a :class:`Step`.

    ``key`` is unique within its step and is what the inbox posts back.
    ``kind`` is one of ``forward``, ``return``, ``refuse``, ``finish``,
    ``dispose``.  ``target`` names the step a ``forward`` goes to (default:
    the next one).  ``note_required`` forces a note for the applicant (always
    true for ``return`` and ``refuse``).  ``starts_clock`` marks the action
    that declares the requirements "lengkap dan benar": the service's
    completion time is counted in working days from that moment.
    ``message`` is the text the applicant reads on the timeline and in the
    e-mail ("Berkas dinyatakan lengkap").  The timeline adds who acted
    ("... oleh Petugas ULT"; for a step with a ``unit``, the unit's name)
    unless the message already says it with "oleh" ("Dokumen diverifikasi
    oleh Subbagian Kepegawaian").  ``internal=True`` makes the move staff
    business only (e.g. the leadership sending a draft back to the officer
    who wrote it): the applicant gets no notification or e-mail about it and
    does not see it on the timeline; the staff of the next step are notified
    as usual.
    """

    key: str
    label: str
    kind: str = FORWARD
    target: str | None = None
    note_required: bool = False
    starts_clock: bool = False
    message: str = ""
    style: str = "primary"
    internal: bool = False

    def __post_init__(self):
        if self.kind not in ACTION_KINDS:
            raise ValueError(f"unknown action kind {self.kind!r} for action {self.key!r}")

    @property
    def needs_note(self) -> bool:
        return self.note_required or self.kind in (RETURN, REFUSE)


def approve(label: str = "Setujui", key: str = "approve", *, message: str = "", target: str | None = None,
            starts_clock: bool = False) -> Action:
    """Shortcut for a ``forward`` action."""
    return Action(key, label, FORWARD, target=target, message=message or label, starts_clock=starts_clock)


def send_back(label: str = "Kembalikan ke pemohon", key: str = "return") -> Action:
    """Shortcut for a ``return`` action (note required)."""
    return Action(key, label, RETURN, message="Permohonan dikembalikan untuk diperbaiki", style="warning")


def refuse(label: str = "Tolak", key: str = "refuse") -> Action:
    """Shortcut for a ``refuse`` action (reason required)."""
    return Action(key, label, REFUSE, message="Permohonan ditolak", style="danger")


def finish(label: str = "Selesai / sudah diambil", key: str = "finish", message: str = "Permohonan selesai") -> Action:
    """Shortcut for a ``finish`` action."""
    return Action(key, label, FINISH, message=message)


def dispose(label: str = "Disposisi ke unit", key: str = "dispose") -> Action:
    """Shortcut for a ``dispose`` action: route to units that must each answer."""
    return Action(key, label, DISPOSE, message="Permohonan didisposisikan ke unit terkait")


@dataclass(frozen=True)
class Step:
    """One stage of a service's workflow.

    The application waits at a step until a user holding ``role`` (and, when
    ``unit`` is set, a membership of that unit) takes one of ``actions``.
    ``status`` is the application status while it waits here: ``in_process``
    for work in progress, ``ready`` when the product waits for pickup (entering
    a ``ready`` step sends the "hasil siap" notification).  ``description`` is
    shown on the applicant's timeline.

    ``role="pemohon"`` makes it the applicant's step (e.g. uploading proof of
    payment after approval): the applicant sees ``actions`` on the application
    page together with an upload field for each of the step's
    ``requirements``, which must be present before a ``forward`` action.
    ``condition``, a callable receiving the application's data dict, makes the
    step apply only when it returns true (e.g. payment only for external
    users); a step whose condition is false is skipped when moving forward.

    On a staff step, ``requirements`` are the documents the staff member
    uploads there: the product or output of the service (the signed answer
    letter, a press release).  The action form shows an upload field for each;
    required ones must be present before a ``forward`` action.  The files are
    stored as uploads of the application, listed as "Dokumen hasil layanan"
    on the application page and downloadable by the applicant
    (:attr:`Service.output_requirements`).

    ``instructions`` (applicant steps) tells the applicant what to do there, in
    the e-mail sent when the application reaches the step and on the
    application page: a string, or a callable receiving the application and
    returning the text (e.g. the amount due and the bank account).  While the
    application waits at an applicant step, its status reads "Menunggu
    tindakan Anda" to the applicant ("Menunggu tindakan pemohon" to others)
    instead of "Diproses".

    ``role=EXTERNAL`` ("pihak_luar") with a :class:`Party` makes it a step taken outside the
    office through an e-mailed link (see :class:`Party`); ``requirements`` are then the
    documents that party uploads (listed in the published standard under their name).
    ``pauses_clock=True`` stops the completion-time clock while the application waits at the
    step (a ministry bureau's decision, the partner bank), the time spent there is added to
    the due date when it moves on.

    Routing by data: ``unit_for``, a callable receiving the application's data dict and
    returning a unit key, chooses the step's unit per application (the applicant's jurusan,
    PTS or school); ``unit`` is then ignored.  Staff act on the step when they hold ``role``
    in the unit it returns.  ``units`` lists the keys it may return (so the units exist and
    the standard can name them).
    """

    key: str
    title: str
    role: str
    actions: Sequence[Action]
    unit: str | None = None
    status: str = "in_process"
    description: str = ""
    requirements: Sequence["Requirement"] = ()
    condition: Callable[[Mapping[str, object]], bool] | None = None
    instructions: str | Callable[[object], str] = ""
    party: Party | None = None
    pauses_clock: bool = False
    unit_for: Callable[[Mapping[str, object]], str] | None = None
    units: Sequence[str] = ()

    @property
    def for_applicant(self) -> bool:
        return self.role == "pemohon"

    @property
    def external(self) -> bool:
        """True for a step taken by a party outside the office (``role=EXTERNAL``)."""
        return self.role == EXTERNAL

    def unit_key(self, data: Mapping[str, object] | None) -> str | None:
        """The unit this step is routed to for an application with ``data``."""
        if self.unit_for is not None:
            return self.unit_for(data or {}) or None
        return self.unit

    def instructions_for(self, application) -> str:
        """The step's ``instructions`` for ``application`` (empty when none)."""
        text = self.instructions(application) if callable(self.instructions) else self.instructions
        return (text or "").strip()

    def applies(self, data: Mapping[str, object]) -> bool:
        return self.condition is None or bool(self.condition(data or {}))

    def __post_init__(self):
        if self.role not in ROLES and self.role not in ("pemohon", EXTERNAL):
            raise ValueError(f"step {self.key!r}: unknown role {self.role!r}")
        if (self.role == EXTERNAL) != (self.party is not None):
            raise ValueError(f"step {self.key!r}: a party is declared exactly on role={EXTERNAL!r} steps")
        if self.role == EXTERNAL and (self.unit is not None or self.unit_for is not None):
            raise ValueError(f"step {self.key!r}: a step of a party outside the office has no unit")
        if self.status not in ("in_process", "ready"):
            raise ValueError(f"step {self.key!r}: status must be 'in_process' or 'ready'")
        keys = [a.key for a in self.actions]
        if len(keys) != len(set(keys)):
            raise ValueError(f"step {self.key!r}: duplicate action keys")

    def action(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)


@dataclass(frozen=True)
class Requirement:
    """A document the applicant uploads (persyaratan).

    ``types`` are keys of :data:`FILE_TYPES`; content is sniffed, not trusted
    from the browser.  ``max_mb`` caps one file.  ``note`` is shown next to the
    field ("Hasil scan, foto tidak diperkenankan").  ``missing_message``
    replaces the generic "wajib diunggah" message when a required file is
    absent.  ``condition``, a callable receiving the form data dict, makes a
    required document required only when it returns true (e.g. a signed form
    that is needed only when the applicant chose to upload it instead of
    filling it in); the file is still accepted when the condition is false.
    ``identifying=True`` marks a document that reveals who the applicant is
    (an identity card, a signed letter): in a service with
    ``confidential_identity`` only those who may see the identity download it.
    ``condition_text`` states ``condition`` the way the published standard prints it
    ("Wajib jika Jenis usul: Baru"); the form, the service page and the Standar Pelayanan show it.
    """

    key: str
    label: str
    required: bool = True
    types: Sequence[str] = ("pdf",)
    max_mb: float = 2.0
    note: str = ""
    missing_message: str = ""
    condition: Callable[[Mapping[str, object]], bool] | None = None
    identifying: bool = False
    condition_text: str = ""

    def __post_init__(self):
        unknown = [t for t in self.types if t not in FILE_TYPES]
        if unknown:
            raise ValueError(f"requirement {self.key!r}: unknown file types {unknown}")

    def required_for(self, data: Mapping[str, object]) -> bool:
        """True when this document must be present for an application with ``data``."""
        return self.required and (self.condition is None or bool(self.condition(data or {})))

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    @property
    def accept(self) -> str:
        """Value for the HTML ``accept`` attribute (a hint only; the server checks)."""
        return ",".join("." + ext for t in self.types for ext in FILE_TYPES[t][1])

    @property
    def types_label(self) -> str:
        return ", ".join(FILE_TYPES[t][2] for t in self.types)


#: The numbering scheme of a :class:`Document` when it declares none.
DEFAULT_NUMBER_SCHEME = "{seq:03d}/{code}/{year}"


@dataclass(frozen=True)
class Document:
    """A document the service produces (a letter: surat pengantar, surat izin, surat jawaban).

    The core issues it when the action ``action`` (default: any forward or finish action) is taken
    at step ``step``: it gives it the next number of ``number_scheme`` for the service, the document
    and the year (WIB), renders ``template`` (a Jinja template found in the plugins' template folders,
    rendered in a sandbox; see :mod:`pintu.output.letters`) below the institution's letterhead, signed by
    the holder of role ``signer``, with a QR code to its public verification page, and lists it
    under "Dokumen hasil layanan" for the applicant.

    ``step`` and ``action`` may be tuples of keys when the same document ends several paths (a
    free booking is approved at one step, a paid one at another); ``condition(data, step_key)``
    then tells whether taking the action at that step issues it for an application with ``data``.
    ``position`` replaces the signer's configured position (``SIGNERS`` setting) on this document.

    ``number_scheme`` is a format string with the fields ``{seq}`` (required; e.g. ``{seq:03d}``),
    ``{year}``, ``{month}``, ``{month_roman}`` and ``{code}`` (the service's code); administrators
    may replace it (Admin > Penomoran surat).  ``key`` is unique within the service.
    """

    key: str
    title: str
    template: str
    step: str | Sequence[str]
    action: str | Sequence[str] | None = None
    signer: str = "pimpinan"
    number_scheme: str = DEFAULT_NUMBER_SCHEME
    condition: Callable[[Mapping[str, object], str], bool] | None = None
    position: str = ""

    def __post_init__(self):
        if self.signer not in ROLES:
            raise ValueError(f"document {self.key!r}: unknown signer role {self.signer!r}")
        if "{seq" not in self.number_scheme:
            raise ValueError(f"document {self.key!r}: the numbering scheme needs {{seq}}")

    @property
    def steps(self) -> tuple[str, ...]:
        return (self.step,) if isinstance(self.step, str) else tuple(self.step)

    def issued_by(self, step_key: str, action: "Action", data: Mapping[str, object] | None = None) -> bool:
        """Whether taking ``action`` at step ``step_key`` issues this document (for ``data``)."""
        if step_key not in self.steps:
            return False
        if self.action is not None:
            keys = (self.action,) if isinstance(self.action, str) else tuple(self.action)
            if action.key not in keys:
                return False
        elif action.kind not in (FORWARD, FINISH):
            return False
        return self.condition is None or bool(self.condition(data or {}, step_key))


#: A validation rule: receives the cleaned form data (dict) and returns a
#: mapping of field name -> Indonesian message (empty when valid).  Use the
#: key ``"__all__"`` for a message that belongs to no single field.
Validator = Callable[[Mapping[str, object]], Mapping[str, str]]


@dataclass
class Service:
    """A service standard (standar pelayanan) and how PINTU runs it.

    Required: ``slug``, ``title``, ``category``, ``summary``, ``steps``.
    ``form`` is a flask-wtf ``FlaskForm`` subclass with the service's own
    fields (may be None for a service with uploads only).  ``requirements``
    lists the documents.  ``validators`` are :data:`Validator` callables run
    on submit.  ``completion_days`` is the completion time in working days
    ("maksimal N hari kerja, dihitung sejak persyaratan dinyatakan lengkap dan
    benar"), or a callable receiving the application's data and returning the
    days for that path (e.g. 0 for information that is ready at once);
    ``completion_text`` overrides how it is shown.  ``template_form`` names a
    template included in the application form below the service's fields
    (a schedule, a fee preview), with ``service`` and ``form`` in its context.  ``fee``,
    ``product``, ``procedure`` (list of sentences), ``complaint_channel``,
    ``contact`` and ``legal_basis`` are the texts of the published standard.
    ``applicant_categories`` restricts who may apply (empty: everybody).
    ``max_total_mb`` caps the sum of all uploads of one request.
    ``template_detail`` names an extra Jinja template rendered on the
    application page (e.g. a schedule or a fee), with ``application`` and
    ``service`` in its context.  ``nip_missing_message``, when set, makes
    submitting require an 18-digit NIP in the applicant's profile (services for
    civil servants) and is the message shown when it is missing; drafts can still
    be saved.  ``messages`` turns the application's message
    thread (applicant <-> staff, with attachments and internal notes) on or off.
    ``template_service`` names a template included on the service's public
    page below its summary (a notice, a link to another channel), with
    ``service`` and ``config`` in its context.

    Personal data.  ``confidential_identity=True`` keeps the applicant's
    identity (name, e-mail, phone, NIK/NIP, documents declared
    ``Requirement(identifying=True)``) to the staff of ``identity_steps`` (step
    keys; default: every staff step of the service, i.e. its narahubung and
    leadership); everyone else who sees the application, such as the units
    answering a disposition, sees the request with "Pelapor dirahasiakan" in
    place of the applicant on the page, in inbox rows, on the timeline and in
    the thread.  ``anonymous_reporting=True`` (implies
    ``confidential_identity``) adds a "Laporkan secara anonim" checkbox to the
    form (data key :data:`ANONYMOUS_FIELD`): when ticked nobody on the staff
    sees the identity, while the account still receives every answer.
    ``retained_fields`` are the data keys kept when a closed application is
    anonymised (retention period, account deletion): non-personal facts
    useful for statistics such as a category; every other field is blanked.
    ``eligibility`` lists the conditions an applicant must meet that are not
    documents (an age or years of service, a status), as sentences; they are
    published on the service page under "Persyaratan" next to the documents.
    Checking them is still the job of ``validators`` or the
    ``pintu_validate_application`` hook.

    The full published standard.  ``completion_time`` is a :class:`Duration` in the
    standard's own unit (``Duration(7.5, "jam")``, ``Duration(1, "minggu")``), used instead of
    ``completion_days`` when set; ``completion_text`` is then the standard's words, verbatim.
    ``manufacturing`` maps keys of :data:`MANUFACTURING_COMPONENTS` to the standard's text
    (a string or a list of sentences); a component left out reads :data:`NOT_SET`.
    ``responsible_unit`` is the unit the standard names as responsible ("Seksi Ketenagaan");
    ``source`` says where the standard comes from ("Standar Pelayanan LLDIKTI Wilayah VI
    2021, no. 8"); ``notes`` are remarks about the source text itself (a placeholder form
    number, a missing component), shown on the service page so nothing is silently invented.

    ``documents`` lists the :class:`Document` s the service produces (numbered letters the core
    renders, numbers and makes verifiable when the declared step's action is taken).
    ``complaint_channel`` and ``contact`` may be callables without arguments returning the text,
    read each time the standard is shown: texts built on the institution's profile
    (``complaint_channel=functools.partial(pintu.contact_text, "humas@...")``).  Read them through
    :attr:`complaint_text` and :attr:`contact_text`.

    ``tariff`` is a structured :class:`Fee` (amount, per unit, who pays); when set, the published
    fee is its label.  ``periods`` are the windows (:class:`Period`) in which the service accepts
    submissions (empty: always open); outside them a submission is refused with the list of
    periods, drafts can still be saved.  An administrator may override the completion time and
    its text, the fee, the periods and the summary/product/complaint texts per service
    (:mod:`pintu.engine.service_settings`); the declaration is the default.

    ``computed`` lists :class:`pintu.Computed` values (key, label, function of the data) stored
    with every save and shown with the answers; conditional fields and repeated groups are parts
    of ``form`` (:func:`pintu.conditional`, :func:`pintu.repeated`, see :mod:`pintu.contract.formparts`).
    """

    slug: str
    title: str
    category: str
    summary: str
    steps: Sequence[Step]
    form: type | None = None
    requirements: Sequence[Requirement] = ()
    validators: Sequence[Validator] = ()
    applicant_categories: Iterable[str] = ()
    completion_days: int | Callable[[Mapping[str, object]], int] | None = None
    completion_text: str = ""
    fee: str = "Tidak dipungut biaya"
    product: str = ""
    procedure: Sequence[str] = ()
    complaint_channel: str | Callable[[], str] = ""
    contact: str | Callable[[], str] = ""
    legal_basis: Sequence[str] = ()
    max_total_mb: float = 20.0
    template_detail: str | None = None
    nip_missing_message: str = ""
    template_form: str | None = None
    template_service: str | None = None
    messages: bool = True
    confidential_identity: bool = False
    identity_steps: Sequence[str] | None = None
    anonymous_reporting: bool = False
    retained_fields: Sequence[str] = ()
    eligibility: Sequence[str] = ()
    code: str = ""
    completion_time: Duration | None = None
    manufacturing: Mapping[str, object] = field(default_factory=dict)
    responsible_unit: str = ""
    source: str = ""
    notes: Sequence[str] = ()
    documents: Sequence[Document] = ()
    tariff: Fee | None = None
    periods: Sequence[Period] = ()
    computed: Sequence[object] = ()
    plugin: str = field(default="", compare=False)

    def __post_init__(self):
        if not self.steps:
            raise ValueError(f"service {self.slug!r} declares no steps")
        keys = [s.key for s in self.steps]
        if len(keys) != len(set(keys)):
            raise ValueError(f"service {self.slug!r}: duplicate step keys")
        for step in self.steps:
            for action in step.actions:
                if action.target and action.target not in keys:
                    raise ValueError(f"service {self.slug!r}: action {action.key!r} targets unknown step {action.target!r}")
        bad = [c for c in self.applicant_categories if c not in APPLICANT_CATEGORIES]
        if bad:
            raise ValueError(f"service {self.slug!r}: unknown applicant categories {bad}")
        self.applicant_categories = tuple(self.applicant_categories)
        if self.anonymous_reporting:
            self.confidential_identity = True
        unknown_steps = [k for k in (self.identity_steps or ()) if k not in keys]
        if unknown_steps:
            raise ValueError(f"service {self.slug!r}: identity_steps names unknown steps {unknown_steps}")
        unknown_components = [k for k in self.manufacturing if k not in MANUFACTURING_COMPONENTS]
        if unknown_components:
            raise ValueError(f"service {self.slug!r}: unknown manufacturing components {unknown_components}")
        if self.completion_time is not None and self.completion_days is None and self.completion_time.unit == "hari_kerja":
            self.completion_days = int(self.completion_time.amount)
        for document in self.documents:
            unknown = [k for k in document.steps if k not in keys]
            if unknown:
                raise ValueError(f"service {self.slug!r}: document {document.key!r} names unknown steps {unknown}")
        if len({d.key for d in self.documents}) != len(self.documents):
            raise ValueError(f"service {self.slug!r}: duplicate document keys")
        if self.tariff is not None:
            self.fee = self.tariff.label
        if not self.code:
            self.code = "".join(w[0] for w in self.slug.replace("_", "-").split("-") if w).upper()[:3].ljust(2, "X")

    # -- lookups used by the engine and the views ---------------------------------
    def document(self, key: str) -> Document | None:
        return next((d for d in self.documents if d.key == key), None)

    def step(self, key: str | None) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def next_step(self, key: str, data: Mapping[str, object] | None = None) -> Step | None:
        """The step after ``key`` whose condition holds for ``data`` (None after the last)."""
        keys = [s.key for s in self.steps]
        for step in self.steps[keys.index(key) + 1:]:
            if step.applies(data or {}):
                return step
        return None

    def days_for(self, data: Mapping[str, object]) -> int | None:
        """Completion time in working days for this application's data."""
        if callable(self.completion_days):
            return self.completion_days(data or {})
        return self.completion_days

    @property
    def all_requirements(self) -> list[Requirement]:
        """The requirements of the application form, of the applicant's later steps and of the steps
        of parties outside the office (their documents: the Pimpinan PTS's recommendation)."""
        return list(self.requirements) + [r for s in self.steps if s.for_applicant or s.external
                                          for r in s.requirements]

    def requirements_for(self, data: Mapping[str, object]) -> list[Requirement]:
        """Like :attr:`all_requirements`, less those of applicant and external steps that do not apply
        to an application with ``data`` (no proof of payment for a booking that pays nothing)."""
        return list(self.requirements) + [r for s in self.steps if (s.for_applicant or s.external)
                                          and s.applies(data) for r in s.requirements]

    @property
    def party_requirements(self) -> list[tuple[Requirement, Party]]:
        """``(document, party)`` of the documents parties outside the office upload at their steps."""
        return [(r, s.party) for s in self.steps if s.external for r in s.requirements]

    def uploaded_by(self, requirement_key: str) -> Party | None:
        """The party outside the office who uploads the document ``requirement_key``, or None."""
        return next((party for r, party in self.party_requirements if r.key == requirement_key), None)

    @property
    def routed_units(self) -> list[str]:
        """The unit keys the steps routed by data may return (``Step.units``)."""
        return list(dict.fromkeys(u for s in self.steps for u in s.units))

    @property
    def output_requirements(self) -> list[Requirement]:
        """The documents staff upload at their steps (the service's products: answer letter, press release).

        A requirement key declared on several steps (the same answer delivered at
        whichever step ends the path) is listed once.
        """
        out: dict[str, Requirement] = {}
        for step in self.steps:
            if not step.for_applicant and not step.external:
                for req in step.requirements:
                    out.setdefault(req.key, req)
        return list(out.values())

    @property
    def identity_staff_steps(self) -> list[Step]:
        """The staff steps whose actors may see a confidential applicant's identity."""
        names = self.identity_steps
        return [s for s in self.steps if not s.for_applicant and not s.external
                and (names is None or s.key in names)]

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    @property
    def complaint_text(self) -> str:
        """``complaint_channel`` as published now (a callable is called)."""
        return _published(self.complaint_channel)

    @property
    def contact_text(self) -> str:
        """``contact`` as published now (a callable is called)."""
        return _published(self.contact)

    def open_period(self, day) -> bool:
        """True when submissions are accepted on ``day`` (no periods declared: always)."""
        return not self.periods or any(p.contains(day) for p in self.periods)

    def manufacturing_items(self) -> list[tuple[str, object]]:
        """``(label, text)`` of all eight manufacturing components, :data:`NOT_SET` where not declared."""
        return [(label, self.manufacturing.get(key) or NOT_SET) for key, label in MANUFACTURING_COMPONENTS.items()]

    @property
    def external_steps(self) -> list[Step]:
        """The steps taken by parties outside the office."""
        return [s for s in self.steps if s.external]

    @property
    def completion_label(self) -> str:
        if self.completion_text:
            return self.completion_text
        if self.completion_time is not None:
            return f"Maksimal {self.completion_time.label}"
        if self.completion_days and not callable(self.completion_days):
            return (f"Maksimal {self.completion_days} hari kerja, dihitung sejak persyaratan "
                    "dinyatakan lengkap dan benar")
        return "-"

    def open_to(self, category: str | None) -> bool:
        return not self.applicant_categories or category in self.applicant_categories

    @property
    def audience_label(self) -> str:
        if not self.applicant_categories:
            return "Semua pemohon"
        return ", ".join(APPLICANT_CATEGORIES[c] for c in self.applicant_categories)


def _published(value) -> str:
    return (value() if callable(value) else value) or ""


def standard_steps(*middle: Step, ready_title: str = "Hasil siap diambil di ULT",
                   ready_description: str = "Produk layanan dapat diambil di Unit Layanan Terpadu") -> list[Step]:
    """The usual shape: ULT completeness check, the service's own steps, pickup.

    ``middle`` are the service's verification/approval steps.  The returned
    list starts with the ULT "kelengkapan" step (lengkap starts the clock,
    dikembalikan sends it back) and ends with a ``ready`` pickup step handled
    by the ULT.
    """
    return [
        Step("kelengkapan", "Pemeriksaan kelengkapan berkas oleh ULT", role="petugas",
             description="Petugas ULT memeriksa kelengkapan berkas",
             actions=[approve("Lengkap", "lengkap", message="Berkas dinyatakan lengkap", starts_clock=True),
                      send_back(), refuse()]),
        *middle,
        Step("pengambilan", ready_title, role="petugas", status="ready", description=ready_description,
             actions=[finish("Sudah diambil pemohon", "taken",
                            message="Produk layanan telah diserahkan kepada pemohon")]),
    ]
