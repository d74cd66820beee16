"""Reference data shipped with the app: loaded by a data migration (so production has it) and
again by ``seed_demo`` (tests that flush the database lose migration data)."""

import json

from django.conf import settings

FIXTURE = settings.BASE_DIR / "fixtures" / "people_certificates.json"


def ensure_certificate_types(model):
    """Create the missing certificate types; never overwrite what admins changed."""
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        model.objects.get_or_create(
            name=row["fields"]["name"], defaults={"sort_order": row["fields"]["sort_order"]}
        )
