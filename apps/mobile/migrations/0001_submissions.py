import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("hazards", "0005_loop_rules_and_reporter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Submission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.UUIDField(verbose_name="上报编号")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="收到时间")),
                (
                    "hazard",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="hazards.hazard",
                        verbose_name="隐患",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="上报人",
                    ),
                ),
            ],
            options={
                "verbose_name": "移动端上报",
                "verbose_name_plural": "移动端上报",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key",),
                        name="mobile_submission_key_unique",
                        violation_error_message="该上报已收到。",
                    )
                ],
            },
        ),
    ]
