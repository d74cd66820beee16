from django.db import migrations


def load(apps, schema_editor):
    from apps.shelters.reference import ensure_reference_data

    ensure_reference_data(lambda name: apps.get_model("shelters", name))


class Migration(migrations.Migration):
    dependencies = [("shelters", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
