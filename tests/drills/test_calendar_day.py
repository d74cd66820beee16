"""A district's calendar day holds dozens of drills: it shows the first few and links the
rest, as the drills list of that day."""

import datetime

from django.urls import reverse

from apps.drills.services import DRILLS_PER_DAY
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.drills.factories import DrillFactory

DAY = datetime.date(2026, 5, 12)


def test_a_full_day_shows_a_few_drills_and_links_the_rest(client, tree):
    for n in range(DRILLS_PER_DAY + 3):
        DrillFactory(org_unit=tree["c1" if n % 2 else "c2"], date=DAY, title=f"演练{n:02d}")
    DrillFactory(org_unit=tree["c1"], date=DAY + datetime.timedelta(days=1), title="次日演练")
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    page = client.get(reverse("drills:calendar"), {"month": "2026-05"})
    days = {d.date: d for week in page.context["weeks"] for d in week}
    assert len(days[DAY].drills) == DRILLS_PER_DAY
    assert days[DAY].more == 3
    assert f"{reverse('drills:list')}?day=2026-05-12" in page.content.decode()
    assert "另有 3 场" in page.content.decode()
    listed = client.get(reverse("drills:list"), {"day": "2026-05-12"})
    assert len(listed.context["page_obj"].object_list) == DRILLS_PER_DAY + 3
    assert "次日演练" not in listed.content.decode()


def test_a_bad_day_in_the_link_is_no_error(client, tree):
    DrillFactory(org_unit=tree["c1"], date=DAY)
    client.force_login(make_user(tree["s1"]))
    listed = client.get(reverse("drills:list"), {"day": "2026-13-40"})
    assert listed.status_code == 200
