from decimal import Decimal

import factory

from apps.shelters.models import (
    Setting,
    Shelter,
    ShelterClass,
    ShelterStatus,
    ShelterType,
)


class ShelterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shelter

    name = factory.Sequence(lambda n: f"社区避难点{n}")
    setting = Setting.OUTDOOR
    shelter_type = factory.LazyFunction(lambda: ShelterType.objects.get(name="公园绿地"))
    shelter_class = factory.LazyFunction(lambda: ShelterClass.objects.get(name="Ⅲ类"))
    address = "测试路1号"
    total_area = Decimal("2000")
    effective_area = Decimal("1200")
    capacity = 600
    managing_unit = "居委会"
    status = ShelterStatus.AVAILABLE
