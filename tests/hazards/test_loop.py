"""The closed loop: every allowed and forbidden transition, roles, recorded events."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.hazards import services
from apps.hazards.models import (
    TRANSITIONS,
    Hazard,
    HazardAction,
    HazardEvent,
    HazardPhoto,
    HazardState,
    Severity,
)
from apps.orgs.models import Role
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory, category, png

ALLOWED = {
    (HazardAction.ASSIGN, HazardState.REPORTED): HazardState.ASSIGNED,
    (HazardAction.START, HazardState.ASSIGNED): HazardState.IN_PROGRESS,
    (HazardAction.COMPLETE, HazardState.IN_PROGRESS): HazardState.AWAITING_CHECK,
    (HazardAction.VERIFY, HazardState.AWAITING_CHECK): HazardState.CLOSED,
    (HazardAction.REOPEN, HazardState.AWAITING_CHECK): HazardState.IN_PROGRESS,
}
ALL_PAIRS = [(a, s) for a in TRANSITIONS for s in HazardState.values]


def values_for(action):
    if action == HazardAction.ASSIGN:
        return {
            "responsible_unit": "物业公司",
            "deadline": timezone.localdate() + timedelta(days=10),
        }
    if action == HazardAction.REOPEN:
        return {"note": "核查未通过"}
    if action == HazardAction.COMPLETE:
        return {"photos": [png("后.png")]}
    return {}


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"])


def test_the_transition_table_is_the_documented_loop():
    table = {(a, s): t.target for a, t in TRANSITIONS.items() for s in t.sources}
    assert table == ALLOWED


@pytest.mark.parametrize(("action", "state"), ALL_PAIRS)
def test_every_transition_is_allowed_only_from_its_state(tree, staff, action, state):
    hazard = HazardFactory(org_unit=tree["c1"], state=state, created_by=staff)
    before = HazardEvent.objects.count()
    if (action, state) in ALLOWED:
        services.transition_hazard(staff, hazard, action, **values_for(action))
        hazard.refresh_from_db()
        assert hazard.state == ALLOWED[(action, state)]
        event = hazard.events.last()
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            action,
            state,
            ALLOWED[(action, state)],
            staff,
        )
        assert HazardEvent.objects.count() == before + 1
    else:
        with pytest.raises(ValidationError, match="不能执行"):
            services.transition_hazard(staff, hazard, action, **values_for(action))
        hazard.refresh_from_db()
        assert hazard.state == state
        assert HazardEvent.objects.count() == before


@pytest.mark.parametrize(("action", "state"), list(ALLOWED))
def test_reviewers_and_other_streets_may_not_move_a_hazard(tree, staff, action, state):
    hazard = HazardFactory(org_unit=tree["c1"], state=state, created_by=staff)
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    other_street = make_user(tree["s2"])
    city_viewer = make_user(tree["sh"], role=Role.CITY_VIEWER)
    for user in (reviewer, other_street, city_viewer):
        with pytest.raises(PermissionDenied):
            services.transition_hazard(user, hazard, action, **values_for(action))
        assert services.allowed_actions(user, hazard) == []
    hazard.refresh_from_db()
    assert hazard.state == state
    assert hazard.events.count() == 1


def test_allowed_actions_follow_the_table(tree, staff):
    hazard = HazardFactory(org_unit=tree["c1"], state=HazardState.AWAITING_CHECK)
    actions = {t.action for t in services.allowed_actions(staff, hazard)}
    assert actions == {HazardAction.VERIFY, HazardAction.REOPEN}
    hazard.state = HazardState.CLOSED
    assert services.allowed_actions(staff, hazard) == []


def test_the_full_loop_with_a_failed_check(tree, staff):
    hazard = services.report_hazard(
        staff,
        org_unit=tree["c1"],
        title="楼道堆放纸箱",
        category=category(),
        severity=Severity.GENERAL,
        photos=[png()],
    )
    assert hazard.state == HazardState.REPORTED and hazard.created_by == staff
    assert hazard.found_by == (staff.get_full_name() or staff.username)
    deadline = timezone.localdate() + timedelta(days=5)
    services.assign_hazard(staff, hazard, responsible_unit="物业公司", deadline=deadline)
    services.start_rectification(staff, hazard)
    services.complete_rectification(staff, hazard, note="已清理", photos=[png("后.png")])
    services.reopen_hazard(staff, hazard, note="仍有杂物")
    services.complete_rectification(staff, hazard, note="再次清理", photos=[png("后2.png")])
    # 核查销号 by another person than the one who marked 整改完成 (the district's default)
    services.verify_hazard(make_user(tree["s1"]), hazard, note="核查通过")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED
    assert hazard.closed_at is not None and hazard.closed_in_time
    assert hazard.deadline == deadline and hazard.responsible_unit == "物业公司"
    assert list(hazard.events.values_list("action", flat=True)) == [
        "report",
        "assign",
        "start",
        "complete",
        "reopen",
        "complete",
        "verify",
    ]
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 3
    assert hazard.events.get(action="assign").deadline == deadline


def test_assignment_needs_a_unit_and_a_future_deadline(tree, staff):
    hazard = HazardFactory(org_unit=tree["c1"], created_by=staff)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.assign_hazard(staff, hazard, responsible_unit=" ", deadline=yesterday)
    assert "请填写整改责任单位" in str(exc.value) and "整改期限不能早于今天" in str(exc.value)
    with pytest.raises(ValidationError, match="请填写整改期限"):
        services.assign_hazard(staff, hazard, responsible_unit="物业", deadline=None)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.REPORTED and hazard.deadline is None
    assert hazard.events.count() == 1


def test_reopen_needs_a_reason(tree, staff):
    hazard = HazardFactory(org_unit=tree["c1"], state=HazardState.AWAITING_CHECK)
    with pytest.raises(ValidationError, match="请填写说明"):
        services.transition_hazard(staff, hazard, HazardAction.REOPEN, note="  ")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.AWAITING_CHECK


def test_reporting_outside_scope_is_refused(tree, staff):
    with pytest.raises(PermissionDenied):
        services.report_hazard(
            staff,
            org_unit=tree["c2"],
            title="别的街道",
            category=category(),
            severity=Severity.GENERAL,
        )
    assert not Hazard.objects.exists()


def test_bad_photo_is_refused_and_nothing_is_saved(tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("现场.png", b"%PDF-1.4 not an image")
    with pytest.raises(ValidationError, match="只能上传 JPG"):
        services.report_hazard(
            staff,
            org_unit=tree["c1"],
            title="坏照片",
            category=category(),
            severity=Severity.GENERAL,
            photos=[fake],
        )
    assert not Hazard.objects.exists() and not HazardEvent.objects.exists()


def test_gcj02_coordinates_are_converted_on_the_way_in(tree, staff):
    hazard = services.report_hazard(
        staff,
        org_unit=tree["c1"],
        title="高德拾取",
        category=category(),
        severity=Severity.GENERAL,
        latitude="31.17530398364597",
        longitude="121.531541859215",
        coordinate_system="gcj02",
    )
    assert (str(hazard.latitude), str(hazard.longitude)) == ("31.177428", "121.527211")


def test_overdue_rule(tree, staff):
    today = timezone.localdate()
    late = HazardFactory(
        org_unit=tree["c1"], state=HazardState.IN_PROGRESS, deadline=today - timedelta(days=1)
    )
    due_today = HazardFactory(org_unit=tree["c1"], state=HazardState.ASSIGNED, deadline=today)
    closed_late = HazardFactory(
        org_unit=tree["c1"],
        state=HazardState.CLOSED,
        deadline=today - timedelta(days=3),
        closed_at=timezone.now(),
    )
    no_deadline = HazardFactory(org_unit=tree["c1"])
    assert late.is_overdue and not due_today.is_overdue
    assert not closed_late.is_overdue and not no_deadline.is_overdue
    assert list(Hazard.objects.overdue()) == [late]
    flags = dict(Hazard.objects.with_flags().values_list("pk", "overdue_flag"))
    assert flags == {
        late.pk: True,
        due_today.pk: False,
        closed_late.pk: False,
        no_deadline.pk: False,
    }
