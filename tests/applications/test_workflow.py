import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.applications import facts as facts_module
from apps.applications import reminders, services
from apps.applications.models import (
    TRANSITIONS,
    Action,
    Application,
    ApplicationEvent,
    Aspect,
    Item,
    ItemAssessment,
    State,
)
from apps.notifications.models import Notification
from apps.notifications.services import run_sweep
from apps.orgs.models import OrgKind
from tests.applications.factories import (
    fill,
    in_state,
    meet_conditions,
    new_application,
    people,
    score_all,
    small_standard,
    standard,
)
from tests.conftest import make_user
from tests.factories import UserFactory
from tests.hazards.factories import HazardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree):
    return people(tree)


# --- the standard ---------------------------------------------------------------------------


def test_the_shipped_standard_has_nine_aspects_adding_up_to_its_total(db):
    std = standard()
    names = list(std.aspects.order_by("order").values_list("name", "facts"))
    assert names == [
        ("组织管理", "organisation"),
        ("风险评估", "risk"),
        ("隐患治理", "hazards"),
        ("基础设施建设", "shelters"),
        ("应急物资保障", "supplies"),
        ("应急力量建设", "people"),
        ("预案编制与演练", "plans_drills"),
        ("科普宣传教育", "outreach"),
        ("特色亮点", ""),
    ]
    assert (std.total, std.pass_mark) == (Decimal("100"), Decimal("80"))
    assert services.standard_problems(std) == []
    texts = " ".join(Item.objects.filter(aspect__standard=std).values_list("text", flat=True))
    for words in ["成立综合减灾领导小组", "1+N+M", "每年至少开展一次应急演练", "灾害信息员"]:
        assert words in texts


def test_a_used_standard_is_frozen_and_copied_as_a_new_version(tree, users):
    std = small_standard()
    item = Item.objects.filter(aspect__standard=std).first()
    item.max_points = Decimal("5")
    item.full_clean()  # unused: editable
    new_application(users["staff"], tree["s1"], std=std)
    for obj, attr, value in [
        (std, "pass_mark", Decimal("5")),
        (Aspect.objects.filter(standard=std).first(), "name", "改名"),
        (Item.objects.filter(aspect__standard=std).first(), "max_points", Decimal("2")),
    ]:
        setattr(obj, attr, value)
        with pytest.raises(ValidationError) as exc:
            obj.full_clean()
        assert "复制为新版本" in " ".join(exc.value.messages)
    std.refresh_from_db()
    std.is_active = False
    std.full_clean()  # switching a used standard off is allowed
    copy = services.copy_standard(std, code="test-std-v2", year=2027)
    assert not copy.is_active and copy.year == 2027
    assert copy.aspects.count() == 2 and Item.objects.filter(aspect__standard=copy).count() == 3
    copied = Item.objects.filter(aspect__standard=copy).first()
    copied.max_points = Decimal("2")
    copied.full_clean()  # the copy is editable


def test_totals_and_pass_fail_come_from_the_criteria_data(tree, users):
    std = small_standard(total="10", pass_mark="6", points=("4", "3", "3"))
    app = in_state(State.IN_REVIEW, users, tree["s1"], std=std)
    scores = dict(
        zip(app.assessments.values_list("item_id", flat=True), ["3", "2", "0.5"], strict=True)
    )
    services.save_review(users["reviewer"], app, scores=scores, comments={})
    figures = services.totals(app)
    assert (figures["claimed"], figures["score"], figures["max_total"]) == (10, Decimal("5.5"), 10)
    assert figures["passed"] is False  # 5.5 < 6
    with pytest.raises(ValidationError, match="低于通过分数线 6"):
        services.transition_application(users["reviewer"], app, Action.APPROVE)
    # the same scores against a lower pass mark pass (the mark is data, not code)
    std.pass_mark = Decimal("5")
    std.save()
    app.refresh_from_db()
    assert services.totals(app)["passed"] is True
    services.transition_application(users["reviewer"], app, Action.APPROVE)
    assert Application.objects.get(pk=app.pk).state == State.APPROVED
    card = services.scorecard(app)
    assert [b["sums"]["score"] for b in card["aspects"]] == [Decimal("5"), Decimal("0.5")]
    assert card["totals"]["max"] == 10


