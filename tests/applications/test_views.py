import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from apps.applications import services
from apps.applications.models import (
    Action,
    Application,
    Evidence,
    ItemAssessment,
    State,
)
from apps.applications.report import ApplicationReport
from apps.orgs.models import OrgUnit, Role, User
from apps.reports.kinds import KINDS
from apps.reports.models import ReportRequest
from tests.applications.factories import fill, meet_conditions, new_application, people
from tests.conftest import make_user
from tests.hazards.factories import HazardFactory
from tests.plans.factories import pdf_upload

HUAYANG = "310105001"


def huayang_app(state):
    return Application.objects.get(org_unit__code=HUAYANG, state=state)


def urls(app):
    aspect = app.standard.aspects.order_by("order").first()
    evidence = app.evidence.first()
    result = {
        "detail": reverse("applications:detail", args=[app.pk]),
        "edit": reverse("applications:edit", args=[app.pk]),
        "aspect": reverse("applications:aspect", args=[app.pk, aspect.pk]),
        "review": reverse("applications:review", args=[app.pk]),
        "return": reverse("applications:transition", args=[app.pk, "return"]),
        "submit": reverse("applications:transition", args=[app.pk, "submit"]),
    }
    if evidence:
        result["evidence"] = reverse("applications:evidence", args=[evidence.pk])
    return result


@pytest.fixture
def demo_apps(demo):
    return {
        "in_review": huayang_app(State.IN_REVIEW),
        "draft": Application.objects.get(org_unit__code=f"{HUAYANG}002"),
    }


def test_another_street_and_another_district_get_404(login, demo_apps):
    app = demo_apps["in_review"]
    for username in ("xinhua_staff", "pudong_reviewer", "lujiazui_staff"):
        client = login(username)
        for name, url in urls(app).items():
            assert client.get(url).status_code == 404, (username, name)
        assert client.post(urls(app)["return"], {"comment": "x"}).status_code == 404
        body = client.get(reverse("applications:list")).content.decode()
        assert "华阳路街道" not in body and "华一居民区" not in body
        compare = client.get(reverse("applications:compare")).content.decode()
        assert "华一居民区" not in compare
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW
    # and the Pudong reviewer does see 陆家嘴
    body = login("pudong_reviewer").get(reverse("applications:list")).content.decode()
    assert "梅园一村居民区" in body


