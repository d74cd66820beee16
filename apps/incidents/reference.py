"""Reference data shipped with the app: the incident types of fixtures/incidents_types.json (the
five categories 火灾、自然灾害、事故灾难、公共卫生、社会安全 and their sub-types).

Used by the data migration (with the historical model) and by the demo data. Idempotent: looked
up by code; an admin's later edits of names or order are kept."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "incidents_types.json"


def ensure_types(model):
    # categories come before their sub-types in the fixture, so a parent always exists
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = row["fields"]
        parent = fields["parent"] and model.objects.get(code=fields["parent"][0])
        model.objects.get_or_create(
            code=fields["code"],
            defaults={
                "name": fields["name"],
                "parent": parent or None,
                "is_natural_disaster": fields["is_natural_disaster"],
                "order": fields["order"],
                "is_active": fields["is_active"],
            },
        )
