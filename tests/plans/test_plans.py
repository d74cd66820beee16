import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.orgs.models import OrgKind, OrgUnit, User
from apps.plans import services
from apps.plans.models import Plan, PlanVersion
from resilience.dates import add_months
from tests.conftest import make_user
from tests.factories import child
from tests.plans.factories import PlanAttachmentFactory, PlanFactory, pdf_upload

HUAYANG = "310105001"


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2023, 1, 31), 36, datetime.date(2026, 1, 31)),
        (datetime.date(2025, 11, 30), 3, datetime.date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_next_review_date_follows_the_cycle(tree):
    plan = PlanFactory(org_unit=tree["s1"], effective_date=datetime.date(2024, 3, 1))
    assert plan.next_review_date == datetime.date(2027, 3, 1)  # default 36 months
    plan.review_cycle_months = 24
    plan.save()
    assert plan.next_review_date == datetime.date(2026, 3, 1)
    plan.effective_date = None
    plan.save()
    assert plan.next_review_date is None


def test_review_overdue(tree):
    overdue = PlanFactory(org_unit=tree["s1"], effective_date=datetime.date(2020, 1, 1))
    fresh = PlanFactory(org_unit=tree["s1"], effective_date=datetime.date.today())
    retired = PlanFactory(
        org_unit=tree["s1"], effective_date=datetime.date(2020, 1, 1), status=Plan.Status.RETIRED
    )
    assert list(Plan.objects.review_overdue()) == [overdue]
    assert overdue.review_overdue and not fresh.review_overdue and not retired.review_overdue


def test_new_version_keeps_the_old_one_in_history(tree):
    staff = make_user(tree["s1"])
    plan = PlanFactory(org_unit=tree["s1"], status=Plan.Status.DRAFT, effective_date=None)
    first = services.add_version(
        staff,
        plan,
        version_date=datetime.date(2023, 5, 1),
        change_summary="首次编制",
        files=[pdf_upload()],
    )
    second = services.add_version(
        staff,
        plan,
        version_date=datetime.date(2025, 6, 1),
        change_summary="按新规修订",
        files=[pdf_upload("修订稿.pdf")],
    )
    first.refresh_from_db()
    plan.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert not first.is_current and second.is_current
    assert list(plan.versions.values_list("number", flat=True)) == [2, 1]
    assert first.attachments.get().original_name == "预案.pdf"
    assert plan.status == Plan.Status.IN_FORCE
    assert plan.effective_date == datetime.date(2025, 6, 1)
    assert plan.next_review_date == datetime.date(2028, 6, 1)
    assert plan.updated_by == staff


def test_only_one_current_version_is_enforced_by_the_database(tree):
    from django.db import IntegrityError, transaction

    version = PlanAttachmentFactory(version__plan__org_unit=tree["s1"]).version
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(
            plan=version.plan,
            number=2,
            version_date=datetime.date.today(),
            change_summary="x",
            is_current=True,
        )


def test_retired_plan_takes_no_new_version(tree):
    staff = make_user(tree["s1"])
    plan = PlanFactory(org_unit=tree["s1"])
    services.retire_plan(staff, plan, reason="机构调整")
    with pytest.raises(ValidationError):
        services.add_version(
            staff,
            plan,
            version_date=datetime.date.today(),
            change_summary="x",
            files=[pdf_upload()],
        )
    assert not plan.versions.exists()


def test_structure_rules(tree):
    staff = make_user(tree["s1"])
    overall = PlanFactory(org_unit=tree["s1"], kind=Plan.Kind.OVERALL)
    special = PlanFactory(org_unit=tree["s1"], kind=Plan.Kind.SPECIAL, parent=overall)
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            staff, Plan(org_unit=tree["s1"], kind=Plan.Kind.COMMUNITY, title="x", department="x")
        )
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            staff,
            Plan(
                org_unit=tree["c1"],
                kind=Plan.Kind.COMMUNITY,
                title="x",
                department="x",
                parent=special,
            ),
        )
    assert "parent" in exc.value.message_dict
    other_overall = PlanFactory(org_unit=tree["s2"], kind=Plan.Kind.OVERALL)
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            staff,
            Plan(
                org_unit=tree["c1"],
                kind=Plan.Kind.COMMUNITY,
                title="x",
                department="x",
                parent=other_overall,
            ),
        )
    assert "parent" in exc.value.message_dict
    ok = services.save_plan(
        staff,
        Plan(
            org_unit=tree["c1"],
            kind=Plan.Kind.COMMUNITY,
            title="甲一居委预案",
            department="居委会",
            parent=overall,
        ),
    )
    assert ok.pk and ok.created_by == staff


