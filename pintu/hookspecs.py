"""The plugin contract: every hook PINTU calls, in one place.

A plugin is a Python distribution that declares an entry point in the group
``pintu`` (see the README's plugin guide)::

    [project.entry-points.pintu]
    legalisir = "pintu_legalisir"

The module (or object) the entry point names is registered with the app's
plugin manager; its functions decorated with :data:`pintu.hookimpl` and named
like the hooks below are called by the core.

Plugins import from ``pintu`` and ``pintu.testing`` only (a test in the core
checks the built-in plugins).  ``pintu`` exports the declarations
(:class:`pintu.Service` and its parts), the form parts (``conditional``,
``repeated``, ``Computed``, ``TanggalField``), local time and the institution's
calendar (``today``, ``now``, ``to_local``, ``add_working_days``...), the engine
(``perform``, ``cancel``, ``answer_disposition``...), the stored data
(``Application``, ``Event``, ``Upload``, ``BaseModel``, ``database``...), who may
see what (``can_download``, ``identity_visible``, ``application_or_404``,
``admin_required``), files, messages and mail (``current_upload``,
``check_upload``, ``post_message``, ``queue_mail``), the audit trail (``audit``)
and demo helpers (``demo_application``, ``sample_pdf``, ``AsParty``); the full
list is ``pintu.__all__``.

Every hook is optional.  Hooks that return something are called on every
plugin and their results collected in a list (pluggy's default); ``None``
results are skipped.  The hooks about one service (``pintu_validate_application``,
``pintu_before_transition``, ``pintu_after_transition``, ``pintu_application_panels``)
are called only on the plugin that declared that service, plus on plugins that declare
no service at all (cross-cutting plugins that want every event): an implementation never
needs to check ``service.slug``.  Each hook is called inside a Flask application
context, so ``flask.current_app`` is available.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("pintu")
hookimpl = pluggy.HookimplMarker("pintu")


@hookspec
def pintu_services():
    """Return the services this plugin contributes.

    Called once when the app is created (and by ``flask --app pintu plugins``).
    Return a list of :class:`pintu.Service`.  Slugs must be unique across all
    plugins; a duplicate stops the app from starting with a clear error.
    """


@hookspec
def pintu_units():
    """Return the organisational units this plugin's steps need.

    Called by ``flask --app pintu init-db`` and ``demo`` to make sure the units
    exist.  Return a list of ``(key, name)`` tuples, e.g.
    ``[("kepegawaian", "Subbagian Kepegawaian")]``.  Existing units are left
    untouched (an admin may have renamed them).
    """


@hookspec
def pintu_models():
    """Return extra peewee model classes this plugin stores.

    Models must use ``pintu.data.models.BaseModel`` as their base so that they live in
    the configured database.  Read by ``flask --app pintu init-db`` (never at app
    start): when the plugin declares no migrations (:func:`pintu_migrations`), its
    tables are created if missing and columns its models add are added; nothing is
    renamed or dropped.  A plugin that declares migrations creates its tables there.
    """


@hookspec
def pintu_migrations():
    """Return ``[(history, package)]``: this plugin's versioned schema migrations.

    ``history`` names the plugin's own migration history (its distribution name,
    e.g. ``"pintu-gedung"``); ``package`` is the dotted name of a package holding
    step modules ``0001_initial.py``, ``0002_booking_note.py``... each with a
    function ``upgrade(step)``.  ``step.database`` is the database,
    ``step.migrator`` a ``playhouse.migrate`` schema migrator for its backend,
    ``step.migrate(*operations)`` applies migrator operations
    (``step.migrator.add_column(...)``, ``rename_column``, ``drop_column``...) and
    ``step.create_missing(models)`` creates tables if missing.  Freeze the table
    definitions a step creates inside the step module (a copy of the fields, not
    an import of today's models), so a later change to the models becomes a later
    step.  ``flask --app pintu init-db`` runs, after the core's history, every
    step not recorded yet in the ``schema_migration`` table, each in its own
    transaction with its record; nothing runs at app start.
    """


@hookspec
def pintu_template_dirs():
    """Return directories holding this plugin's Jinja templates.

    Called once when the app is created.  Return a list of paths.  They are
    searched after the core's ``templates/`` folder, so name templates after
    the plugin (``legalisir/detail.html``) to avoid clashes.
    """


@hookspec
def pintu_blueprints():
    """Return Flask blueprints with extra pages of this plugin.

    Called once when the app is created.  Return a list of
    ``flask.Blueprint``.  The blueprints are registered as they are; protect
    their views with ``flask_login.login_required`` and the helpers in
    ``pintu.people.access``.
    """


@hookspec
def pintu_validate_application(service, data, applicant, application):
    """Check an application before it is submitted or resubmitted.

    Called on submit when every field is valid (the form's own checks and the
    service's declared ``validators`` found nothing wrong with a field; missing
    or refused files do not hold it back), on the plugin that declared ``service``.  ``data`` is the cleaned form data (dict),
    ``applicant`` the :class:`pintu.data.models.User`, ``application`` the
    :class:`pintu.data.models.Application` being resubmitted or ``None`` for a new
    one.  Return a dict of field name -> Indonesian message (``"__all__"`` for
    a general one); any message blocks the submission and nothing is saved.
    """


@hookspec
def pintu_before_transition(application, service, step, action, actor, note, files):
    """Veto a workflow action before it happens.

    Called inside the database transaction of every declared action (a staff
    action, or the applicant's action at an applicant step), before the
    application changes.  ``step`` and ``action`` are the declared
    :class:`pintu.Step` and :class:`pintu.Action`, ``actor`` the acting
    :class:`pintu.data.models.User`, ``note`` the note typed with it, ``files`` the documents
    uploaded with the action (requirement key -> checked upload with ``original_name``,
    ``size`` and ``sha256``; empty when none), so a veto can depend on them.  Called on
    the plugin that declared ``service``.  Return an
    Indonesian message to refuse the action (it is shown to the actor and
    nothing is changed), or ``None`` to allow it.
    """


@hookspec
def pintu_after_transition(application, service, event):
    """React to a workflow event after it has been recorded.

    Called inside the same transaction, after the application moved and the
    :class:`pintu.data.models.Event` was written (also for ``submitted``,
    ``resubmitted`` and ``cancelled`` events by the applicant).  Use it to
    update the plugin's own tables.  Raising aborts the whole action; sending
    mail here is wrong (the core already notifies).  Return value is ignored.
    """


@hookspec
def pintu_application_panels(application, service, viewer):
    """Return extra HTML panels for the application page.

    Called, on the plugin that declared ``service``, when an applicant or staff
    member views an application.  Return a list of
    ``(title, markup)`` tuples, where ``markup`` is a ``markupsafe.Markup``
    (render it with ``flask.render_template``).  ``viewer`` is the current user:
    show internal data only to staff (``viewer.is_staff``).  For a service
    declared with ``confidential_identity`` (see :class:`pintu.Service`), show
    anything that identifies the applicant only when
    ``pintu.people.access.identity_visible(viewer, application, service)`` is true
    (templates have ``identity_visible(application)`` and
    ``applicant_name(application)``); files go through
    ``pintu.people.access.can_download``.  A plugin route that serves a document of
    an application checks ``pintu.people.access.can_download`` (uploads) or
    ``application_or_404`` (generated documents) and records the download
    with ``pintu.data.audit.record("document.download", application, ...)``.
    """


@hookspec
def pintu_demo_data(applicants, staff):
    """Create demo applications for this plugin's services.

    Called by ``flask --app pintu demo`` after units and users exist.
    ``applicants`` maps applicant category -> :class:`pintu.data.models.User`;
    ``staff`` maps role or ``"verifikator:<unit>"`` -> User.  Use
    :func:`pintu.engine.workflow.create_application` and
    :func:`pintu.engine.workflow.perform` so that demo data goes through the same
    rules as real data.  Return value is ignored.
    """


@hookspec
def pintu_admin_links():
    """Return links to this plugin's administration pages.

    Called when an administrator's page menu is rendered.  Return a list of
    ``(label, endpoint)`` tuples, e.g. ``[("Gedung", "gedung.admin_list")]``;
    the endpoint is resolved with ``flask.url_for``.  Protect those views with
    ``pintu.people.access.admin_required``.
    """
