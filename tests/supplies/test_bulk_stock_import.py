"""The stock import applies its rows in bulk (``services.set_lot_balances``) after checking
each one: the result is the same as one ``set_lot_balance`` per row — one movement per lot
change, stock equal to the movement history, all or nothing — in a constant number of
queries."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from apps.files.models import ImportJob
from apps.supplies import services
from apps.supplies.models import Lot, Movement, MovementKind
from tests.supplies.factories import stock
from tests.supplies.test_imports import STOCK_HEADER, confirm, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_on_commit")]


def ledger_agrees():
    for lot in Lot.objects.all():
        moved = lot.movements.aggregate(s=Sum("quantity_change"))["s"] or 0
        if moved != lot.quantity:
            return False
    return True


def test_bulk_is_the_same_as_row_by_row(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="OLD")
    rows = [
        (w["site"], w["bags"], 30, "OLD", None),  # existing lot: 盘点调整 +20
        (w["site"], w["bags"], 5, "NEW", None),  # new lot: 入库 5
        (w["site"], w["bags"], 7, "NEW", None),  # the same new lot again: 盘点调整 +2
        (w["point"], w["bags"], 0, "ZERO", None),  # nothing to record
        (w["site"], w["bags"], 30, "OLD", None),  # unchanged: nothing
    ]
    moves = services.set_lot_balances(w["staff"], rows, note="导入")
    assert [(m.kind, m.quantity_change, m.balance_after) for m in moves] == [
        (MovementKind.ADJUST, 20, 30),
        (MovementKind.RECEIVE, 5, 5),
        (MovementKind.ADJUST, 2, 7),
    ]
    assert dict(Lot.objects.values_list("lot_no", "quantity")) == {"OLD": 30, "NEW": 7}
    assert not Lot.objects.filter(lot_no="ZERO").exists()
    assert ledger_agrees()


def test_bulk_refuses_everything_when_one_row_is_wrong(world):
    w = world
    stock(w["staff"], w["site"], w["bags"], 10, lot_no="OLD")
    before = Movement.objects.count()
    for bad in (
        (w["foreign"], w["bags"], 5, "X", None),  # another street's site
        (w["site"], w["water"], 5, "X", None),  # shelf life, no expiry date
        (w["site"], w["bags"], -1, "X", None),  # negative
    ):
        with pytest.raises((ValidationError, PermissionError, Exception)):
            services.set_lot_balances(w["staff"], [(w["site"], w["bags"], 99, "OLD", None), bad])
    assert Movement.objects.count() == before
    assert Lot.objects.get(lot_no="OLD").quantity == 10


def test_bulk_queries_do_not_grow_with_the_rows(world, django_assert_max_num_queries):
    w = world
    rows = [(w["site"], w["bags"], n + 1, f"L{n}", None) for n in range(300)]
    with django_assert_max_num_queries(20):  # SQLite splits bulk inserts into small batches
        services.set_lot_balances(w["staff"], rows)
    assert Lot.objects.count() == 300 and Movement.objects.count() == 300
    assert ledger_agrees()


def test_the_same_lot_twice_in_one_file_is_refused_with_both_lines(client, world):
    w = world
    client.force_login(w["staff"])
    rows = [STOCK_HEADER, ["S1-01", "B1", "A", None, 10], ["S1-01", "B1", "A", None, 4]]
    job = upload(client, "import_stock", rows)
    assert job.state == ImportJob.State.INVALID
    [error] = job.report["errors"]
    assert error["line"] == 3 and error["column"] == "储备点编码"
    assert "与第 2 行重复" in error["message"] and "第 3 行" in error["message"]
    assert not Lot.objects.exists() and not Movement.objects.exists()


def test_the_same_lot_with_another_expiry_in_one_file_is_reported_on_its_row(client, world):
    w = world
    client.force_login(w["staff"])
    rows = [
        STOCK_HEADER,
        ["S1-01", "W1", "A", "2099-01-01", 10],
        ["S1-01", "W1", "A", "2098-01-01", 4],
    ]
    job = upload(client, "import_stock", rows)
    assert job.state == ImportJob.State.INVALID
    [error] = job.report["errors"]
    assert error["line"] == 3 and "与第 2 行重复" in error["message"]
    assert not Lot.objects.exists()


def test_new_lot_at_an_inactive_site_is_reported_on_its_row(client, world):
    w = world
    w["site"].is_active = False
    w["site"].save()
    client.force_login(w["staff"])
    job = upload(client, "import_stock", [STOCK_HEADER, ["S1-01", "B1", "A", None, 10]])
    assert job.state == ImportJob.State.INVALID
    [error] = job.report["errors"]
    assert error["line"] == 2 and "已停用" in error["message"]
    assert not Lot.objects.exists()


def test_an_error_of_the_bulk_save_is_reported_and_imports_nothing(client, world, monkeypatch):
    w = world
    client.force_login(w["staff"])

    def refuse(*args, **kwargs):
        raise ValidationError("该批次正被他人同时登记，请稍后重试。")

    rows = [STOCK_HEADER, ["S1-01", "B1", "A", None, 10]]
    job = upload(client, "import_stock", rows)
    assert job.state == ImportJob.State.READY
    monkeypatch.setattr(services, "set_lot_balances", refuse)
    job = confirm(client, job)
    assert job.state != ImportJob.State.DONE
    assert not Lot.objects.exists() and not Movement.objects.exists()


def _import(user, rows, *, dry_run):
    from tablib import Dataset

    from apps.supplies.resources import LotImportResource

    dataset = Dataset(*rows, headers=STOCK_HEADER)
    return LotImportResource(user=user).import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_queries_do_not_grow_with_the_rows(world, dry_run, django_assert_max_num_queries):
    """Sites and items are read once per file, rows get no savepoint each and are written in
    bulk: 40 rows cost no more queries than 4."""
    w = world

    def rows(n, prefix):
        return [
            ("S1-01" if i % 2 else "S1C1-01", "B1", f"{prefix}{i}", None, i + 1) for i in range(n)
        ]

    with django_assert_max_num_queries(30) as few:
        result = _import(w["staff"], rows(4, "A"), dry_run=dry_run)
    assert not result.has_errors() and not result.has_validation_errors()
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = _import(w["staff"], rows(40, "B"), dry_run=dry_run)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Lot.objects.count() == (0 if dry_run else 44)
    assert Movement.objects.count() == (0 if dry_run else 44)


def test_import_reports_blank_and_unknown_codes_on_their_rows(world):
    w = world
    result = _import(
        w["staff"],
        [
            ("S1-01", "B1", "A", None, 1),
            ("  ", "B1", "A", None, 1),  # line 3: blank site code
            ("S1-01", "", "A", None, 1),  # line 4: blank item code
            ("S2-01", "B1", "A", None, 1),  # line 5: another street's site
            (" S1-01 ", " B1 ", "C", None, 1),  # spaces around codes are fine
        ],
        dry_run=True,
    )
    errors = {row.number + 1: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {3, 4, 5}
    assert [str(m) for m in errors[3]["site"]] == ["请填写储备点编码。"]
    assert [str(m) for m in errors[4]["item"]] == ["请填写物资编码。"]
    assert "不存在或不在您可查看的范围内" in str(errors[5]["site"][0])
    assert not Lot.objects.exists()
