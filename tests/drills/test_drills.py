import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.drills import services
from apps.drills.models import Drill, DrillFile, DrillStatus, FollowUpAction
from apps.orgs.models import OrgKind, OrgUnit, Role, User
from apps.plans.models import Plan
from tests.conftest import make_user
from tests.drills.factories import (
    DrillFactory,
    DrillPlanFactory,
    FollowUpActionFactory,
    HeldDrillFactory,
)
from tests.factories import child
from tests.plans.factories import PDF_BYTES, PlanFactory

TODAY = timezone.localdate


def days(n):
    return TODAY() + datetime.timedelta(days=n)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


# --- rules ----------------------------------------------------------------------------------


def test_a_drill_cannot_be_completed_without_a_summary(tree):
    staff = make_user(tree["s1"])
    drill = DrillFactory(org_unit=tree["s1"], date=days(-3))
    drill.status = DrillStatus.COMPLETED
    drill.summary = "   "
    with pytest.raises(ValidationError) as exc:
        services.save_drill(staff, drill)
    assert "必须填写演练总结" in exc.value.message_dict["summary"][0]
    assert Drill.objects.get(pk=drill.pk).status == DrillStatus.PLANNED
    with pytest.raises(ValidationError):
        services.complete_drill(staff, drill, summary="")
    assert Drill.objects.get(pk=drill.pk).status == DrillStatus.PLANNED
    held = services.complete_drill(staff, drill, summary="疏散用时 6 分钟。", participants=80)
    assert (held.status, held.participants, held.updated_by) == (
        DrillStatus.COMPLETED,
        80,
        staff,
    )


