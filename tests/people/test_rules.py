"""Validators, masking and the service rules, on the small ``tree``."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from apps.orgs.models import OrgKind, Role
from apps.people import selectors, services
from apps.people.models import (
    AccessLog,
    EmergencyTeam,
    LeadershipGroup,
    LeadershipMember,
    TeamMember,
    VulnerableResident,
)
from apps.people.privacy import (
    can_see_identifiers,
    can_see_vulnerable,
    mask_id_number,
    mask_phone,
)
from apps.people.validators import id_check_char, validate_id_number, validate_mobile
from tests.conftest import make_user
from tests.factories import child
from tests.people.factories import (
    EmergencyTeamFactory,
    LeadershipGroupFactory,
    LeadershipMemberFactory,
    OfficerFactory,
    ResidentFactory,
    TeamMemberFactory,
    make_id_number,
)

# --- validators --------------------------------------------------------------------------------


def test_check_digit_follows_iso_7064():
    # The worked example of GB 11643: 11010519491231002 → X
    assert id_check_char("11010519491231002") == "X"
    validate_id_number("11010519491231002X")
    validate_id_number(make_id_number())


@pytest.mark.parametrize(
    "value,message",
    [
        ("110105194912310021", "校验位不正确"),
        ("11010519491231002", "应为 18 位"),
        ("1101051949123100X2", "应为 18 位"),
        (make_id_number()[:6] + "19490231" + "0021", "出生日期"),
        ("310199" + "29991231" + "1234", "出生日期"),
    ],
)
def test_bad_id_numbers_get_a_clear_chinese_message(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert message in " ".join(exc.value.messages)


@pytest.mark.parametrize("value", ["13812345678", "19912345678", "15000000000"])
def test_good_mobiles(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "021-62520000"])
def test_bad_mobiles(value):
    with pytest.raises(ValidationError, match="手机号码"):
        validate_mobile(value)


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("310105199001011234") == "310***********1234"
    assert mask_phone("") == "" and mask_id_number(None) == ""
    assert "19900101" not in mask_id_number("310105199001011234")


def test_values_are_normalised_before_validation(tree):
    resident = ResidentFactory.build(
        org_unit=tree["c1"],
        id_number=" " + make_id_number(datetime.date(1949, 12, 31), 2, area="110105")[:-1] + "x",
        phone="+86 138-1234-5678",
    )
    resident.full_clean()
    assert resident.id_number == "11010519491231002X"
    assert resident.phone == "13812345678"


# --- permissions -------------------------------------------------------------------------------


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="people", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # fresh: the permission cache is per instance


def test_permissions_are_explicit(tree):
    staff = make_user(tree["s1"])
    assert not can_see_identifiers(staff) and not can_see_vulnerable(staff)
    staff = grant(staff, "view_personal_identifiers", "view_vulnerable_resident")
    assert can_see_identifiers(staff) and can_see_vulnerable(staff)


def test_resident_services_need_the_permission(tree):
    staff = make_user(tree["s1"])
    resident = ResidentFactory.build(org_unit=tree["c1"])
    with pytest.raises(PermissionDenied):
        services.save_resident(staff, resident)
    staff = grant(staff, "view_vulnerable_resident")
    services.save_resident(staff, resident)
    assert resident.pk and resident.created_by == staff
    other = grant(make_user(tree["s2"]), "view_vulnerable_resident")
    with pytest.raises(PermissionDenied):
        services.record_visit(
            other,
            resident,
            visited_on=datetime.date.today(),
            occasion="routine",
            visitor="x",
            findings="x",
        )
    assert not resident.visits.exists()


def test_resident_must_live_in_a_community_or_estate(tree):
    staff = grant(make_user(tree["s1"]), "view_vulnerable_resident")
    with pytest.raises(ValidationError) as exc:
        services.save_resident(staff, ResidentFactory.build(org_unit=tree["s1"]))
    assert "org_unit" in exc.value.message_dict
    assert not VulnerableResident.objects.exists()


def test_a_visit_cannot_be_in_the_future(tree):
    staff = grant(make_user(tree["s1"]), "view_vulnerable_resident")
    resident = ResidentFactory(org_unit=tree["c1"])
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.record_visit(
            staff,
            resident,
            visited_on=datetime.date.today() + datetime.timedelta(days=1),
            occasion="typhoon",
            visitor="居委",
            findings="x",
        )


def test_helpers_are_assigned_and_ended(tree):
    staff = grant(make_user(tree["s1"]), "view_vulnerable_resident")
    resident = ResidentFactory(org_unit=tree["e1"])
    helper = services.assign_helper(
        staff,
        resident,
        helper_name="志愿者甲",
        helper_phone="139 1234 5678",
        relation="volunteer",
        started_on=datetime.date(2025, 3, 1),
    )
    assert helper.helper_phone == "13912345678" and helper.is_current
    services.end_helper(staff, helper, ended_on=datetime.date(2025, 9, 1))
    assert not helper.is_current
    with pytest.raises(ValidationError, match="已经结束"):
        services.end_helper(staff, helper)
    with pytest.raises(ValidationError, match="手机号码"):
        services.assign_helper(
            staff,
            resident,
            helper_name="乙",
            helper_phone="12345",
            relation="volunteer",
            started_on=datetime.date(2025, 3, 1),
        )
    assert resident.helpers.count() == 1


def test_record_access_writes_one_row_per_record(tree, rf):
    staff = make_user(tree["s1"])
    residents = ResidentFactory.create_batch(3, org_unit=tree["c1"])
    request = rf.get("/people/residents/export/", REMOTE_ADDR="10.1.2.3")
    assert services.record_access(staff, residents, action="export", request=request) == 3
    rows = AccessLog.objects.order_by("pk")
    assert [r.resident_id for r in rows] == [r.pk for r in residents]
    assert {(r.user_id, r.action, r.ip, r.org_unit_id) for r in rows} == {
        (staff.pk, "export", "10.1.2.3", tree["c1"].pk)
    }


# --- teams -------------------------------------------------------------------------------------


def test_a_team_has_one_leader(tree):
    staff = make_user(tree["s1"])
    team = EmergencyTeamFactory(org_unit=tree["c1"])
    leader = services.save_member(
        staff, TeamMember(team=team, name="队长甲", role="leader", phone="13800000001")
    )
    with pytest.raises(ValidationError) as exc:
        services.save_member(
            staff, TeamMember(team=team, name="队长乙", role="leader", phone="13800000002")
        )
    assert "队长甲" in str(exc.value.message_dict["role"])
    leader.role = "deputy"
    services.save_member(staff, leader)
    services.save_member(
        staff, TeamMember(team=team, name="队长乙", role="leader", phone="13800000002")
    )
    assert team.members.get(role="leader").name == "队长乙"
    team.refresh_from_db()
    assert team.updated_by == staff


def test_team_rules(tree):
    staff = make_user(tree["s1"])
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    with pytest.raises(PermissionDenied):
        services.save_team(reviewer, EmergencyTeam(org_unit=tree["s1"], name="x", kind="volunteer"))
    with pytest.raises(ValidationError) as exc:
        services.save_team(staff, EmergencyTeam(org_unit=tree["d1"], name="x", kind="volunteer"))
    assert "org_unit" in exc.value.message_dict
    services.save_team(staff, EmergencyTeam(org_unit=tree["s1"], name="甲队", kind="volunteer"))
    with pytest.raises(ValidationError, match="同名"):
        services.save_team(staff, EmergencyTeam(org_unit=tree["s1"], name="甲队", kind="volunteer"))
    assert EmergencyTeam.objects.count() == 1


def test_team_facts(tree):
    empty = EmergencyTeamFactory(org_unit=tree["s1"], kind="volunteer")
    assert not selectors.team_facts(tree["s1"])["has_team"]
    TeamMemberFactory.create_batch(3, team__org_unit=tree["c1"], team__kind="micro_fire")
    EmergencyTeamFactory(org_unit=tree["c1"], is_active=False)
    TeamMemberFactory(team__org_unit=tree["s2"])
    facts = selectors.team_facts(tree["s1"])
    # the empty team and three micro fire stations with one member each; not the inactive one
    # nor the other street's
    assert (facts["teams"], facts["members"], facts["staffed_teams"]) == (4, 3, 3)
    assert facts["has_team"] and facts["by_kind"]["micro_fire"] == 3
    assert facts["by_kind"]["volunteer"] == 1 and empty.kind == "volunteer"


# --- officers and leadership ---------------------------------------------------------------------


def test_officer_coverage_lists_estates_without_an_officer(tree):
    e2 = child(tree["c1"], OrgKind.ESTATE, code="S1C1E2", name="甲一苑")
    e3 = child(tree["c1"], OrgKind.ESTATE, code="S1C1E3", name="甲一新村")
    OfficerFactory(org_unit=tree["e1"])
    OfficerFactory(org_unit=e3, is_active=False)
    OfficerFactory(org_unit=tree["s1"])
    OfficerFactory(org_unit=child(tree["c2"], OrgKind.ESTATE, code="S2C1E1"))
    coverage = selectors.officer_coverage(tree["s1"])
    assert [e.code for e in coverage["uncovered"]] == [e2.code, e3.code]
    assert (coverage["estates"], coverage["covered"], coverage["rate"]) == (3, 1, 33)
    assert len(coverage["street_officers"]) == 1 and coverage["officers"] == 2
    assert [e.code for e in coverage["communities"][0]["estates"]] == ["S1C1E1", e2.code, e3.code]


def test_officer_coverage_query_count_is_constant(tree, django_assert_max_num_queries):
    for i in range(20):
        OfficerFactory(org_unit=child(tree["c1"], OrgKind.ESTATE, code=f"S1C1X{i}"))
    with django_assert_max_num_queries(3):
        selectors.officer_coverage(tree["s1"])


def test_leadership_present_needs_a_group_leader(tree):
    staff = make_user(tree["s1"])
    assert not selectors.leadership_facts(tree["s1"])["present"]
    group = services.save_leadership_group(
        staff, LeadershipGroup(org_unit=tree["s1"], name="甲街道应急管理工作领导小组")
    )
    LeadershipMemberFactory(group=group, post="office_director")
    assert not selectors.leadership_facts(tree["s1"])["present"]
    services.save_leadership_member(
        staff,
        LeadershipMember(group=group, post="leader", name="组长甲", title="街道办事处主任"),
    )
    facts = selectors.leadership_facts(tree["s1"])
    assert facts["present"] and facts["members"] == 2
    with pytest.raises(ValidationError, match="已有应急工作领导小组"):
        services.save_leadership_group(staff, LeadershipGroup(org_unit=tree["s1"], name="另一个"))
    with pytest.raises(ValidationError):
        services.save_leadership_group(staff, LeadershipGroup(org_unit=tree["e1"], name="小区"))
    assert LeadershipGroup.objects.count() == 1
    assert LeadershipGroupFactory._meta.model is LeadershipGroup
