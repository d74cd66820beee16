# Event.warning and Event.incident replace the free-text origin_ref: an event names the warning
# and/or incident it answers, and the one its ``origin`` names must be set.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("response", "0001_initial"),
        ("incidents", "0003_incident_warning"),
        ("warnings", "0002_warning_types"),
    ]

    operations = [
        migrations.RemoveField(model_name="event", name="origin_ref"),
        migrations.AddField(
            model_name="event",
            name="warning",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="response_events",
                to="warnings.warning",
                verbose_name="关联预警",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="incident",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="response_events",
                to="incidents.incident",
                verbose_name="关联突发事件",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=~models.Q(origin="warning") | models.Q(warning__isnull=False),
                name="response_event_warning_named",
                violation_error_message="启动来源为预警时，须选择关联的预警。",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=~models.Q(origin="incident") | models.Q(incident__isnull=False),
                name="response_event_incident_named",
                violation_error_message="启动来源为突发事件报告时，须选择关联的突发事件。",
            ),
        ),
    ]