def test_the_database_refuses_a_completed_drill_without_summary(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        DrillFactory(org_unit=tree["s1"], status=DrillStatus.COMPLETED, summary="")


def test_future_drill_cannot_be_completed_and_cancel_needs_a_reason(tree):
    staff = make_user(tree["s1"])
    drill = DrillFactory(org_unit=tree["s1"], date=days(5))
    with pytest.raises(ValidationError) as exc:
        services.complete_drill(staff, drill, summary="x")
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.cancel_drill(staff, drill, reason="")
    assert "取消原因" in exc.value.message_dict["cancel_reason"][0]
    services.cancel_drill(staff, drill, reason="台风预警")
    drill.refresh_from_db()
    assert drill.status == DrillStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.complete_drill(staff, drill, summary="x")


def test_annual_plan_must_cover_the_drills_unit_and_year(tree):
    staff = make_user(tree["s1"])
    annual = DrillPlanFactory(org_unit=tree["c1"], year=2026)
    with pytest.raises(ValidationError) as exc:
        services.save_drill(
            staff, DrillFactory.build(org_unit=tree["s1"], annual_plan=annual, date=days(1))
        )
    assert "annual_plan" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_drill(
            staff,
            DrillFactory.build(
                org_unit=tree["c1"], annual_plan=annual, date=datetime.date(2025, 3, 1)
            ),
        )
    assert "2026" in exc.value.message_dict["annual_plan"][0]


def test_only_visible_plans_can_be_linked(tree):
    staff = make_user(tree["s1"])
    own = PlanFactory(org_unit=tree["s1"])
    other = PlanFactory(org_unit=tree["s2"])
    drill = DrillFactory.build(org_unit=tree["s1"], date=days(3))
    with pytest.raises(ValidationError):
        services.save_drill(staff, drill, plans=[own, other])
    assert not Drill.objects.exists()
    services.save_drill(staff, drill, plans=[own])
    assert list(drill.plans.all()) == [own] and drill.created_by == staff


def test_problems_become_follow_up_actions_only_for_held_drills(tree):
    staff = make_user(tree["s1"])
    planned = DrillFactory(org_unit=tree["s1"], date=days(3))
    with pytest.raises(ValidationError, match="演练完成后才能登记"):
        services.add_action(staff, planned, problem="x", owner="y", due_date=days(10))
    held = HeldDrillFactory(org_unit=tree["s1"], date=days(-30))
    with pytest.raises(ValidationError) as exc:
        services.add_action(staff, held, problem="", owner="", due_date=days(-40))
    assert set(exc.value.message_dict) == {"problem", "owner", "due_date"}
    action = services.add_action(
        staff, held, problem="楼道堆物", owner="物业服务中心", due_date=days(-1)
    )
    assert action.is_overdue and list(FollowUpAction.objects.overdue()) == [action]
    services.set_action_done(staff, action)
    action.refresh_from_db()
    assert action.done and action.done_at == TODAY() and not action.is_overdue
    assert not FollowUpAction.objects.overdue().exists()


def test_overdue_follow_up_actions_are_flagged(tree):
    drill = HeldDrillFactory(org_unit=tree["s1"], date=days(-60))
    late = FollowUpActionFactory(drill=drill, due_date=days(-1))
    due_today = FollowUpActionFactory(drill=drill, due_date=days(0))
    done_late = FollowUpActionFactory(drill=drill, due_date=days(-5), done=True)
    assert [late.is_overdue, due_today.is_overdue, done_late.is_overdue] == [True, False, False]
    counts = Drill.objects.with_action_counts().get(pk=drill.pk)
    assert (counts.open_actions, counts.overdue_actions) == (2, 1)


def test_communities_without_a_drill_in_the_last_twelve_months(tree):
    s1 = tree["s1"]
    c2 = child(s1, OrgKind.COMMUNITY, code="S1C2", name="甲二居委")
    c3 = child(s1, OrgKind.COMMUNITY, code="S1C3", name="甲三居委")
    c4 = child(s1, OrgKind.COMMUNITY, code="S1C4", name="甲四居委")
    today = datetime.date(2026, 6, 15)
    # held on an estate of c1, 11 months ago: c1 is covered
    HeldDrillFactory(org_unit=tree["e1"], date=datetime.date(2025, 7, 20))
    # c2: held 13 months ago only
    HeldDrillFactory(org_unit=c2, date=datetime.date(2025, 5, 1))
    # c3: planned and cancelled drills do not count
    DrillFactory(org_unit=c3, date=datetime.date(2026, 3, 1))
    DrillFactory(org_unit=c3, date=datetime.date(2026, 2, 1), status=DrillStatus.CANCELLED)
    # a street-level drill does not cover its communities; another street's does not either
    HeldDrillFactory(org_unit=s1, date=datetime.date(2026, 5, 12))
    HeldDrillFactory(org_unit=tree["c2"], date=datetime.date(2026, 5, 12))
    uncovered = services.communities_without_recent_drill(s1, today=today)
    assert [c.code for c in uncovered] == [c2.code, c3.code, c4.code]
    assert uncovered[0].last_drill_date == datetime.date(2025, 5, 1)
    assert uncovered[1].last_drill_date is None


def test_plan_vs_held_for_the_year(tree):
    s1, c1 = tree["s1"], tree["c1"]
    today = datetime.date(2026, 9, 1)
    annual = DrillPlanFactory(org_unit=s1, year=2026)
    HeldDrillFactory(org_unit=s1, annual_plan=annual, date=datetime.date(2026, 5, 12))
    HeldDrillFactory(org_unit=c1, annual_plan=annual, date=datetime.date(2026, 6, 16))
    DrillFactory(org_unit=c1, annual_plan=annual, date=datetime.date(2026, 7, 1))  # late
    DrillFactory(org_unit=c1, annual_plan=annual, date=datetime.date(2026, 11, 9))  # ahead
    DrillFactory(
        org_unit=tree["e1"],
        annual_plan=annual,
        date=datetime.date(2026, 8, 1),
        status=DrillStatus.CANCELLED,
    )
    HeldDrillFactory(org_unit=c1, date=datetime.date(2026, 3, 3), participants=30)  # unplanned
    HeldDrillFactory(org_unit=c1, date=datetime.date(2025, 3, 3))  # another year
    HeldDrillFactory(org_unit=tree["s2"], date=datetime.date(2026, 3, 3))  # another street
    result = services.plan_vs_held(s1, 2026, today=today)
    total = result["total"]
    assert (total.planned, total.held_in_plan, total.late, total.cancelled, total.held) == (
        5,
        2,
        1,
        1,
        3,
    )
    assert total.rate == 40 and total.participants == 130
    (row,) = result["rows"]
    assert row.unit == c1
    assert (row.planned, row.held_in_plan, row.held) == (4, 1, 2)
    assert services.plan_vs_held(tree["s2"], 2027)["total"].rate is None


def test_calendar_marks_the_national_days():
    may = services.month_grid(2026, 5, [])
    days_ = {d.date: d for week in may for d in week}
    assert [str(o.label) for o in days_[datetime.date(2026, 5, 12)].observances] == [
        "5·12 防灾减灾日"
    ]
    assert not days_[datetime.date(2026, 5, 13)].observances
    october = {d.date: d for week in services.month_grid(2026, 10, []) for d in week}
    assert "10·13 国际减灾日" in str(october[datetime.date(2026, 10, 13)].observances[0].label)
    assert [str(o.label) for o in services.month_observances(2026, 6)] == ["安全生产月"]
    assert [str(o.label) for o in services.month_observances(2026, 11)] == ["119消防月"]
    assert services.month_observances(2026, 7) == []
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in may)


# --- pages, with the demo data --------------------------------------------------------------


