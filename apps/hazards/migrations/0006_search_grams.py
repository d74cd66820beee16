"""The hazards list's search by characters and character pairs (``apps.orgs.search``) instead of
the four trigram indexes, which cannot serve a two-character Chinese term. PostgreSQL only."""

from django.db import migrations

from apps.orgs.search import GramIndex

TRIGRAM_INDEXES = {
    "hazard_title_trgm": "title",
    "hazard_description_trgm": "description",
    "hazard_address_trgm": "address",
    "hazard_resp_unit_trgm": "responsible_unit",
}
HAZARD_GRAMS = GramIndex(
    "hazard_search_grams",
    "hazards_hazard",
    ["title", "description", "address", "responsible_unit"],
)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON hazards_hazard "
                f"USING gin (UPPER({column}) gin_trgm_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_loop_rules_and_reporter")]

    operations = [
        migrations.RunPython(HAZARD_GRAMS.create, HAZARD_GRAMS.drop),
        migrations.RunPython(drop_trigram_indexes, add_trigram_indexes),
    ]
