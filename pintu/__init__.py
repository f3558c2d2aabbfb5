"""PINTU: Pusat Informasi dan Layanan Terpadu.

The names below are the documented API for plugin authors.
"""

from pintu.data import audit
from pintu.contract.catalog import ServicePack
from pintu.contract.formparts import Computed, conditional, repeated
from pintu.hookspecs import hookimpl
from pintu.standards.institution import contact_text
from pintu.contract.institutions import Institution
from pintu.contract.services import (ANONYMOUS_FIELD, APPLICANT_CATEGORIES, DISPOSE, EXTERNAL, FINISH, FORWARD,
                                     MANUFACTURING_COMPONENTS, NOT_SET, REFUSE, RETURN, ROLES, STATUSES, TIME_UNITS,
                                     Action, Document, Duration, Fee, Party, Period, Requirement, Service, Step,
                                     approve, dispose, finish, refuse, send_back, standard_steps)


#: The rest of the public API, imported on first use (so ``import pintu`` stays light and has no
#: import cycles): name -> (module, attribute).  Plugins import these from ``pintu`` and nothing
#: from its submodules except ``pintu.testing``.
_LAZY = {
    # local time and the working-day calendar of the institution (WIB, never the server's zone)
    "today": ("engine.clock", "today"), "now": ("engine.clock", "now"), "to_local": ("engine.clock", "to_local"),
    "local_date": ("engine.clock", "local_date"), "format_local": ("engine.clock", "format_local"),
    "add_working_days": ("engine.clock", "add_working_days"), "extra_holidays": ("engine.clock", "extra_holidays"),
    # the engine: moving an application as an actor
    "WorkflowError": ("engine.workflow", "WorkflowError"), "perform": ("engine.workflow", "perform"),
    "cancel": ("engine.workflow", "cancel"), "save_application": ("engine.workflow", "save_application"),
    "answer_disposition": ("engine.workflow", "answer_disposition"),
    "answerable_dispositions": ("engine.dispositions", "answerable"),
    "pending_dispositions": ("engine.dispositions", "pending"),
    # stored data
    "Application": ("data.models", "Application"), "Event": ("data.models", "Event"),
    "Upload": ("data.models", "Upload"), "Message": ("data.models", "Message"), "User": ("data.models", "User"),
    "BaseModel": ("data.models", "BaseModel"),
    "utcnow": ("data.models", "utcnow"), "database": ("data.db", "database"),
    # who may see what
    "application_or_404": ("people.access", "application_or_404"),
    "admin_required": ("people.access", "admin_required"),
    "staff_required": ("people.access", "staff_required"), "can_download": ("people.access", "can_download"),
    "identity_visible": ("people.access", "identity_visible"), "applicant_name": ("people.access", "applicant_name"),
    # files, messages, mail
    "current_upload": ("data.uploads", "current"), "check_upload": ("data.uploads", "check"),
    "upload_path": ("data.uploads", "path_of"), "post_message": ("engine.messages", "post"),
    "queue_mail": ("notify.notifications", "queue_mail"), "absolute_url": ("notify.notifications", "absolute_url"),
    # forms
    "TanggalField": ("contract.fields", "TanggalField"), "form_data": ("web.forms", "form_data"),
    # Indonesian dates in words (Babel): "25 November 2026", "November 2026", "Rabu"
    "tanggal": ("output.pdf", "tanggal"), "bulan_tahun": ("output.pdf", "bulan_tahun"),
    "nama_hari": ("output.pdf", "nama_hari"),
    # demo data (pintu_demo_data hooks)
    "demo_application": ("demo.support", "application"), "sample_pdf": ("demo.support", "sample_pdf"),
    "AsParty": ("demo.support", "AsParty"), "ServicePlugin": ("contract.catalog", "ServicePlugin"),
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
    from pintu.app import create_app as _create

    return _create(overrides)


__all__ = [
    "ANONYMOUS_FIELD", "APPLICANT_CATEGORIES", "DISPOSE", "Document", "Duration", "EXTERNAL", "FINISH",
    "MANUFACTURING_COMPONENTS", "NOT_SET", "Fee", "Party", "Period", "TIME_UNITS", "FORWARD", "REFUSE", "RETURN", "ROLES",
    "STATUSES", "Action", "Requirement", "Service", "Step", "approve", "audit", "contact_text", "create_app", "dispose", "finish",
    *_LAZY, "hookimpl", "Institution", "ServicePack", "Computed", "conditional", "repeated", "refuse", "send_back", "standard_steps",
]
