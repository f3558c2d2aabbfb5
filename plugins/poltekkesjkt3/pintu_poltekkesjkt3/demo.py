"""Demo data of the KTM service: one request at the front office and one waiting for the bank.

The generic demo of data-declared services uploads a PDF for every requirement; the KTM photo is
JPG/PNG only, so this one draws a plain passport-style picture with Pillow (installed with fpdf2).
"""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage


def photo(colour: str = "#1f4e79") -> FileStorage:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), colour).save(buffer, format="PNG")
    buffer.seek(0)
    return FileStorage(buffer, filename="foto.png", content_type="image/png")


def load(service, applicants: dict, staff: dict) -> None:
    from pintu import demo_support

    student = applicants.get("mahasiswa") or next(iter(applicants.values()))
    data = {"nim": "P3.73.20.1.25.001", "jurusan": "keperawatan", "angkatan": 2025}
    demo_support.application(service, student, data, {"foto": photo()})  # at the front office
    checked = [(staff["petugas"], "lengkap", ""), (staff["verifikator:pk3-kemahasiswaan"], "sesuai", "")]
    # waiting at the bank: its link went to KTM_BANK_EMAIL
    demo_support.application(service, student, dict(data, nim="P3.73.24.1.25.017", jurusan="kebidanan"),
                             {"foto": photo("#7a1f3d")}, checked)
    # printed by the bank (through its link) and handed over to the student
    bank = demo_support.AsParty("Dewi Petugas Bank", "Customer Service Bank Mitra")
    demo_support.application(service, student, dict(data, nim="P3.73.24.1.25.018", jurusan="kebidanan"),
                             {"foto": photo("#1f5f7a")},
                             checked + [(bank, "dicetak", ""), (staff["petugas"], "taken", "")])
