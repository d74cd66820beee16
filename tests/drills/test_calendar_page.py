"""The calendar page reads the first few drills of each day and the day's count, by the
scope's unit ids: the same grid as listing every drill, in a constant number of queries."""

import datetime

from django.urls import reverse

from apps.drills import services
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.drills.factories import DrillFactory


def test_a_busy_day_shows_the_first_drills_and_how_many_more(
    client, tree, django_assert_max_num_queries
):
    day = datetime.date(2026, 5, 12)
    busy = [
        DrillFactory(org_unit=tree["c1" if n % 2 else "s1"], date=day, title=f"演练{n}")
        for n in range(services.DRILLS_PER_DAY + 2)
    ]
    DrillFactory(org_unit=tree["s1"], date=day + datetime.timedelta(days=1), title="次日演练")
    other = DrillFactory(org_unit=tree["s2"], date=day, title="乙街道的演练")
    client.force_login(make_user(tree["d1"], role=Role.DISTRICT_REVIEWER))
    client.get(reverse("drills:calendar"), {"month": "2026-05"})
    with django_assert_max_num_queries(6) as few:
        response = client.get(reverse("drills:calendar"), {"month": "2026-05"})
    days = {d.date: d for week in response.context["weeks"] for d in week}
    that_day = sorted(d.pk for d in [*busy, other])  # the district sees both streets
    assert [d.pk for d in days[day].drills] == that_day[: services.DRILLS_PER_DAY]
    assert days[day].more == len(that_day) - services.DRILLS_PER_DAY
    assert [d.title for d in days[day + datetime.timedelta(days=1)].drills] == ["次日演练"]
    assert days[day + datetime.timedelta(days=1)].more == 0
    DrillFactory.create_batch(5, org_unit=tree["c1"], date=day + datetime.timedelta(days=2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("drills:calendar"), {"month": "2026-05"})

    street = make_user(tree["s2"])
    client.force_login(street)
    response = client.get(reverse("drills:calendar"), {"month": "2026-05"})
    days = {d.date: d for week in response.context["weeks"] for d in week}
    assert [d.title for d in days[day].drills] == ["乙街道的演练"]
    assert days[day].more == 0
