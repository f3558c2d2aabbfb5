"""Rendering a declared document (:class:`pintu.Document`) as a PDF letter.

The body is a Jinja template rendered in a :class:`jinja2.sandbox.SandboxedEnvironment` with
autoescaping: a template (from a plugin, or one day from an administrator) reaches only the plain
data handed to it, never Python internals (``{{ ''.__class__ }}`` renders nothing, calling into
them raises :class:`LetterError`), and text the applicant typed is escaped, so it is printed
literally.  The resulting HTML is laid out by fpdf2's ``write_html`` below the institution's
letterhead (:mod:`pintu.output.pdf`), with the number, the date in Indonesian, the signer and, on an
issued document, a QR code to its verification page.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from pintu.engine import clock
from pintu.standards import institution
from pintu.output.pdf import Paper, latin1, qr_png, tanggal
from pintu.data.models import Event


class LetterError(Exception):
    """A template that cannot be rendered; ``str(err)`` is the Indonesian message."""


def _as_date(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _tanggal_filter(value) -> str:
    parsed = _as_date(value)
    return tanggal(parsed) if parsed is not None else str(value or "-")


def environment() -> SandboxedEnvironment:
    """The app's sandbox (one per app): the plugins' template folders, autoescape on."""
    app = current_app._get_current_object()
    env = app.extensions.get("pintu_letters")
    if env is None:
        env = SandboxedEnvironment(loader=app.jinja_loader, autoescape=True)
        env.filters["tanggal"] = _tanggal_filter
        app.extensions["pintu_letters"] = env
    return env


def render_body(context: dict, template: str | None = None, source: str | None = None) -> str:
    """The letter body (HTML) from the template named ``template`` or the text ``source``."""
    env = environment()
    try:
        tpl = env.from_string(source) if source is not None else env.get_template(template)
        return tpl.render(**context)
    except SecurityError:
        raise LetterError("Templat surat mencoba mengakses bagian sistem yang tidak diizinkan.") from None
    except TemplateError as exc:
        raise LetterError(f"Templat surat tidak dapat disusun: {exc.message or type(exc).__name__}.") from None


def signer_for(document, actor, application=None) -> dict:
    """Name, position and ID number of who signs ``document``: the configured signer of its role,
    with the name of ``actor`` when the actor holds that role, else of the last person who acted on
    ``application`` in that role (the leadership approved, the payment check issues the letter)."""
    configured = dict(institution.letterhead()["signers"].get(document.signer) or {})
    if (actor is None or not actor.has_role(document.signer)) and application is not None:
        last = (Event.select().where(Event.application == application.id, Event.actor_role == document.signer)
                .order_by(Event.id.desc()).first())
        actor = last.actor if last is not None else None
    if actor is not None and actor.has_role(document.signer):
        configured["name"] = actor.name
        configured["id_number"] = actor.id_number or configured.get("id_number", "")
    return {"name": configured.get("name") or "", "position": document.position or configured.get("position") or "",
            "id_number": configured.get("id_number") or ""}


def context(application, service, document, *, number: str, on: dt.date, signer: dict) -> dict:
    """What a letter template sees: plain data only."""
    applicant = application.applicant
    return {
        "number": number, "date": tanggal(on), "year": on.year,
        "title": document.title, "reference": application.reference or "",
        "submitted": tanggal(clock.local_date(application.submitted_at)) if application.submitted_at else "-",
        "service": {"title": service.title, "code": service.code, "product": service.product},
        "applicant": {"name": applicant.name, "id_number": applicant.id_number, "email": applicant.email,
                      "category": applicant.category_label},
        "data": {k: ("" if v is None else v) for k, v in (application.data or {}).items()},
        "institution": {k: v for k, v in institution.letterhead().items() if k != "signers"},
        "signer": signer,
    }


def build_pdf(document, ctx: dict, *, verify_url: str | None, created: dt.datetime | None,
              draft: bool = False) -> bytes:
    """The letter's PDF: letterhead, number and date, body, signature, QR (when ``verify_url``)."""
    body = render_body(ctx, template=document.template)
    pdf = Paper(document.title, created)
    if draft:
        pdf.set_font("Helvetica", "B", 12)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(pdf.width, 6, "DRAF - BELUM DITERBITKAN, TIDAK SAH", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.letterhead()
    city = institution.letterhead()["city"]
    pdf.set_font("Helvetica", size=10)
    half = pdf.width / 2
    top = pdf.get_y()
    pdf.rows([("Nomor", ctx["number"]), ("Lampiran", "-"), ("Hal", document.title)], label_width=20)
    after = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half + 10, top)
    pdf.cell(half - 10, 5.5, latin1(f"{city}, {ctx['date']}" if city else ctx["date"]), align="R")
    pdf.set_xy(pdf.l_margin, after + 4)
    pdf.set_font("Helvetica", size=10)
    pdf.write_html(latin1(body))
    pdf.ln(6)
    if pdf.get_y() > pdf.h - 80:
        pdf.add_page()
    signer = ctx["signer"]
    x = pdf.l_margin + half + 5
    y = pdf.get_y()
    pdf.set_xy(x, y)
    pdf.multi_cell(half - 5, 5.5, latin1(f"{signer['position'] or 'Pejabat yang berwenang'},"),
                   new_x="LEFT", new_y="NEXT")
    pdf.ln(18)
    pdf.set_x(x)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(half - 5, 5.5, latin1(signer["name"] or "(.................................)"),
                   new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    if signer["id_number"]:
        pdf.set_x(x)
        pdf.cell(half - 5, 5.5, latin1(f"NIP {signer['id_number']}"), new_x="LEFT", new_y="NEXT")
    if verify_url:
        pdf.image(qr_png(verify_url), x=pdf.l_margin, y=y, w=30, h=30)
        pdf.set_xy(pdf.l_margin, y + 31)
        pdf.set_font("Helvetica", size=7)
        pdf.multi_cell(half - 5, 3.5, latin1(f"Pindai untuk memeriksa keaslian: {verify_url}"), align="L")
    pdf.footer_text = (f"Diterbitkan melalui PINTU untuk permohonan {ctx['reference']}." if not draft
                       else "Draf untuk diperiksa petugas; tidak berlaku sebagai surat.")
    return pdf.output_bytes()


