from django.db import migrations


def load(apps, schema_editor):
    from apps.applications.reference import ensure_standard

    ensure_standard(
        apps.get_model("applications", "Standard"),
        apps.get_model("applications", "Aspect"),
        apps.get_model("applications", "Item"),
    )


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
