import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from apps.hazards.models import Hazard
from apps.reports.models import ReportRequest

STREET = {"street": "310105001", "start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture(autouse=True)
def _tasks(run_tasks_on_commit):
    """Every test here runs queued tasks in-process at the end of each request."""


def pdf_of(client, report):
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def text_of(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_of(reader):
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_street_report_has_the_figures_in_chinese_with_the_embedded_font(login, demo):
    client = login("huayang_staff")
    response = client.post(reverse("reports:street"), STREET)
    report = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.state == ReportRequest.State.DONE, report.error
    reader = pdf_of(client, report)
    text = text_of(reader)
    for expected in [
        "华阳路街道综合减灾工作报告",
        "应急预案体系",
        "1+7+4",
        "长宁支路居民区",
        "燃气事故专项应急预案",
        "风险隐患排查整治",
        "楼道堆物",
        "编制单位",
    ]:
        assert expected in text.replace(" ", ""), expected
    found = Hazard.objects.filter(org_unit__path__startswith="/310000/310105/310105001/").count()
    assert f"{found}\n发现隐患" in text or f"{found} 发现隐患" in text
    assert fonts_of(reader) <= {"PortalSerif", "PortalSans-Bold"}
    assert "PortalSerif" in fonts_of(reader)
    assert len(reader.pages) >= 2 and "1 / " in text


def test_hazard_notice(login, demo):
    client = login("huayang_staff")
    hazard = Hazard.objects.filter(
        org_unit__path__startswith="/310000/310105/310105001/", deadline__isnull=False
    ).first()
    client.post(reverse("reports:create", args=["hazard_notice"]), {"hazard": hazard.pk})
    report = ReportRequest.objects.get()
    text = text_of(pdf_of(client, report))
    assert "隐患整改通知书" in text
    assert hazard.title.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    assert hazard.deadline.strftime("%Y年") in text


def test_another_street_gets_404_for_the_report_and_cannot_request_one(login, demo):
    client = login("huayang_staff")
    client.post(reverse("reports:street"), STREET)
    report = ReportRequest.objects.get()
    other = login("xinhua_staff")
    assert other.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert other.get(reverse("reports:download", args=[report.pk])).status_code == 404
    assert other.post(reverse("reports:retry", args=[report.pk])).status_code == 404
    other.post(reverse("reports:street"), STREET)  # 华阳路 is not a choice for 新华路
    hazard = Hazard.objects.filter(org_unit__path__startswith="/310000/310105/310105001/").first()
    response = other.post(reverse("reports:create", args=["hazard_notice"]), {"hazard": hazard.pk})
    assert response.status_code == 404
    assert ReportRequest.objects.count() == 1
    # the district reviewer may read what a street of the district generated
    reviewer = login("changning_reviewer")
    assert reviewer.get(reverse("reports:download", args=[report.pk])).status_code == 200
    assert (
        login("pudong_reviewer").get(reverse("reports:download", args=[report.pk])).status_code
        == 404
    )


def test_a_failing_render_is_marked_failed_with_the_reason_and_can_be_retried(
    login, demo, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("模板出错")

    client = login("huayang_staff")
    with monkeypatch.context() as patch:
        patch.setattr("apps.reports.tasks.render_pdf", broken)
        client.post(reverse("reports:street"), STREET)
    report = ReportRequest.objects.get()
    assert report.state == ReportRequest.State.FAILED
    assert "模板出错" in report.error
    page = client.get(report.get_absolute_url()).content.decode()
    assert "模板出错" in page and "重新生成" in page
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404
    client.post(reverse("reports:retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportRequest.State.DONE


def test_bad_period_is_refused_in_chinese(login, demo):
    client = login("huayang_staff")
    response = client.post(
        reverse("reports:street"),
        {**STREET, "start": "2026-12-31", "end": "2026-01-01"},
        follow=True,
    )
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_street_report_covers_every_area_with_the_dashboard_figures(login, demo):
    from apps.dashboards.indicators import unit_facts
    from apps.orgs.models import OrgUnit

    client = login("huayang_staff")
    client.post(reverse("reports:street"), STREET)
    text = text_of(pdf_of(client, ReportRequest.objects.get())).replace(" ", "")
    facts = unit_facts(OrgUnit.objects.get(code="310105001"))
    for heading in ["应急物资保障", "应急避难场所", "应急演练", "应急力量", "“六有”建设情况"]:
        assert heading in text, heading
    assert f"人均{facts['shelters']['per_resident']}平方米" in text.replace("\n", "")
    assert str(facts["supplies"]["items_below_standard"]) in text
    assert "有班子" in text and "有演练" in text


def test_street_report_has_the_warnings_and_their_acknowledgement_rate(login, demo):
    from apps.orgs.models import OrgUnit, User
    from apps.warnings.selectors import warnings_record

    client = login("huayang_staff")
    client.post(reverse("reports:street"), STREET)
    text = text_of(pdf_of(client, ReportRequest.objects.get())).replace(" ", "")
    rows = warnings_record(
        User.objects.get(username="huayang_staff"),
        OrgUnit.objects.get(code=STREET["street"]),
        *(datetime.date.fromisoformat(STREET[key]) for key in ("start", "end")),
    )
    assert [row["warning"].headline for row in rows] == ["长宁区防汛办发布暴雨黄色预警"]
    assert 0 < rows[0]["answered"] < rows[0]["total"]
    assert "十、预警叫应" in text and "长宁区防汛办发布暴雨黄色预警" in text.replace("\n", "")
    assert f"{rows[0]['rate']}%" in text


def test_drill_summary_report(login, demo):
    from apps.drills.models import Drill

    drill = Drill.objects.filter(
        status="completed",
        org_unit__path__startswith="/310000/310105/310105001/",
        actions__isnull=False,
    ).first()
    client = login("huayang_staff")
    assert (
        "生成演练总结报告" in client.get(reverse("drills:detail", args=[drill.pk])).content.decode()
    )
    client.post(reverse("reports:create", args=["drill_summary"]), {"drill": drill.pk})
    text = text_of(pdf_of(client, ReportRequest.objects.get())).replace(" ", "").replace("\n", "")
    assert "应急演练总结报告" in text and drill.title.replace(" ", "") in text
    assert drill.actions.first().problem.replace(" ", "") in text
    other = login("xinhua_staff")
    response = other.post(reverse("reports:create", args=["drill_summary"]), {"drill": drill.pk})
    assert response.status_code == 404


def test_street_report_keeps_short_columns_whole_and_the_signature_with_its_section(login, demo):
    """No column squeezed a character a line (headers, dates, drill forms, levels and states
    never wrap), and the last page opens with the closing section, not a table's tail alone
    before the signature (rendered and looked at with ``pdftoppm -png``)."""
    client = login("huayang_staff")
    client.post(reverse("reports:street"), STREET)
    reader = pdf_of(client, ReportRequest.objects.get())
    text = text_of(reader)
    for whole in ["参演人数", "实战演练", "确认用时中位数", "发生时间", "一般（Ⅳ级）"]:
        assert whole in text, whole
    last = reader.pages[-1].extract_text()
    assert "十、预警叫应" in last and "编制单位（盖章）" in last
