"""The tanda terima (receipt) of a submission as a PDF: what the ULT received, and when."""

from __future__ import annotations

from pintu.engine import clock
from pintu.data.models import Application, Event, Upload
from pintu.output.pdf import Paper, latin1, tanggal


def submitted_at(application: Application):
    """When the application was last submitted (a resubmission counts), stored UTC."""
    last = (Event.select(Event.created_at)
            .where(Event.application == application.id, Event.kind.in_(["submitted", "resubmitted"]))
            .order_by(Event.id.desc()).first())
    return last.created_at if last is not None else application.submitted_at


def file_name(application: Application) -> str:
    return f"tanda-terima-{application.reference}.pdf"


def render(application: Application, service) -> bytes:
    """The receipt of ``application`` (submitted): reference, tracking code, service, the documents
    received with size and SHA-256, date and time in WIB, and the completion-time rule."""
    when = submitted_at(application)
    local = clock.to_local(when)
    files = list(Upload.select().where(Upload.application == application.id, Upload.superseded == False,  # noqa: E712
                                       Upload.requirement != "message", Upload.created_at <= when)
                 .order_by(Upload.id))
    labels = {r.key: r.label for r in service.all_requirements}
    pdf = Paper(f"Tanda terima {application.reference}", when)
    pdf.letterhead()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(pdf.width, 7, "TANDA TERIMA PERMOHONAN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.rows([("Nomor permohonan", application.reference), ("Kode lacak", application.tracking_code),
              ("Layanan", service.title), ("Pemohon", application.applicant.name),
              ("Diterima", f"{tanggal(local)} pukul {local:%H:%M} {local.tzname()}"),
              ("Waktu penyelesaian", service.completion_label)])
    pdf.ln(3)
    pdf.para("Berkas yang diterima:", style="B", after=1)
    if not files:
        pdf.para("Tidak ada berkas yang diunggah.")
    for i, f in enumerate(files, 1):
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(pdf.width, 4.8, latin1(f"{i}. {labels.get(f.requirement, f.requirement)}: {f.original_name} "
                                               f"({f.size:,} byte)".replace(",", ".")),
                       align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Courier", size=8)
        pdf.cell(pdf.width, 4.5, f"   SHA-256 {f.sha256}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.para("Tanda terima ini membuktikan bahwa permohonan dan berkas di atas telah diterima melalui PINTU. "
             "Waktu penyelesaian dihitung sejak persyaratan dinyatakan lengkap dan benar oleh petugas. Status "
             "permohonan dapat dilacak di halaman Lacak Permohonan dengan nomor permohonan dan kode lacak di atas. "
             "Nilai SHA-256 adalah sidik jari setiap berkas: berkas yang berubah sedikit saja memiliki nilai lain.",
             size=9)
    pdf.footer_text = f"Tanda terima {application.reference} - dibuat oleh PINTU"
    return pdf.output_bytes()
