"""How an application moves: the workflow, dispositions, parties outside the office, the staff
queues, the working-day clock, timelines, messages and hand-over."""
