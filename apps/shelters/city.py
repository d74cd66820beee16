"""City-scale 避难场所 for ``seed_city``: shelters in the communities and (three times as likely)
the streets, each with its facilities and one inspection, the next one due six months later."""

import datetime
from decimal import Decimal

from django.core.management.base import CommandError

from .models import Facility, Shelter, ShelterClass, ShelterInspection, ShelterType

SHELTERS = 3_000  # at scale 1.0


def seed(city):
    types = list(ShelterType.objects.values_list("pk", "name"))
    classes = list(ShelterClass.objects.values_list("pk", flat=True))
    facilities = list(Facility.objects.values_list("pk", flat=True))
    if not (types and classes):
        raise CommandError("No shelter types or classes: run the migrations first.")
    rng = city.rng
    shelters = city.w.table(
        Shelter,
        [
            "org_unit",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "name",
            "setting",
            "shelter_type",
            "shelter_class",
            "address",
            "latitude",
            "longitude",
            "total_area",
            "effective_area",
            "capacity",
            "managing_unit",
            "contact_name",
            "contact_phone",
            "status",
            "next_inspection_date",
            "notes",
        ],
    )
    inspections = city.w.table(
        ShelterInspection,
        [
            "shelter",
            "inspected_on",
            "inspector",
            "result",
            "findings",
            "next_inspection_date",
            "created_at",
            "created_by",
        ],
    )
    links = city.w.table(Shelter.facilities.through, ["shelter", "facility"])
    units = [c for c, _s in city.communities] + [s[0] for s in city.streets] * 3
    for i in range(city.scaled(SHELTERS)):
        unit = rng.choice(units)
        type_pk, type_name = rng.choice(types)
        total = Decimal(rng.randint(1_000, 40_000))
        effective = (total * Decimal(rng.uniform(0.5, 0.95))).quantize(Decimal("0.01"))
        last = city.days_ago(0, 200)
        nxt = last + datetime.timedelta(days=180)
        lat, lon = city.near(unit, 0.02)
        staff = city.staff_of[city.street_of[unit]]
        pk = shelters.add(
            *city.scoped(unit, city.days_ago(300, 1500)),
            f"{type_name}避难场所{i + 1}",
            "outdoor" if rng.random() < 0.6 else "indoor",
            type_pk,
            rng.choice(classes),
            f"某路{rng.randint(1, 2000)}号",
            lat,
            lon,
            total,
            effective,
            int(effective / 2),
            "街道办事处",
            city.person(),
            city.phone(),
            "available" if rng.random() < 0.95 else "maintenance",
            nxt,
            "",
        )
        inspections.add(pk, last, city.person(), "passed", "", nxt, city.stamp(last), staff)
        for f in rng.sample(facilities, min(4, len(facilities))):
            links.add(pk, f)
