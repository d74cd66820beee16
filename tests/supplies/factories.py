import datetime

import factory
from django.utils import timezone

from apps.supplies import services
from apps.supplies.models import Item, Site, SiteLevel, StorageMode


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试物资{n}")
    category = "living"
    unit = "件"
    expires = False


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"SITE-{n:04d}")
    name = factory.Sequence(lambda n: f"测试储备点{n}")
    level = SiteLevel.STREET
    mode = StorageMode.OWN
    keeper = "张三"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def stock(user, site, item, quantity, *, lot_no="", expiry_in=None):
    """Receive ``quantity`` through the service (so a movement exists); returns the lot."""
    expiry = days(expiry_in) if expiry_in is not None else None
    return services.receive(user, site, item, quantity, lot_no=lot_no, expiry_date=expiry)[0].lot
