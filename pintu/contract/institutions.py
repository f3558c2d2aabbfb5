"""Institutions: which packs of services one deployment serves, and its default profile.

One PINTU deployment serves one institution (a ULT): its own instance folder (database,
uploads, outbox, ``config.py``), its own profile and its own catalog.  An institution is
declared by a pack distribution through the entry-point group ``pintu.institutions``::

    [project.entry-points."pintu.institutions"]
    lldikti6 = "pintu_lldikti6:INSTITUTION"

naming an :class:`Institution`.  The setting ``INSTITUTION_KEY`` (environment
``PINTU_INSTITUTION_KEY``; ``INSTITUTION=lldikti6 make run`` sets it and the instance folder
``instance/lldikti6``) chooses the deployment's institution; the default is Politeknik Negeri
Jember with the ten built-in plugins.

Plugins of a distribution that an institution claims in ``packs`` are enabled only in that
institution's deployments; plugins no institution claims (a third-party plugin installed by the
ULT) are enabled everywhere, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Mapping

ENTRY_POINT_GROUP = "pintu.institutions"


@dataclass(frozen=True)
class Institution:
    """One institution a deployment can serve.

    ``key`` is the short name used by ``INSTITUTION_KEY`` and the instance folder; ``packs``
    the distribution names whose plugins form its catalog; ``settings`` default values for
    configuration keys (``INSTITUTION`` for the name, ``CONTACT_PHONE``, ``CONTACT_EMAIL``,
    ``BASE_URL``...) that the instance's ``config.py`` or the environment may still override;
    ``source`` the document its standards come from; ``catalog`` the :class:`pintu.ServicePack`
    of a pack declared as data (checked against the seed by the tests).
    """

    key: str
    name: str
    packs: tuple[str, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)
    source: str = ""
    catalog: object = None  # the pack's pintu.ServicePack, when its services are data


#: The default institution (seed 000): PINTU of Politeknik Negeri Jember and its ten services.
POLIJE = Institution(
    key="polije",
    name="Politeknik Negeri Jember",
    packs=tuple(f"pintu-{name}" for name in (
        "data-informasi", "gedung", "karis-karsu", "karpeg-hilang", "legalisir", "peliputan", "pengaduan",
        "pensiun-dini", "taspen", "wisata-edukasi")),
    settings={"INSTITUTION": "Politeknik Negeri Jember",
              "CONTACT_PHONE": "(0331) 333533 Ext. 160/221", "CONTACT_EMAIL": "pintu@polije.ac.id",
              # The letterhead of issued documents and receipts (pintu.standards.institution.letterhead).
              "INSTITUTION_PARENT": "Kementerian Pendidikan Tinggi, Sains, dan Teknologi",
              "INSTITUTION_ADDRESS": "Jalan Mastrip Kotak Pos 164 Jember 68101",
              "INSTITUTION_CITY": "Jember", "INSTITUTION_WEBSITE": "https://www.polije.ac.id",
              "SIGNERS": {"pimpinan": {"name": "", "position": "Direktur", "id_number": ""},
                          "petugas": {"name": "", "position": "Kepala Unit Layanan Terpadu", "id_number": ""},
                          "verifikator": {"name": "", "position": "Kepala Unit", "id_number": ""},
                          "admin": {"name": "", "position": "Administrator", "id_number": ""}}},
    source="PINTU (Pusat Informasi dan Layanan Terpadu) Politeknik Negeri Jember",
)


def normalise(dist_name: str) -> str:
    """A distribution name compared the way packaging does (``pintu_gedung`` == ``pintu-gedung``)."""
    return dist_name.lower().replace("_", "-").replace(".", "-")


@lru_cache(maxsize=1)
def _installed() -> tuple[Institution, ...]:
    # Entry points do not change while a process runs: scanned and loaded once (the app, its
    # config and its plugin registry all ask).
    return tuple(ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP))


def available() -> dict[str, Institution]:
    """Every institution installed: the default plus those declared by entry points."""
    return {POLIJE.key: POLIJE, **{institution.key: institution for institution in _installed()}}


def get(key: str | None) -> Institution:
    known = available()
    if not key:
        return POLIJE
    if key not in known:
        raise LookupError(f"unknown institution {key!r}; installed: {', '.join(sorted(known))}")
    return known[key]


def claimed_packs() -> set[str]:
    """The distributions some institution claims (enabled only in that institution's deployments)."""
    return {normalise(p) for inst in available().values() for p in inst.packs}
