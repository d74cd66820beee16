"""The risk points list's search by characters and character pairs (``apps.orgs.search``).
PostgreSQL only."""

from django.db import migrations

from apps.orgs.search import GramIndex

POINT_GRAMS = GramIndex(
    "riskpoint_search_grams", "hazards_riskpoint", ["name", "address", "responsible_person"]
)


class Migration(migrations.Migration):
    dependencies = [("hazards", "0007_unit_rows_index")]

    operations = [migrations.RunPython(POINT_GRAMS.create, POINT_GRAMS.drop)]