def test_plan_system_lists_uncovered_communities(tree):
    overall = PlanFactory(org_unit=tree["s1"], kind=Plan.Kind.OVERALL)
    c3 = child(tree["s1"], OrgKind.COMMUNITY, code="S1C3", name="甲三居委")
    PlanFactory(org_unit=tree["c1"], kind=Plan.Kind.COMMUNITY, parent=overall)
    PlanFactory(org_unit=c3, kind=Plan.Kind.COMMUNITY, parent=overall, status=Plan.Status.DRAFT)
    PlanFactory(org_unit=tree["s1"], kind=Plan.Kind.SPECIAL, parent=overall)
    PlanFactory(org_unit=tree["s1"], kind=Plan.Kind.DEPARTMENT)
    system = services.plan_system(tree["s1"])
    assert system["counts"] == {"overall": 1, "n": 2, "m": 1}
    assert [c.code for c in system["uncovered"]] == ["S1C3"]  # a draft is not in force
    assert len(system["overall"][0].tree_children) == 3
    assert [p.kind for p in system["loose"]] == [Plan.Kind.DEPARTMENT]


# --- pages, with the demo data --------------------------------------------------------------


@pytest.fixture
def huayang_plan(demo):
    return Plan.objects.get(title="华阳路街道防汛防台专项应急预案")


def plan_urls(plan):
    attachment = plan.versions.get(is_current=True).attachments.first()
    return {
        "detail": reverse("plans:detail", args=[plan.pk]),
        "edit": reverse("plans:edit", args=[plan.pk]),
        "version": reverse("plans:add_version", args=[plan.pk]),
        "retire": reverse("plans:retire", args=[plan.pk]),
        "download": reverse("plans:attachment", args=[attachment.pk]),
    }


