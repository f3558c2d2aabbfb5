"""Who takes a step: a step with a unit is for that unit's members; a step without a unit for those
holding the role without one, so the head of a Bidang cannot sign as the head of the institution."""

from __future__ import annotations

import pytest

from pintu import Requirement, Service, Step, approve, hookimpl, send_back, standard_steps
from pintu.testing import act, app_id_of, count_queries, get_application, login, outbox, pdf


class HeadsPlugin:
    __name__ = "heads_plugin"

    @hookimpl
    def pintu_services(self):
        return [Service(
            slug="surat-kepala", title="Surat Kepala", category="Uji", summary="Layanan uji",
            requirements=[Requirement("surat", "Surat permohonan")],
            steps=standard_steps(
                Step("kabid", "Pertimbangan Kepala Bidang", role="pimpinan", unit="bidang-a",
                     actions=[approve("Setujui", "ok_kabid"), send_back()]),
                Step("kepala", "Penetapan oleh Kepala Dinas", role="pimpinan",
                     actions=[approve("Tetapkan", "ok_kepala"), send_back()])))]

    @hookimpl
    def pintu_units(self):
        return [("bidang-a", "Bidang A")]


@pytest.mark.plugins(HeadsPlugin())
def test_the_head_of_a_unit_cannot_take_the_institution_heads_step(app, client, make_user, staff):
    make_user("kabid@test.id", "pimpinan", "bidang-a")
    make_user("pemohon@test.id")
    login(client, "pemohon@test.id")
    app_id = app_id_of(client.post("/layanan/surat-kepala/ajukan", data={"submit": "1", "file_surat": pdf()},
                                   content_type="multipart/form-data"))
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    login(client, "kabid@test.id")
    act(client, app, app_id, "ok_kabid")
    assert get_application(app, app_id).step == "kepala"
    outbox(app)  # deliver what is pending
    # the Kepala Bidang neither sees the Kepala Dinas's task nor can take it
    _, inbox = count_queries(client, "/petugas/")
    assert f"/permohonan/{app_id}" not in inbox
    r = act(client, app, app_id, "ok_kepala")
    assert get_application(app, app_id).step == "kepala"
    assert r.status_code == 422  # refused with a message; nothing moved (checked above)
    # the Kepala Dinas (pimpinan without a unit) does
    login(client, "pimpinan@test.id")
    _, inbox = count_queries(client, "/petugas/")
    assert f"/permohonan/{app_id}" in inbox
    act(client, app, app_id, "ok_kepala")
    assert get_application(app, app_id).step == "pengambilan"
