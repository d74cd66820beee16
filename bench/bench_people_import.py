"""Benchmark (not a test): import 10,000 information officers and 10,000 vulnerable residents.

Runs what the background import task runs — read the .xlsx, check the columns, the check (dry
run: validates, writes nothing), then the real import (every row written in bulk by
``apps.files.bulk``) — on a scratch database, several times, and prints the median of each
phase. The sheet names its units by code; the residents' ID and phone numbers are text cells
with valid check digits.

    .venv/bin/python bench/bench_people_import.py               # scratch SQLite in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_people \\
        .venv/bin/python bench/bench_people_import.py --runs 3 --only officers

The database named by DATABASE_URL is migrated and filled with bench data: never point it at a
real one (the default is bench_people.sqlite3 in the temp folder, created afresh).
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("officers", "residents")
COMMUNITIES = 20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(KINDS))
    args = parser.parse_args()

    scratch = Path(tempfile.gettempdir()) / "bench_people.sqlite3"
    if "DATABASE_URL" not in os.environ:
        scratch.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilience.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    for kind in args.only.split(","):
        sheet, user = prepare(args.rows, kind)
        print(f"{kind} import, {args.rows:,} rows, {connection.vendor}, {args.runs} runs")
        timings = {"read": [], "check": [], "import": []}
        for run in range(1, args.runs + 1):
            reset()
            result = once(sheet, user, kind, timings)
            print(
                f"  run {run}: read {timings['read'][-1]:.2f} s, check (dry run) "
                f"{timings['check'][-1]:.2f} s, import {timings['import'][-1]:.2f} s, {result}"
            )
        print("median:")
        for phase, values in timings.items():
            median = statistics.median(values)
            print(f"  {phase:<7} {median:7.2f} s  ({args.rows / median:,.0f} rows/s)")


def id_number(n):
    from apps.people.validators import id_check_char

    first17 = f"310105{1940 + n % 60:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def prepare(rows, kind):
    """One street with ``COMMUNITIES`` 居委, a staff user of the street (allowed to see the
    vulnerable residents), and the sheet (bytes) of ``kind``."""
    import openpyxl
    from django.contrib.auth.models import Permission

    from apps.orgs.models import OrgKind, OrgUnit, Role, User

    city, _ = OrgUnit.objects.get_or_create(
        code="PBENCH", defaults={"name": "基准市", "kind": OrgKind.CITY}
    )
    street, _ = OrgUnit.objects.get_or_create(
        code="PBENCH01", defaults={"name": "基准街道", "kind": OrgKind.STREET, "parent": city}
    )
    communities = [
        OrgUnit.objects.get_or_create(
            code=f"PBENCH01{i:03d}",
            defaults={"name": f"基准{i}居民区", "kind": OrgKind.COMMUNITY, "parent": street},
        )[0].code
        for i in range(COMMUNITIES)
    ]
    user, _ = User.objects.get_or_create(
        username="bench_people_staff", defaults={"org_unit": street, "role": Role.STREET_STAFF}
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=("view_vulnerable_resident", "view_personal_identifiers")
        )
    )
    user = User.objects.get(pk=user.pk)  # permissions cached afresh
    book = openpyxl.Workbook()
    sheet = book.active
    if kind == "officers":
        sheet.append(["所属单位编码", "姓名", "手机号码", "身份/所在单位", "聘任日期", "在岗"])
        for n in range(rows):
            sheet.append(
                [
                    communities[n % COMMUNITIES],
                    f"信息员{n:05d}",
                    f"139{n:08d}",
                    "楼组长",
                    f"2025-{1 + n % 12}-{1 + n % 28}",
                    "是" if n % 7 else "否",
                ]
            )
    else:
        sheet.append(
            [
                "所属单位编码",
                "姓名",
                "性别",
                "类别",
                "身份证号",
                "手机号码",
                "居住地址",
                "行动能力",
                "帮扶需求",
                "紧急联系人",
                "紧急联系人手机",
                "在册",
            ]
        )
        for n in range(rows):
            sheet.append(
                [
                    communities[n % COMMUNITIES],
                    f"居民{n:05d}",
                    "男" if n % 2 else "女",
                    ("老", "幼", "孤", "残", "其他")[n % 5],
                    id_number(n),
                    f"138{n:08d}",
                    f"基准路{n}号",
                    ("能自理", "半自理", "不能自理")[n % 3],
                    "汛期转移时需协助",
                    f"亲属{n:05d}",
                    f"137{n:08d}",
                    "是",
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), user


def reset():
    from apps.people.models import InformationOfficer, VulnerableResident

    InformationOfficer.objects.filter(org_unit__code__startswith="PBENCH").delete()
    VulnerableResident.objects.filter(org_unit__code__startswith="PBENCH").delete()


def resource_class(kind):
    from apps.people.resources import OfficerResource, ResidentResource

    return OfficerResource if kind == "officers" else ResidentResource


def once(sheet, user, kind, timings):
    from apps.files.spreadsheets import check_headers, read_dataset

    resource = resource_class(kind)
    start = time.perf_counter()
    dataset = read_dataset(sheet, f"{kind}.xlsx", resource=resource(user=user))
    check_headers(resource(user=user), dataset)
    timings["read"].append(time.perf_counter() - start)

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
                f"bench rows were refused in the {phase} phase: "
                f"{first.error_dict if first else result.row_errors()[:1]}"
            )
    model = resource._meta.model
    saved = model.objects.filter(org_unit__code__startswith="PBENCH").count()
    return f"{saved:,} {kind}"


if __name__ == "__main__":
    main()
