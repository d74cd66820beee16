"""The pages of 信息报送 on the demo city: the list is scoped (the district sees every street's
incidents, another street sees none) and filtered; the front line files a 初报 and the 零报告
from the phone pages, scoped to their unit; the street adds 续报 and the 终报 (and nothing
after it); the district signs for reports and asks for a 续报 (street staff may not); a hazard
becomes an incident; the 信息报告单 renders as a PDF. An incident names the warning it comes
of; its page lists that warning, the response events that answer it and the shelters they
opened, and the warning's page its incidents and events, each as far as the viewer sees."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.hazards.models import Hazard
from apps.incidents.models import FollowUpRequest, Incident, IncidentReport, IncidentState
from apps.orgs.models import OrgUnit, User
from apps.warnings.demo import PUBLISHED_ID
from apps.warnings.models import Status, Warning

OPEN_TITLE = "华一小区 12 号楼电动自行车火灾"
CLOSED_TITLE = "安西路下立交积水"
GARAGE_TITLE = "华三居民区地下车库进水"
PLAN_TITLE = "华阳路街道防汛防台专项应急预案"


@pytest.fixture
def fire(demo):
    return Incident.objects.get(title=OPEN_TITLE)


@pytest.fixture
def flood(demo):
    return Incident.objects.get(title=CLOSED_TITLE)


@pytest.fixture
def garage(demo):
    """The demo's 积水 that came of 长宁区's 暴雨黄色预警."""
    return Incident.objects.select_related("warning").get(title=GARAGE_TITLE)


def open_response(incident=None, warning=None, *, title):
    """The street opens its 防汛防台 plan at Ⅱ级 for the incident or the warning."""
    from apps.plans.models import Plan
    from apps.response import services as response_services

    return response_services.open_event(
        User.objects.get(username="huayang_staff"),
        Plan.objects.get(title=PLAN_TITLE),
        level=2,
        title=title,
        origin="incident" if incident else "warning",
        incident=incident,
        warning=warning,
    )


def _form(**changes):
    now = timezone.localtime()
    return {
        "title": "华一小区燃气泄漏",
        "incident_type": "",
        "level": "4",
        "occurred_at": (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "address": "华一小区 5 号楼",
        "source": "信息员巡查",
        "coord_system": "wgs84",
        "latitude": "31.221500",
        "longitude": "121.426000",
        "nature": "燃气泄漏",
        "impact": "5 号楼 2 单元",
        "casualties": "无",
        "trend": "已关阀",
        "measures": "疏散 20 人，通知燃气公司",
        **changes,
    }


def _type(code):
    from apps.incidents.models import IncidentType

    return str(IncidentType.objects.get(code=code).pk)


@pytest.mark.parametrize(
    "query", [{"state": "半开"}, {"street": "no-such-street"}, {"category": "x"}]
)
def test_bad_filters_are_ignored_and_the_list_stays_in_scope(tree, client, query):
    from apps.incidents.models import IncidentType
    from tests.conftest import make_user

    for street in ("s1", "s2"):
        Incident.objects.create(
            org_unit=tree[street],
            title=f"{street} 事件",
            incident_type=IncidentType.objects.get(code="fire-other"),
            occurred_at=timezone.now(),
            address="x",
            source="x",
            phone_due=timezone.now(),
            written_due=timezone.now(),
        )
    client.force_login(make_user(tree["s1"]))
    response = client.get(reverse("incidents:list"), query)
    page = response.content.decode()
    assert response.status_code == 200 and "s1 事件" in page and "s2 事件" not in page


def test_the_demo_has_an_open_incident_with_two_reports_and_a_closed_one(fire, flood):
    assert [str(r.label) for r in fire.reports.all()] == ["初报", "续报一"]
    assert flood.state == IncidentState.CLOSED
    assert [str(r.label) for r in flood.reports.all()] == ["初报", "终报"]


def test_the_district_sees_every_streets_incidents_and_filters_them(login, fire, flood):
    client = login("changning_reviewer")
    page = client.get(reverse("incidents:list")).content.decode()
    assert OPEN_TITLE in page and CLOSED_TITLE in page
    page = client.get(reverse("incidents:list"), {"state": "open"}).content.decode()
    assert OPEN_TITLE in page and CLOSED_TITLE not in page
    page = client.get(reverse("incidents:list"), {"category": "natural"}).content.decode()
    assert OPEN_TITLE not in page and CLOSED_TITLE in page
    page = client.get(reverse("incidents:list"), {"street": "310105004"}).content.decode()
    assert OPEN_TITLE not in page and CLOSED_TITLE not in page


def test_another_street_sees_none_of_them(login, fire):
    client = login("xinhua_staff")
    assert OPEN_TITLE not in client.get(reverse("incidents:list")).content.decode()
    assert client.get(fire.get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:add_report", args=[fire.pk])).status_code == 404


def test_the_list_costs_the_same_queries_whatever_the_rows(
    login, fire, django_assert_max_num_queries
):
    client = login("changning_reviewer")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("incidents:list"))
    for n in range(5):
        Incident.objects.create(
            org_unit=fire.org_unit,
            title=f"事件{n}",
            incident_type=fire.incident_type,
            occurred_at=fire.occurred_at,
            address="x",
            source="x",
            phone_due=fire.phone_due,
            written_due=fire.written_due,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("incidents:list"))


def test_an_information_officer_files_an_initial_report_from_the_phone(demo, login):
    client = login("huayi_officer")
    page = client.get(reverse("incidents:create"))
    assert page.status_code == 200
    assert 'name="viewport"' in page.content.decode() or page.status_code == 200
    estate = OrgUnit.objects.get(code="31010500100101")
    response = client.post(
        reverse("incidents:create"), _form(unit=estate.pk, incident_type=_type("gas"))
    )
    assert response.status_code == 302 and response["Location"] == reverse("mobile:home")
    incident = Incident.objects.get(title="华一小区燃气泄漏")
    assert incident.org_unit == estate and incident.created_by.username == "huayi_officer"
    assert incident.reports.get().kind == "initial"


def test_the_front_line_files_only_for_its_own_unit(demo, login):
    client = login("huayi_officer")
    community = OrgUnit.objects.get(code="310105001001")
    response = client.post(
        reverse("incidents:create"), _form(unit=community.pk, incident_type=_type("gas"))
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Incident.objects.filter(title="华一小区燃气泄漏").exists()


def test_grid_workers_and_reviewers_do_not_file_initial_reports(demo, login):
    assert login("huayi_grid").get(reverse("incidents:create")).status_code == 403
    assert login("changning_reviewer").get(reverse("incidents:create")).status_code == 403


def test_an_initial_report_without_an_element_says_which(demo, login):
    client = login("huayang_staff")
    street = OrgUnit.objects.get(code="310105001")
    response = client.post(
        reverse("incidents:create"),
        _form(unit=street.pk, incident_type=_type("flood"), affected_people="10"),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "自然灾害须填写灾情数据（无则填 0）。" in page
    assert not Incident.objects.filter(title="华一小区燃气泄漏").exists()


def test_the_street_adds_a_follow_up_numbered_after_the_last(login, fire):
    client = login("huayang_staff")
    page = client.get(reverse("incidents:add_report", args=[fire.pk])).content.decode()
    assert "街道值班室核实" in page  # prefilled from 续报一
    last = fire.reports.last()
    data = {
        "kind": "follow_up",
        "event_time": timezone.localtime(last.event_time).strftime("%Y-%m-%dT%H:%M"),
        "place": last.place,
        "source": last.source,
        **{
            name: getattr(last, name)
            for name in ("nature", "impact", "casualties", "trend", "measures")
        },
    }
    response = client.post(reverse("incidents:add_report", args=[fire.pk]), data)
    assert response.status_code == 302
    assert str(fire.reports.last().label) == "续报二"


def test_after_the_final_report_the_page_says_so_and_files_nothing(login, flood):
    client = login("huayang_staff")
    page = client.get(reverse("incidents:add_report", args=[flood.pk])).content.decode()
    assert "该事件已终报，不能再报送。" in page
    response = client.post(reverse("incidents:add_report", args=[flood.pk]), {"kind": "follow_up"})
    assert "该事件已终报，不能再报送。" in response.content.decode()
    assert flood.reports.count() == 2


def test_a_reviewer_cannot_change_a_report_but_signs_for_it(login, fire):
    client = login("changning_reviewer")
    assert client.get(reverse("incidents:add_report", args=[fire.pk])).status_code == 403
    assert client.post(reverse("incidents:phoned", args=[fire.pk])).status_code == 403
    follow_up = fire.reports.get(sequence=1)
    response = client.post(reverse("incidents:acknowledge", args=[follow_up.pk]))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.acknowledged_by.username == "changning_reviewer"


def test_street_staff_cannot_sign_for_or_ask_for_their_own_reports(login, fire):
    client = login("huayang_staff")
    follow_up = fire.reports.get(sequence=1)
    assert client.post(reverse("incidents:acknowledge", args=[follow_up.pk])).status_code == 403
    assert client.get(reverse("incidents:ask", args=[fire.pk])).status_code == 403
    assert not IncidentReport.objects.filter(
        pk=follow_up.pk, acknowledged_at__isnull=False
    ).exists()


def test_the_district_asks_for_a_follow_up_with_a_deadline(login, fire):
    client = login("changning_reviewer")
    due = timezone.localtime() + datetime.timedelta(hours=2)
    response = client.post(
        reverse("incidents:ask", args=[fire.pk]),
        {"note": "请核实受影响户数", "due": due.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    assert FollowUpRequest.objects.get(incident=fire).note == "请核实受影响户数"
    past = timezone.localtime() - datetime.timedelta(hours=1)
    response = client.post(
        reverse("incidents:ask", args=[fire.pk]),
        {"note": "x", "due": past.strftime("%Y-%m-%dT%H:%M")},
    )
    assert "续报时限须晚于当前时间。" in response.content.decode()
    assert FollowUpRequest.objects.filter(incident=fire).count() == 1


def test_the_street_and_the_district_see_the_zero_reports_of_today(demo, login):
    page = login("huayang_staff").get(reverse("incidents:zero")).content.decode()
    assert "华一" in page and "秀水" in page and page.count("无灾情") == 2
    page = login("changning_reviewer").get(reverse("incidents:zero")).content.decode()
    assert 'data-unit="310105001"' in page and "新华路街道" in page


def test_community_staff_file_the_zero_report_from_the_phone(demo, login):
    client = login("huayi_community")
    assert client.get(reverse("incidents:zero_create")).status_code == 200
    community = OrgUnit.objects.get(code="310105001001")
    response = client.post(
        reverse("incidents:zero_create"), {"community": community.pk, "has_disaster": "0"}
    )
    assert "该居委/村今天已报送零报告。" in response.content.decode()  # the demo filed it
    assert login("huayi_grid").get(reverse("incidents:zero_create")).status_code == 403


def test_a_hazard_becomes_an_incident_linked_to_it(demo, login):
    client = login("huayang_staff")
    hazard = Hazard.objects.filter(org_unit__path__startswith="/310000/310105/310105001/").first()
    assert (
        reverse("incidents:create") + f"?hazard={hazard.pk}"
        in client.get(hazard.get_absolute_url()).content.decode()
    )
    url = reverse("incidents:create") + f"?hazard={hazard.pk}"
    page = client.get(url).content.decode()
    assert hazard.title in page
    response = client.post(
        url, _form(title=hazard.title, unit=hazard.org_unit_id, incident_type=_type("fire-other"))
    )
    assert response.status_code == 302
    assert Incident.objects.get(hazard=hazard).title == hazard.title
    other = login("xinhua_staff")
    assert other.get(url).status_code == 404


def test_the_information_report_sheet_is_a_pdf_of_every_report(login, fire, run_tasks_on_commit):
    import io

    from pypdf import PdfReader

    from apps.reports.models import ReportRequest

    client = login("changning_reviewer")
    response = client.post(
        reverse("reports:create", args=["incident_sheet"]), {"incident": fire.pk}
    )
    report = ReportRequest.objects.get(kind="incident_sheet")
    assert response["Location"] == report.get_absolute_url()
    download = client.get(reverse("reports:download", args=[report.pk]))
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("突发事件信息报告单", "初报", "续报一", "已采取措施"):
        assert words in text
    assert (
        login("xinhua_staff")
        .post(reverse("reports:create", args=["incident_sheet"]), {"incident": fire.pk})
        .status_code
        == 404
    )


# --- the warning it comes of, the response that answers it -----------------------------------


def test_the_demo_garage_flooding_names_the_districts_rainstorm_warning(garage):
    assert garage.warning.identifier == PUBLISHED_ID and not garage.is_closed


def test_the_incident_page_lists_its_warning_the_response_and_the_opened_shelter(login, garage):
    from apps.response import services as response_services
    from apps.shelters.models import Shelter

    event = open_response(garage, title="华三积水Ⅱ级响应")
    shelter = Shelter.objects.get(name="华一社区学校操场避难点")
    operation = response_services.open_shelter(event.created_by, event, shelter, capacity=50)
    page = login("huayang_staff").get(garage.get_absolute_url()).content.decode()
    assert garage.warning.get_absolute_url() in page and garage.warning.headline in page
    assert event.get_absolute_url() in page and "华三积水Ⅱ级响应" in page
    assert operation.get_absolute_url() in page and "华一社区学校操场避难点" in page
    assert f"{reverse('response:create')}?incident={garage.pk}" in page
    page = login("changning_reviewer").get(garage.get_absolute_url()).content.decode()
    assert "华三积水Ⅱ级响应" in page and "华一社区学校操场避难点" in page
    assert "?incident=" not in page  # reads, opens nothing
    assert login("xinhua_staff").get(garage.get_absolute_url()).status_code == 404


def test_the_warning_page_lists_its_incidents_and_responses_in_the_viewers_scope(login, garage):
    warning = garage.warning
    event = open_response(warning=warning, title="暴雨黄色预警Ⅱ级响应")
    url = warning.get_absolute_url()
    page = login("huayang_staff").get(url).content.decode()
    assert garage.get_absolute_url() in page and GARAGE_TITLE in page
    assert event.get_absolute_url() in page and "暴雨黄色预警Ⅱ级响应" in page
    assert f"{reverse('response:create')}?warning={warning.pk}" in page
    page = login("changning_reviewer").get(url).content.decode()
    assert GARAGE_TITLE in page and "暴雨黄色预警Ⅱ级响应" in page and "?warning=" not in page
    # the district's warning reaches 新华路街道, 华阳路's records do not
    page = login("xinhua_staff").get(url).content.decode()
    assert warning.headline in page
    assert GARAGE_TITLE not in page and "暴雨黄色预警Ⅱ级响应" not in page
    assert login("lujiazui_staff").get(url).status_code == 404


def test_a_street_warning_is_a_404_for_another_street(login, garage):
    from tests.warnings.factories import make_warning

    street = garage.org_unit.street()
    warning = make_warning(street, headline="华阳路街道积水预警")
    response = login("huayang_staff").get(warning.get_absolute_url())
    assert response.status_code == 200 and "?warning=" in response.content.decode()
    assert login("xinhua_staff").get(warning.get_absolute_url()).status_code == 404


def test_the_open_response_page_starts_from_the_incident(login, garage):
    page = (
        login("huayang_staff")
        .get(reverse("response:create"), {"incident": garage.pk})
        .content.decode()
    )
    assert f'<option value="{garage.pk}" selected>' in page
    assert '<option value="incident" selected>' in page


def test_an_initial_report_names_the_warning_it_comes_of(demo, login):
    client = login("huayi_officer")
    warning = Warning.objects.get(identifier=PUBLISHED_ID)
    assert warning.headline in client.get(reverse("incidents:create")).content.decode()
    estate = OrgUnit.objects.get(code="31010500100101")
    response = client.post(
        reverse("incidents:create"),
        _form(unit=estate.pk, incident_type=_type("waterlogging"), warning=warning.pk)
        | {name: "0" for name in ("affected_people", "relocated_people", "relief_needed_people")}
        | {name: "0" for name in ("collapsed_houses", "damaged_houses", "direct_loss")},
    )
    assert response.status_code == 302
    assert Incident.objects.get(title="华一小区燃气泄漏").warning == warning


@pytest.mark.parametrize("warning", ["draft", "99999999", "暴雨"])
def test_an_initial_report_with_a_warning_not_offered_is_a_form_error(demo, login, warning):
    if warning == "draft":
        warning = Warning.objects.get(status=Status.DRAFT, org_unit__code="310105001").pk
    client = login("huayang_staff")
    response = client.post(
        reverse("incidents:create"),
        _form(unit=OrgUnit.objects.get(code="310105001").pk, incident_type=_type("gas"))
        | {"warning": warning},
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Incident.objects.filter(title="华一小区燃气泄漏").exists()


def test_a_follow_up_form_offers_the_warnings_covering_the_incident(login, fire):
    warning = Warning.objects.get(identifier=PUBLISHED_ID)
    client = login("huayang_staff")
    url = reverse("incidents:add_report", args=[fire.pk])
    assert warning.headline in client.get(url).content.decode()
    last = fire.reports.last()
    data = {
        "kind": "follow_up",
        "event_time": timezone.localtime(last.event_time).strftime("%Y-%m-%dT%H:%M"),
        "place": last.place,
        "source": last.source,
        "warning": warning.pk,
        **{
            name: getattr(last, name)
            for name in ("nature", "impact", "casualties", "trend", "measures")
        },
    }
    assert client.post(url, data).status_code == 302
    fire.refresh_from_db()
    assert fire.warning == warning
