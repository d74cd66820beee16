import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.hazards.models import (
    Hazard,
    HazardAction,
    HazardCategory,
    HazardEvent,
    HazardState,
    RiskLevel,
    RiskPoint,
    Severity,
)
from apps.hazards.reference import ensure_categories


def category(code="corridor-clutter"):
    ensure_categories(HazardCategory)  # transactional tests flush the migration's rows
    return HazardCategory.objects.get(code=code)


class RiskPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskPoint

    name = factory.Sequence(lambda n: f"风险点{n}")
    category = factory.LazyFunction(category)
    level = RiskLevel.ORANGE
    address = "测试路 1 号"
    latitude = factory.Sequence(lambda n: f"31.{200000 + n:06d}")
    longitude = factory.Sequence(lambda n: f"121.{400000 + n:06d}")
    next_inspection_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class HazardFactory(factory.django.DjangoModelFactory):
    """A hazard written straight into a state (with its 发现 event); tests of the loop itself
    go through the services."""

    class Meta:
        model = Hazard
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"隐患{n}")
    category = factory.LazyFunction(category)
    severity = Severity.GENERAL
    found_by = "网格员"
    found_on = factory.LazyFunction(timezone.localdate)
    state = HazardState.REPORTED
    latitude = factory.Sequence(lambda n: f"31.{210000 + n:06d}")
    longitude = factory.Sequence(lambda n: f"121.{410000 + n:06d}")

    @factory.post_generation
    def reported(obj, create, extracted, **kwargs):
        if create and obj.created_by_id:
            HazardEvent.objects.create(
                hazard=obj,
                action=HazardAction.REPORT,
                to_state=HazardState.REPORTED,
                actor=obj.created_by,
            )


def png(name="现场.png", color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
