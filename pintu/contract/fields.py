"""Form fields shared by services (so no plugin carries its own copy)."""

from __future__ import annotations

from wtforms import DateField


class TanggalField(DateField):
    """A date input with Indonesian messages: the browser's ISO format (``2026-08-17``) or the usual
    typing ``hh-bb-tttt`` / ``hh/bb/tttt``; an empty input is left to ``DataRequired``/``Optional``."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"])
        kwargs.setdefault("invalid_value_message", "Tanggal tidak valid. Gunakan format hh-bb-tttt, mis. 17-08-2026.")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
