from pintu.testing import login, pdf


def test_catalog_lists_services(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Legalisir Ijazah dan Transkrip Akademik" in page.get_data(as_text=True)


def test_legalisir_apply_and_process(app, client, staff, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    assert login(client, "alumni@test.id").status_code == 302
    r = client.post("/layanan/legalisir/ajukan", data={
        "nim": "E3117", "program_studi": "TI", "tahun_lulus": "2020", "jumlah_ijazah": "2",
        "jumlah_transkrip": "2", "keperluan": "melamar_kerja", "submit": "1",
        "file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    detail = client.get(r.location).get_data(as_text=True)
    assert "LGS-" in detail
    app_id = int(r.location.rstrip("/").split("/")[-1])
    login(client, "petugas@test.id")
    inbox = client.get("/petugas/").get_data(as_text=True)
    assert "LGS-" in inbox
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": "lengkap", "version": "1"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "Berkas dinyatakan lengkap" in r.get_data(as_text=True)


def test_message_thread_with_internal_note(app, client, staff, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = client.post("/layanan/legalisir/ajukan", data={
        "nim": "E3117", "program_studi": "TI", "tahun_lulus": "2020", "jumlah_ijazah": "2",
        "jumlah_transkrip": "2", "keperluan": "melamar_kerja", "submit": "1",
        "file_ijazah": pdf("ijazah.pdf"), "file_transkrip": pdf("transkrip.pdf")},
        content_type="multipart/form-data")
    app_id = int(r.location.rstrip("/").split("/")[-1])
    r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Kapan bisa diambil?"})
    assert r.status_code == 200 and "Kapan bisa diambil?" in r.get_data(as_text=True)
    assert client.post(f"/permohonan/{app_id}/pesan", data={"body": "  "}).status_code == 422
    login(client, "petugas@test.id")
    client.post(f"/permohonan/{app_id}/pesan", data={"body": "Cek dulu ke akademik", "internal": "1"})
    r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Besok siang", "attachment": pdf("jadwal.pdf")},
                    content_type="multipart/form-data")
    assert "jadwal.pdf" in r.get_data(as_text=True)
    login(client, "alumni@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Besok siang" in page and "jadwal.pdf" in page
    assert "Cek dulu ke akademik" not in page


def test_init_db_adds_columns_to_tables_of_a_plugin_without_migrations(app):
    """A plugin that returns models but declares no migrations: init-db creates its tables if missing
    and adds the columns a newer version of a model declares (see tests/test_migrations.py for steps)."""
    from pintu import hookimpl
    from pintu.data import migrations
    from pintu.data.db import database
    from pintu.data.models import Notification

    with app.app_context():
        with database.connection_context():
            database.execute_sql("CREATE TABLE old_thing (id INTEGER PRIMARY KEY)")
        from peewee import CharField, IntegerField

        from pintu.data.models import BaseModel

        class OldThing(BaseModel):
            id = IntegerField(primary_key=True)
            label = CharField(default="baru")

        class Plugin:
            @hookimpl
            def pintu_models(self):
                return [OldThing]

        registry = app.extensions["pintu"]
        registry.pm.register(Plugin(), name="old-thing")
        assert migrations.upgrade(registry) == []  # every step ran when the app was made
        with database.connection_context():
            assert "label" in {c.name for c in database.get_columns("old_thing")}
            assert migrations.create_missing([OldThing]) == []  # idempotent
        assert Notification.select().count() == 0
