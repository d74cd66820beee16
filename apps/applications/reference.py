"""Reference data shipped with the app: the scoring standards of
fixtures/applications_standard.json (Django fixture format with natural keys, so ``loaddata``
works too): the portal's reconstruction of the Shanghai standard ("sh-2024") and of the national
scoring table ("cn-2020"), each with its basic conditions.

Used by the data migrations (with historical models) and by the demo data, so the standards exist
however the database was built. Idempotent: standards by code, conditions by (standard, order),
aspects by (standard, code), items by (aspect, order); rows that exist are never overwritten
(admins' edits are kept, and a used standard is frozen anyway). ``mark_shipped_metadata`` is
the one exception, for the migration that introduced the metadata: it sets, on the shipped rows
that exist, what an older fixture did not have (reconstruction flag, title, source, which facts
an aspect shows, which record proves an item) — none of it changes a score."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "applications_standard.json"


def _rows():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _known(model, fields):
    """The fields the (possibly historical) model has: an older migration's model lacks the
    columns added since, and those rows get them from the later migration."""
    names = {f.name for f in model._meta.get_fields()}
    return {name: value for name, value in fields.items() if name in names}


def ensure_standard(standard_model, aspect_model, item_model, condition_model=None):
    standards, aspects = {}, {}
    by_name = {
        "applications.standard": standard_model,
        "applications.aspect": aspect_model,
        "applications.item": item_model,
        "applications.condition": condition_model,
    }
    for row in _rows():
        model = row["model"]
        if by_name[model] is None:
            continue
        fields = _known(by_name[model], row["fields"])
        if model == "applications.standard":
            code = fields.pop("code")
            standards[code], _ = standard_model.objects.get_or_create(code=code, defaults=fields)
        elif model == "applications.condition":
            (standard_code,) = fields.pop("standard")
            order = fields.pop("order")
            condition_model.objects.get_or_create(
                standard=standards[standard_code], order=order, defaults=fields
            )
        elif model == "applications.aspect":
            (standard_code,) = fields.pop("standard")
            code = fields.pop("code")
            standard = standards[standard_code]
            aspects[(standard_code, code)], _ = aspect_model.objects.get_or_create(
                standard=standard, code=code, defaults=fields
            )
        elif model == "applications.item":
            standard_code, aspect_code = fields.pop("aspect")
            order = fields.pop("order")
            item_model.objects.get_or_create(
                aspect=aspects[(standard_code, aspect_code)], order=order, defaults=fields
            )


STANDARD_METADATA = ("title", "is_reconstruction", "source", "note")


def mark_shipped_metadata(standard_model, aspect_model, item_model):
    """Set the metadata of the shipped rows that exist (see the module docstring)."""
    for row in _rows():
        fields = row["fields"]
        model = row["model"]
        if model == "applications.standard":
            standard_model.objects.filter(code=fields["code"]).update(
                **{name: fields[name] for name in STANDARD_METADATA if name in fields}
            )
        elif model == "applications.aspect":
            aspect_model.objects.filter(
                standard__code=fields["standard"][0], code=fields["code"]
            ).update(facts=fields["facts"])
        elif model == "applications.item":
            standard_code, aspect_code = fields["aspect"]
            item_model.objects.filter(
                aspect__standard__code=standard_code,
                aspect__code=aspect_code,
                order=fields["order"],
            ).update(proof=fields.get("proof", ""))
