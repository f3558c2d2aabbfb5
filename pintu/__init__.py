"""PINTU: Pusat Informasi dan Layanan Terpadu.

The names below are the documented API for plugin authors.
"""

from . import audit
from .catalog import ServicePack
from .formparts import Computed, conditional, repeated
from .hookspecs import hookimpl
from .institution import contact_text
from .institutions import Institution
from .services import (ANONYMOUS_FIELD, APPLICANT_CATEGORIES, DISPOSE, EXTERNAL, FINISH, FORWARD,
                       MANUFACTURING_COMPONENTS, NOT_SET, REFUSE, RETURN, ROLES, STATUSES, TIME_UNITS, Action,
                       Document, Duration, Fee, Party, Period, Requirement, Service, Step, approve, dispose, finish,
                       refuse, send_back, standard_steps)


#: The rest of the public API, imported on first use (so ``import pintu`` stays light and has no
#: import cycles): name -> (module, attribute).  Plugins import these from ``pintu`` and nothing
#: from its submodules except ``pintu.testing``.
_LAZY = {
    # local time and the working-day calendar of the institution (WIB, never the server's zone)
    "today": ("clock", "today"), "now": ("clock", "now"), "to_local": ("clock", "to_local"),
    "local_date": ("clock", "local_date"), "format_local": ("clock", "format_local"),
    "add_working_days": ("clock", "add_working_days"), "extra_holidays": ("clock", "extra_holidays"),
    # the engine: moving an application as an actor
    "WorkflowError": ("workflow", "WorkflowError"), "perform": ("workflow", "perform"),
    "cancel": ("workflow", "cancel"), "save_application": ("workflow", "save_application"),
    "answer_disposition": ("workflow", "answer_disposition"),
    "answerable_dispositions": ("workflow", "answerable_dispositions"),
    "pending_dispositions": ("workflow", "pending_dispositions"),
    # stored data
    "Application": ("models", "Application"), "Event": ("models", "Event"), "Upload": ("models", "Upload"),
    "Message": ("models", "Message"), "User": ("models", "User"), "BaseModel": ("models", "BaseModel"),
    "utcnow": ("models", "utcnow"), "database": ("db", "database"),
    # who may see what
    "application_or_404": ("access", "application_or_404"), "admin_required": ("access", "admin_required"),
    "staff_required": ("access", "staff_required"), "can_download": ("access", "can_download"),
    "identity_visible": ("access", "identity_visible"), "applicant_name": ("access", "applicant_name"),
    # files, messages, mail
    "current_upload": ("uploads", "current"), "check_upload": ("uploads", "check"),
    "upload_path": ("uploads", "path_of"), "post_message": ("messages", "post"),
    "queue_mail": ("notifications", "queue_mail"), "absolute_url": ("notifications", "absolute_url"),
    # forms
    "TanggalField": ("fields", "TanggalField"), "form_data": ("forms", "form_data"),
    # Indonesian dates in words (Babel): "25 November 2026", "November 2026", "Rabu"
    "tanggal": ("pdf", "tanggal"), "bulan_tahun": ("pdf", "bulan_tahun"), "nama_hari": ("pdf", "nama_hari"),
    # demo data (pintu_demo_data hooks)
    "demo_application": ("demo_support", "application"), "sample_pdf": ("demo_support", "sample_pdf"),
    "AsParty": ("demo_support", "AsParty"), "ServicePlugin": ("catalog", "ServicePlugin"),
}


def __getattr__(name):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'pintu' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


def create_app(overrides=None):
    """Create the Flask app (``flask --app pintu`` finds this)."""
    from .app import create_app as _create

    return _create(overrides)


__all__ = [
    "ANONYMOUS_FIELD", "APPLICANT_CATEGORIES", "DISPOSE", "Document", "Duration", "EXTERNAL", "FINISH",
    "MANUFACTURING_COMPONENTS", "NOT_SET", "Fee", "Party", "Period", "TIME_UNITS", "FORWARD", "REFUSE", "RETURN", "ROLES",
    "STATUSES", "Action", "Requirement", "Service", "Step", "approve", "audit", "contact_text", "create_app", "dispose", "finish",
    *_LAZY, "hookimpl", "Institution", "ServicePack", "Computed", "conditional", "repeated", "refuse", "send_back", "standard_steps",
]
