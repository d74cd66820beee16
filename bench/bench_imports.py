"""Benchmark (not a test): 10,000 rows through each of the other imports, on the city data set.

Used by ``bench/run.py --only imports``. For each import, the sheet is what a clerk would upload
after downloading the street's ledger: the heaviest street's own records exported by the same
resource, repeated as new records (each name or code made unique) up to 10,000 rows, phone
columns filled with valid numbers (the export masks them). Then the import task's phases run as
in ``bench_people_import``: read, check (writes nothing), import (bulk). The stock, officer and
resident imports have their own benches.
"""

import io
import time
from importlib import import_module

KINDS = {
    "hazards": "apps.hazards.resources.HazardResource",
    "risk_points": "apps.hazards.resources.RiskPointResource",
    "shelters": "apps.shelters.resources.ShelterResource",
    "sites": "apps.supplies.resources.SiteResource",
    "catalogue": "apps.supplies.resources.ItemResource",
}
NAMES = {
    "hazards": "hazard",
    "risk_points": "risk point",
    "shelters": "shelter",
    "sites": "supply site",
    "catalogue": "catalogue item",
}
# identity columns that say where or when, not which: kept as exported
PLACE_FIELDS = {"org_unit", "found_on", "site", "item"}


def resource_class(kind):
    module, name = KINDS[kind].rsplit(".", 1)
    return getattr(import_module(module), name)


def prepare(rows, kind, staff):
    """The sheet (bytes) of ``kind`` and the user who imports it: the street's staff, or an
    admin for the catalogue (reference data)."""
    import openpyxl

    from apps.orgs.models import Role, User

    user = staff
    if kind == "catalogue":
        user = User.objects.create(username="bench-imports-admin", role=Role.ADMIN)
    resource = resource_class(kind)(user=user)
    model = resource._meta.model
    manager = model._default_manager
    queryset = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
    exported = resource.export(queryset=queryset.order_by("pk")[:rows])
    if not len(exported):
        raise SystemExit(f"no {kind} in scope to export")
    headers = list(exported.headers)
    renamed = [
        headers.index(str(resource.fields[name].column_name))
        for name in resource._meta.import_id_fields
        if name not in PLACE_FIELDS
    ]
    phones = [i for i, h in enumerate(headers) if "电话" in h or "手机" in h]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for n in range(rows):
        row = list(exported[n % len(exported)])
        for i in renamed:
            row[i] = f"{row[i]}{n:05d}"
        for i in phones:
            row[i] = f"139{n:08d}"
        sheet.append(["" if v is None else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), user


def once(sheet, user, kind, timings):
    from apps.files.spreadsheets import check_headers, read_dataset

    resource = resource_class(kind)
    start = time.perf_counter()
    dataset = read_dataset(sheet, f"{kind}.xlsx", resource=resource(user=user))
    check_headers(resource(user=user), dataset)
    timings["read"].append(time.perf_counter() - start)
    model = resource._meta.model
    before = model._default_manager.count()
    for phase, dry_run in (("check", True), ("import", False)):
        start = time.perf_counter()
        result = resource(user=user).import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        timings[phase].append(time.perf_counter() - start)
        if result.has_errors() or result.has_validation_errors():
            first = (result.invalid_rows or [None])[0]
            raise SystemExit(
                f"{kind}: bench rows were refused in the {phase} phase: "
                f"{first.error_dict if first else result.row_errors()[:1]}"
            )
    return f"{model._default_manager.count() - before:,} new"
