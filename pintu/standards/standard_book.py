"""The Standar Pelayanan as published: each service's components (PermenPAN-RB 15/2014: the six
service-delivery components and the eight manufacturing components) as structured text, shared by
the service page, the ``/standar-pelayanan`` book and its PDF (fpdf2).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from markupsafe import Markup

from pintu.standards.flowchart import actor_label, draw_pdf, svg
from pintu.standards.institution import profile
from pintu.contract.services import NOT_SET, Requirement, Service
from pintu.contract.plugins import registry
from pintu.engine.service_settings import overrides


@dataclass
class Component:
    label: str
    lines: list[str]


def unit_names() -> dict[str, str]:
    """Unit key -> name as the installed plugins declare them (no query)."""
    return dict(registry().collect("pintu_units"))


def requirement_text(req: Requirement) -> str:
    """A document as the standard lists it: "Berkas ijazah", "... (jika ada)", "... (wajib jika ...)"."""
    if not req.required:
        return f"{req.label} (jika ada)"
    if req.condition is not None:
        return f"{req.label} ({condition_phrase(req)})"
    return req.label


def condition_phrase(req: Requirement) -> str:
    """``Requirement.condition_text`` ("Wajib jika ...") as it reads inside parentheses."""
    text = req.condition_text or "Wajib dalam keadaan tertentu"
    return text[:1].lower() + text[1:]


def requirement_lines(service: Service) -> list[str]:
    lines = [f"Ketentuan: {e}" for e in service.eligibility]
    lines += [requirement_text(r) for r in service.requirements]
    for step in service.steps:
        if step.for_applicant and step.requirements:
            cond = " (jika berlaku)" if step.condition is not None else ""
            lines += [f"{requirement_text(r)}, pada tahap {step.title}{cond}" for r in step.requirements]
    lines += [f"{requirement_text(r)} (diunggah oleh {party.label})" for r, party in service.party_requirements]
    return lines or ["-"]


def complaint_text(service: Service) -> str:
    lapor = "Pengaduan juga dapat disampaikan melalui SP4N-LAPOR!"
    return f"{service.complaint_text or profile().contact}. {lapor}"


def procedure_lines(service: Service, names: dict[str, str]) -> list[str]:
    if service.procedure:
        return list(service.procedure)
    return [f"{s.title} (oleh {s.party.label}, melalui tautan yang dikirim ke e-mailnya)" if s.party
            else f"{s.title} ({actor_label(s, names)})" for s in service.steps]


def delivery(service: Service, names: dict[str, str]) -> list[Component]:
    """The six service-delivery components."""
    return [
        Component("Persyaratan", requirement_lines(service)),
        Component("Sistem, mekanisme dan prosedur", procedure_lines(service, names)),
        Component("Jangka waktu penyelesaian", [service.completion_label]),
        Component("Biaya / tarif", [service.fee or "-"]),
        *([Component("Periode pengajuan", [p.text for p in service.periods])] if service.periods else []),
        Component("Produk pelayanan", [service.product or "-"]),
        Component("Penanganan pengaduan, saran dan masukan", [complaint_text(service)]),
    ]


def _lines(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value] or [NOT_SET]
    return [str(value)]


def manufacturing(service: Service) -> list[Component]:
    """The eight manufacturing components, "Belum ditetapkan" where the standard says nothing."""
    items = [Component(label, _lines(text)) for label, text in service.manufacturing_items()]
    if service.legal_basis and service.manufacturing.get("dasar_hukum") is None:
        items[0] = Component(items[0].label, list(service.legal_basis))
    return items


def about(service: Service) -> list[Component]:
    """Responsible unit, applicants, source and the notes about the source."""
    out = [Component("Pemohon", [service.audience_label])]
    if service.responsible_unit:
        out.append(Component("Unit penanggung jawab", [service.responsible_unit]))
    if service.source:
        out.append(Component("Sumber standar", [service.source]))
    if service.notes:
        out.append(Component("Catatan sumber", list(service.notes)))
    return out


def entry(service: Service, names: dict[str, str] | None = None) -> dict:
    """The parts of one service's standard, for ``standards/_standard.html``."""
    names = unit_names() if names is None else names
    return {"service": service, "about": about(service), "delivery": delivery(service, names),
            "manufacturing": manufacturing(service), "flow": svg(service, names)}


