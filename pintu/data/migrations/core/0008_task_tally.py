"""0008: ``task_tally``, the per-queue counts of open tasks the inbox's tab counts add up.

* ``task_tally`` holds, per queue, assignee and due key, how many tasks there are; the engine
  keeps it with the tasks (:func:`pintu.engine.queues.sync`), and ``init-db`` rebuilds both
  (:func:`pintu.engine.queues.rebuild`). It is filled here from the tasks already filed.
* ``task (applicant, queue, assignee, due_key)``: a staff member's own open applications, which the counts subtract
  (nobody processes their own application).

The model is a frozen copy of ``pintu.data.models.TaskTally`` as of this step.
"""

from peewee import CharField, DateField, IntegerField, Model

from pintu.data.db import database


class TaskTally(Model):
    queue = CharField(max_length=160)
    assignee = IntegerField()
    due_key = DateField()
    n = IntegerField()

    class Meta:
        database = database
        table_name = "task_tally"
        indexes = ((("queue", "assignee", "due_key"), True),)


OWN = ("applicant", "queue", "assignee", "due_key")


def upgrade(step):
    db = step.database
    db.create_tables([TaskTally], safe=True)
    if "task" not in db.get_tables():
        return  # 0001 creates it
    if OWN not in {tuple(i.columns) for i in db.get_indexes("task")}:
        step.migrate(step.migrator.add_index("task", OWN, False))
    db.execute_sql("DELETE FROM task_tally")
    db.execute_sql("INSERT INTO task_tally (queue, assignee, due_key, n) "
                   "SELECT queue, assignee, due_key, COUNT(*) FROM task GROUP BY queue, assignee, due_key")
