"""Reference data shipped with the app (shelter types, classes, facilities): loaded by a data
migration (so production has it) and again by ``seed_demo`` (tests that flush the database lose
migration data). Admins edit it in Django admin; loading never overwrites their changes."""

import json

from django.conf import settings

FIXTURES = {
    "sheltertype": "shelters_types.json",
    "shelterclass": "shelters_classes.json",
    "facility": "shelters_facilities.json",
}


def ensure_reference_data(get_model):
    """Create the missing rows, looked up by name. ``get_model(name)`` returns the model (the
    migration passes its historical models)."""
    for model_name, filename in FIXTURES.items():
        model = get_model(model_name)
        path = settings.BASE_DIR / "fixtures" / filename
        for row in json.loads(path.read_text(encoding="utf-8")):
            fields = dict(row["fields"])
            model.objects.get_or_create(name=fields.pop("name"), defaults=fields)