@pytest.fixture
def huayang_drill(demo):
    """The demo's recent held drill of 华阳路街道, with three follow-up actions."""
    drill = Drill.objects.get(title="华阳路街道高层住宅消防疏散实战演练")
    DrillFile.objects.create(
        drill=drill,
        kind=DrillFile.Kind.DOCUMENT,
        file=SimpleUploadedFile("演练方案.pdf", PDF_BYTES),
        original_name="演练方案.pdf",
        size=len(PDF_BYTES),
    )
    return drill


def drill_urls(drill):
    return {
        "detail": reverse("drills:detail", args=[drill.pk]),
        "edit": reverse("drills:edit", args=[drill.pk]),
        "add_action": reverse("drills:add_action", args=[drill.pk]),
        "add_file": reverse("drills:add_file", args=[drill.pk]),
        "download": reverse("drills:file", args=[drill.files.get().pk]),
    }


def export_titles(client, **params):
    response = client.get(reverse("drills:export"), params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("演练名称")
    return {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_another_streets_drill_is_a_404_everywhere(login, huayang_drill):
    client = login("xinhua_staff")
    for name, url in drill_urls(huayang_drill).items():
        assert client.get(url).status_code == 404, name
    action = huayang_drill.actions.first()
    assert client.post(reverse("drills:action_done", args=[action.pk])).status_code == 404
    assert client.post(reverse("drills:cancel", args=[huayang_drill.pk])).status_code == 404
    response = client.post(
        drill_urls(huayang_drill)["add_action"],
        {"problem": "x", "owner": "y", "due_date": days(5).isoformat()},
    )
    assert response.status_code == 404
    assert huayang_drill.title not in client.get(reverse("drills:list")).content.decode()
    actions = client.get(reverse("drills:actions"), {"show": "all"}).content.decode()
    assert "新华路街道高层住宅" in actions and huayang_drill.get_absolute_url() not in actions
    titles = export_titles(client)
    assert titles and not any(t.startswith("华阳路") for t in titles)
    calendar = client.get(
        reverse("drills:calendar"), {"month": huayang_drill.date.strftime("%Y-%m")}
    )
    assert huayang_drill.title not in calendar.content.decode()
    assert client.get(reverse("drills:coverage"), {"street": "310105001"}).status_code == 404
    assert huayang_drill.actions.count() == 3 and not action.done


def test_reviewer_reads_but_cannot_change(login, huayang_drill):
    client = login("changning_reviewer")
    urls = drill_urls(huayang_drill)
    assert client.get(urls["detail"]).status_code == 200
    download = client.get(urls["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    for name in ("edit", "add_action", "add_file"):
        assert client.get(urls[name]).status_code == 403, name
    action = huayang_drill.actions.filter(done=False).first()
    assert client.post(reverse("drills:action_done", args=[action.pk])).status_code == 403
    response = client.post(
        urls["add_action"], {"problem": "x", "owner": "y", "due_date": days(5).isoformat()}
    )
    assert response.status_code == 403
    assert client.get(reverse("drills:create")).status_code == 403
    assert client.get(reverse("drills:plan_create")).status_code == 403
    action.refresh_from_db()
    assert not action.done and huayang_drill.actions.count() == 3
    assert huayang_drill.title in export_titles(client)
    body = client.get(reverse("drills:coverage"), {"street": "310105001"}).content.decode()
    assert "秀水居民区" in body


def test_anonymous_is_sent_to_login(client, huayang_drill):
    urls = [
        reverse(name)
        for name in ("drills:list", "drills:export", "drills:calendar", "drills:coverage")
    ]
    urls += [
        reverse("drills:actions"),
        reverse("drills:plans"),
        *drill_urls(huayang_drill).values(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def _drill_post(unit, **extra):
    data = {
        "org_unit": unit.pk,
        "title": "秀水居民区燃气泄漏处置演练",
        "form": "scenario",
        "theme": "gas",
        "date": days(-1).isoformat(),
        "place": "秀水居民区活动室",
        "organiser": "秀水居委会",
        "participants": "35",
        "status": "completed",
        "summary": "",
        "cancel_reason": "",
    }
    return data | extra


def test_completing_without_summary_in_the_form_is_refused(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(name="秀水居民区")
    count = Drill.objects.count()
    response = client.post(reverse("drills:create"), _drill_post(community))
    assert response.status_code == 200
    # once, on the summary field: never the database constraint's name beside it
    assert response.context["form"].errors == {
        "summary": ["演练完成后必须填写演练总结，才能标记为“已完成”。"]
    }
    assert "drill_completed_has_summary" not in response.content.decode()
    # a plan of another street is not even a choice
    other = Plan.objects.filter(org_unit__code="310115005").first()
    response = client.post(
        reverse("drills:create"), _drill_post(community, summary="好", plans=[other.pk])
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert Drill.objects.count() == count


def test_staff_record_a_held_drill_with_plans_and_a_problem(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(name="秀水居民区")
    plan = Plan.objects.get(title="华阳路街道燃气事故专项应急预案")
    response = client.post(
        reverse("drills:create"),
        _drill_post(community, summary="疏散及时，处置规范。", plans=[plan.pk]),
    )
    drill = Drill.objects.get(title="秀水居民区燃气泄漏处置演练")
    assert response.status_code == 302 and response.url == drill.get_absolute_url()
    assert list(drill.plans.all()) == [plan]
    assert drill.created_by == User.objects.get(username="huayang_staff")
    response = client.post(
        reverse("drills:add_action", args=[drill.pk]),
        {"problem": "燃气报警器未联动", "owner": "燃气公司", "due_date": days(-1).isoformat()},
    )
    assert response.status_code == 302
    body = client.get(drill.get_absolute_url()).content.decode()
    assert "燃气报警器未联动" in body and "已逾期" in body
    assert community not in services.communities_without_recent_drill(community.parent)
    photo = SimpleUploadedFile("现场.png", png_bytes())
    response = client.post(
        reverse("drills:add_file", args=[drill.pk]), {"kind": "photo", "file": photo}
    )
    assert response.status_code == 302 and drill.files.get().original_name == "现场.png"


def test_bad_photo_is_refused_and_nothing_saved(login, huayang_drill):
    client = login("huayang_staff")
    response = client.post(
        reverse("drills:add_file", args=[huayang_drill.pk]),
        {"kind": "photo", "file": SimpleUploadedFile("现场.jpg", PDF_BYTES)},
    )
    assert response.status_code == 200
    assert "只能上传 JPG、PNG 或 WebP" in response.content.decode()
    assert huayang_drill.files.count() == 1


def test_overdue_actions_are_flagged_on_the_pages(login, huayang_drill):
    client = login("huayang_staff")
    body = client.get(reverse("drills:actions"), {"show": "overdue"}).content.decode()
    assert "12 号楼楼道堆物" in body and "应急广播在地下车库" not in body
    assert "已逾期未完成" in body
    detail = client.get(huayang_drill.get_absolute_url()).content.decode()
    assert detail.count('class="follow-up table-danger overdue"') == 1
    listing = client.get(reverse("drills:list")).content.decode()
    assert "1 项逾期" in listing
    overdue = huayang_drill.actions.get(problem__startswith="12 号楼")
    client.post(reverse("drills:action_done", args=[overdue.pk]), {"done": "1"})
    overdue.refresh_from_db()
    assert overdue.done and overdue.updated_by.username == "huayang_staff"


def test_calendar_and_coverage_pages(login, demo):
    client = login("huayang_staff")
    year = TODAY().year
    body = client.get(reverse("drills:calendar"), {"month": f"{year}-05"}).content.decode()
    assert "5·12 防灾减灾日" in body and "防灾减灾日地震应急疏散演练" in body
    body = client.get(reverse("drills:calendar"), {"month": f"{year}-11"}).content.decode()
    assert "119消防月" in body
    body = client.get(reverse("drills:calendar"), {"month": "garbage"}).content.decode()
    assert TODAY().strftime("%Y-%m-%d") in body
    body = client.get(reverse("drills:coverage")).content.decode()
    assert "秀水居民区" in body and "长宁支路居民区" in body and "从未举行演练" in body
    assert "华一居民区</span>" not in body.split("uncovered")[1]


def test_list_filters(login, demo):
    client = login("huayang_staff")

    def table(**params):
        body = client.get(reverse("drills:list"), params).content.decode()
        return body.split("drill-table")[1]

    body = table(theme="elevator")
    assert "电梯困人" in body and "防汛防台综合应急演练" not in body
    body = table(q="长宁支路")
    assert "长宁支路居民区防汛防台应急演练" in body and "华一" not in body
    body = table(unit="310105001005")
    assert "长宁支路居民区防汛防台应急演练" in body and "华一居民区" not in body
    body = table(status="cancelled")
    assert "取消" in body and "已完成" not in body


def test_list_query_count_does_not_grow(client, tree, django_assert_max_num_queries):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    FollowUpActionFactory(drill__org_unit=tree["s1"], due_date=days(10))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("drills:list"))
    for _ in range(30):
        FollowUpActionFactory(drill__org_unit=tree["c1"], due_date=days(-2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("drills:list"))
    assert response.content.decode().count("1 项逾期") == 30
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("drills:actions"))
    assert response.content.decode().count("follow-up table-danger overdue") == 30


def test_reviewer_has_no_create_rights_even_in_scope(client, tree):
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    client.force_login(reviewer)
    response = client.post(
        reverse("drills:create"), _drill_post(tree["c1"], status="planned", date="2026-12-01")
    )
    assert response.status_code == 403 and not Drill.objects.exists()
