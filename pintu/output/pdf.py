"""PDF building blocks shared by issued letters and receipts (fpdf2): the institution's letterhead,
Indonesian dates (Babel), Latin-1 text for the core fonts, a QR code (segno)."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import segno
from babel.dates import format_date
from fpdf import FPDF

from pintu.standards import institution

# The PDF core fonts speak Latin-1: typographic characters are mapped, anything else becomes "?".
_REPLACE = {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
            "\u2026": "...", "\u00a0": " ", "\u2022": "-"}


def latin1(text) -> str:
    text = "".join(_REPLACE.get(c, c) for c in unicodedata.normalize("NFC", str(text or "")))
    return text.encode("latin-1", "replace").decode("latin-1")


def bulan_tahun(value: dt.date) -> str:
    """A month in Indonesian words: ``November 2026`` (Babel's CLDR data, not a hand-made table)."""
    return format_date(value, format="MMMM y", locale="id")


def nama_hari(value: dt.date) -> str:
    """The weekday in Indonesian: ``Rabu``."""
    return format_date(value, format="EEEE", locale="id")


def tanggal(value: dt.date | dt.datetime | None) -> str:
    """A date in Indonesian words: ``25 November 2026`` (``-`` when absent)."""
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale="id")


def qr_png(data: str, scale: int = 4) -> io.BytesIO:
    """A PNG of a QR code holding ``data`` (error correction M, quiet zone of 2 modules)."""
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=scale, border=2)
    buf.seek(0)
    return buf


class Paper(FPDF):
    """A4 portrait with the institution's letterhead on the first page and a small footer."""

    footer_text = ""

    def __init__(self, title: str, created: dt.datetime | None = None):
        super().__init__(format="A4")
        self.set_title(latin1(title))
        self.set_author("PINTU")
        self.set_creator("PINTU (fpdf2)")
        if created is not None:  # the same document renders to the same bytes
            self.set_creation_date(created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc))
        self.set_margins(22, 15, 22)
        self.set_auto_page_break(True, margin=22)
        self.add_page()

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-14)
        self.set_font("Helvetica", size=7)
        self.set_text_color(110)
        self.cell(0, 5, latin1(self.footer_text), align="C")
        self.set_text_color(0)

    def letterhead(self) -> None:
        """Logo (when configured), parent body, institution name, address and contacts, and a rule."""
        prof = institution.letterhead()
        top = self.get_y()
        if prof["logo"]:
            try:
                self.image(prof["logo"], x=self.l_margin, y=top, h=22)
            except (OSError, RuntimeError, ValueError):  # a missing or unreadable logo leaves the text
                pass
        self.set_font("Helvetica", size=11)
        if prof["parent"]:
            self.cell(self.width, 5, latin1(prof["parent"].upper()), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "B", 14)
        self.cell(self.width, 7, latin1(prof["name"].upper()), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)
        for line in (prof["address"],
                     " · ".join(x for x in (f"Telepon {prof['phone']}" if prof["phone"] else "", prof["email"],
                                            prof["website"]) if x)):
            if line:
                self.cell(self.width, 4.5, latin1(line.replace("·", "-")), align="C", new_x="LMARGIN", new_y="NEXT")
        y = max(self.get_y() + 2, top + 24 if prof["logo"] else 0)
        self.set_line_width(0.8)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_line_width(0.2)
        self.line(self.l_margin, y + 1.2, self.w - self.r_margin, y + 1.2)
        self.set_y(y + 5)

    def rows(self, items, label_width: float = 45, size: float = 10) -> None:
        """``label : value`` lines."""
        self.set_font("Helvetica", size=size)
        for label, value in items:
            self.cell(label_width, 5.5, latin1(label))
            self.cell(4, 5.5, ":")
            self.multi_cell(self.width - label_width - 4, 5.5, latin1(value or "-"), align="L", new_x="LMARGIN",
                            new_y="NEXT")

    def para(self, text: str, size: float = 10, after: float = 2, style: str = "") -> None:
        self.set_font("Helvetica", style, size=size)
        self.multi_cell(self.width, 5.5, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
