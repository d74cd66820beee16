"""The records behind the evidence: the residents' questionnaire answered from its QR code
without log-in (one answer per phone, rate-limited per address, no personal data kept) with its
满意率 and 参与率; activities with their QR sign-in and photos; funding and insurance; 明白卡
given to vulnerable residents; each a fact beside the aspect it proves; 防汛防台"六有"."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from apps.applications import facts as facts_module
from apps.applications import records
from apps.applications.models import Activity, Funding, SignIn, Survey, SurveyResponse
from apps.orgs.models import Role
from tests.applications.factories import answer_survey
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ANSWER = {
    "satisfaction": "fair",
    "knows_shelter": "1",
    "joined_activity": "0",
    "has_kit": "1",
    "got_warning": "0",
}


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"])


@pytest.fixture
def survey(tree, staff):
    return records.open_survey(staff, org_unit=tree["c1"], households=200)


def jpeg(color=(20, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the public questionnaire -------------------------------------------------------------------


def test_a_resident_answers_without_log_in_and_nothing_personal_is_kept(client, survey):
    url = reverse("residents:survey", args=[survey.token])
    page = client.get(url)
    assert page.status_code == 200 and "甲一居委综合减灾工作居民问卷" in page.content.decode()
    response = client.post(url, ANSWER, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200 and "提交成功" in response.content.decode()
    answer = SurveyResponse.objects.get()
    fields = {f.name for f in SurveyResponse._meta.concrete_fields}
    assert fields == {
        "id",
        "survey",
        "answered_on",
        "satisfaction",
        "knows_shelter",
        "joined_activity",
        "has_kit",
        "got_warning",
    }  # no name, phone, address, IP, device or time of day
    assert (answer.satisfaction, answer.knows_shelter, answer.joined_activity) == (
        "fair",
        True,
        False,
    )
    assert "10.1.2.3" not in str(SurveyResponse.objects.values().get())


def test_one_answer_per_phone(client, survey):
    url = reverse("residents:survey", args=[survey.token])
    client.post(url, ANSWER)
    again = client.post(url, ANSWER)
    assert "您已经提交过这份问卷" in again.content.decode()
    assert "您已经提交过这份问卷" in client.get(url).content.decode()
    assert SurveyResponse.objects.count() == 1
    client.cookies.clear()  # another phone
    client.post(url, ANSWER)
    assert SurveyResponse.objects.count() == 2


def test_posts_from_one_address_are_rate_limited(client, survey, settings):
    settings.PUBLIC_POSTS_PER_ADDRESS_HOUR = 2
    url = reverse("residents:survey", args=[survey.token])
    statuses = []
    for _ in range(3):
        client.cookies.clear()  # a phone that clears its cookies each time
        statuses.append(client.post(url, ANSWER, REMOTE_ADDR="10.9.9.9").status_code)
    assert statuses == [200, 200, 429]
    assert SurveyResponse.objects.count() == 2
    client.cookies.clear()
    assert client.post(url, ANSWER, REMOTE_ADDR="10.9.9.10").status_code == 200  # another one


@pytest.mark.parametrize(
    "data,message",
    [
        ({**ANSWER, "satisfaction": ""}, "这个字段是必填项"),
        ({**ANSWER, "satisfaction": "great"}, "选择一个有效的选项"),
        ({**ANSWER, "has_kit": "maybe"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_saved(client, survey, data, message):
    response = client.post(reverse("residents:survey", args=[survey.token]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_closed_survey_and_an_unknown_link_take_no_answer(client, survey, staff):
    records.close_survey(staff, survey)
    response = client.post(reverse("residents:survey", args=[survey.token]), ANSWER)
    assert "该问卷已结束" in response.content.decode()
    assert client.get(reverse("residents:survey", args=["nope"])).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_satisfaction_and_participation_are_facts_of_the_community_and_its_street(tree, survey):
    answer_survey(survey, n=40, satisfied=30)
    street = facts_module.live_facts(tree["s1"])["survey"]
    assert (street["answers"], street["satisfaction_rate"], street["participation_rate"]) == (
        40,
        75.0,
        20.0,
    )
    rows = facts_module.group_rows(facts_module.live_facts(tree["c1"]), "survey")
    assert {"label": "满意率", "value": "75.0%", "warn": False} in rows
    # answers older than 12 months no longer count
    SurveyResponse.objects.update(answered_on=timezone.localdate() - datetime.timedelta(days=400))
    assert facts_module.live_facts(tree["c1"])["survey"]["answers"] == 0


def test_one_open_questionnaire_per_community_and_only_for_communities(tree, staff, survey):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="已有进行中的居民问卷"):
        records.open_survey(staff, org_unit=tree["c1"], households=10)
    with pytest.raises(ValidationError, match="请选择居委/村"):
        records.open_survey(staff, org_unit=tree["s1"], households=10)
    assert Survey.objects.count() == 1


# --- activities, sign-in and photos ------------------------------------------------------------


def test_an_activity_with_photos_and_qr_sign_in_counts_its_participants(client, tree, staff):
    client.force_login(staff)
    response = client.post(
        reverse("applications:activity_create"),
        {
            "org_unit": tree["c1"].pk,
            "title": "防灾减灾日宣传",
            "kind": "publicity",
            "national_day": "",
            "held_on": f"{timezone.localdate().year - 1}-05-12",
            "place": "居委会门口",
            "photos": [SimpleUploadedFile("现场.jpg", jpeg(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:400]
    activity = Activity.objects.get()
    assert activity.national_day == "may12"  # from the date
    photo = activity.photos.get()
    assert photo.original_name == "现场.jpg"
    client.logout()
    url = reverse("residents:sign_in", args=[activity.token])
    assert "签到成功" in client.post(url).content.decode()
    assert "您已签到" in client.post(url).content.decode()  # once per phone
    client.cookies.clear()
    client.post(url)
    assert SignIn.objects.count() == 2
    records.set_sign_in(staff, activity, open_=False)
    client.cookies.clear()
    assert "已结束签到" in client.post(url).content.decode()
    assert SignIn.objects.count() == 2


def test_a_broken_photo_is_refused_and_nothing_is_saved(client, tree, staff):
    client.force_login(staff)
    response = client.post(
        reverse("applications:activity_create"),
        {
            "org_unit": tree["c1"].pk,
            "title": "培训",
            "kind": "training",
            "held_on": "2026-03-01",
            "place": "活动室",
            "photos": [SimpleUploadedFile("a.jpg", b"not a photo", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "只能上传 JPG、PNG 或 WebP" in response.content.decode()
    assert not Activity.objects.exists()


def test_activities_are_outreach_facts(tree, staff):
    today = timezone.localdate()
    activity = records.save_activity(
        staff,
        Activity(),
        org_unit=tree["c1"],
        title="应急技能培训",
        kind="training",
        held_on=today - datetime.timedelta(days=10),
        place="活动室",
    )
    for _ in range(3):
        records.sign_in(activity)
    outreach = facts_module.live_facts(tree["s1"])["outreach"]
    assert (outreach["activities_12m"], outreach["trainings_12m"], outreach["trained_12m"]) == (
        1,
        1,
        3,
    )


# --- funding, insurance, 明白卡 and 防汛防台"六有" ------------------------------------------


def test_funding_is_one_record_per_unit_and_year_and_a_fact(client, tree, staff):
    client.force_login(staff)
    year = timezone.localdate().year
    data = {
        "org_unit": tree["s1"].pk,
        "year": year,
        "amount": "120000",
        "insured_households": "800",
        "insurance": "居民住房灾害保险",
    }
    assert client.post(reverse("applications:funding_create"), data).status_code == 302
    again = client.post(reverse("applications:funding_create"), data)
    assert "该单位本年度已登记经费投入" in again.content.decode()
    assert Funding.objects.count() == 1
    funding = facts_module.live_facts(tree["s1"])["funding"]
    assert (funding["amount"], funding["insured_households"], funding["insurance"]) == (
        120000.0,
        800,
        True,
    )
    bad = client.post(reverse("applications:funding_create"), {**data, "amount": "-1"})
    assert bad.status_code == 200 and Funding.objects.count() == 1


def test_cards_given_to_vulnerable_residents_are_a_risk_fact(tree, staff):
    from apps.people.models import Visit, VulnerableResident

    resident = VulnerableResident.objects.create(
        org_unit=tree["c1"], name="张三", category="elderly", address="1号"
    )
    VulnerableResident.objects.create(
        org_unit=tree["c1"], name="李四", category="alone", address="2号"
    )
    Visit.objects.create(
        resident=resident,
        visited_on=timezone.localdate(),
        occasion=Visit.Occasion.CARD,
        visitor="居委",
        findings="发放明白卡",
    )
    risk = facts_module.live_facts(tree["s1"])["risk"]
    assert (risk["vulnerable"], risk["vulnerable_carded"]) == (2, 1)


def test_flood_readiness_gives_each_reason_and_where_to_fix_it(tree):
    items = {i["code"]: i for i in facts_module.live_facts(tree["s1"])["flood_readiness"]}
    assert list(items) == ["organisation", "rules", "plan", "stock", "team", "shelter"]
    assert not items["plan"]["ok"] and "防汛防台" in items["plan"]["reason"]
    assert items["shelter"]["fix_url"] == reverse("shelters:list")


# --- scope ------------------------------------------------------------------------------------


def test_another_street_gets_404_and_a_reviewer_cannot_change(client, tree, survey, staff):
    other = make_user(tree["s3"])
    client.force_login(other)
    assert client.get(survey.get_absolute_url()).status_code == 404
    assert client.post(reverse("applications:survey_close", args=[survey.pk])).status_code == 404
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER)
    client.force_login(reviewer)
    assert client.get(survey.get_absolute_url()).status_code == 200
    assert client.post(reverse("applications:survey_close", args=[survey.pk])).status_code == 403
    assert client.get(reverse("applications:survey_create")).status_code == 403
    survey.refresh_from_db()
    assert survey.is_open
    assert client.get(reverse("applications:survey_qr", args=[survey.pk]))["Content-Type"] == (
        "image/svg+xml"
    )


# --- 普查 export ------------------------------------------------------------------------------


def test_the_census_form_is_filled_from_records_for_the_users_communities(
    client, tree, staff, survey
):
    import openpyxl

    from tests.drills.factories import HeldDrillFactory

    HeldDrillFactory(
        org_unit=tree["c1"], date=timezone.localdate() - datetime.timedelta(days=5), participants=42
    )
    year = timezone.localdate().year
    records.save_funding(staff, Funding(), org_unit=tree["c1"], year=year, amount=150000)
    tree["c1"].name = "=甲一居委"  # formula-like text is escaped
    tree["c1"].save()
    client.force_login(staff)
    response = client.get(reverse("applications:census"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["社区减灾能力"]
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(3)]
    assert [r["社区代码"] for r in rows] == ["S1C1"]  # not 乙街道's community
    row = rows[0]
    assert row["社区名称"] == "'=甲一居委"
    assert (row["近12个月演练次数"], row["近12个月演练人次"]) == (1, 42)
    assert row["年度减灾经费（万元）"] == 15
    assert row["储备物资折合金额（万元）"] is None
    assert row["灾情上报方式"] == "平台信息报送（初报、续报、终报）"
    assert "单价" in " ".join(str(c.value) for c in book["说明"]["A"])
