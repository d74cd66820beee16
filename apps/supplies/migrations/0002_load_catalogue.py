"""Load the item catalogue (reference data) from fixtures/supplies_items.json.

Idempotent: items are matched by their code (the natural key); existing ones are left as the
admins edited them, missing ones are added. Reversing does nothing (admins may have used them).
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "supplies_items.json"


def load_catalogue(apps, schema_editor):
    Item = apps.get_model("supplies", "Item")
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = dict(row["fields"])
        code = fields.pop("code")
        Item.objects.get_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
