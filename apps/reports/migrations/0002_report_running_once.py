from django.conf import settings
from django.db import migrations, models


def fail_duplicate_running(apps, schema_editor):
    """Before the constraint: of identical requests still running, keep the oldest and mark
    the others failed (they were double clicks)."""
    ReportRequest = apps.get_model("reports", "ReportRequest")
    seen = set()
    duplicates = []
    running = ReportRequest.objects.filter(state__in=["queued", "running"]).order_by("pk")
    for pk, user_id, kind, params in running.values_list("pk", "requested_by_id", "kind", "params"):
        key = (user_id, kind, repr(sorted((params or {}).items())))
        if key in seen:
            duplicates.append(pk)
        seen.add(key)
    ReportRequest.objects.filter(pk__in=duplicates).update(
        state="failed", error="重复的报表申请，已合并。"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_frontline_roles_and_grids"),
        ("reports", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fail_duplicate_running, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reportrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["queued", "running"])),
                fields=("requested_by", "kind", "params"),
                name="report_running_once",
                violation_error_message="相同参数的报表正在生成，请稍候。",
            ),
        ),
    ]
