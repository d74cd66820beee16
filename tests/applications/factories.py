"""Helpers that build applications through the services, in any state of the workflow, and
the records that make an applicant meet the standards' basic conditions."""

import datetime
from decimal import Decimal

from django.utils import timezone

from apps.applications import records, services
from apps.applications.models import (
    Action,
    Application,
    Aspect,
    Condition,
    Item,
    ItemAssessment,
    Satisfaction,
    Standard,
    State,
    Survey,
    SurveyResponse,
)
from apps.applications.reference import ensure_standard
from apps.orgs.models import OrgKind, Role
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.drills.factories import HeldDrillFactory
from tests.plans.factories import PlanFactory


def standard(code="sh-2024"):
    # transactional tests flush the migration's rows
    ensure_standard(Standard, Aspect, Item, Condition)
    return Standard.objects.get(code=code)


def small_standard(code="test-std", total="10", pass_mark="6", points=("4", "3", "3")):
    """A tiny standard: two aspects, three items worth ``points``."""
    std = Standard.objects.create(
        code=code, name=f"测试标准{code}", year=2026, total=total, pass_mark=pass_mark
    )
    first = Aspect.objects.create(standard=std, code="a", name="组织管理", order=1, facts="people")
    second = Aspect.objects.create(standard=std, code="b", name="特色亮点", order=2)
    Item.objects.create(aspect=first, order=1, text="成立综合减灾领导小组", max_points=points[0])
    Item.objects.create(aspect=first, order=2, text="制定创建工作方案", max_points=points[1])
    Item.objects.create(aspect=second, order=1, text="特色做法", max_points=points[2])
    return std


def new_application(user, unit, *, std=None, **values):
    values = {
        "title": "city",
        "year": timezone.localdate().year,
        "contact_name": "王敏",
        "contact_phone": "021-62511234",
        **values,
    }
    std = std or standard("cn-2020" if values["title"] == "national" else "sh-2024")
    return services.create_application(user, org_unit=unit, standard=std, **values)


def fill(user, app, ratio=Decimal("1")):
    """Claim ``ratio`` of every item's points."""
    for aspect in Aspect.objects.filter(standard=app.standard).prefetch_related("items"):
        entries = {
            item.pk: ((item.max_points * ratio * 2).to_integral_value() / 2, "已落实")
            for item in aspect.items.all()
        }
        services.save_self_assessment(user, app, aspect, entries)


def score_all(reviewer, app, ratio=Decimal("1")):
    rows = ItemAssessment.objects.filter(application=app).select_related("item")
    scores = {r.item_id: (r.item.max_points * ratio * 2).to_integral_value() / 2 for r in rows}
    services.save_review(reviewer, app, scores=scores, comments={})


def people(tree):
    """Users around tree["s1"] (甲街道, in 一区) and elsewhere."""
    return {
        "staff": make_user(tree["s1"]),
        "other_staff": make_user(tree["s2"]),
        "reviewer": make_user(tree["d1"], Role.DISTRICT_REVIEWER),
        "other_reviewer": make_user(tree["d2"], Role.DISTRICT_REVIEWER),
        "city_viewer": make_user(tree["sh"], Role.CITY_VIEWER),
        "admin": make_user(tree["sh"], Role.ADMIN),
    }


def answer_survey(survey, n=30, satisfied=None, *, today=None):
    """``n`` answers to ``survey``, the first ``satisfied`` (all by default) satisfied."""
    satisfied = n if satisfied is None else satisfied
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=survey,
            answered_on=today or timezone.localdate(),
            satisfaction=Satisfaction.SATISFIED if i < satisfied else Satisfaction.UNSATISFIED,
            knows_shelter=True,
            joined_activity=i % 2 == 0,
            has_kit=i % 3 == 0,
            got_warning=True,
        )
        for i in range(n)
    )


def meet_conditions(unit, user, *, today=None):
    """Records under ``unit`` that meet the basic conditions: a questionnaire with 30
    satisfied answers, the plan in force (a street's 总体预案, a community's own) and a drill
    held a month ago. No incident is needed for "no 较大事故"."""
    today = today or timezone.localdate()
    community = (
        unit
        if unit.kind == OrgKind.COMMUNITY
        else unit.children.filter(kind=OrgKind.COMMUNITY).first()
    )
    survey = Survey.objects.filter(org_unit=community, closed_on__isnull=True).first()
    if survey is None:  # idempotent: several applications of one unit share its records
        survey = records.open_survey(user, org_unit=community, households=300, opened_on=today)
        answer_survey(survey, today=today)
    kind = Plan.Kind.OVERALL if unit.kind == OrgKind.STREET else Plan.Kind.COMMUNITY
    if not Plan.objects.filter(org_unit=unit, kind=kind, status=Plan.Status.IN_FORCE).exists():
        PlanFactory(org_unit=unit, kind=kind, created_by=user)
        HeldDrillFactory(org_unit=unit, date=today - datetime.timedelta(days=30), created_by=user)
    return survey


def in_state(state, users, unit, **values):
    """An application of ``unit`` driven through the workflow to ``state``."""
    act = services.transition_application
    staff, reviewer, admin = users["staff"], users["reviewer"], users["admin"]
    app = new_application(staff, unit, **values)
    if state == State.DRAFT:
        return app
    meet_conditions(unit, staff)
    fill(staff, app)
    act(staff, app, Action.SUBMIT)
    if state == State.SUBMITTED:
        return Application.objects.get(pk=app.pk)
    act(reviewer, app, Action.ACCEPT)
    if state == State.IN_REVIEW:
        return Application.objects.get(pk=app.pk)
    if state == State.RETURNED:
        return act(reviewer, app, Action.RETURN, comment="请补充材料")
    if state == State.REJECTED:
        return act(reviewer, app, Action.REJECT, comment="未达标准")
    score_all(reviewer, app)
    act(reviewer, app, Action.APPROVE)
    if state == State.APPROVED:
        return Application.objects.get(pk=app.pk)
    if state == State.AWARDED:
        return act(admin, app, Action.AWARD, award_date=timezone.localdate(), validity_years=3)
    if state == State.CITY_FAILED:
        return act(admin, app, Action.CITY_FAIL, comment="市级评定未通过")
    raise ValueError(state)
