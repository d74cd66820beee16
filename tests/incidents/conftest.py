import datetime

import pytest
from django.utils import timezone

from apps.incidents import services
from apps.incidents.models import IncidentType, ZeroReportPeriod
from apps.orgs.models import Role
from tests.conftest import make_user

ELEMENTS = {
    "nature": "电动自行车充电引发火灾",
    "impact": "3 单元 1—6 层",
    "casualties": "无人员伤亡",
    "trend": "明火已扑灭",
    "measures": "疏散居民 36 人",
}
FIGURES = {
    "affected_people": 120,
    "relocated_people": 30,
    "relief_needed_people": 10,
    "collapsed_houses": 0,
    "damaged_houses": 4,
    "direct_loss": 12,
}
# A fixed clock: 10:00 Shanghai time on a June day.
NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 10, 0))


@pytest.fixture
def people(tree):
    """The six roles of the matrix on the small tree, plus the front line of 甲一居委."""
    return {
        "staff": make_user(tree["s1"]),
        "other_staff": make_user(tree["s2"]),
        "reviewer": make_user(tree["d1"], Role.DISTRICT_REVIEWER),
        "other_reviewer": make_user(tree["d2"], Role.DISTRICT_REVIEWER),
        "community": make_user(tree["c1"], Role.COMMUNITY_STAFF),
        "officer": make_user(tree["e1"], Role.INFO_OFFICER),
    }


@pytest.fixture
def fire_type(db):
    return IncidentType.objects.get(code="fire-residential")


@pytest.fixture
def flood_type(db):
    return IncidentType.objects.get(code="flood")


@pytest.fixture
def file_initial(tree, fire_type):
    """File a 初报 (at 甲一居委, a fire at 09:50 by default) with the clock at NOW."""

    def _file(user, **changes):
        values = {
            "unit": tree["c1"],
            "title": "甲一小区火灾",
            "incident_type": fire_type,
            "level": "4",
            "occurred_at": NOW - datetime.timedelta(minutes=10),
            "address": "甲一小区 12 号楼",
            "source": "居民报告",
            "now": NOW,
            **ELEMENTS,
        }
        return services.file_initial_report(user, **(values | changes))

    return _file


def report_values(incident):
    return {
        "event_time": incident.occurred_at,
        "place": incident.address,
        "source": "街道核实",
        **ELEMENTS,
    }


@pytest.fixture
def flood_season(tree, people):
    """汛期 over 一区, in force on NOW's day, 16:00 deadline."""
    return ZeroReportPeriod.objects.create(
        org_unit=tree["d1"],
        name="2026年汛期",
        start_date=datetime.date(2026, 6, 1),
        end_date=datetime.date(2026, 9, 30),
    )
