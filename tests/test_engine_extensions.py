"""Engine features that several services need: conditional steps, applicant steps with uploads,
completion time per path, a template slot on the form."""

import datetime as dt

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectField

from pintu import Requirement, Service, Step, approve, hookimpl, refuse, standard_steps
from pintu.testing import login, pdf, png


class RentalForm(FlaskForm):
    status = SelectField("Status", choices=[("internal", "Internal"), ("eksternal", "Eksternal")])


def external(data):
    return data.get("status") == "eksternal"


class RentalPlugin:
    @hookimpl
    def pintu_services(self):
        return [Service(
            slug="sewa-uji", title="Sewa Uji", category="Uji", summary="Layanan uji", form=RentalForm,
            completion_days=lambda data: 7 if external(data) else 2,
            steps=standard_steps(
                Step("persetujuan", "Persetujuan pimpinan", role="pimpinan", actions=[approve("Setujui"), refuse()]),
                Step("bayar", "Unggah bukti pembayaran", role="pemohon", condition=external,
                     requirements=[Requirement("bukti_bayar", "Bukti transfer", types=("pdf", "jpg", "png"))],
                     actions=[approve("Kirim bukti pembayaran", "paid")]),
                Step("cek_bayar", "Verifikasi pembayaran", role="verifikator", unit="keuangan", condition=external,
                     actions=[approve("Pembayaran diterima"), refuse()]),
            ))]

    @hookimpl
    def pintu_units(self):
        return [("keuangan", "Umum dan Keuangan")]


def _apply(client, status):
    r = client.post("/layanan/sewa-uji/ajukan", data={"status": status, "submit": "1"})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.location.rstrip("/").split("/")[-1])


def _act(client, app_id, action, version):
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": action, "version": str(version)})


def _version(app, app_id):
    from pintu.data.models import Application

    with app.app_context():
        return Application.get_by_id(app_id)


@pytest.mark.plugins(RentalPlugin())
def test_external_path_goes_through_applicant_payment_step(app, client, staff, make_user):
    make_user("warga@test.id", category="masyarakat")
    make_user("keu@test.id", "verifikator", "keuangan")
    login(client, "warga@test.id")
    app_id = _apply(client, "eksternal")
    login(client, "petugas@test.id")
    assert _act(client, app_id, "lengkap", 1).status_code == 200
    a = _version(app, app_id)
    from pintu.engine import workingdays
    with app.app_context():
        from pintu.engine.clock import today
        assert a.due_date == workingdays.add_working_days(today(), 7)
    login(client, "pimpinan@test.id")
    assert _act(client, app_id, "approve", a.version).status_code == 200
    a = _version(app, app_id)
    assert a.step == "bayar"
    # Staff cannot act for the applicant.
    assert _act(client, app_id, "paid", a.version).status_code == 422
    login(client, "warga@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Unggah bukti pembayaran" in page and 'name="file_bukti_bayar"' in page
    # Without the file: refused with the message, nothing moves.
    r = client.post(f"/permohonan/{app_id}/tindakan", data={"action": "paid", "version": str(a.version)})
    assert r.status_code == 422 and "Bukti transfer wajib diunggah." in r.get_data(as_text=True)
    assert _version(app, app_id).step == "bayar"
    r = client.post(f"/permohonan/{app_id}/tindakan", data={"action": "paid", "version": str(a.version),
                                                            "file_bukti_bayar": png("transfer.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    a = _version(app, app_id)
    assert a.step == "cek_bayar"
    login(client, "keu@test.id")
    assert _act(client, app_id, "approve", a.version).status_code == 200
    assert _version(app, app_id).status == "ready"
    assert "transfer.png" in client.get(f"/permohonan/{app_id}").get_data(as_text=True)


@pytest.mark.plugins(RentalPlugin())
def test_internal_path_skips_payment_and_uses_its_own_completion_time(app, client, staff, make_user):
    make_user("dosen@test.id", category="dosen")
    login(client, "dosen@test.id")
    app_id = _apply(client, "internal")
    login(client, "petugas@test.id")
    _act(client, app_id, "lengkap", 1)
    a = _version(app, app_id)
    from pintu.engine import workingdays
    from pintu.engine.clock import today

    with app.app_context():
        assert a.due_date == workingdays.add_working_days(today(), 2)
    login(client, "pimpinan@test.id")
    _act(client, app_id, "approve", a.version)
    a = _version(app, app_id)
    assert a.step == "pengambilan" and a.status == "ready"
