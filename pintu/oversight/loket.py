"""Walk-in intake at the counter (loket): a petugas files an application for an applicant who came
to the office (seed 000: "atau datang langsung ke Kantor PINTU").

The petugas finds the applicant's account by NIK/NIP or e-mail, or creates one; an account may
have no e-mail (the applicant has none, or does not want to give it): it gets a placeholder
address on the reserved ``.invalid`` domain (RFC 2606), cannot log in and is sent no mail; the
applicant can claim it later at the counter by giving an e-mail, to which a link to set a password
is sent.  The application is then filled, documents uploaded and submitted through the same
engine call as an online submission (:func:`pintu.engine.workflow.save_application`: the same checks,
reference, tracking code, queues and clock), and an event "Diajukan di loket oleh <petugas>" is
added to its timeline.  The receipt page shows the reference and tracking code for ``/lacak``.
"""

from __future__ import annotations

import secrets

from pintu.data import audit
from pintu.engine import workflow
from pintu.people import account_links, accounts
from pintu.data.db import write_transaction
from pintu.data.models import Application, Event, User, utcnow

NO_EMAIL_DOMAIN = accounts.NO_EMAIL_DOMAIN
has_email = accounts.has_email
COUNTER_EVENT = "loket"


class LoketError(Exception):
    """A problem to show the petugas (Indonesian), with the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def find_applicants(q: str) -> list[User]:
    """Accounts whose NIK/NIP or e-mail is exactly ``q`` (both through unique-ish indexes)."""
    q = (q or "").strip()
    if not q:
        return []
    digits = accounts.clean_id_number(q).replace(".", "").replace("-", "")
    if digits.isdigit():
        return list(User.select().where(User.id_number == digits).limit(5))
    return list(User.select().where(User.email == accounts.normalise_email(q)).limit(5))


def create_applicant(*, name: str, phone: str, category: str, id_number: str, email: str, by: User) -> User:
    """A new applicant account; without ``email`` it gets a placeholder and cannot log in yet."""
    id_number = accounts.clean_id_number(id_number)
    email = accounts.normalise_email(email)
    if not email and not id_number:
        raise LoketError("id_number", "Tanpa e-mail, NIK/NIP wajib diisi agar pemohon dapat ditemukan kembali.")
    if id_number and accounts.id_number_taken(id_number):
        raise LoketError("id_number", "NIK/NIP ini sudah terdaftar: cari pemohon dengan NIK/NIP tersebut.")
    if email and User.select().where(User.email == email).exists():
        raise LoketError("email", "E-mail ini sudah terdaftar: cari pemohon dengan e-mail tersebut.")
    address = email or f"loket-{secrets.token_hex(8)}@{NO_EMAIL_DOMAIN}"
    # A password nobody knows: the applicant sets one through the link sent when the account is claimed.
    user = accounts.create_user(address, name, secrets.token_urlsafe(32), phone=phone, category=category,
                                id_number=id_number)
    audit.record("loket.account", user, by=by.email, without_email=not email)
    return user


def claim(user: User, email: str, by: User) -> None:
    """Give an e-mail-less account its owner's address and mail a link to set a password."""
    email = accounts.normalise_email(email)
    if has_email(user):
        raise LoketError("email", "Akun ini sudah memiliki e-mail.")
    if User.select().where(User.email == email).exists():
        raise LoketError("email", "E-mail ini sudah dipakai akun lain.")
    user.email = email
    user.save()
    audit.record("loket.claim", user, by=by.email)
    account_links.send_set_password(user)


def submit(service, applicant: User, petugas: User, data: dict, files: dict, token: str | None) -> Application:
    """File the application for ``applicant`` (same checks and engine as online), then record on its
    timeline that it was filed at the counter and by whom.  Raises what ``save_application`` raises."""
    application = workflow.save_application(service, applicant, data, files, submit=True, token=token)
    with write_transaction():
        Event.create(application=application, actor=petugas, actor_role="petugas", kind=COUNTER_EVENT,
                     action="loket", message=f"Diajukan di loket oleh {petugas.name}",
                     from_status=application.status, from_step="", to_status=application.status,
                     to_step=application.step or "", created_at=utcnow())
    audit.record("loket.submit", application, applicant=applicant.id_number or applicant.email)
    return application
