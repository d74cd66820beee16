"""Pages, exports and imports, with the demo data (huayang_staff and lujiazui_staff hold both
personal-data permissions; xinhua_staff and the reviewers hold neither)."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.files.models import ImportJob
from apps.orgs.models import OrgUnit, User
from apps.people.models import (
    AccessLog,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    TeamMember,
    Visit,
    VulnerableResident,
)
from apps.people.privacy import mask_id_number, mask_phone
from tests.conftest import make_user
from tests.people.factories import (
    OfficerFactory,
    ResidentFactory,
    TeamMemberFactory,
    VisitFactory,
    make_id_number,
)

HUAYANG = "310105001"


def huayang(model, **filters):
    return (
        model.objects.filter(org_unit__path__contains=f"/{HUAYANG}/", **filters)
        .order_by("pk")
        .first()
    )


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="people", codename__in=codenames)
    )


@pytest.fixture
def team(demo):
    return EmergencyTeam.objects.get(name="华阳路街道应急处突队")


@pytest.fixture
def resident(demo):
    return huayang(VulnerableResident)


@pytest.fixture
def officer(demo):
    return huayang(InformationOfficer)


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def team_urls(team):
    member = team.members.first()
    return {
        "detail": reverse("people:team_detail", args=[team.pk]),
        "edit": reverse("people:team_edit", args=[team.pk]),
        "member_add": reverse("people:member_add", args=[team.pk]),
        "training_add": reverse("people:team_training_add", args=[team.pk]),
        "member_edit": reverse("people:member_edit", args=[member.pk]),
    }


def officer_urls(officer):
    return {
        "detail": reverse("people:officer_detail", args=[officer.pk]),
        "edit": reverse("people:officer_edit", args=[officer.pk]),
        "training_add": reverse("people:officer_training_add", args=[officer.pk]),
    }


def resident_urls(resident):
    return {
        "detail": reverse("people:resident_detail", args=[resident.pk]),
        "edit": reverse("people:resident_edit", args=[resident.pk]),
        "helper_add": reverse("people:helper_add", args=[resident.pk]),
        "visit_add": reverse("people:visit_add", args=[resident.pk]),
    }


# --- masking ---------------------------------------------------------------------------------


def test_phones_are_full_with_the_permission_and_masked_without(login, team):
    leader = team.members.get(role="leader")
    body = login("huayang_staff").get(team_urls(team)["detail"]).content.decode()
    assert leader.phone in body and "号码已脱敏" not in body
    plain = make_user(OrgUnit.objects.get(code=HUAYANG))
    client = login(plain.username)
    for url in (team_urls(team)["detail"], reverse("people:list")):
        body = client.get(url).content.decode()
        assert leader.phone not in body, url
        assert mask_phone(leader.phone) in body, url
    body = client.get(reverse("people:officers")).content.decode()
    officer = huayang(InformationOfficer)
    assert officer.phone not in body and mask_phone(officer.phone) in body


def test_exports_are_masked_by_default(login, team):
    leader = team.members.get(role="leader")
    client = login("huayang_staff")
    rows = sheet_rows(client.get(reverse("people:team_export")))
    row = next(r for r in rows if r["姓名"] == leader.name)
    assert row["手机号码"] == mask_phone(leader.phone) and row["队伍名称"] == team.name
    rows = sheet_rows(client.get(reverse("people:team_export"), {"full": "1"}))
    assert next(r for r in rows if r["姓名"] == leader.name)["手机号码"] == leader.phone
    # without the permission, asking for the full numbers still gives masked ones
    plain = make_user(OrgUnit.objects.get(code=HUAYANG))
    rows = sheet_rows(login(plain.username).get(reverse("people:team_export"), {"full": "1"}))
    assert next(r for r in rows if r["姓名"] == leader.name)["手机号码"] == mask_phone(leader.phone)


def test_resident_export_masks_ids_unless_full_is_asked_for(login, resident):
    client = login("huayang_staff")
    rows = sheet_rows(client.get(reverse("people:resident_export")))
    row = next(r for r in rows if r["姓名"] == resident.name)
    assert row["身份证号"] == mask_id_number(resident.id_number)
    rows = sheet_rows(client.get(reverse("people:resident_export"), {"full": "1"}))
    assert next(r for r in rows if r["姓名"] == resident.name)["身份证号"] == resident.id_number


def test_edit_form_without_the_permission_keeps_the_hidden_number(login, team):
    member = team.members.get(role="leader")
    plain = make_user(OrgUnit.objects.get(code=HUAYANG))
    client = login(plain.username)
    url = reverse("people:member_edit", args=[member.pk])
    page = client.get(url).content.decode()
    assert member.phone not in page and mask_phone(member.phone) in page
    response = client.post(
        url, {"name": member.name, "role": "leader", "phone": mask_phone(member.phone)}
    )
    assert response.status_code == 302
    stored = member.phone
    member.refresh_from_db()
    assert member.phone == stored and member.updated_by == plain
    response = client.post(url, {"name": member.name, "role": "leader", "phone": "13800001111"})
    member.refresh_from_db()
    assert member.phone == "13800001111"


# --- vulnerable residents: permission, scope, access log -------------------------------------


def test_residents_need_the_permission(login, resident):
    client = login("xinhua_staff")
    urls = [
        reverse("people:residents"),
        reverse("people:resident_export"),
        reverse("people:resident_import"),
        reverse("people:resident_create"),
        *resident_urls(resident).values(),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert "脆弱人群" not in client.get(reverse("people:list")).content.decode()
    assert not AccessLog.objects.exists()  # denied attempts write nothing


def test_another_streets_resident_is_a_404_and_absent(login, resident):
    client = login("lujiazui_staff")  # holds the permission, but 陆家嘴 is not 华阳路
    for name, url in resident_urls(resident).items():
        assert client.get(url).status_code == 404, name
    body = client.get(reverse("people:residents")).content.decode()
    assert resident.name not in body
    names = {r["姓名"] for r in sheet_rows(client.get(reverse("people:resident_export")))}
    assert resident.name not in names and names
    assert not AccessLog.objects.filter(resident=resident).exists()
    before = resident.visits.count()
    response = client.post(
        resident_urls(resident)["visit_add"],
        {"visited_on": "2025-06-01", "occasion": "routine", "visitor": "x", "findings": "x"},
    )
    assert response.status_code == 404 and resident.visits.count() == before


def test_detail_view_writes_an_access_log_row(login, resident):
    client = login("huayang_staff")
    response = client.get(resident_urls(resident)["detail"], REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 200
    assert resident.id_number in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user.username, log.action, log.resident, log.ip, log.org_unit_id) == (
        "huayang_staff",
        AccessLog.Action.VIEW,
        resident,
        "10.20.30.40",
        resident.org_unit_id,
    )
    assert log.path == resident_urls(resident)["detail"]
    client.get(resident_urls(resident)["edit"])
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("pk")) == [
        "view",
        "edit",
    ]


def test_each_export_writes_a_row_per_exported_record(login, demo):
    client = login("huayang_staff")
    rows = sheet_rows(client.get(reverse("people:resident_export"), {"category": "disabled"}))
    exported = VulnerableResident.objects.filter(
        org_unit__path__contains=f"/{HUAYANG}/", category="disabled"
    )
    assert len(rows) == exported.count() > 0
    logs = AccessLog.objects.filter(action="export")
    assert set(logs.values_list("resident_id", flat=True)) == set(
        exported.values_list("pk", flat=True)
    )
    assert logs.count() == len(rows)
    client.get(reverse("people:resident_export"), {"category": "disabled"})
    assert AccessLog.objects.filter(action="export").count() == 2 * len(rows)


def test_the_list_does_not_log_but_shows_masked_ids_without_the_identifier_permission(
    login, resident
):
    user = make_user(OrgUnit.objects.get(code=HUAYANG))
    grant(user, "view_vulnerable_resident")
    client = login(user.username)
    body = client.get(reverse("people:residents")).content.decode()
    assert resident.name in body and resident.id_number not in body
    assert mask_id_number(resident.id_number) in body
    body = client.get(resident_urls(resident)["detail"]).content.decode()
    assert resident.id_number not in body and mask_id_number(resident.id_number) in body
    assert AccessLog.objects.filter(user=user, action="view").count() == 1


def test_admin_reads_the_log_but_cannot_change_it(login, resident):
    login("huayang_staff").get(resident_urls(resident)["detail"])
    client = login("admin")
    log = AccessLog.objects.get()
    assert "huayang_staff" in client.get("/admin/people/accesslog/").content.decode()
    assert client.get(f"/admin/people/accesslog/{log.pk}/change/").status_code == 200
    assert client.get("/admin/people/accesslog/add/").status_code == 403
    assert (
        client.post(f"/admin/people/accesslog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    client.post(f"/admin/people/accesslog/{log.pk}/change/", {"username": "someone"})
    log.refresh_from_db()
    assert log.username == "huayang_staff"
    # opening the record in admin is logged too; the admin list shows masked numbers
    client.get(f"/admin/people/vulnerableresident/{resident.pk}/change/")
    assert AccessLog.objects.filter(action="admin_view", resident=resident).exists()
    body = client.get("/admin/people/vulnerableresident/").content.decode()
    assert mask_id_number(resident.id_number) in body and resident.id_number not in body


# --- scope and read-only -------------------------------------------------------------------


def test_another_streets_team_and_officer_are_404(login, team, officer):
    client = login("xinhua_staff")
    for name, url in [*team_urls(team).items(), *officer_urls(officer).items()]:
        assert client.get(url).status_code == 404, name
    member = team.members.first()
    assert client.post(reverse("people:member_delete", args=[member.pk])).status_code == 404
    assert TeamMember.objects.filter(pk=member.pk).exists()
    assert team.name not in client.get(reverse("people:list")).content.decode()
    assert officer.name not in client.get(reverse("people:officers")).content.decode()
    teams = {r["队伍名称"] for r in sheet_rows(client.get(reverse("people:team_export")))}
    assert teams == {"新华微型消防站"}
    officers = sheet_rows(client.get(reverse("people:officer_export")))
    assert officers == []
    group = LeadershipGroup.objects.get(org_unit__code=HUAYANG)
    assert client.get(reverse("people:leadership"), {"unit": HUAYANG}).status_code == 404
    assert client.get(reverse("people:leadership_edit", args=[group.pk])).status_code == 404
    assert client.get(reverse("people:coverage"), {"street": HUAYANG}).status_code == 404


def test_reviewer_reads_but_cannot_change(login, team, officer):
    client = login("changning_reviewer")
    assert client.get(team_urls(team)["detail"]).status_code == 200
    assert client.get(officer_urls(officer)["detail"]).status_code == 200
    for name in ("edit", "member_add", "training_add", "member_edit"):
        assert client.get(team_urls(team)[name]).status_code == 403, name
    for name in ("edit", "training_add"):
        assert client.get(officer_urls(officer)[name]).status_code == 403, name
    for name in ("team_create", "officer_create", "officer_import", "leadership_create"):
        assert client.get(reverse(f"people:{name}")).status_code == 403, name
    members = team.members.count()
    response = client.post(
        team_urls(team)["member_add"], {"name": "越权", "role": "member", "phone": "13800000000"}
    )
    assert response.status_code == 403
    response = client.post(reverse("people:member_delete", args=[team.members.first().pk]))
    assert response.status_code == 403 and team.members.count() == members
    group = LeadershipGroup.objects.get(org_unit__code=HUAYANG)
    body = client.get(reverse("people:leadership"), {"unit": HUAYANG}).content.decode()
    assert group.name in body
    member = group.members.first()
    assert (
        client.post(reverse("people:leadership_member_delete", args=[member.pk])).status_code == 403
    )
    assert group.members.filter(pk=member.pk).exists()
    assert client.get(reverse("people:coverage"), {"street": HUAYANG}).status_code == 200


def test_reviewer_with_the_permission_reads_residents_but_cannot_change_them(login, resident):
    reviewer = User.objects.get(username="changning_reviewer")
    grant(reviewer, "view_vulnerable_resident")
    client = login("changning_reviewer")
    assert client.get(resident_urls(resident)["detail"]).status_code == 200
    for name in ("edit", "helper_add", "visit_add"):
        assert client.get(resident_urls(resident)[name]).status_code == 403, name
    visits = resident.visits.count()
    response = client.post(
        resident_urls(resident)["visit_add"],
        {"visited_on": "2025-06-01", "occasion": "routine", "visitor": "x", "findings": "x"},
    )
    assert response.status_code == 403 and resident.visits.count() == visits
    assert client.get(reverse("people:resident_create")).status_code == 403
    # the pudong reviewer, even with the permission, does not see 长宁 records
    pudong = User.objects.get(username="pudong_reviewer")
    grant(pudong, "view_vulnerable_resident")
    assert login("pudong_reviewer").get(resident_urls(resident)["detail"]).status_code == 404


def test_anonymous_is_sent_to_login(client, team, officer, resident):
    group = LeadershipGroup.objects.get(org_unit__code=HUAYANG)
    urls = [
        reverse("people:list"),
        reverse("people:team_export"),
        reverse("people:officers"),
        reverse("people:officer_export"),
        reverse("people:officer_import"),
        reverse("people:coverage"),
        reverse("people:residents"),
        reverse("people:resident_export"),
        reverse("people:resident_import"),
        reverse("people:leadership"),
        reverse("people:leadership_edit", args=[group.pk]),
        *team_urls(team).values(),
        *officer_urls(officer).values(),
        *resident_urls(resident).values(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    assert not AccessLog.objects.exists()


# --- staff work ------------------------------------------------------------------------------


def test_staff_build_a_team_with_members_and_training(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(code=f"{HUAYANG}006")
    response = client.post(
        reverse("people:team_create"),
        {"org_unit": community.pk, "name": "秀水社区应急响应队", "kind": "first_response"},
    )
    team = EmergencyTeam.objects.get(name="秀水社区应急响应队")
    assert response.status_code == 302 and response.url == team.get_absolute_url()
    assert team.created_by.username == "huayang_staff"
    from apps.people.models import CertificateType

    cpr = CertificateType.objects.get(name="心肺复苏/AED")
    response = client.post(
        reverse("people:member_add", args=[team.pk]),
        {"name": "张伟", "role": "leader", "phone": "139 0000 1234", "certificates": [cpr.pk]},
    )
    assert response.status_code == 302
    member = team.members.get()
    assert member.phone == "13900001234" and list(member.certificates.all()) == [cpr]
    response = client.post(
        reverse("people:member_add", args=[team.pk]),
        {"name": "李强", "role": "leader", "phone": "13900001235"},
    )
    assert response.status_code == 200 and "该队伍已有队长（张伟）" in response.content.decode()
    response = client.post(
        reverse("people:team_training_add", args=[team.pk]),
        {
            "held_on": "2025-05-12",
            "topic": "心肺复苏与 AED 使用培训",
            "hours": "3",
            "participants": "6",
        },
    )
    assert response.status_code == 302 and team.trainings.get().participants == 6
    body = client.get(team.get_absolute_url()).content.decode()
    assert "心肺复苏与 AED 使用培训" in body and "13900001234" in body
    assert client.post(reverse("people:member_delete", args=[member.pk])).status_code == 302
    assert not team.members.exists()


def test_bad_phone_and_other_streets_unit_are_refused(login, demo):
    client = login("huayang_staff")
    count = InformationOfficer.objects.count()
    estate = OrgUnit.objects.get(code=f"{HUAYANG}00601")
    response = client.post(
        reverse("people:officer_create"),
        {"org_unit": estate.pk, "name": "王芳", "phone": "1380000", "is_active": "on"},
    )
    assert response.status_code == 200 and "请输入有效的手机号码" in response.content.decode()
    xinhua = OrgUnit.objects.get(code="310105004001")
    response = client.post(
        reverse("people:officer_create"),
        {"org_unit": xinhua.pk, "name": "王芳", "phone": "13800000000", "is_active": "on"},
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert InformationOfficer.objects.count() == count


def test_invalid_id_number_is_refused_with_a_clear_message(login, demo):
    client = login("huayang_staff")
    community = OrgUnit.objects.get(code=f"{HUAYANG}001")
    good = make_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = {
        "org_unit": community.pk,
        "name": "测试居民",
        "category": "elderly",
        "address": "华阳路1号",
        "mobility": "partial",
        "is_active": "on",
    }
    count = VulnerableResident.objects.count()
    response = client.post(reverse("people:resident_create"), data | {"id_number": bad})
    assert response.status_code == 200
    assert "身份证号校验位不正确" in response.content.decode()
    response = client.post(reverse("people:resident_create"), data | {"id_number": "310199"})
    assert "身份证号应为 18 位" in response.content.decode()
    assert VulnerableResident.objects.count() == count
    response = client.post(reverse("people:resident_create"), data | {"id_number": good})
    resident = VulnerableResident.objects.get(name="测试居民")
    assert response.status_code == 302 and resident.id_number == good


def test_staff_assign_a_helper_and_record_a_visit(login, resident):
    client = login("huayang_staff")
    urls = resident_urls(resident)
    response = client.post(
        urls["helper_add"],
        {
            "helper_name": "志愿者",
            "helper_phone": "13912340000",
            "relation": "volunteer",
            "started_on": "2025-06-01",
        },
    )
    assert response.status_code == 302
    helper = HelperAssignment.objects.get(helper_name="志愿者")
    response = client.post(
        urls["visit_add"],
        {
            "visited_on": "2025-07-20",
            "occasion": "typhoon",
            "visitor": "居委",
            "findings": "台风预警前上门，门窗已加固。",
        },
    )
    assert response.status_code == 302
    assert resident.visits.filter(occasion=Visit.Occasion.TYPHOON, visited_on="2025-07-20")
    body = client.get(urls["detail"]).content.decode()
    assert "台风预警前上门" in body and "志愿者" in body
    client.post(reverse("people:helper_end", args=[helper.pk]))
    helper.refresh_from_db()
    assert helper.ended_on is not None


def test_resident_filters(login, demo):
    client = login("huayang_staff")
    body = client.get(reverse("people:residents"), {"no_helper": "on"}).content.decode()
    without = VulnerableResident.objects.filter(org_unit__path__contains=f"/{HUAYANG}/").exclude(
        helpers__ended_on=None, helpers__isnull=False
    )
    with_helper = VulnerableResident.objects.filter(
        org_unit__path__contains=f"/{HUAYANG}/", helpers__isnull=False
    ).first()
    assert without.exists() and all(r.name in body for r in without)
    assert with_helper.name not in body
    body = client.get(reverse("people:residents"), {"category": "child"}).content.decode()
    child_names = set(
        VulnerableResident.objects.filter(
            org_unit__path__contains=f"/{HUAYANG}/", category="child"
        ).values_list("name", flat=True)
    )
    assert child_names and all(n in body for n in child_names)
    assert with_helper.category == "child" or with_helper.name not in body


def test_coverage_page_lists_estates_without_officer(login, demo):
    body = login("huayang_staff").get(reverse("people:coverage")).content.decode()
    assert "秀水小区" in body and "秀水苑" in body
    body = (
        login("changning_reviewer")
        .get(reverse("people:coverage"), {"street": HUAYANG})
        .content.decode()
    )
    assert "秀水小区" in body


def test_leadership_page_shows_the_group_and_its_office(login, demo):
    client = login("huayang_staff")
    body = client.get(reverse("people:leadership")).content.decode()
    assert "华阳路街道应急管理工作领导小组" in body and "常务副组长" in body
    assert "领导小组办公室" in body and "街道应急办主任" in body and "有班子" in body
    body = login("xinhua_staff").get(reverse("people:leadership")).content.decode()
    assert "未建立班子" in body and "建立领导小组" in body


# --- imports ---------------------------------------------------------------------------------


RESIDENT_HEADER = "所属单位编码,姓名,性别,类别,身份证号,手机号码,居住地址,行动能力,帮扶需求"


def resident_csv(rows):
    return ("\n".join([RESIDENT_HEADER, *rows]) + "\n").encode("gbk")


def test_resident_import_previews_then_imports(login, demo, run_tasks_on_commit):
    client = login("huayang_staff")
    good = make_id_number(sequence=555)
    data = resident_csv(
        [
            f"{HUAYANG}001,导入甲,女,老,{good},13900005555,华阳路1号,半自理,需协助转移",
            f"{HUAYANG}002,导入乙,男,残,,,华阳路2号,不能自理,",
        ]
    )
    response = client.post(
        reverse("people:resident_import"), {"file": SimpleUploadedFile("清单.csv", data)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.state == ImportJob.State.READY
    assert not VulnerableResident.objects.filter(name__startswith="导入").exists()
    client.post(reverse("files:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    first = VulnerableResident.objects.get(name="导入甲")
    assert (first.id_number, first.category, first.mobility) == (good, "elderly", "partial")
    assert first.created_by.username == "huayang_staff"


def test_resident_import_with_a_bad_row_imports_nothing(login, demo, run_tasks_on_commit):
    client = login("huayang_staff")
    good = make_id_number(sequence=556)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = resident_csv(
        [
            f"{HUAYANG}001,导入甲,女,老,{good},13900005555,华阳路1号,半自理,",
            f"{HUAYANG}001,导入乙,女,老,{bad},,华阳路2号,半自理,",
            "310105004001,导入丙,女,老,,,新华路3号,半自理,",
            f"{HUAYANG}001,导入丁,女,青,,12345,华阳路4号,半自理,",
        ]
    )
    client.post(reverse("people:resident_import"), {"file": SimpleUploadedFile("a.csv", data)})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID
    assert {e["line"] for e in job.report["errors"]} == {3, 4, 5}
    messages = " ".join(e["message"] for e in job.report["errors"])
    assert "身份证号校验位不正确" in messages
    assert "不在您可维护的范围内" in messages
    assert "不是有效选项" in messages and "手机号码" in messages
    assert not VulnerableResident.objects.filter(name__startswith="导入").exists()


def test_officer_import_and_permissions_on_imports(login, demo, run_tasks_on_commit):
    client = login("huayang_staff")
    data = (
        "所属单位编码,姓名,手机号码,身份/所在单位,聘任日期,在岗\n"
        f"{HUAYANG}00601,赵敏,13900007777,物业经理,2025-03-01,是\n"
    ).encode()
    client.post(reverse("people:officer_import"), {"file": SimpleUploadedFile("a.csv", data)})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.READY, job.report
    client.post(reverse("files:import_confirm", args=[job.pk]))
    assert InformationOfficer.objects.get(name="赵敏").org_unit.code == f"{HUAYANG}00601"
    body = client.get(reverse("people:coverage")).content.decode()
    assert "赵敏" in body
    # reviewers cannot import; staff without the permission cannot import residents
    assert login("changning_reviewer").get(reverse("people:officer_import")).status_code == 403
    assert login("xinhua_staff").get(reverse("people:resident_import")).status_code == 403
    assert login("xinhua_staff").get(reverse("people:officer_import")).status_code == 200


# --- query counts ----------------------------------------------------------------------------


def _count(client, url, django_assert_max_num_queries, limit=25):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "name",
    [
        "list",
        "officers",
        "residents",
        "coverage",
        "team_export",
        "officer_export",
        "resident_export",
    ],
)
def test_query_counts_do_not_grow(client, tree, django_assert_max_num_queries, name):
    from apps.orgs.models import OrgKind
    from tests.factories import child

    staff = make_user(tree["s1"])
    grant(staff, "view_vulnerable_resident", "view_personal_identifiers")
    client.force_login(staff)
    url = reverse(f"people:{name}")

    def add(n):
        for i in range(n):
            member = TeamMemberFactory(team__org_unit=tree["c1"])
            member.team.trainings.create(held_on="2025-01-01", topic="培训", participants=3)
            estate = child(tree["c1"], OrgKind.ESTATE, code=f"S1C1Q{name}{i}{n}")
            OfficerFactory(org_unit=estate)
            resident = ResidentFactory(org_unit=tree["c1"])
            VisitFactory(resident=resident)
            resident.helpers.create(
                helper_name="帮扶人",
                helper_phone="13900000000",
                relation="volunteer",
                started_on="2025-01-01",
            )

    add(1)
    few = _count(client, url, django_assert_max_num_queries)
    add(30)
    many = _count(client, url, django_assert_max_num_queries, limit=few)
    assert many <= few
