"""The event board at city scale (``bench/run.py --only response``): the heaviest street's
overall plan activated, every available shelter of the street opened for the event and
10,000 people checked in across them (households, the elderly, children …); then the event
page and its polled JSON measured as the street's staff. Run in a rolled-back transaction."""

import itertools

from django.utils import timezone

from apps.plans.models import Plan
from apps.response import services
from apps.response.models import CheckIn, ShelterOperation
from apps.shelters.models import Shelter, ShelterStatus

PEOPLE = 10_000


def prepare(staff):
    street = staff.org_unit
    plan = Plan.objects.filter(org_unit=street, kind=Plan.Kind.OVERALL).first()
    shelters = list(
        Shelter.objects.filter(
            org_unit__path__startswith=street.path, status=ShelterStatus.AVAILABLE
        )
    )
    services.save_card_level(staff, plan, 2, trigger="台风红色预警", shelters=shelters, teams=[])
    event = services.open_event(staff, plan, level=2, title="台风Ⅱ级应急响应")
    operations = [
        services.open_shelter(staff, event, shelter, hard_limit=False) for shelter in shelters
    ]
    now = timezone.now()
    places = itertools.cycle(operations)
    check_ins = [
        CheckIn(
            operation=next(places),
            name=f"居民{n}",
            household_size=1 + n % 4,
            elderly=int(n % 5 == 0),
            children=int(n % 7 == 0),
            checked_in_at=now,
            checked_out_at=now if n % 10 == 0 else None,
            created_by=staff,
        )
        for n in range(PEOPLE)
    ]
    CheckIn.objects.bulk_create(check_ins, batch_size=5000)
    for operation in operations:
        present = operation.check_ins.filter(checked_out_at__isnull=True).count()
        ShelterOperation.objects.filter(pk=operation.pk).update(occupancy=present, peak=present)
    return event, len(operations)
