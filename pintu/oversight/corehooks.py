"""The core's own implementations of plugin hooks (registered by :mod:`pintu.contract.plugins` under the
name ``pintu-core``; not a plugin, left out of ``flask --app pintu plugins``)."""

from __future__ import annotations

from pintu.oversight import rollup, targets
from pintu.hookspecs import hookimpl


@hookimpl
def pintu_after_transition(application, service, event):
    """Inside the transaction of every change, after its write: the due date of a service without a
    standard time (:mod:`pintu.oversight.targets`) and the dashboard's daily rollup (:mod:`pintu.oversight.rollup`)."""
    targets.set_internal_due_date(application, service, event)
    rollup.on_event(application, application.service, event)
