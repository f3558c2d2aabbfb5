"""The Laporan Perkawinan Pertama (LPP) as a PDF, generated with fpdf2 from an application's stored data."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF


from . import as_date, kartu

from pintu import local_date, today
from pintu import tanggal as indonesian_date


# The PDF core fonts speak Latin-1; typographic characters are mapped, anything else becomes "?".
_REPLACE = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
            "\u2026": "...", "\u00a0": " "}


def latin1(text) -> str:
    text = "".join(_REPLACE.get(c, c) for c in unicodedata.normalize("NFC", str(text or "")))
    return text.encode("latin-1", "replace").decode("latin-1")


def tanggal(value) -> str:
    """``20 Juni 1996``; ``-`` when absent."""
    d = as_date(value)
    return indonesian_date(d) if d else "-"


class _LPP(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(0, 5, latin1(self.footer_text), align="C")


def render_lpp(application, city: str = "Jember") -> bytes:
    """The LPP of ``application`` (a Karis/Karsu application whose LPP was filled in on the form)."""
    data = application.data or {}
    applicant = application.applicant
    short, card = kartu(data)
    spouse_word = {"Karis": "wanita", "Karsu": "pria"}.get(short, "wanita/pria")
    spouse = {"Karis": "istri", "Karsu": "suami"}.get(short, "suami/istri")
    on = local_date(application.submitted_at)  # WIB date of the submission, or today

    pdf = _LPP(format="A4")
    pdf.set_title(latin1(f"Laporan Perkawinan Pertama - {applicant.name}"))
    pdf.set_author("PINTU")
    pdf.set_creator("PINTU (fpdf2)")
    reference = application.reference or "draf (belum diajukan)"
    pdf.footer_text = (f"Dibuat oleh PINTU dari isian permohonan {reference} pada "
                       f"{tanggal(today())}. Lampiran usul {card} ({short}).")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(width, 8, "LAPORAN PERKAWINAN PERTAMA", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(width, 5, latin1(f"untuk usul {card} ({short})"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    def para(text, after=3):
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(width, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)

    def rows(items):
        pdf.set_font("Helvetica", size=11)
        for i, (label, value) in enumerate(items, 1):
            pdf.set_x(pdf.l_margin + 5)
            pdf.cell(8, 6, f"{i}.")
            pdf.cell(55, 6, latin1(label))
            pdf.cell(4, 6, ":")
            pdf.multi_cell(width - 72, 6, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    para("Yang bertanda tangan di bawah ini:", after=1)
    rows([("Nama", applicant.name), ("NIP", applicant.id_number),
          ("Pangkat / golongan ruang", data.get("pangkat_golongan")), ("Jabatan", data.get("jabatan")),
          ("Unit kerja", data.get("unit_kerja")),
          ("Tempat / tanggal lahir", f"{data.get('tempat_lahir_pegawai') or '-'}, "
                                     f"{tanggal(data.get('tanggal_lahir_pegawai'))}"),
          ("Alamat", data.get("alamat"))])
    para(f"dengan ini melaporkan dengan hormat bahwa pada tanggal {tanggal(data.get('tanggal_perkawinan'))} "
         f"di {data.get('tempat_perkawinan') or '-'} saya telah melangsungkan perkawinan pertama dengan seorang "
         f"{spouse_word}:", after=1)
    rows([("Nama", data.get("nama_pasangan")),
          ("Tempat / tanggal lahir", f"{data.get('tempat_lahir_pasangan') or '-'}, "
                                     f"{tanggal(data.get('tanggal_lahir_pasangan'))}"),
          ("Pekerjaan", data.get("pekerjaan_pasangan")), ("Nomor akta nikah", data.get("nomor_akta_nikah"))])
    para("Sebagai bukti, bersama ini saya lampirkan:", after=1)
    pdf.set_font("Helvetica", size=11)
    for i, text in enumerate(["Fotokopi akta nikah yang telah dilegalisir;",
                              f"Pas foto {spouse} berukuran 3x4 sebanyak 4 lembar."], 1):
        pdf.set_x(pdf.l_margin + 5)
        pdf.cell(8, 6, f"{i}.")
        pdf.multi_cell(width - 13, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    para(f"Demikian laporan ini saya buat dengan sebenarnya untuk dipergunakan sebagai dasar usul penerbitan "
         f"{card} ({short}).", after=8)

    half = width / 2
    pdf.set_font("Helvetica", size=11)
    pdf.cell(half, 6, "")
    pdf.cell(half, 6, latin1(f"{city}, {tanggal(on)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(half, 6, "Mengetahui,")
    pdf.cell(half, 6, "Yang melaporkan,", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(half, 6, "Atasan langsung", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(22)
    pdf.cell(half, 6, "(.................................................)")
    pdf.cell(half, 6, latin1(applicant.name), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(half, 6, "NIP ..........................................")
    pdf.cell(half, 6, latin1(f"NIP {applicant.id_number or '-'}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