def export_titles(client, **params):
    response = client.get(reverse("plans:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("预案名称")
    return {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_another_streets_plan_is_a_404_everywhere(login, huayang_plan):
    client = login("xinhua_staff")
    for name, url in plan_urls(huayang_plan).items():
        assert client.get(url).status_code == 404, name
    assert client.post(plan_urls(huayang_plan)["retire"], {"reason": "x"}).status_code == 404
    assert huayang_plan.title not in client.get(reverse("plans:list")).content.decode()
    assert export_titles(client) == set()  # 新华路 has no demo plans
    assert login("lujiazui_staff") and huayang_plan.title not in export_titles(client)


def test_pudong_reviewer_cannot_see_changning_plans(login, huayang_plan):
    client = login("pudong_reviewer")
    assert client.get(plan_urls(huayang_plan)["detail"]).status_code == 404
    titles = export_titles(client)
    assert "陆家嘴街道突发事件总体应急预案" in titles
    assert not any(t.startswith("华阳路") for t in titles)


def test_reviewer_reads_but_cannot_change(login, huayang_plan):
    client = login("changning_reviewer")
    urls = plan_urls(huayang_plan)
    assert client.get(urls["detail"]).status_code == 200
    download = client.get(urls["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    for name in ("edit", "version", "retire"):
        assert client.get(urls[name]).status_code == 403, name
    assert client.post(urls["retire"], {"reason": "x"}).status_code == 403
    assert client.get(reverse("plans:create")).status_code == 403
    huayang_plan.refresh_from_db()
    assert huayang_plan.status == Plan.Status.IN_FORCE
    assert huayang_plan.title in export_titles(client)


def test_anonymous_is_sent_to_login(client, huayang_plan):
    for url in [reverse("plans:list"), reverse("plans:export"), *plan_urls(huayang_plan).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_create_a_community_plan_and_upload_a_version(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(name="秀水居民区")
    overall = Plan.objects.get(title="华阳路街道突发事件总体应急预案")
    response = client.post(
        reverse("plans:create"),
        {
            "org_unit": community.pk,
            "kind": "community",
            "title": "秀水居民区突发事件应急预案",
            "parent": overall.pk,
            "department": "秀水居委会",
            "status": "draft",
            "review_cycle_months": 36,
        },
    )
    plan = Plan.objects.get(title="秀水居民区突发事件应急预案")
    assert response.status_code == 302 and response.url == plan_urls_version(plan)
    assert plan.created_by == User.objects.get(username="huayang_staff")
    response = client.post(
        plan_urls_version(plan),
        {"version_date": "2026-11-01", "change_summary": "首次编制", "files": [pdf_upload()]},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.IN_FORCE
    system = client.get(reverse("plans:system")).content.decode()
    assert "秀水居民区突发事件应急预案" in system


def plan_urls_version(plan):
    return reverse("plans:add_version", args=[plan.pk])


@pytest.mark.parametrize(
    "upload,limit,message",
    [
        (pdf_upload("伪装.pdf", b"just text, not a pdf"), 20, "只能上传 PDF 或 Word"),
        (pdf_upload("表格.pdf", b"PK\x03\x04" + b"\0" * 100), 20, "只能上传 PDF 或 Word"),
        (pdf_upload("大文件.pdf"), 0, "文件过大"),
    ],
)
def test_bad_upload_is_refused_and_nothing_saved(
    login, huayang_plan, settings, upload, limit, message
):
    settings.MAX_DOCUMENT_UPLOAD_MB = limit
    client = login("huayang_staff")
    before = (PlanVersion.objects.count(), huayang_plan.effective_date)
    response = client.post(
        plan_urls_version(huayang_plan),
        {"version_date": "2026-11-01", "change_summary": "修订", "files": [upload]},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    huayang_plan.refresh_from_db()
    assert (PlanVersion.objects.count(), huayang_plan.effective_date) == before


def test_bad_plan_form_gets_chinese_errors_and_saves_nothing(login, demo):
    client = login("huayang_staff")
    count = Plan.objects.count()
    street = OrgUnit.objects.get(code=HUAYANG)
    response = client.post(
        reverse("plans:create"),
        {
            "org_unit": street.pk,
            "kind": "community",
            "title": "",
            "department": "x",
            "status": "draft",
            "review_cycle_months": 36,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in body and "居民区预案应属于居委/村" in body
    # a unit outside the user's scope is not even a choice
    xinhua = OrgUnit.objects.get(code="310105004")
    response = client.post(
        reverse("plans:create"),
        {
            "org_unit": xinhua.pk,
            "kind": "special",
            "title": "越权",
            "department": "x",
            "status": "draft",
            "review_cycle_months": 36,
        },
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert Plan.objects.count() == count


def test_a_refusal_of_the_service_is_shown_on_the_new_plan_form(login, demo, monkeypatch):
    """What only the service can see (e.g. another clerk's plan saved a moment before): the
    form again with the message, nothing saved."""

    def refuse(user, plan):
        raise ValidationError({"parent": "上级预案刚被废止，请重新选择。"})

    monkeypatch.setattr(services, "save_plan", refuse)
    client = login("huayang_staff")
    count = Plan.objects.count()
    street = OrgUnit.objects.get(code=HUAYANG)
    response = client.post(
        reverse("plans:create"),
        {
            "org_unit": street.pk,
            "kind": "special",
            "title": "台风专项应急预案",
            "department": "街道应急办",
            "status": "draft",
            "review_cycle_months": 36,
        },
    )
    assert response.status_code == 200
    assert "上级预案刚被废止，请重新选择。" in response.content.decode()
    assert Plan.objects.count() == count


def test_list_filters(login, demo):
    client = login("huayang_staff")
    body = client.get(reverse("plans:list"), {"overdue": "on"}).content.decode()
    assert "燃气事故专项应急预案" in body and "防汛防台专项应急预案" not in body
    body = client.get(reverse("plans:list"), {"kind": "community"}).content.decode()
    assert "华一居民区突发事件应急预案" in body and "总体应急预案" not in body
    body = client.get(reverse("plans:list"), {"q": "社区服务办"}).content.decode()
    assert "自然灾害救助部门预案" in body and "火灾事故" not in body
    body = client.get(reverse("plans:list"), {"unit": f"{HUAYANG}002"}).content.decode()
    assert "华三居民区突发事件应急预案" in body and "华一居民区突发" not in body
    assert export_titles(client, kind="overall") == {"华阳路街道突发事件总体应急预案"}


def test_reviewer_picks_a_street_in_the_plan_system(login, demo):
    client = login("changning_reviewer")
    body = client.get(reverse("plans:system"), {"street": HUAYANG}).content.decode()
    assert "长宁支路居民区" in body and "秀水居民区" in body and "华一居民区突发" in body
    assert client.get(reverse("plans:system"), {"street": "310115005"}).status_code == 404


def test_list_query_count_does_not_grow(client, tree, django_assert_max_num_queries):
    staff = make_user(tree["s1"])
    client.force_login(staff)
    PlanAttachmentFactory(version__plan__org_unit=tree["s1"])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("plans:list"))
    for _ in range(30):
        PlanAttachmentFactory(version__plan__org_unit=tree["c1"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("plans:list"))
    assert response.content.decode().count("第 1 版") == 31
