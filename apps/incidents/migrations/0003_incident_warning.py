# Incident.warning: the warning an incident comes of (apps.warnings.links keeps the rule).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_load_types"),
        ("warnings", "0002_warning_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="warning",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="incidents",
                to="warnings.warning",
                verbose_name="关联预警",
            ),
        ),
    ]
