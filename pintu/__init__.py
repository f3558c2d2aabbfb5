"""PINTU: Pusat Informasi dan Layanan Terpadu.

The names below are the documented API for plugin authors.
"""

from . import audit
from .institution import contact_text
from .hookspecs import hookimpl
from .services import (ANONYMOUS_FIELD, APPLICANT_CATEGORIES, DISPOSE, EXTERNAL, FINISH, FORWARD,
                       MANUFACTURING_COMPONENTS, NOT_SET, REFUSE, RETURN, ROLES, STATUSES, TIME_UNITS, Action,
                       Duration, Party, Requirement, Service, Step, approve, dispose, finish, refuse, send_back,
                       standard_steps)


def create_app(overrides=None):
    """Create the Flask app (``flask --app pintu`` finds this)."""
    from .app import create_app as _create

    return _create(overrides)


__all__ = [
    "ANONYMOUS_FIELD", "APPLICANT_CATEGORIES", "DISPOSE", "Duration", "EXTERNAL", "FINISH",
    "MANUFACTURING_COMPONENTS", "NOT_SET", "Party", "TIME_UNITS", "FORWARD", "REFUSE", "RETURN", "ROLES",
    "STATUSES", "Action", "Requirement", "Service", "Step", "approve", "audit", "contact_text", "create_app", "dispose",
    "finish",
    "hookimpl", "refuse", "send_back", "standard_steps",
]
