"""Reference data shipped with the app: the warning types (预警种类) of
fixtures/warnings_types.json, loaded by the data migration (with the historical model) and by the
demo data. Idempotent: looked up by code; an admin's later edits of names or order are kept."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "warnings_types.json"


def ensure_warning_types(model):
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = row["fields"]
        model.objects.get_or_create(
            code=fields["code"],
            defaults={
                "name": fields["name"],
                "order": fields["order"],
                "is_active": fields["is_active"],
            },
        )
