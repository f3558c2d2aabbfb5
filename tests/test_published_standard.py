"""The published standard: every component of each service on its page (the eight manufacturing
components, "Belum ditetapkan" where the standard says nothing), conditional requirements stated, the
procedure drawn as a flowchart from the real workflow steps, the Standar Pelayanan book as a page
and a PDF, and the Maklumat Pelayanan edited by the administrator."""

from __future__ import annotations

import re
import zlib

import pytest

from pintu import (EXTERNAL, Party, Requirement, Service, Step, approve, finish, hookimpl, refuse, send_back,
                   standard_steps)
from pintu.testing import login


class Inpassing:
    """A service with every part of a full standard: an outside party, a conditional step, a jump."""

    SERVICE = Service(
        slug="inpassing-uji", title="Inpassing Uji", category="Karier dosen", summary="Layanan uji inpassing.",
        requirements=[Requirement("sk", "SK pengangkatan"),
                      Requirement("ijazah_ln", "Penyetaraan ijazah luar negeri",
                                  condition=lambda d: d.get("luar_negeri"),
                                  condition_text="Wajib jika ijazah diperoleh di luar negeri"),
                      Requirement("pendukung", "Dokumen pendukung", required=False)],
        eligibility=["Dosen tetap PTS dengan masa kerja sekurang-kurangnya 2 tahun."],
        steps=standard_steps(
            Step("pts", "Pengesahan oleh pimpinan PTS", role=EXTERNAL,
                 party=Party("Pimpinan PTS", email_field="email_pts"), actions=[approve("Sahkan"), refuse()]),
            Step("verifikasi", "Verifikasi berkas", role="verifikator", unit="kepegawaian",
                 actions=[approve(), send_back(), finish("Selesai tanpa SK", "langsung")]),
            Step("bayar", "Pembayaran PNBP", role="pemohon", condition=lambda d: d.get("bayar"),
                 actions=[approve("Kirim bukti")]),
            Step("ulang", "Pemeriksaan ulang", role="pimpinan",
                 actions=[approve(), approve("Periksa lagi", "lagi", target="verifikasi")])),
        manufacturing={"dasar_hukum": ["Peraturan Uji Nomor 1 Tahun 2020", "Keputusan Uji Nomor 2"],
                       "jumlah_pelaksana": "3 orang"},
        responsible_unit="Seksi Ketenagaan", source="Standar Pelayanan Uji 2021, no. 8",
        notes=["Nomor formulir pada sumber masih kosong."], fee="Rp 0",
    )

    @hookimpl
    def pintu_services(self):
        return [self.SERVICE]


def dd_after(page: str, label: str) -> str:
    """The text of the <dd> following the <dt> ``label``."""
    m = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert m, label
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1))).strip()


def test_builtin_service_page_shows_the_full_standard(app, client):
    page = client.get("/layanan/kartu-istri-suami").get_data(as_text=True)
    # The six service-delivery components and the eight manufacturing ones, in the regulation's order.
    for label in ("Persyaratan", "Sistem, mekanisme dan prosedur", "Jangka waktu penyelesaian", "Biaya / tarif",
                  "Produk pelayanan", "Penanganan pengaduan, saran dan masukan", "Dasar hukum",
                  "Sarana, prasarana dan/atau fasilitas", "Kompetensi pelaksana", "Pengawasan internal",
                  "Jumlah pelaksana", "Jaminan pelayanan", "Jaminan keamanan dan keselamatan pelayanan",
                  "Evaluasi kinerja pelaksana"):
        assert f"<dt>{label}</dt>" in page, label
    # Seed 000 names the facilities only; nothing is invented for the rest.
    assert "pintu.polije.ac.id" in dd_after(page, "Sarana, prasarana dan/atau fasilitas")
    for label in ("Dasar hukum", "Kompetensi pelaksana", "Jaminan pelayanan", "Evaluasi kinerja pelaksana"):
        assert dd_after(page, label) == "Belum ditetapkan", label
    assert dd_after(page, "Unit penanggung jawab") == "Subbagian Kepegawaian"
    assert "Layanan unggulan PINTU Politeknik Negeri Jember, no. 7" in dd_after(page, "Sumber standar")
    assert "tidak mencantumkan jangka waktu" in dd_after(page, "Catatan sumber")
    # The conditional requirement states its condition.
    assert "Laporan Perkawinan Pertama (formulir terlampir) <em class=\"conditional\">(wajib jika pemohon memilih " \
           "mengunggah LPP, bukan mengisinya di formulir PINTU)</em>" in page
    # The procedure as a flowchart of the real steps, with actors, return and refuse branches.
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "Pemeriksaan kelengkapan berkas oleh ULT" in svg and "Subbagian Kepegawaian" in svg
    assert svg.count('class="fc-box') == 2 + len(app.extensions["pintu"].services["kartu-istri-suami"].steps)
    assert "Dikembalikan" in svg and "Ditolak" in svg and "Selesai" in svg
    assert "<script" not in svg and "style=" not in svg


