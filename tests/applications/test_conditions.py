"""Basic conditions checked at submission, each from the records: 满意率 from the residents'
questionnaire (> 70 % on at least 30 answers), no disaster-caused 较大事故 in three years
(信息报送), a plan in force (a street's 总体预案, a community's own) and a drill in the last
year. A failing gate refuses the submission with its reason and changes nothing; the results
are frozen with the facts. "还差多少分": the items without evidence and the points they carry,
to the pass mark."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.applications import services
from apps.applications.models import Action, Application, Proof, State
from apps.drills.models import Drill, DrillStatus
from apps.incidents.models import Incident, IncidentType
from apps.plans.models import Plan
from tests.applications.factories import (
    answer_survey,
    fill,
    meet_conditions,
    new_application,
    people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree):
    return people(tree)


def ready_draft(users, unit):
    """A complete draft of ``unit`` whose records meet every basic condition."""
    app = new_application(users["staff"], unit)
    survey = meet_conditions(unit, users["staff"])
    fill(users["staff"], app)
    return app, survey


def refused(users, app):
    with pytest.raises(ValidationError) as exc:
        services.transition_application(users["staff"], app, Action.SUBMIT)
    app.refresh_from_db()
    assert app.state == State.DRAFT and app.facts_snapshot is None and app.submitted_at is None
    assert app.events.count() == 1  # only the creation: nothing changed
    return " ".join(exc.value.messages)


def incident(unit, *, level, type_code, days_ago):
    from apps.incidents.reference import ensure_types

    ensure_types(IncidentType)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return Incident.objects.create(
        org_unit=unit,
        title="暴雨积水",
        incident_type=IncidentType.objects.get(code=type_code),
        level=level,
        occurred_at=when,
        address="某路",
        source="群众报告",
        phone_due=when,
        written_due=when,
    )


def test_a_draft_meeting_every_condition_is_submitted_with_the_results_frozen(tree, users):
    app, _survey = ready_draft(users, tree["s1"])
    services.transition_application(users["staff"], app, Action.SUBMIT)
    app.refresh_from_db()
    frozen = app.facts_snapshot["conditions"]
    assert [c["ok"] for c in frozen] == [True, True, True, True]
    assert "满意率 100.0%，答卷 30 份，参与率 10.0%" in frozen[0]["reason"]
    assert app.facts_snapshot["survey"]["answers"] == 30


def test_satisfaction_at_or_below_70_percent_refuses_the_submission(tree, users):
    app, survey = ready_draft(users, tree["s1"])
    answer_survey(survey, n=30, satisfied=0)  # 30 of 60 satisfied: 50 %
    message = refused(users, app)
    assert "基本条件未满足" in message and "满意率 50.0%" in message and "未高于 70%" in message


def test_too_few_answers_refuse_the_submission_whatever_the_rate(tree, users, settings):
    settings.APPLICATIONS_SURVEY_MIN_ANSWERS = 40
    app, _survey = ready_draft(users, tree["s1"])
    assert "答卷少于 40 份" in refused(users, app)


def test_no_questionnaire_refuses_with_where_to_start_one(tree, users):
    app, survey = ready_draft(users, tree["s1"])
    survey.responses.all().delete()
    assert "没有居民问卷答卷" in refused(users, app)


def test_a_disaster_caused_serious_incident_in_three_years_refuses(tree, users):
    app, _survey = ready_draft(users, tree["s1"])
    incident(tree["c1"], level="4", type_code="flood", days_ago=30)  # 一般: no matter
    incident(tree["c1"], level="3", type_code="gas", days_ago=30)  # 较大 but not a disaster
    incident(tree["c1"], level="3", type_code="flood", days_ago=4 * 365)  # too long ago
    assert all(r.ok for r in services.check_conditions(app, services.facts_for(app)))
    incident(tree["c1"], level="3", type_code="typhoon", days_ago=200)
    assert "因灾较大及以上事故" in refused(users, app)


def test_without_a_plan_in_force_a_street_and_a_community_are_refused(tree, users):
    app, _survey = ready_draft(users, tree["s1"])
    Plan.objects.filter(org_unit=tree["s1"]).update(status=Plan.Status.RETIRED)
    assert "没有生效的总体应急预案" in refused(users, app)
    community, _survey = ready_draft(users, tree["c1"])
    Plan.objects.filter(org_unit=tree["c1"]).update(status=Plan.Status.RETIRED)
    assert "本居委/村没有生效的应急预案" in refused(users, community)


def test_without_a_drill_in_the_last_year_the_submission_is_refused(tree, users):
    app, _survey = ready_draft(users, tree["s1"])
    Drill.objects.filter(org_unit__path__startswith=tree["s1"].path).update(
        date=timezone.localdate() - datetime.timedelta(days=400)
    )
    assert "近 12 个月内没有开展演练" in refused(users, app)
    Drill.objects.update(status=DrillStatus.PLANNED)
    assert "没有已完成的演练记录" in refused(users, app)


def test_thresholds_are_data(tree, users):
    app, survey = ready_draft(users, tree["s1"])
    answer_survey(survey, n=10, satisfied=0)  # 30 of 40: 75 %
    services.transition_application(users["staff"], app, Action.SUBMIT)  # > 70
    app.standard.conditions.filter(rule="survey").update(threshold=Decimal("80"))
    other = new_application(users["staff"], tree["s1"], title="city", year=2020)
    fill(users["staff"], other)
    assert "未高于 80%" in refused(users, other)


def test_the_page_shows_each_condition_and_how_far_from_the_pass_mark(client, tree, users):
    app = new_application(users["staff"], tree["s1"])
    client.force_login(users["staff"])
    page = client.get(app.get_absolute_url()).content.decode()
    assert "基本条件" in page and "不满足" in page and "去完善" in page
    card = services.scorecard(app, facts=services.facts_for(app))
    gap = card["gap"]
    # nothing is proved in an empty tree but the fixed records of none: the whole pass mark
    assert gap["short"] == Decimal("80") - gap["backed"]
    assert f"还差 {gap['short']} 分" in page
    assert "防汛防台“六有”" in page and "有防汛预案" in page


def test_a_record_or_a_file_is_evidence_and_narrows_the_gap(tree, users):
    from apps.applications.models import Evidence
    from tests.plans.factories import PlanFactory

    app = new_application(users["staff"], tree["c1"])
    before = services.scorecard(app, facts=services.facts_for(app))["gap"]
    plan_item = app.standard.aspects.get(code="plans-drills").items.get(order=1)
    assert plan_item.proof == Proof.PLAN_SYSTEM
    review_item = app.standard.aspects.get(code="plans-drills").items.get(order=2)
    assert review_item.proof == Proof.PLAN_REVIEW
    PlanFactory(org_unit=tree["c1"], kind=Plan.Kind.COMMUNITY)  # a community's own plan
    after = services.scorecard(app, facts=services.facts_for(app))["gap"]
    assert after["backed"] == before["backed"] + plan_item.max_points + review_item.max_points
    upload_item = app.standard.aspects.get(code="highlights").items.get(order=1)
    Evidence.objects.create(
        application=app, item=upload_item, original_name="经验.pdf", uploaded_by=users["staff"]
    )
    final = services.scorecard(app, facts=services.facts_for(app))["gap"]
    assert final["backed"] == after["backed"] + upload_item.max_points
    assert upload_item.pk not in [r["item"].pk for r in final["missing"]]
    assert final["missing"][0]["item"].max_points >= final["missing"][-1]["item"].max_points


def test_a_snapshot_without_frozen_conditions_is_judged_on_itself(tree, users):
    app, _survey = ready_draft(users, tree["s1"])
    services.transition_application(users["staff"], app, Action.SUBMIT)
    app.refresh_from_db()
    snapshot = dict(app.facts_snapshot)
    snapshot.pop("conditions")
    Application.objects.filter(pk=app.pk).update(facts_snapshot=snapshot)
    app.refresh_from_db()
    results = services.conditions_of(app, app.facts_snapshot)
    assert [r["ok"] for r in results] == [True, True, True, True]
