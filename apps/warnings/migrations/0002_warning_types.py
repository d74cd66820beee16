from django.db import migrations

from apps.warnings.reference import ensure_warning_types


def load(apps, schema_editor):
    ensure_warning_types(apps.get_model("warnings", "WarningType"))


class Migration(migrations.Migration):
    dependencies = [("warnings", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
