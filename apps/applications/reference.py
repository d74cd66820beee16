"""Reference data shipped with the app: the scoring standard of
fixtures/applications_standard.json (Django fixture format with natural keys, so ``loaddata``
works too).

Used by the data migration (with historical models) and by the demo data, so the standard exists
however the database was built. Idempotent: standards by code, aspects by (standard, code),
items by (aspect, order); rows that exist are never overwritten (admins' edits are kept, and a
used standard is frozen anyway)."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "applications_standard.json"


def ensure_standard(standard_model, aspect_model, item_model):
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    standards, aspects = {}, {}
    for row in rows:
        fields = dict(row["fields"])
        model = row["model"]
        if model == "applications.standard":
            code = fields.pop("code")
            standards[code], _ = standard_model.objects.get_or_create(code=code, defaults=fields)
        elif model == "applications.aspect":
            (standard_code,) = fields.pop("standard")
            code = fields.pop("code")
            standard = standards[standard_code]
            aspects[(standard_code, code)], _ = aspect_model.objects.get_or_create(
                standard=standard, code=code, defaults=fields
            )
        elif model == "applications.item":
            standard_code, aspect_code = fields.pop("aspect")
            order = fields.pop("order")
            item_model.objects.get_or_create(
                aspect=aspects[(standard_code, aspect_code)], order=order, defaults=fields
            )
