import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_user_large_text"),
        ("reports", "0002_report_running_once"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentNumber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="文书类型")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="记录编号")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("sequence", models.PositiveIntegerField(verbose_name="序号")),
                ("text", models.CharField(max_length=60, verbose_name="文号")),
                ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="编号时间")),
                (
                    "street",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.orgunit",
                        verbose_name="街道/镇",
                    ),
                ),
            ],
            options={
                "verbose_name": "文书编号",
                "verbose_name_plural": "文书编号",
                "ordering": ["street", "kind", "-year", "-sequence"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"),
                        name="document_number_per_record",
                        violation_error_message="该记录已有文书编号。",
                    ),
                    models.UniqueConstraint(
                        fields=("kind", "street", "year", "sequence"),
                        name="document_number_unique",
                        violation_error_message="该文号已被使用。",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DocumentSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40, verbose_name="文书类型")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("last", models.PositiveIntegerField(default=0, verbose_name="已编至")),
                (
                    "street",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.orgunit",
                        verbose_name="街道/镇",
                    ),
                ),
            ],
            options={
                "verbose_name": "文书编号序列",
                "verbose_name_plural": "文书编号序列",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "street", "year"),
                        name="document_sequence_once",
                        violation_error_message="该街道该年度已有此类文书的编号序列。",
                    )
                ],
            },
        ),
    ]
