import factory

from apps.orgs.models import OrgKind, OrgUnit, Role, User


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    kind = OrgKind.CITY
    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    parent = None
    population = 10000


def city(**kw):
    return OrgUnitFactory(kind=OrgKind.CITY, parent=None, **kw)


def child(parent, kind, **kw):
    return OrgUnitFactory(kind=kind, parent=parent, **kw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STREET_STAFF
    org_unit = factory.SubFactory(OrgUnitFactory)
    password = factory.django.Password("resilience-demo")
