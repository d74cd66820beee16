"""Load the incident types (fixtures/incidents_types.json). Idempotent: looked up by code; an
admin's later edits of names or order are kept."""

from django.db import migrations

from apps.incidents.reference import ensure_types


def load(apps, schema_editor):
    ensure_types(apps.get_model("incidents", "IncidentType"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