def test_approve_needs_every_item_scored(tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    first = app.assessments.order_by("item__aspect__order", "item__order").first()
    services.save_review(
        users["reviewer"], app, scores={first.item_id: first.item.max_points}, comments={}
    )
    with pytest.raises(ValidationError, match="项未评分"):
        services.transition_application(users["reviewer"], app, Action.APPROVE)
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


@pytest.mark.parametrize(
    "raw,message",
    [
        ("6", "应在 0 到 4.0 分之间"),
        ("-1", "应在 0 到"),
        ("1.3", "0.5 分为单位"),
        ("x", "请填写数字"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(tree, users, raw, message):
    std = small_standard()
    app = in_state(State.IN_REVIEW, users, tree["s1"], std=std)
    first, second = app.assessments.order_by("item__aspect__order", "item__order")[:2]
    with pytest.raises(ValidationError) as exc:
        services.save_review(
            users["reviewer"], app, scores={second.item_id: "2", first.item_id: raw}, comments={}
        )
    assert message in " ".join(exc.value.messages)
    assert not ItemAssessment.objects.filter(application=app, score__isnull=False).exists()


def test_claimed_points_are_validated_like_scores(tree, users):
    std = small_standard()
    app = new_application(users["staff"], tree["s1"], std=std)
    aspect = std.aspects.get(order=1)
    items = list(aspect.items.all())
    with pytest.raises(ValidationError, match="应在 0 到 3.0 分之间"):
        services.save_self_assessment(
            users["staff"], app, aspect, {items[0].pk: ("4", "好"), items[1].pk: ("9", "x")}
        )
    assert not ItemAssessment.objects.filter(application=app, claimed_points__isnull=False).exists()


def test_submit_needs_a_complete_self_assessment_and_freezes_it(tree, users):
    staff = users["staff"]
    app = new_application(staff, tree["s1"])
    with pytest.raises(ValidationError, match="自评尚未完成：还有 31 项"):
        services.transition_application(staff, app, Action.SUBMIT)
    fill(staff, app)
    meet_conditions(tree["s1"], staff)
    services.transition_application(staff, app, Action.SUBMIT)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.submitted_at and app.facts_snapshot
    aspect = app.standard.aspects.first()
    with pytest.raises(ValidationError, match="申报已提交，不能再修改"):
        services.save_self_assessment(staff, app, aspect, {})
    with pytest.raises(ValidationError, match="申报已提交"):
        services.update_application(staff, app, contact_name="改")
    assert Application.objects.get(pk=app.pk).contact_name == "王敏"


def test_the_snapshot_does_not_change_when_live_data_changes(tree, users):
    staff = users["staff"]
    app = in_state(State.SUBMITTED, users, tree["s1"])
    before = app.facts_snapshot
    assert before["hazards"]["total"] == 0
    assert {r["code"] for r in before["readiness"]} == {
        "banzi",
        "jizhi",
        "yuan",
        "duiwu",
        "wuzi",
        "yanlian",
    }
    HazardFactory(org_unit=tree["c1"], created_by=staff)
    live = facts_module.live_facts(tree["s1"])
    assert live["hazards"]["total"] == 1
    app.refresh_from_db()
    assert app.facts_snapshot == before
    assert services.facts_for(app)["hazards"]["total"] == 0  # the page shows the snapshot
    # a draft shows the live figures
    draft = new_application(staff, tree["c1"])
    assert services.facts_for(draft)["hazards"]["total"] == 1


def test_every_step_is_an_event_with_who_when_and_comment(tree, users):
    app = in_state(State.RETURNED, users, tree["s1"])
    events = list(app.events.order_by("pk"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        (Action.CREATE, "", State.DRAFT),
        (Action.SUBMIT, State.DRAFT, State.SUBMITTED),
        (Action.ACCEPT, State.SUBMITTED, State.IN_REVIEW),
        (Action.RETURN, State.IN_REVIEW, State.RETURNED),
    ]
    assert events[-1].actor == users["reviewer"] and events[-1].comment == "请补充材料"
    assert all(e.created_at <= timezone.now() for e in events)
    # the applicant fixes and resubmits; the snapshot is taken again
    services.transition_application(users["staff"], app, Action.SUBMIT)
    assert app.events.order_by("-pk").first().from_state == State.RETURNED


@pytest.mark.parametrize("action", [Action.RETURN, Action.REJECT])
def test_return_and_reject_need_a_reason(tree, users, action):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    with pytest.raises(ValidationError) as exc:
        services.transition_application(users["reviewer"], app, action, comment="  ")
    assert exc.value.message_dict == {"comment": ["请填写原因。"]}
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW
    assert app.events.count() == 3


def test_award_sets_the_validity_and_the_rereview_date(tree, users):
    app = in_state(State.APPROVED, users, tree["s1"])
    with pytest.raises(ValidationError, match="请填写授牌日期"):
        services.transition_application(users["admin"], app, Action.AWARD)
    services.transition_application(
        users["admin"],
        app,
        Action.AWARD,
        award_date=datetime.date(2024, 2, 29),
        validity_years=3,
        rereview_date=datetime.date(2026, 12, 1),
    )
    app.refresh_from_db()
    assert app.state == State.AWARDED
    assert (app.award_date, app.valid_until, app.rereview_date) == (
        datetime.date(2024, 2, 29),
        datetime.date(2027, 2, 28),
        datetime.date(2026, 12, 1),
    )
    assert "有效期至 2027-02-28" in app.events.order_by("-pk").first().comment


# --- every transition by role ---------------------------------------------------------------

SOURCES = {
    Action.SUBMIT: State.DRAFT,
    Action.ACCEPT: State.SUBMITTED,
    Action.RETURN: State.IN_REVIEW,
    Action.APPROVE: State.IN_REVIEW,
    Action.REJECT: State.IN_REVIEW,
    Action.AWARD: State.APPROVED,
    Action.CITY_FAIL: State.APPROVED,
    Action.REVOKE: State.AWARDED,
}
ALLOWED = {
    Action.SUBMIT: {"staff", "admin", "superuser"},
    Action.ACCEPT: {"reviewer", "admin", "superuser"},
    Action.RETURN: {"reviewer", "admin", "superuser"},
    Action.APPROVE: {"reviewer", "admin", "superuser"},
    Action.REJECT: {"reviewer", "admin", "superuser"},
    Action.AWARD: {"admin", "superuser"},
    Action.CITY_FAIL: {"admin", "superuser"},
    Action.REVOKE: {"admin", "superuser"},
}
ROLES = ["staff", "other_staff", "reviewer", "other_reviewer", "city_viewer", "admin", "superuser"]


def test_the_table_covers_every_action():
    assert set(SOURCES) == set(TRANSITIONS) == set(ALLOWED)


@pytest.mark.parametrize("action", list(SOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_every_transition_by_role(tree, users, action, role):
    app = in_state(SOURCES[action], users, tree["s1"])
    if action == Action.SUBMIT:
        meet_conditions(tree["s1"], users["staff"])
        fill(users["staff"], app)
    if action == Action.APPROVE:
        score_all(users["reviewer"], app)
    actor = (
        UserFactory(org_unit=None, is_superuser=True, username="root")
        if role == "superuser"
        else users[role]
    )
    values = {"comment": "原因说明"}
    if action == Action.AWARD:
        values["award_date"] = timezone.localdate()
    if role in ALLOWED[action]:
        assert action in [t.action for t in services.allowed_actions(actor, app)]
        services.transition_application(actor, app, action, **values)
        assert Application.objects.get(pk=app.pk).state == TRANSITIONS[action].target
        assert app.events.order_by("-pk").first().actor == actor
    else:
        assert action not in [t.action for t in services.allowed_actions(actor, app)]
        before = app.events.count()
        with pytest.raises(PermissionDenied):
            services.transition_application(actor, app, action, **values)
        assert Application.objects.get(pk=app.pk).state == SOURCES[action]
        assert app.events.count() == before


@pytest.mark.parametrize(
    "state,action",
    [
        (State.DRAFT, Action.APPROVE),
        (State.SUBMITTED, Action.SUBMIT),
        (State.IN_REVIEW, Action.ACCEPT),
        (State.RETURNED, Action.APPROVE),
        (State.APPROVED, Action.REJECT),
        (State.REJECTED, Action.SUBMIT),
        (State.AWARDED, Action.CITY_FAIL),
    ],
)
def test_a_step_from_the_wrong_state_is_refused(tree, users, state, action):
    app = in_state(state, users, tree["s1"])
    actor = users["admin"]  # may do everything, so only the state refuses
    with pytest.raises(ValidationError, match="不能执行"):
        services.transition_application(
            actor, app, action, comment="x", award_date=timezone.localdate()
        )
    assert Application.objects.get(pk=app.pk).state == state


def test_only_reviewers_of_the_district_score(tree, users):
    app = in_state(State.IN_REVIEW, users, tree["s1"])
    item = app.assessments.first().item_id
    for role in ("staff", "other_reviewer", "city_viewer"):
        with pytest.raises(PermissionDenied):
            services.save_review(users[role], app, scores={item: "1"}, comments={})
    assert not app.assessments.filter(score__isnull=False).exists()


def test_one_open_application_per_unit_title_and_year(tree, users):
    new_application(users["staff"], tree["s1"])
    with pytest.raises(ValidationError) as exc:
        new_application(users["staff"], tree["s1"])
    assert exc.value.message_dict["title"] == ["该单位本年度已有同一称号的申报。"]
    new_application(users["staff"], tree["s1"], title="national")  # another title is fine
    with pytest.raises(PermissionDenied):
        new_application(users["staff"], tree["s3"])  # another street


def test_an_estate_cannot_apply(tree, users):
    with pytest.raises(ValidationError) as exc:
        new_application(users["staff"], tree["e1"])
    assert "申报单位应为街道/镇或居委/村" in exc.value.message_dict["org_unit"][0]
    assert tree["e1"].kind == OrgKind.ESTATE


# --- reminders ------------------------------------------------------------------------------


def test_waiting_for_review_reminds_staff_and_reviewers_after_n_days(tree, users, settings):
    settings.APPLICATIONS_REVIEW_WAIT_DAYS = 10
    app = in_state(State.SUBMITTED, users, tree["s1"])
    submitted = timezone.localdate(app.submitted_at)
    rule = ["applications.review_waiting"]
    assert run_sweep(submitted + datetime.timedelta(days=9), rules=rule) == {rule[0]: 0}
    assert run_sweep(submitted + datetime.timedelta(days=10), rules=rule) == {rule[0]: 2}
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {users["staff"].username, users["reviewer"].username}
    assert run_sweep(submitted + datetime.timedelta(days=11), rules=rule) == {rule[0]: 0}
    assert "等待区级审核超过 10 天" in Notification.objects.first().title
    assert reminders.review_wait_days() == 10


def test_titles_due_for_rereview_within_60_days_remind_the_street(tree, users):
    app = in_state(State.AWARDED, users, tree["c1"])
    app.rereview_date = timezone.localdate() + datetime.timedelta(days=45)
    app.save()
    later = in_state(State.AWARDED, users, tree["s1"])
    later.rereview_date = timezone.localdate() + datetime.timedelta(days=90)
    later.save()
    found = list(reminders.rereview_soon(timezone.localdate()))
    assert [f.url for f in found] == [app.get_absolute_url()]
    assert "复审" in found[0].title
    assert run_sweep(rules=["applications.rereview_soon"]) == {"applications.rereview_soon": 1}
    assert Notification.objects.get().recipient == users["staff"]
    assert ApplicationEvent.objects.filter(application=app).exists()


def test_a_community_staff_member_cannot_act_for_the_street(tree, users):
    community_staff = make_user(tree["c1"])
    app = new_application(users["staff"], tree["s1"])
    fill(users["staff"], app)
    with pytest.raises(PermissionDenied):
        services.transition_application(community_staff, app, Action.SUBMIT)
