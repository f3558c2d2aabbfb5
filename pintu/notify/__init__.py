"""Telling people: notifications of each event, the mail queue and its delivery, and the secret links
inside queued mail."""
