from django.db import migrations


def load(apps, schema_editor):
    from apps.plans.reference import ensure_hazard_types

    ensure_hazard_types(apps.get_model("plans", "HazardType"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
