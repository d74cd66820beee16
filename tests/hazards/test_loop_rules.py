"""The loop as a district audits it (HazardLoopSettings, one row per district, defaults on):
整改完成 needs an after-photo; 核查销号 is done by another person than the one who marked 整改完成;
reports of grid workers and information officers may go straight to 交办; the finder is a user
where there is one; community staff take the delegated steps (整改) in their community only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.hazards import services
from apps.hazards.models import HazardAction, HazardLoopSettings, HazardState, Severity
from apps.orgs.models import Grid, Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, category, png


@pytest.fixture
def people(tree):
    grid = Grid.objects.create(community=tree["c1"], name="第一网格")
    grid.estates.set([tree["e1"]])
    return {
        "staff": make_user(tree["s1"]),
        "checker": make_user(tree["s1"]),
        "community": make_user(tree["c1"], role=Role.COMMUNITY_STAFF),
        "other_community": make_user(tree["c2"], role=Role.COMMUNITY_STAFF),
        "grid_worker": make_user(tree["c1"], role=Role.GRID_WORKER, grid=grid),
        "officer": make_user(tree["e1"], role=Role.INFO_OFFICER),
    }


def rules(tree, **values):
    return HazardLoopSettings.objects.create(district=tree["d1"], **values)


def in_progress(tree, people):
    return HazardFactory(
        org_unit=tree["e1"], state=HazardState.IN_PROGRESS, created_by=people["staff"]
    )


def test_the_defaults_are_on_except_direct_assignment(tree):
    defaults = HazardLoopSettings.for_unit(tree["e1"])
    assert defaults.pk is None
    assert defaults.photo_required and defaults.separate_verifier
    assert not defaults.trusted_direct_assign


def test_a_districts_rules_apply_to_its_units_only(tree):
    mine = rules(tree, photo_required=False)
    assert HazardLoopSettings.for_unit(tree["e1"]) == mine
    assert HazardLoopSettings.for_unit(tree["s3"]).pk is None


def test_rectification_is_not_complete_without_an_after_photo(tree, people):
    hazard = in_progress(tree, people)
    with pytest.raises(ValidationError) as error:
        services.complete_rectification(people["staff"], hazard, note="已清理")
    assert error.value.message_dict == {"photos": ["整改完成须上传至少一张整改后照片。"]}
    hazard.refresh_from_db()
    assert hazard.state == HazardState.IN_PROGRESS and hazard.events.count() == 1


def test_a_district_may_drop_the_after_photo(tree, people):
    rules(tree, photo_required=False)
    hazard = services.complete_rectification(people["staff"], in_progress(tree, people))
    assert hazard.state == HazardState.AWAITING_CHECK


def test_the_person_who_completed_may_not_verify(tree, people):
    hazard = in_progress(tree, people)
    services.complete_rectification(people["staff"], hazard, photos=[png()])
    with pytest.raises(ValidationError) as error:
        services.verify_hazard(people["staff"], hazard, note="核查通过")
    assert "核查销号须由标记整改完成以外的人进行" in error.value.messages[0]
    hazard.refresh_from_db()
    assert hazard.state == HazardState.AWAITING_CHECK
    # nor after a failed check and a second completion by them
    services.reopen_hazard(people["checker"], hazard, note="仍有杂物")
    services.complete_rectification(people["staff"], hazard, photos=[png()])
    with pytest.raises(ValidationError):
        services.verify_hazard(people["staff"], hazard)
    services.verify_hazard(people["checker"], hazard, note="核查通过")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED


def test_a_district_may_let_the_same_person_verify(tree, people):
    rules(tree, separate_verifier=False)
    hazard = in_progress(tree, people)
    services.complete_rectification(people["staff"], hazard, photos=[png()])
    assert services.verify_hazard(people["staff"], hazard).state == HazardState.CLOSED


def report(user, unit):
    return services.report_hazard(
        user, org_unit=unit, title="飞线充电", category=category(), severity=Severity.GENERAL
    )


@pytest.mark.parametrize("who", ["grid_worker", "officer"])
def test_trusted_reports_go_straight_to_assignment_where_the_district_says_so(tree, people, who):
    rules(tree, trusted_direct_assign=True, direct_assign_days=3)
    hazard = report(people[who], tree["e1"])
    assert hazard.state == HazardState.ASSIGNED
    assert hazard.responsible_unit == tree["c1"].name
    assert hazard.deadline == timezone.localdate() + timedelta(days=3)
    assert list(hazard.events.values_list("action", flat=True)) == ["report", "assign"]


def test_without_the_rule_trusted_reports_wait_for_street_staff(tree, people):
    assert report(people["grid_worker"], tree["e1"]).state == HazardState.REPORTED


def test_street_staff_reports_are_never_assigned_on_report(tree, people):
    rules(tree, trusted_direct_assign=True)
    assert report(people["staff"], tree["c1"]).state == HazardState.REPORTED


def test_the_finder_is_a_user_where_there_is_one(tree, people):
    assert report(people["grid_worker"], tree["e1"]).reported_by == people["grid_worker"]
    named = services.report_hazard(
        people["staff"],
        org_unit=tree["c1"],
        title="楼道堆物",
        category=category(),
        severity=Severity.GENERAL,
        found_by="物业巡查员老王",
    )
    assert named.reported_by is None and named.found_by == "物业巡查员老王"


def test_the_front_line_reports_in_its_scope_only(tree, people):
    with pytest.raises(PermissionDenied):
        report(people["grid_worker"], tree["c1"])  # the community, not a 小区 of the grid
    with pytest.raises(PermissionDenied):
        report(people["community"], tree["c2"])


def test_community_staff_rectify_their_communitys_hazards(tree, people):
    hazard = HazardFactory(
        org_unit=tree["e1"], state=HazardState.ASSIGNED, created_by=people["staff"]
    )
    actions = {t.action for t in services.allowed_actions(people["community"], hazard)}
    assert actions == {HazardAction.START}
    services.start_rectification(people["community"], hazard)
    services.complete_rectification(people["community"], hazard, photos=[png()])
    for user in (people["other_community"], people["grid_worker"], people["officer"]):
        assert services.allowed_actions(user, hazard) == []
    with pytest.raises(PermissionDenied):
        services.verify_hazard(people["community"], hazard)
    services.verify_hazard(people["staff"], hazard)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED


def test_community_staff_neither_assign_nor_act_elsewhere(tree, people):
    new = HazardFactory(org_unit=tree["e1"], created_by=people["staff"])
    with pytest.raises(PermissionDenied):
        services.assign_hazard(
            people["community"],
            new,
            responsible_unit="物业",
            deadline=timezone.localdate() + timedelta(days=3),
        )
    elsewhere = HazardFactory(org_unit=tree["c2"], state=HazardState.ASSIGNED)
    with pytest.raises(PermissionDenied):
        services.start_rectification(people["community"], elsewhere)
