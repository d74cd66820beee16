"""Benchmark (not a test): import 10,000 stock rows with the supplies import.

Runs what the background import task runs — read the .xlsx, check the columns, the dry run
(the preview), then the real import — on a scratch database, several times, and prints the
median of each phase. The rows are applied together by ``services.set_lot_balances`` (one
locking query, bulk writes).

    .venv/bin/python bench/bench_supplies_import.py               # scratch SQLite in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_supplies \\
        .venv/bin/python bench/bench_supplies_import.py --runs 3

The database named by DATABASE_URL is migrated and filled with bench data: never point it at a
real one (the default is bench_supplies.sqlite3 in the temp folder, created afresh).
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    scratch = Path(tempfile.gettempdir()) / "bench_supplies.sqlite3"
    if "DATABASE_URL" not in os.environ:
        scratch.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilience.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    sheet, user = prepare(args.rows)
    print(
        f"supplies stock import, {args.rows:,} rows, {connection.vendor}, "
        f"{args.runs} runs (Python {sys.version.split()[0]}, "
        f"import max rows {settings.IMPORT_MAX_ROWS:,})"
    )
    timings = {"read": [], "check": [], "import": []}
    for run in range(1, args.runs + 1):
        reset()
        result = once(sheet, user, timings)
        print(
            f"  run {run}: read {timings['read'][-1]:.2f} s, check (dry run) "
            f"{timings['check'][-1]:.2f} s, import {timings['import'][-1]:.2f} s, "
            f"{result}"
        )
    print("median:")
    for phase, values in timings.items():
        median = statistics.median(values)
        print(f"  {phase:<7} {median:7.2f} s  ({args.rows / median:,.0f} rows/s)")


def prepare(rows):
    """One street with 50 sites, the catalogue, a staff user, and the sheet (bytes)."""
    import openpyxl

    from apps.orgs.models import OrgKind, OrgUnit, Role, User
    from apps.supplies.models import Item, Site

    city, _ = OrgUnit.objects.get_or_create(
        code="BENCH", defaults={"name": "基准市", "kind": OrgKind.CITY}
    )
    street, _ = OrgUnit.objects.get_or_create(
        code="BENCH01", defaults={"name": "基准街道", "kind": OrgKind.STREET, "parent": city}
    )
    user, _ = User.objects.get_or_create(
        username="bench_staff", defaults={"org_unit": street, "role": Role.STREET_STAFF}
    )
    sites = []
    for i in range(50):
        site, _ = Site.objects.get_or_create(
            code=f"BENCH01-{i:02d}",
            defaults={"org_unit": street, "name": f"基准储备点{i}", "level": "street"},
        )
        sites.append(site.code)
    items = list(Item.objects.values_list("code", "expires"))
    book = openpyxl.Workbook()
    book.active.append(["储备点编码", "物资编码", "批次号", "有效期至", "库存数量"])
    expiry = datetime.date.today() + datetime.timedelta(days=365)
    for n in range(rows):
        code, expires = items[n % len(items)]
        site = sites[(n // len(items)) % len(sites)]
        book.active.append(
            [site, code, f"L{n:05d}", expiry.isoformat() if expires else None, 1 + n % 500]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), user


def reset():
    from apps.supplies.models import Lot, Movement

    Movement.objects.filter(site__code__startswith="BENCH01-").delete()
    Lot.objects.filter(site__code__startswith="BENCH01-").delete()


def once(sheet, user, timings):
    from apps.files.spreadsheets import check_headers, read_dataset
    from apps.supplies.models import Lot
    from apps.supplies.resources import LotImportResource

    start = time.perf_counter()
    dataset = read_dataset(sheet, "库存.xlsx")
    check_headers(LotImportResource(user=user), dataset)
    timings["read"].append(time.perf_counter() - start)

    for phase, dry_run in (("check", True), ("import", False)):
        start = time.perf_counter()
        result = LotImportResource(user=user).import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        timings[phase].append(time.perf_counter() - start)
        if result.has_errors() or result.has_validation_errors():
            raise SystemExit(f"bench rows were refused in the {phase} phase")
    lots = Lot.objects.filter(site__code__startswith="BENCH01-").count()
    return f"{lots:,} lots"


def baseline(sheet, user):
    """The floor the import is compared with: the same rows' lots and receipts written by a
    plain ``bulk_create`` (no reading, checking, locking or history). Seconds."""
    from apps.files.spreadsheets import read_dataset
    from apps.supplies.models import Item, Lot, Movement, MovementKind, Site

    dataset = read_dataset(sheet, "库存.xlsx")
    sites = {s.code: s for s in Site.objects.filter(code__startswith="BENCH01-")}
    items = {i.code: i for i in Item.objects.all()}
    start = time.perf_counter()
    lots = Lot.objects.bulk_create(
        Lot(
            site=sites[row[0]],
            item=items[row[1]],
            lot_no=row[2],
            expiry_date=row[3] or None,
            quantity=row[4],
            created_by=user,
            updated_by=user,
        )
        for row in dataset
    )
    Movement.objects.bulk_create(
        Movement(
            site=lot.site,
            voucher="BENCH",
            kind=MovementKind.RECEIVE,
            item=lot.item,
            lot=lot,
            quantity_change=lot.quantity,
            balance_after=lot.quantity,
            created_by=user,
            updated_by=user,
        )
        for lot in lots
    )
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