def published_html(service: Service) -> Markup:
    """The standard of ``service`` as its page shows it (``standards/_service_standard.html``),
    rendered once per app process and kept while what it shows stays the same: the declaration,
    the administrator's settings (their version) and the institution's contact (the complaint
    channel).  The standard with its flowchart was most of the service page's time."""
    key = (overrides(service.slug)[1], profile().contact, current_app.config.get("LAPOR_URL"))
    kept = current_app.extensions.setdefault("pintu_standard_html", {})
    found = kept.get(service.slug)
    if found is not None and found[0] == key:
        return found[1]
    html = Markup(render_template("standards/_service_standard.html", **entry(service)))
    kept[service.slug] = (key, html)
    return html


def context(services) -> dict:
    """What ``standards/book.html`` shows: every enabled service, ordered by category and title."""
    names = unit_names()
    ordered = sorted(services, key=lambda s: (s.category, s.title))
    return {"entries": [entry(s, names) for s in ordered]}


# -- PDF -----------------------------------------------------------------------------------------------

_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-",
                         "×": "x", "≤": "<=", "≥": ">="})


def _pdf_text(text: str) -> str:
    """The core PDF fonts are Latin-1: typographic marks become their ASCII forms."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def pdf(services) -> bytes:
    """The Standar Pelayanan of ``services`` as a printable PDF (A4; a table of contents first)."""
    from fpdf import FPDF

    names = unit_names()
    p = profile()
    ordered = sorted(services, key=lambda s: (s.category, s.title))
    doc = FPDF(format="A4")
    doc.set_title(f"Standar Pelayanan {p.name}")
    doc.set_auto_page_break(True, margin=15)
    doc.set_margins(18, 15, 18)
    doc.add_page()
    if p.logo_path:
        try:
            doc.image(p.logo_path, x=doc.w / 2 - 12, w=24)
        except (OSError, RuntimeError, ValueError):  # an unreadable logo must not cost the book
            pass
    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(0, 9, _pdf_text(f"STANDAR PELAYANAN\n{p.name}"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)
    doc.multi_cell(0, 5, _pdf_text(" | ".join(x for x in (p.address, p.contact, p.website) if x)), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("Helvetica", "B", 12)
    doc.cell(0, 8, "Daftar isi", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", size=10)
    links = []
    for number, service in enumerate(ordered, 1):
        link = doc.add_link()
        links.append(link)
        doc.cell(0, 6, _pdf_text(f"{number}. {service.title} ({service.category})"), link=link,
                 new_x="LMARGIN", new_y="NEXT")
    for number, (service, link) in enumerate(zip(ordered, links), 1):
        doc.add_page()
        doc.set_link(link, page=doc.page_no())
        doc.set_font("Helvetica", "B", 13)
        doc.multi_cell(0, 7, _pdf_text(f"{number}. {service.title}"), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", size=10)
        doc.multi_cell(0, 5, _pdf_text(service.summary), new_x="LMARGIN", new_y="NEXT")
        for title, components in (("", about(service)),
                                  ("A. Komponen standar pelayanan terkait proses penyampaian pelayanan",
                                   delivery(service, names)),
                                  ("B. Komponen standar pelayanan terkait proses pengelolaan pelayanan",
                                   manufacturing(service))):
            if title:
                doc.ln(2)
                doc.set_font("Helvetica", "B", 11)
                doc.multi_cell(0, 6, _pdf_text(title), new_x="LMARGIN", new_y="NEXT")
            for component in components:
                doc.set_font("Helvetica", "B", 10)
                doc.multi_cell(0, 5, _pdf_text(component.label), new_x="LMARGIN", new_y="NEXT")
                doc.set_font("Helvetica", size=10)
                numbered = len(component.lines) > 1
                for i, line in enumerate(component.lines, 1):
                    doc.set_x(doc.l_margin + 5)
                    doc.multi_cell(0, 5, _pdf_text(f"{i}. {line}" if numbered else line),
                                   new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
        draw_pdf(doc, service, names, "Bagan alur (tahap permohonan di PINTU)", _pdf_text)
    return bytes(doc.output())
