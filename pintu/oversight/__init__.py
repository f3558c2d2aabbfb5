"""Keeping the office on time: reminders and escalation, internal targets, the dashboard and its
rollup, staff search and exports, and walk-in intake at the counter."""
