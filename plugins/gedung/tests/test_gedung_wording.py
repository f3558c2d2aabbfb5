"""Hardening item 18 for Gedung: what an approved external applicant is told, what internal bookings list."""

from __future__ import annotations

import pytest

from pintu.testing import login, mails_to


@pytest.mark.config(GEDUNG_REKENING="Bank BRI 0123-01-000123-30-9 a.n. BPN 071 Politeknik Negeri Jember")
def test_approval_mail_to_an_external_applicant_says_amount_account_and_proof(app, client, cast, h):
    app_id = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    h.approved(client, app, app_id)
    approval = [m for m in mails_to(app, h.EXTERNAL) if "Peminjaman gedung disetujui pimpinan" in m][-1]
    assert "Status saat ini: Menunggu tindakan Anda" in approval
    assert "Yang perlu Anda lakukan: Pembayaran biaya sewa oleh pemohon" in approval
    assert "Biaya sewa yang harus disetor: Rp 5.000.000 (1 hari × Rp 5.000.000)." in approval
    assert ("Setorkan ke rekening Bendahara Penerimaan Politeknik Negeri Jember: "
            "Bank BRI 0123-01-000123-30-9 a.n. BPN 071 Politeknik Negeri Jember.") in approval
    assert "unggah bukti transfer (PDF, JPG atau PNG, maks. 2 MB) di halaman permohonan" in approval

    login(client, h.EXTERNAL)
    page = h.text(client.get(f"/permohonan/{app_id}").get_data(as_text=True))
    assert "Menunggu tindakan Anda" in page and "Biaya sewa yang harus disetor: Rp 5.000.000" in page
    assert "Tangani (klaim)" not in page  # item 15: no staff claim button on the applicant's own step
    login(client, h.KEU)
    staff_page = h.text(client.get(f"/permohonan/{app_id}").get_data(as_text=True))
    assert "Menunggu tindakan pemohon" in staff_page and "Tangani (klaim)" not in staff_page


def test_approval_mail_without_a_configured_account_points_to_the_ult(app, client, cast, h):
    app_id = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    h.approved(client, app, app_id)
    approval = [m for m in mails_to(app, h.EXTERNAL) if "Peminjaman gedung disetujui pimpinan" in m][-1]
    assert "nomor rekening dapat ditanyakan ke Unit Layanan Terpadu" in approval


def test_internal_booking_lists_no_proof_of_transfer(app, client, cast, h):
    app_id = h.submitted(client, h.INTERNAL, cast["aula"], start="08:00", end="16:00", status="internal")
    page = h.text(client.get(f"/permohonan/{app_id}").get_data(as_text=True))
    assert "Surat permohonan resmi peminjaman / penyewaan gedung" in page
    assert "Bukti transfer" not in page
    external = h.submitted(client, h.EXTERNAL, cast["gsg"], start="08:00", end="16:00", status="eksternal")
    assert "Bukti transfer biaya sewa" in h.text(client.get(f"/permohonan/{external}").get_data(as_text=True))
