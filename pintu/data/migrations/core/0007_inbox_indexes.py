"""0007: the staff inbox's task indexes for O(page) reads at any size.

* The ``since`` index of the queues also carries the due key, so the overdue tab sorted by
  waiting time walks it (covering) and stops after a page when overdue work is common
  (:func:`pintu.engine.queues.inbox`); it replaces ``(queue, since, application, applicant)``.
* The due-key index carries ``since`` too, so the same tab with few overdue tasks reads them
  through it (covering) and sorts them; it replaces ``(queue, due_key, application, applicant)``.
* One task per application and queue (unique): a user's queues of different services can then
  never list or count an application twice, so the inbox counts without DISTINCT. Duplicates an
  earlier ``rebuild`` could file (a disposition to the unit whose queue the step already is) are
  removed first.

Index columns are a frozen copy of ``pintu.data.models.Task``'s as of this step.
"""

REPLACED = [  # (old columns, new columns)
    (("queue", "since", "application_id", "applicant"), ("queue", "since", "application_id", "applicant", "due_key")),
    (("queue", "due_key", "application_id", "applicant"), ("queue", "due_key", "application_id", "applicant", "since")),
]
ONE_PER_QUEUE = ("application_id", "queue")


def upgrade(step):
    db, migrator = step.database, step.migrator
    if "task" not in db.get_tables():
        return  # 0001 creates it
    existing = {tuple(i.columns): i.name for i in db.get_indexes("task")}
    operations = []
    for old, new in REPLACED:
        if new not in existing:
            operations.append(migrator.add_index("task", new, False))
        if old in existing:
            operations.append(migrator.drop_index("task", existing[old]))
    if ONE_PER_QUEUE not in existing:
        db.execute_sql("DELETE FROM task WHERE id NOT IN (SELECT MIN(id) FROM task GROUP BY application_id, queue)")
        operations.append(migrator.add_index("task", ONE_PER_QUEUE, True))
    step.migrate(*operations)