def test_reviewer_reads_but_cannot_change_the_applicants_side(login, demo_apps):
    client = login("changning_reviewer")
    draft, app = demo_apps["draft"], demo_apps["in_review"]
    assert client.get(urls(draft)["detail"]).status_code == 200
    download = client.get(urls(app)["evidence"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    for name in ("edit", "aspect", "submit"):
        assert client.get(urls(draft)[name]).status_code == 403, name
    assert client.post(urls(draft)["edit"], {"contact_name": "改"}).status_code == 403
    assert client.get(reverse("applications:create")).status_code == 403
    evidence = app.evidence.first()
    delete = reverse("applications:evidence_delete", args=[evidence.pk])
    assert client.post(delete).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Application.objects.get(pk=draft.pk).contact_name == "周静"
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT


def test_street_staff_cannot_review(login, demo_apps):
    client = login("huayang_staff")
    app = demo_apps["in_review"]
    assert client.get(urls(app)["review"]).status_code == 403
    assert client.post(urls(app)["return"], {"comment": "自己退回"}).status_code == 403
    item = app.assessments.first().item_id
    assert client.post(urls(app)["review"], {f"score_{item}": "0"}).status_code == 403
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW


def test_anonymous_is_sent_to_login(client, demo_apps):
    app = demo_apps["in_review"]
    pages = [
        reverse("applications:list"),
        reverse("applications:queue"),
        reverse("applications:compare"),
        reverse("applications:create"),
        *urls(app).values(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_a_submitted_application_is_read_only(login, demo_apps):
    client = login("huayang_staff")
    app = demo_apps["in_review"]
    before = list(ItemAssessment.objects.filter(application=app).values_list("claimed_points"))
    for name in ("edit", "aspect"):
        response = client.get(urls(app)[name])
        assert response.status_code == 302 and response.url == app.get_absolute_url()
    item = app.assessments.first().item_id
    response = client.post(urls(app)["aspect"], {f"points_{item}": "0"}, follow=True)
    assert "申报已提交，不能再修改" in response.content.decode()
    after = list(ItemAssessment.objects.filter(application=app).values_list("claimed_points"))
    assert after == before
    detail = client.get(urls(app)["detail"]).content.decode()
    assert "填写自评" not in detail and "申报已提交，内容只读" in detail


def test_detail_shows_the_snapshot_not_live_data(login, demo_apps):
    app = Application.objects.get(org_unit__code="310115005", title="national")
    snapshot_total = app.facts_snapshot["hazards"]["total"]
    street = OrgUnit.objects.get(code="310115005")
    staff = User.objects.get(username="lujiazui_staff")
    for _ in range(3):
        HazardFactory(org_unit=street, created_by=staff)
    live = services.facts_module.live_facts(street)["hazards"]["total"]
    assert live == snapshot_total + 3
    body = login("pudong_reviewer").get(urls(app)["detail"]).content.decode()
    assert "提交时固化" in body
    assert (
        f'<dt class="col-8">发现隐患</dt><dd class="col-4 mb-0 text-end">{snapshot_total}</dd>'
        in body
    )
    app.refresh_from_db()
    assert app.facts_snapshot["hazards"]["total"] == snapshot_total


def test_create_and_fill_an_aspect_with_evidence(login, demo):
    client = login("huayang_staff")
    unit = OrgUnit.objects.get(code=f"{HUAYANG}006")
    response = client.post(
        reverse("applications:create"),
        {
            "org_unit": unit.pk,
            "standard": services.active_standards().first().pk,
            "title": "city",
            "year": 2026,
            "contact_name": "赵丽",
            "contact_phone": "021-62520006",
        },
    )
    app = Application.objects.get(org_unit=unit)
    assert response.status_code == 302 and response.url == app.get_absolute_url()
    assert app.assessments.count() == 31 and app.events.get().action == Action.CREATE
    aspect = app.standard.aspects.get(order=1)
    items = list(aspect.items.all())
    data = {f"points_{i.pk}": str(i.max_points) for i in items}
    data[f"explanation_{items[0].pk}"] = "已成立综合减灾领导小组"
    data[f"evidence_{items[0].pk}"] = [pdf_upload("领导小组文件.pdf")]
    response = client.post(reverse("applications:aspect", args=[app.pk, aspect.pk]), data)
    assert response.status_code == 302
    assert Evidence.objects.get(application=app).original_name == "领导小组文件.pdf"
    assert services.totals(app)["claimed"] == 12
    # bad input: too many points, a fake file: Chinese messages, nothing saved
    data = {f"points_{items[0].pk}": "9", f"evidence_{items[1].pk}": [pdf_upload("假.pdf", b"x")]}
    response = client.post(reverse("applications:aspect", args=[app.pk, aspect.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "确保该值小于或等于3.0" in body
    response = client.post(
        reverse("applications:aspect", args=[app.pk, aspect.pk]),
        {f"points_{items[0].pk}": "1", f"evidence_{items[1].pk}": [pdf_upload("假.pdf", b"x")]},
    )
    assert "假.pdf：只能上传" in response.content.decode()
    assert Evidence.objects.filter(application=app).count() == 1
    assert services.totals(app)["claimed"] == 12
    evidence = Evidence.objects.get(application=app)
    assert (
        login("xinhua_staff")
        .post(reverse("applications:evidence_delete", args=[evidence.pk]))
        .status_code
        == 404
    )
    login("huayang_staff").post(reverse("applications:evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.filter(application=app).exists()


def test_bad_application_form_gets_chinese_errors_and_saves_nothing(login, demo):
    client = login("huayang_staff")
    count = Application.objects.count()
    xinhua = OrgUnit.objects.get(code="310105004")
    response = client.post(
        reverse("applications:create"),
        {"org_unit": xinhua.pk, "title": "city", "year": 2026, "contact_name": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "选择一个有效的选项" in body and "这个字段是必填项" in body
    street = OrgUnit.objects.get(code=HUAYANG)
    response = client.post(
        reverse("applications:create"),
        {
            "org_unit": street.pk,
            "standard": services.active_standards().first().pk,
            "title": "city",
            "year": 2026,
            "contact_name": "王敏",
            "contact_phone": "1",
            "cultivate_start": "2026-05-01",
            "cultivate_end": "2026-01-01",
        },
    )
    body = response.content.decode()
    assert "该单位本年度已有同一称号的申报" in body
    assert "启动培育期的结束日期不能早于开始日期" in body
    assert Application.objects.count() == count


def test_reviewer_scores_returns_with_a_reason_and_approves(login, demo_apps):
    client = login("changning_reviewer")
    app = demo_apps["in_review"]
    response = client.post(urls(app)["return"], {"comment": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert Application.objects.get(pk=app.pk).state == State.IN_REVIEW
    rows = list(app.assessments.select_related("item"))
    bad = {f"score_{r.item_id}": str(r.item.max_points) for r in rows}
    bad[f"score_{rows[0].item_id}"] = "99"
    response = client.post(urls(app)["review"], bad)
    assert response.status_code == 200 and "确保该值小于或等于" in response.content.decode()
    assert app.assessments.filter(score__isnull=True).count() > 0  # nothing saved
    good = {f"score_{r.item_id}": str(r.item.max_points) for r in rows}
    aspect = app.standard.aspects.get(order=2)
    good[f"comment_{aspect.pk}"] = "风险地图已公示"
    assert client.post(urls(app)["review"], good).status_code == 302
    assert services.totals(app)["score"] == 100
    approve = reverse("applications:transition", args=[app.pk, "approve"])
    response = client.post(approve, {"comment": "同意"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.APPROVED
    detail = login("huayang_staff").get(urls(app)["detail"]).content.decode()
    assert "风险地图已公示" in detail and "达到通过分数线" in detail


def test_city_result_is_for_admins(login, demo):
    app = Application.objects.get(org_unit__code=f"{HUAYANG}003", state=State.APPROVED)
    award = reverse("applications:transition", args=[app.pk, "award"])
    assert login("changning_reviewer").post(award, {"award_date": "2026-11-01"}).status_code == 403
    client = login("admin")
    response = client.post(award, {"award_date": "2026-11-01", "validity_years": 3})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.AWARDED and str(app.valid_until) == "2029-11-01"


def test_queue_filters_and_comparison(login, demo):
    client = login("pudong_reviewer")
    body = client.get(reverse("applications:queue")).content.decode()
    assert "全国综合减灾示范社区" in body and "梅园一村居民区" not in body  # returned ≠ waiting
    body = client.get(reverse("applications:list"), {"state": "returned"}).content.decode()
    assert "梅园一村居民区" in body and "崂山一村居民区" not in body
    body = client.get(reverse("applications:list"), {"title": "national"}).content.decode()
    assert "全国综合减灾示范社区" in body and "梅园一村" not in body
    body = client.get(reverse("applications:list"), {"year": 2025}).content.decode()
    assert "崂山一村居民区" in body and "梅园一村" not in body
    body = (
        login("changning_reviewer")
        .get(reverse("applications:list"), {"street": HUAYANG})
        .content.decode()
    )
    assert "华一居民区" in body
    compare = login("pudong_reviewer").get(reverse("applications:compare")).content.decode()
    assert "预案编制与演练" in compare and "崂山一村居民区" in compare
    assert "未达通过分数线" in compare and "达到通过分数线" in compare


def test_list_and_compare_query_counts_do_not_grow(client, tree, django_assert_max_num_queries):
    users = people(tree)
    reviewer = users["reviewer"]
    client.force_login(reviewer)
    staff = users["staff"]

    def submitted(unit, title="city", year=2026, staff=staff):
        app = new_application(staff, unit, title=title, year=year)
        meet_conditions(unit, staff)
        fill(staff, app)
        services.transition_application(staff, app, Action.SUBMIT)

    submitted(tree["s1"])
    pages = [reverse("applications:list"), reverse("applications:queue")]
    pages.append(reverse("applications:compare"))
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    for year in range(2000, 2012):
        submitted(tree["c1"], year=year)
        submitted(tree["c2"], year=year, staff=users["other_staff"])
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        body = response.content.decode()
        assert body.count("甲一居委") >= 12 and body.count("乙一居委") >= 12


@pytest.fixture
def application_kind(monkeypatch):
    """The kind as the app lists it (apps/applications/report.py)."""
    monkeypatch.setitem(KINDS, "application", ApplicationReport())


def test_pdf_application_form(login, demo, application_kind, run_tasks_on_commit):
    app = Application.objects.get(org_unit__code="310115005", title="national")
    client = login("lujiazui_staff")
    response = client.post(reverse("reports:create", args=["application"]), {"app": app.pk})
    report = ReportRequest.objects.get()
    assert response.status_code == 302 and report.state == ReportRequest.State.DONE, report.error
    download = client.get(reverse("reports:download", args=[report.pk]))
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages).replace(" ", "")
    for expected in [
        "全国综合减灾示范社区创建申报表",
        "陆家嘴街道",
        "有班子",
        "应急预案与演练",  # the national table (cn-2020)
        "姜文杰",
    ]:
        assert expected in text, expected
    # another district's application is a 404
    other = Application.objects.filter(org_unit__code__startswith=HUAYANG).first()
    response = client.post(reverse("reports:create", args=["application"]), {"app": other.pk})
    assert response.status_code == 404 and ReportRequest.objects.count() == 1


def test_community_staff_only_see_their_community(client, tree):
    users = people(tree)
    app = new_application(users["staff"], tree["s1"])
    community_user = make_user(tree["c1"], Role.STREET_STAFF)
    client.force_login(community_user)
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404


def test_deleting_evidence_asks_for_confirmation_first(client, tree):
    """The delete form carries its question (data-confirm) and the page loads the static
    script that asks it; no inline script (CSP)."""
    staff = make_user(tree["s1"])
    app = new_application(staff, tree["s1"])
    aspect = app.standard.aspects.order_by("order").first()
    item = aspect.items.order_by("order").first()
    services.save_self_assessment(
        staff, app, aspect, {}, uploads={item.pk: [pdf_upload("领导小组文件.pdf")]}
    )
    client.force_login(staff)
    page = client.get(reverse("applications:aspect", args=[app.pk, aspect.pk])).content.decode()
    assert 'data-confirm="确定删除佐证材料“领导小组文件.pdf”吗？删除后不能恢复。"' in page
    assert "js/confirm.js" in page and "<script>" not in page
