"""Demo data: units, one staff account per role and unit, applicants, and each plugin's applications."""

from __future__ import annotations

from pintu.people import accounts
from pintu.data.models import Unit, User
from pintu.contract.plugins import registry

DEMO_PASSWORD = "pintu-demo-2026"

STAFF = [
    ("petugas@pintu.test", "Sari Petugas ULT", "petugas", None),
    ("pimpinan@pintu.test", "Dr. Budi Pimpinan", "pimpinan", None),
    ("admin@pintu.test", "Admin PINTU", "admin", None),
]

APPLICANTS = [
    ("pegawai@pintu.test", "Ahmad Pegawai", "pegawai", "197001011995031001"),
    ("dosen@pintu.test", "Dewi Dosen", "dosen", "198005052005012002"),
    ("mahasiswa@pintu.test", "Rina Alumni", "mahasiswa", ""),
    ("warga@pintu.test", "Joko Warga", "masyarakat", "3509010101800001"),
    ("instansi@pintu.test", "SMK Negeri 1 Jember", "instansi", ""),
]


def ensure_units() -> list[Unit]:
    """The units the plugins declare (``pintu_units``) and those their steps may route to
    (``Step.units``); a unit named only by a step gets its key as a readable name until an admin renames it."""
    from pintu.contract.plugins import all_services

    for key, name in registry().collect("pintu_units"):
        Unit.get_or_create(key=key, defaults={"name": name})
    for service in all_services():
        for key in service.routed_units:
            Unit.get_or_create(key=key, defaults={"name": key.replace("_", " ").replace("-", " ").title()})
    return list(Unit.select())


def demo_user(email: str, name: str, category: str = "pegawai", id_number: str = "") -> User:
    """The demo account ``email``, created with the demo password when it does not exist yet."""
    u = User.get_or_none(User.email == email)
    return u or accounts.create_user(email, name, DEMO_PASSWORD, phone="081234567890", category=category,
                                     id_number=id_number)


def load() -> list[tuple[str, str]]:
    """Create the demo data; return (e-mail, description) of the demo logins."""
    logins = []
    units = ensure_units()
    user = demo_user
    staff = {}

    for email, name, role, unit in STAFF:
        u = user(email, name)
        accounts.grant(u, role, unit)
        staff[role] = u
        logins.append((email, f"{role}"))
    for unit in units:
        email = f"verifikator.{unit.key}@pintu.test"
        u = user(email, f"Verifikator {unit.name}")
        accounts.grant(u, "verifikator", unit.key)
        staff[f"verifikator:{unit.key}"] = u
        logins.append((email, f"verifikator {unit.name}"))
    applicants = {}
    for email, name, category, id_number in APPLICANTS:
        applicants[category] = user(email, name, category, id_number)
        logins.append((email, f"pemohon ({category})"))
    registry().hook.pintu_demo_data(applicants=applicants, staff=staff)
    _survey_answers()
    # Staff the plugins' demos added (a unit's head: pimpinan.<unit>@<pack>.test) are logins too.
    listed = {email for email, _ in logins}
    for key, u in staff.items():
        if u.email not in listed:
            role, _, unit = key.partition(":")
            logins.append((u.email, f"{role} {unit}".strip()))
            listed.add(u.email)
    return logins


#: Demo answers to the satisfaction survey (u1..u9, suggestion), one per finished demo application in turn.
DEMO_ANSWERS = [
    ([4, 4, 3, 4, 4, 4, 4, 3, 3], ""),
    ([3, 3, 3, 4, 3, 4, 4, 2, 3], "Ruang tunggu ULT sempit saat jam sibuk."),
    ([4, 3, 2, 4, 3, 3, 4, 3, 2], "Mohon kabar lebih cepat jika berkas kurang."),
]


def _survey_answers() -> None:
    """Answer the survey for the finished demo applications, so /ikm shows a result."""
    from pintu.standards import survey
    from pintu.data.models import Application
    from pintu.contract.plugins import find_service

    finished = list(Application.select().where(Application.status == "done").order_by(Application.id))
    for n, application in enumerate(finished):
        ratings, suggestion = DEMO_ANSWERS[n % len(DEMO_ANSWERS)]
        survey.submit(application, find_service(application.service), dict(zip(survey.COLUMNS, ratings)),
                      suggestion)