@pytest.mark.plugins(Inpassing())
def test_declared_components_parties_conditions_and_jumps_are_published(app, client):
    page = client.get("/layanan/inpassing-uji").get_data(as_text=True)
    assert dd_after(page, "Dasar hukum") == "Peraturan Uji Nomor 1 Tahun 2020 Keputusan Uji Nomor 2"
    assert dd_after(page, "Jumlah pelaksana") == "3 orang"
    assert dd_after(page, "Pengawasan internal") == "Belum ditetapkan"
    assert dd_after(page, "Unit penanggung jawab") == "Seksi Ketenagaan"
    assert dd_after(page, "Catatan sumber") == "Nomor formulir pada sumber masih kosong."
    requirements = dd_after(page, "Persyaratan")
    assert "Dosen tetap PTS dengan masa kerja" in requirements
    assert "Penyetaraan ijazah luar negeri (wajib jika ijazah diperoleh di luar negeri)" in requirements
    assert "Dokumen pendukung (jika ada)" in requirements
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "Pimpinan PTS" in svg and 'class="fc-box fc-external"' in svg  # the outside party's step
    assert "Pembayaran PNBP (jika berlaku)" in svg and "fc-applicant fc-conditional" in svg
    assert svg.count("fc-jump") == 2  # "Selesai tanpa SK" to the end, "Periksa lagi" back to verifikasi
    assert svg.count(">Ditolak<") == 2 and svg.count(">Dikembalikan<") == 2
    assert "<desc" in svg and "Pengesahan oleh pimpinan PTS (Pimpinan PTS)" in svg


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its content streams are zlib-compressed)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(out).replace("\\(", "(").replace("\\)", ")")


@pytest.mark.plugins(Inpassing())
def test_the_standar_pelayanan_book_lists_every_enabled_service_as_page_and_pdf(app, client):
    services = app.extensions["pintu"].services.values()
    page = client.get("/standar-pelayanan").get_data(as_text=True)
    toc = page[page.index('aria-label="Daftar isi"'):page.index("</nav>", page.index('aria-label="Daftar isi"'))]
    for service in services:
        assert f'href="#{service.slug}"' in toc and f'id="{service.slug}"' in page
    assert page.count("<svg") == len(services)
    assert page.count("<dt>Evaluasi kinerja pelaksana</dt>") == len(services)
    r = client.get("/standar-pelayanan.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    text = pdf_text(r.data)
    for service in services:
        assert service.title in text, service.title
    assert "Belum ditetapkan" in text and "Seksi Ketenagaan" in text and "Daftar isi" in text
    # The flowchart is drawn in the PDF too: the outside party's box, the branches, the end.
    assert "Bagan alur" in text and "Pimpinan PTS" in text and "Dikembalikan" in text and "Selesai" in text
    one = client.get("/layanan/inpassing-uji/standar.pdf")
    assert "Inpassing Uji" in pdf_text(one.data) and "Legalisir" not in pdf_text(one.data)


@pytest.mark.config(DISABLED_PLUGINS=["legalisir"])
def test_a_disabled_service_is_not_in_the_book(app, client):
    page = client.get("/standar-pelayanan").get_data(as_text=True)
    assert 'id="legalisir"' not in page and 'id="kartu-taspen"' in page


def test_maklumat_defaults_to_the_seed_pledge_and_the_admin_edits_it(app, client, staff):
    page = client.get("/maklumat").get_data(as_text=True)
    assert "Maklumat Pelayanan" in page
    assert "kami berjanji akan memberikan pelayanan prima sesuai dengan standar yang ditetapkan" in page
    assert "Pimpinan Politeknik Negeri Jember" in page
    login(client, "pimpinan@test.id")
    assert client.get("/admin/maklumat").status_code == 403
    login(client, "admin@test.id")
    bad = client.post("/admin/maklumat", data={"title": "Maklumat Pelayanan", "text": "",
                                               "signatory_name": "Ir. Saiful Anwar"})
    assert "Wajib diisi." in bad.get_data(as_text=True) and 'value="Ir. Saiful Anwar"' in bad.get_data(as_text=True)
    r = client.post("/admin/maklumat", data={"title": "Maklumat Pelayanan", "text": "Kami siap melayani.",
                                             "place_date": "Jember, 2 Januari 2026",
                                             "signatory_title": "Direktur", "signatory_name": "Ir. Saiful Anwar",
                                             "signatory_id": "196801011994031001"})
    assert r.status_code == 302
    page = client.get("/maklumat").get_data(as_text=True)
    assert "Kami siap melayani." in page and "prima" not in page and "Jember, 2 Januari 2026" in page
    with app.app_context():
        from pintu.data.models import AuditEntry

        entry = AuditEntry.get(AuditEntry.action == "maklumat.update")
        assert entry.details["changed"]["text"] == "Kami siap melayani."
        assert entry.details["changed"]["signatory_id"].endswith("1001")


def test_public_standard_pages_are_linked_from_every_page(client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/standar-pelayanan"' in home and 'href="/maklumat"' in home and 'href="/ikm"' in home


@pytest.mark.parametrize("extra", [False, pytest.param(True, marks=pytest.mark.plugins(Inpassing()))])
def test_the_book_costs_the_same_queries_whatever_the_number_of_services(app, client, extra):
    """The administrator's overrides of every service and the profile are read once per process
    (SERVICE_SETTINGS_CACHE_SECONDS, PROFILE_CACHE_SECONDS) and kept: the pages cost no query."""
    from pintu.testing import count_queries

    assert ("inpassing-uji" in app.extensions["pintu"].services) is extra
    client.get("/layanan/legalisir")  # the profile and the settings, read once per process and kept
    assert count_queries(client, "/standar-pelayanan")[0] == 0
    assert count_queries(client, "/layanan/legalisir")[0] == 0
