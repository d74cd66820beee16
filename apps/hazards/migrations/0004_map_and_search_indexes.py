from django.conf import settings
from django.db import migrations, models

# The hazards list searches these columns with ``icontains`` (``UPPER(col) LIKE UPPER('%q%')``
# on PostgreSQL). A trigram index on ``UPPER(col)`` answers that for terms of three characters
# or more instead of reading every hazard in scope. PostgreSQL only (pg_trgm); SQLite, the
# embedded default, goes without.
TRIGRAM_INDEXES = {
    "hazard_title_trgm": "title",
    "hazard_description_trgm": "description",
    "hazard_address_trgm": "address",
    "hazard_resp_unit_trgm": "responsible_unit",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON hazards_hazard "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0003_perf_indexes"),
        ("orgs", "0002_unit_centre"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(fields=["org_unit", "state", "found_on"], name="hazard_unit_state"),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    models.Q(("state", "closed"), _negated=True),
                    ("latitude__isnull", False),
                    ("longitude__isnull", False),
                ),
                fields=["org_unit"],
                include=("latitude", "longitude", "severity"),
                name="hazard_open_map",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(
                    models.Q(("state", "closed"), _negated=True),
                    ("latitude__isnull", False),
                    ("longitude__isnull", False),
                ),
                fields=["latitude", "longitude"],
                include=("org_unit", "severity"),
                name="hazard_open_map_box",
            ),
        ),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(
                condition=models.Q(
                    ("is_active", True), ("latitude__isnull", False), ("longitude__isnull", False)
                ),
                fields=["org_unit"],
                include=("latitude", "longitude", "level"),
                name="riskpoint_map",
            ),
        ),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(
                condition=models.Q(
                    ("is_active", True), ("latitude__isnull", False), ("longitude__isnull", False)
                ),
                fields=["latitude", "longitude"],
                include=("org_unit", "level"),
                name="riskpoint_map_box",
            ),
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes, elidable=True),
    ]
