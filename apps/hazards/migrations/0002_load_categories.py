"""Load the hazard categories named in the street documents (fixtures/hazards_categories.json).
Idempotent: looked up by code; an admin's later edits of names or order are kept."""

from django.db import migrations

from apps.hazards.reference import ensure_categories


def load(apps, schema_editor):
    ensure_categories(apps.get_model("hazards", "HazardCategory"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
