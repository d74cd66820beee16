import pytest

from apps.orgs.models import Role
from tests.conftest import make_user
from tests.supplies.factories import ItemFactory, SiteFactory


@pytest.fixture
def world(tree):
    """Two streets of one district: staff of each, a reviewer of the district, sites, items."""
    t = tree
    staff = make_user(t["s1"], username="s1_staff")
    other_staff = make_user(t["s2"], username="s2_staff")
    reviewer = make_user(t["d1"], role=Role.DISTRICT_REVIEWER, username="d1_reviewer")
    site = SiteFactory(org_unit=t["s1"], code="S1-01", name="甲街道储备库")
    point = SiteFactory(org_unit=t["c1"], code="S1C1-01", name="甲一居委储备点", level="community")
    foreign = SiteFactory(org_unit=t["s2"], code="S2-01", name="乙街道储备库")
    water = ItemFactory(code="W1", name="瓶装饮用水", unit="箱", expires=True)
    bags = ItemFactory(code="B1", name="防汛沙袋", unit="只", category="flood")
    return {
        **t,
        "staff": staff,
        "other_staff": other_staff,
        "reviewer": reviewer,
        "site": site,
        "point": point,
        "foreign": foreign,
        "water": water,
        "bags": bags,
    }
