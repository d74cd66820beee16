import datetime
import random

import factory

from apps.people.models import (
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    TeamMember,
    Visit,
    VulnerableResident,
)
from apps.people.validators import id_check_char

_rng = random.Random(20260101)


def make_id_number(birth=datetime.date(1950, 5, 17), sequence=123, area="310199"):
    """A valid, fictitious resident ID number (unassigned area code, computed check digit)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def make_phone():
    return f"139{_rng.randrange(10**8):08d}"


class EmergencyTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyTeam

    name = factory.Sequence(lambda n: f"应急队伍{n}")
    kind = EmergencyTeam.Kind.FIRST_RESPONSE


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(EmergencyTeamFactory)
    name = factory.Sequence(lambda n: f"队员{n}")
    phone = factory.LazyFunction(make_phone)


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationOfficer

    name = factory.Sequence(lambda n: f"信息员{n}")
    phone = factory.LazyFunction(make_phone)


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VulnerableResident

    name = factory.Sequence(lambda n: f"居民{n}")
    category = VulnerableResident.Category.ELDERLY
    address = factory.Sequence(lambda n: f"测试路{n}号")
    id_number = factory.Sequence(lambda n: make_id_number(sequence=n % 1000))
    phone = factory.LazyFunction(make_phone)


class HelperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelperAssignment

    resident = factory.SubFactory(ResidentFactory)
    helper_name = factory.Sequence(lambda n: f"帮扶人{n}")
    helper_phone = factory.LazyFunction(make_phone)
    relation = HelperAssignment.Relation.VOLUNTEER
    started_on = datetime.date(2025, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    resident = factory.SubFactory(ResidentFactory)
    visited_on = factory.LazyFunction(datetime.date.today)
    occasion = Visit.Occasion.ROUTINE
    visitor = "居委"
    findings = "情况良好"


class LeadershipGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipGroup

    name = factory.Sequence(lambda n: f"应急管理工作领导小组{n}")


class LeadershipMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipMember

    group = factory.SubFactory(LeadershipGroupFactory)
    post = LeadershipMember.Post.MEMBER
    name = factory.Sequence(lambda n: f"成员{n}")
    title = "街道办事处主任"
