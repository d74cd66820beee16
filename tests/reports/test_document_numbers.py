"""整改通知书 numbers as government documents write them — street abbreviation, 〔year〕 and a
per-street yearly sequence (华街隐整〔2026〕17号), not the database id: each street counts from 1
each year, a record keeps its number when its notice is generated again, and numbers taken at
the same moment never repeat."""

import threading

import pytest
from django.db import connection, connections

from apps.orgs.models import OrgKind
from apps.reports.kinds import KINDS
from apps.reports.models import DocumentNumber, ReportRequest
from apps.reports.numbers import issue_number, street_abbreviation
from tests.conftest import make_user
from tests.factories import OrgUnitFactory
from tests.hazards.factories import HazardFactory


@pytest.mark.parametrize(
    "name, short",
    [("华阳路街道", "华街"), ("陆家嘴街道", "陆街"), ("川沙新镇", "川镇"), ("某某乡", "某乡")],
)
def test_the_street_abbreviation_is_its_first_character_and_its_kind(name, short):
    assert street_abbreviation(OrgUnitFactory.build(name=name, kind=OrgKind.STREET)) == short


@pytest.mark.django_db
def test_each_street_counts_from_one_each_year_and_a_record_keeps_its_number(tree):
    s1, s2 = tree["s1"], tree["s2"]  # 甲街道, 乙街道

    def number(street, pk, year=2026):
        return issue_number("hazard_notice", street, pk, word="隐整", year=year)

    assert number(s1, 101) == "甲街隐整〔2026〕1号"
    assert number(s1, 102) == "甲街隐整〔2026〕2号"
    assert number(s2, 103) == "乙街隐整〔2026〕1号"
    assert number(s1, 101) == "甲街隐整〔2026〕1号"  # generated again: the same number
    assert number(s1, 104, year=2027) == "甲街隐整〔2027〕1号"
    assert DocumentNumber.objects.count() == 4


@pytest.mark.django_db
def test_the_notice_carries_the_number_not_the_database_id(tree):
    staff = make_user(tree["s1"])
    hazard = HazardFactory(org_unit=tree["c1"], created_by=staff, responsible_unit="甲一居委")
    request = ReportRequest.objects.create(
        kind="hazard_notice",
        params={"hazard": hazard.pk},
        title="通知书",
        org_unit=tree["c1"],
        requested_by=staff,
    )
    context = KINDS["hazard_notice"].build(request)
    assert context["number"].startswith("甲街隐整〔") and context["number"].endswith("〕1号")
    assert KINDS["hazard_notice"].build(request)["number"] == context["number"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_numbers_taken_at_the_same_moment_never_repeat(tree):
    barrier = threading.Barrier(4)
    found = [None] * 4

    def run(i):
        try:
            barrier.wait(timeout=10)
            found[i] = issue_number("hazard_notice", tree["s1"], 500 + i, word="隐整", year=2026)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            found[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(found) == [f"甲街隐整〔2026〕{n}号" for n in (1, 2, 3, 4)], found
