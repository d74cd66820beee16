from django.db import migrations


def load(apps, schema_editor):
    from apps.people.reference import ensure_certificate_types

    ensure_certificate_types(apps.get_model("people", "CertificateType"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
