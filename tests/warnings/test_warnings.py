"""预警叫应: a warning is issued for the issuer's own area only, approved by a second person,
published to one call per 责任人; links acknowledge once and refuse replay, expiry, forgery and
someone else's use; unanswered calls escalate on the clock, once; cancelling ends open calls;
CAP files are parsed safely and a bad one creates nothing."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.duty.models import Roster, Shift
from apps.notifications import sms
from apps.notifications.models import Notification
from apps.orgs.models import Role
from apps.warnings import cap, mobile, selectors, services
from apps.warnings.models import (
    Call,
    CallStatus,
    Channel,
    ChecklistConfirmation,
    Duty,
    DutyHolder,
    Level,
    Status,
    Tier,
    Warning,
)
from tests.conftest import make_user
from tests.warnings.builders import T0, alert, draft, minutes, published

# --- states -----------------------------------------------------------------------------------


def test_drafter_cannot_approve_and_a_second_person_can(world):
    warning = draft(world)
    with pytest.raises(ValidationError, match="另一位工作人员"):
        services.approve_warning(world["staff"], warning, now=T0)
    assert Warning.objects.get(pk=warning.pk).status == Status.DRAFT
    services.approve_warning(world["second"], warning, now=T0)
    warning.refresh_from_db()
    assert (warning.status, warning.approved_by) == (Status.APPROVED, world["second"])


def test_a_draft_cannot_be_published_before_approval(world):
    warning = draft(world)
    with pytest.raises(ValidationError, match="审核后"):
        services.publish_warning(world["staff"], warning, now=T0)
    assert not Call.objects.exists()


def test_publishing_calls_the_a_person_of_each_duty_of_the_level_once(world):
    warning = published(world, level=Level.YELLOW)
    called = set(warning.calls.values_list("holder__org_unit__code", "duty", "position"))
    # yellow: 防汛责任人 and 居委主任, A only, in the issuer's subtree (not 乙一居委 of S2)
    assert called == {
        ("S1", Duty.FLOOD, "A"),
        ("S1C1", Duty.FLOOD, "A"),
        ("S1C1", Duty.COMMUNITY_DIRECTOR, "A"),
    }
    assert warning.status == Status.PUBLISHED and warning.issued_at == T0
    with pytest.raises(ValidationError, match="不会重复叫应"):
        Call(
            warning=warning,
            holder=warning.calls.first().holder,
            org_unit=world["s1"],
            duty=Duty.FLOOD,
            position="A",
            name="x",
            mobile="13900000000",
            called_at=T0,
        ).validate_constraints()


def test_red_calls_the_street_leader_and_the_estate_officer(world):
    warning = published(world, level=Level.RED)
    duties = set(warning.calls.values_list("duty", flat=True))
    assert {Duty.STREET_LEADER, Duty.ESTATE_OFFICER} <= duties


@pytest.mark.parametrize(
    "issuer, area, message",
    [
        ("s1", "c2", "超出发布单位"),
        ("s1", "d1", "超出发布单位"),
        ("c1", "c1", "居委/村和小区不能发布"),
    ],
)
def test_a_warning_outside_the_issuers_area_is_refused(world, issuer, area, message):
    with pytest.raises(ValidationError, match=message):
        draft(world, issuer=world[issuer], areas=[world[area]])
    assert not Warning.objects.exists()


def test_read_only_roles_cannot_issue_but_a_district_with_the_permission_can(world):
    reviewer = make_user(world["d1"], role=Role.DISTRICT_REVIEWER)
    with pytest.raises(PermissionDenied):
        draft(world, issuer=world["d1"], user=reviewer)
    reviewer.user_permissions.add(Permission.objects.get(codename="issue_warning"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    warning = draft(world, issuer=world["d1"], user=reviewer)
    assert warning.org_unit == world["d1"]
    # a street user of that district sees it once it is published, not as a draft
    assert not Warning.objects.visible_to(world["staff"]).filter(pk=warning.pk).exists()


def test_cancelling_ends_every_open_call_and_cannot_be_repeated(world):
    warning = published(world)
    first = warning.calls.order_by("pk").first()
    services.acknowledge_by_link(services.ack_token(first, Channel.SMS), now=minutes(1))
    services.cancel_warning(world["staff"], warning, reason="降雨减弱", now=minutes(5))
    assert set(warning.calls.values_list("status", flat=True)) == {
        CallStatus.ACKNOWLEDGED,
        CallStatus.CLOSED,
    }
    with pytest.raises(ValidationError, match="不能再解除"):
        services.cancel_warning(world["staff"], warning, reason="again")


def test_an_update_supersedes_and_a_cancelled_warning_cannot_be_updated(world):
    old = published(world)
    new, rival = (
        services.save_warning(world["staff"], draft(world), areas=[world["s1"]], supersedes=old)
        for _n in range(2)
    )
    for update in (new, rival):
        services.approve_warning(world["second"], update, now=minutes(10))
    services.publish_warning(world["second"], new, now=minutes(10))
    with pytest.raises(ValidationError, match="被更新的预警已解除或已更新"):
        services.publish_warning(world["second"], rival, now=minutes(11))
    assert Warning.objects.get(pk=rival.pk).status == Status.APPROVED
    old.refresh_from_db()
    assert old.status == Status.SUPERSEDED
    assert not old.calls.filter(status=CallStatus.OPEN).exists()
    assert new.calls.filter(status=CallStatus.OPEN).exists()
    services.cancel_warning(world["staff"], new, reason="结束", now=minutes(20))
    with pytest.raises(ValidationError, match="不能再更新"):
        services.save_warning(world["staff"], draft(world), areas=[world["s1"]], supersedes=new)


# --- delivery and links -----------------------------------------------------------------------


def test_delivery_sends_sms_mail_and_in_app_once(world, client, settings):
    sms.outbox.clear()
    warning = published(world, level=Level.ORANGE)
    assert services.deliver_calls(warning.pk, now=T0) == warning.calls.count()
    assert len(sms.outbox) == warning.calls.count()
    assert all("/warnings/ack/" in text for _mobile, text in sms.outbox)
    assert (
        Notification.objects.filter(recipient=world["officer"], rule="warnings.call").count() == 1
    )
    assert services.deliver_calls(warning.pk, now=T0) == 0
    assert len(sms.outbox) == warning.calls.count()
    # the link of an SMS acknowledges its call, by the SMS channel
    mobile_, text = sms.outbox[0]
    response = client.post(text.split(settings.SITE_URL.rstrip("/"))[1])
    assert response.status_code == 200
    call = warning.calls.get(mobile=mobile_)
    assert (call.status, call.channel) == (CallStatus.ACKNOWLEDGED, Channel.SMS)
    notice = Notification.objects.get(recipient=world["officer"], rule="warnings.call")
    assert client.get(notice.url).status_code == 200


def test_a_link_acknowledges_once_and_records_who_when_and_channel(world, client):
    warning = published(world)
    call = warning.calls.order_by("pk").first()
    url = reverse("warnings:ack_link", args=[services.ack_token(call, Channel.SMS)])
    assert client.get(url).status_code == 200
    assert Call.objects.get(pk=call.pk).status == CallStatus.OPEN  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 200 and "已确认收到" in response.content.decode()
    call.refresh_from_db()
    assert (call.status, call.channel, call.acknowledged_by) == (
        CallStatus.ACKNOWLEDGED,
        Channel.SMS,
        None,
    )
    stamp = call.acknowledged_at
    replay = client.post(url)
    assert replay.status_code == 400 and "不能重复使用" in replay.content.decode()
    call.refresh_from_db()
    assert call.acknowledged_at == stamp


def test_expired_forged_and_foreign_links_are_refused_and_change_nothing(
    world, client, monkeypatch
):
    warning = published(world, level=Level.ORANGE)
    call = warning.calls.filter(user__isnull=True).order_by("pk").first()
    token = services.ack_token(call, Channel.SMS)
    other_salt = signing.dumps({"c": call.pk, "h": call.holder_id, "ch": "sms"}, salt="x")
    wrong_holder = signing.dumps(
        {"c": call.pk, "h": call.holder_id + 999, "ch": "sms"}, salt=services.ACK_SALT
    )
    for bad, message in (
        (token[:-2] + "xx", "链接无效"),
        (other_salt, "链接无效"),
        (wrong_holder, "链接无效"),
    ):
        response = client.post(reverse("warnings:ack_link", args=[bad]))
        assert response.status_code == 400 and message in response.content.decode()
    later = timezone.now() + services.ACK_LINK_MAX_AGE + datetime.timedelta(minutes=1)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    response = client.post(reverse("warnings:ack_link", args=[token]))
    assert response.status_code == 400 and "已过期" in response.content.decode()
    monkeypatch.undo()
    # the officer's call, opened by someone else logged in
    own = warning.calls.get(user=world["officer"])
    client.force_login(world["staff"])
    response = client.post(
        reverse("warnings:ack_link", args=[services.ack_token(own, Channel.SMS)])
    )
    assert response.status_code == 400 and "须由本人确认" in response.content.decode()
    assert not Call.objects.exclude(status=CallStatus.OPEN).exists()


def test_the_phone_page_acknowledges_only_ones_own_call(world, client):
    warning = published(world, level=Level.ORANGE)
    own = warning.calls.get(user=world["officer"])
    other = warning.calls.exclude(pk=own.pk).first()
    client.force_login(world["officer"])
    page = client.get(reverse("warnings:my_calls"))
    assert page.status_code == 200 and "确认收到" in page.content.decode()
    assert mobile.tasks(world["officer"])[0]["due"] == T0 + datetime.timedelta(minutes=20)
    assert client.post(reverse("warnings:acknowledge", args=[other.pk])).status_code == 404
    client.post(reverse("warnings:acknowledge", args=[own.pk]))
    own.refresh_from_db()
    assert (own.status, own.channel, own.acknowledged_by) == (
        CallStatus.ACKNOWLEDGED,
        Channel.PHONE_PAGE,
        world["officer"],
    )
    assert mobile.tasks(world["officer"]) == []


# --- escalation -------------------------------------------------------------------------------


def test_escalation_follows_the_clock_and_calls_nobody_twice(world):
    warning = published(world, level=Level.YELLOW)  # window: 30 minutes
    answered = warning.calls.get(holder__org_unit__code="S1", duty=Duty.FLOOD)
    services.acknowledge_by_link(services.ack_token(answered, Channel.SMS), now=minutes(5))
    assert services.escalate_calls(now=minutes(29)) == 0
    created = services.escalate_calls(now=minutes(30))
    first = set(
        warning.calls.filter(tier=Tier.ESCALATED).values_list(
            "holder__org_unit__code", "duty", "position"
        )
    )
    # S1C1's two open calls: their B persons and S1C1's duty officer; S1 answered in time
    assert first == {
        ("S1C1", Duty.FLOOD, "B"),
        ("S1C1", Duty.COMMUNITY_DIRECTOR, "B"),
        ("S1C1", Duty.DUTY_OFFICER, "A"),
    }
    assert created == 3
    assert services.escalate_calls(now=minutes(31)) == 0
    # after twice the window, the superior unit S1: its duty officer (its 防汛责任人 A was
    # called at publication, and is not called again)
    assert services.escalate_calls(now=minutes(60)) == 1
    superior = warning.calls.filter(tier=Tier.SUPERIOR)
    assert list(superior.values_list("holder__org_unit__code", "duty")) == [
        ("S1", Duty.DUTY_OFFICER)
    ]
    assert services.escalate_calls(now=minutes(600)) == 0
    holders = list(warning.calls.values_list("holder_id", flat=True))
    assert len(holders) == len(set(holders))


def test_escalation_calls_the_officer_on_duty_from_the_roster(world):
    """S1 has a roster: its 值班员 is whoever is on the running shift, not the row entered
    in the 责任人 list; D1 has none and keeps its row; a shift with nobody reachable leaves
    the row as it is."""
    roster = Roster.objects.create(org_unit=world["s1"], name="甲街道值班表")
    on_duty = make_user(world["s1"], username="on_duty", mobile="13700000001")
    no_phone = make_user(world["s1"], username="no_phone", mobile="")
    shift = Shift.objects.create(
        roster=roster, starts_at=minutes(-60), ends_at=minutes(23 * 60), leader=no_phone
    )
    shift.officers.set([no_phone, on_duty])
    warning = published(world, level=Level.YELLOW)
    services.escalate_calls(now=minutes(60))  # both steps: S1C1's, then S1's 值班员
    call = warning.calls.get(org_unit=world["s1"], duty=Duty.DUTY_OFFICER)
    assert (call.name, call.mobile, call.user) == (on_duty.display_name, "13700000001", on_duty)
    d1_officer = world["holders"][("D1", Duty.DUTY_OFFICER, "A")]
    d1_officer.refresh_from_db()
    assert d1_officer.user is None and d1_officer.mobile == "13900000001"
    # the next shift has nobody with a number: the row keeps the last officer on duty
    Shift.objects.create(roster=roster, starts_at=minutes(23 * 60), ends_at=minutes(47 * 60))
    assert services.sync_duty_officers(minutes(24 * 60)) == 0
    assert DutyHolder.objects.get(pk=call.holder_id).user == on_duty


def test_a_roster_without_a_duty_officer_row_gets_one(world, django_assert_num_queries):
    roster = Roster.objects.create(org_unit=world["s2"], name="乙街道值班表")
    leader = make_user(world["s2"], username="leader", mobile="13700000002")
    Shift.objects.create(roster=roster, starts_at=minutes(0), ends_at=minutes(60), leader=leader)
    # S1's roster too, whose officer row exists: the queries do not grow with the rosters
    s1_roster = Roster.objects.create(org_unit=world["s1"], name="甲街道值班表")
    s1_leader = make_user(world["s1"], username="s1_leader", mobile="13700000003")
    Shift.objects.create(
        roster=s1_roster, starts_at=minutes(0), ends_at=minutes(60), leader=s1_leader
    )
    with django_assert_num_queries(5):  # shifts, their officers, holders, update, insert
        assert services.sync_duty_officers(minutes(30)) == 2
    holder = DutyHolder.objects.get(org_unit=world["s2"], duty=Duty.DUTY_OFFICER)
    assert (holder.position, holder.user, holder.mobile) == ("A", leader, "13700000002")
    assert services.sync_duty_officers(minutes(30)) == 0  # nothing changed: nothing written


def test_the_years_figures_count_answers_and_answers_within_the_window(world):
    warning = published(world, level=Level.YELLOW)  # window 30 minutes
    first, second, _third = warning.calls.order_by("pk")
    services.acknowledge_by_link(services.ack_token(first, Channel.SMS), now=minutes(5))
    services.acknowledge_by_link(services.ack_token(second, Channel.SMS), now=minutes(45))
    units = [world["s1"], world["c1"], world["s3"]]
    by_unit = selectors.call_figures(units, today=T0.date())
    assert by_unit[world["s1"].pk] == {
        "calls": 3,
        "answered": 2,
        "in_window": 1,
        "rate": 66.7,
        "in_window_rate": 33.3,
    }
    assert by_unit[world["s3"].pk]["calls"] == 0 and by_unit[world["s3"].pk]["rate"] is None
    next_year = T0.date().replace(year=T0.year + 1)
    assert selectors.call_figures(units, today=next_year)[world["s1"].pk]["calls"] == 0


def test_a_cancelled_warning_does_not_escalate(world):
    warning = published(world)
    services.cancel_warning(world["staff"], warning, reason="解除", now=minutes(1))
    assert services.escalate_calls(now=minutes(90)) == 0


# --- checklist and board ----------------------------------------------------------------------


def test_a_called_unit_confirms_each_checklist_item_once(world):
    warning = published(world, level=Level.RED)
    services.confirm_checklist_item(
        world["staff"], warning, unit=world["c1"], item="evacuation", now=minutes(3)
    )
    with pytest.raises(ValidationError, match="已确认"):
        services.confirm_checklist_item(
            world["staff"], warning, unit=world["c1"], item="evacuation"
        )
    with pytest.raises(ValidationError, match="不在本级预警"):
        services.confirm_checklist_item(world["staff"], warning, unit=world["c1"], item="bogus")
    reviewer = make_user(world["d1"], role=Role.DISTRICT_REVIEWER)
    with pytest.raises(PermissionDenied):
        services.confirm_checklist_item(reviewer, warning, unit=world["c1"], item="shelters")
    assert ChecklistConfirmation.objects.count() == 1
    board = selectors.board(warning, world["staff"])
    assert board["checklist_done"] == 1
    assert board["checklist_total"] == 3 * len(warning.checklist)  # S1, S1C1, S1C1E1


def test_the_board_masks_phones_and_gives_rate_and_times(world, client):
    warning = published(world, level=Level.YELLOW)
    for n, call in enumerate(warning.calls.order_by("pk")[:2], start=1):
        services.acknowledge_by_link(services.ack_token(call, Channel.SMS), now=minutes(2 * n))
    client.force_login(world["staff"])
    data = client.get(
        reverse("warnings:board_data", args=[warning.pk]), HTTP_X_BACKGROUND_REQUEST="1"
    ).json()
    assert data["figures"] == {
        "total": 3,
        "answered": 2,
        "open": 1,
        "rate": 67,
        "median_minutes": 3.0,
        "p90_minutes": 3.8,
    }
    mobiles = [c["mobile"] for u in data["units"] for c in u["calls"]]
    assert all("****" in m for m in mobiles)


def test_the_record_exports_as_excel_and_pdf(world, client):
    from io import BytesIO

    import openpyxl
    from pypdf import PdfReader

    warning = published(world)
    client.force_login(world["staff"])
    sheet = openpyxl.load_workbook(
        BytesIO(client.get(reverse("warnings:record_export", args=[warning.pk])).content)
    ).active
    assert sheet.max_row == 1 + warning.calls.count()
    pdf = client.get(reverse("warnings:record_pdf", args=[warning.pk]))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "预警叫应记录" in text and "责任人" in text


# --- CAP --------------------------------------------------------------------------------------


def test_a_cap_alert_becomes_a_draft_and_a_cancel_ends_it(world):
    warning = cap.import_cap(world["staff"], alert(colour="橙色"), issuer=world["s1"])
    assert (warning.status, warning.level, warning.warning_type.code) == (
        Status.DRAFT,
        Level.ORANGE,
        "rainstorm",
    )
    assert list(warning.areas.all()) == [world["s1"]]
    services.approve_warning(world["second"], warning, now=timezone.now())
    services.publish_warning(world["second"], warning)
    cancel = alert(
        "urn:test:2",
        msg_type="Cancel",
        references="met@example.gov.cn,urn:test:1,2026-07-01T08:00:00+08:00",
    )
    cap.import_cap(world["staff"], cancel, issuer=world["s1"])
    warning.refresh_from_db()
    assert warning.status == Status.CANCELLED


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>"""


@pytest.mark.parametrize(
    "data, message",
    [
        (b"x" * (cap.MAX_BYTES + 1), "过大"),
        (b"not xml at all", "不是有效的 XML"),
        (BOMB, "DTD 或实体"),
        (b'<alert xmlns="urn:other"/>', "不是 CAP 1.2"),
        (alert().replace(b"<identifier>urn:test:1</identifier>", b""), "缺少必填项"),
        (alert().replace(b"+08:00</sent>", b"</sent>"), "带时区"),
        (alert(msg_type="Update"), "须引用原预警"),
        (alert(msg_type="Ping"), "不支持的 CAP 消息类型"),
        (alert(colour="紫色").replace(b"Moderate", b"Unknown"), "无法从 CAP 文件确定预警级别"),
        (alert(area="丙街道"), "不在甲街道辖区内"),
        (alert("urn:x", msg_type="Cancel", references="a,urn:none,b"), "找不到"),
    ],
)
def test_a_bad_cap_file_is_refused_with_a_message_and_creates_nothing(world, data, message):
    with pytest.raises(ValidationError, match=message):
        cap.import_cap(world["staff"], data, issuer=world["s1"])
    assert not Warning.objects.exists()


def test_the_cap_upload_page_shows_the_message(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["staff"])
    response = client.post(
        reverse("warnings:cap_import"),
        {"issuer": world["s1"].pk, "file": SimpleUploadedFile("a.xml", BOMB)},
    )
    assert response.status_code == 200 and "DTD 或实体" in response.content.decode()
    assert not Warning.objects.exists()


def test_an_import_of_holders_outside_scope_is_refused(world):
    from tablib import Dataset

    from apps.warnings.resources import DutyHolderResource

    dataset = Dataset(headers=["所属单位编码", "职责", "AB岗", "姓名", "手机号", "电子邮箱"])
    dataset.append(["S3", "防汛责任人", "A岗", "王五", "13912345678", ""])
    result = DutyHolderResource(user=world["staff"]).import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    assert not DutyHolder.objects.filter(name="王五").exists()


def test_mail_goes_to_holders_with_an_address(world):
    mail.outbox.clear()
    warning = published(world, level=Level.BLUE)
    services.deliver_calls(warning.pk, now=T0)
    # blue calls 防汛责任人 A only: S1's has an address, S1C1's has none
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "/warnings/ack/" in mail.outbox[0].body


# --- pages ------------------------------------------------------------------------------------


def test_list_pages_do_not_grow_in_queries_with_rows(world, client, django_assert_max_num_queries):
    client.force_login(world["staff"])
    for _n in range(3):
        published(world)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("warnings:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("warnings:holders")).status_code == 200
    warning = Warning.objects.first()
    with django_assert_max_num_queries(14):
        assert client.get(reverse("warnings:board", args=[warning.pk])).status_code == 200


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"mobile": "12345"}, "mobile", "11位手机号码"),
        ({"name": ""}, "name", "这个字段是必填项"),
        ({"position": "A"}, None, "已有此AB岗责任人"),
        ({"org_unit": "S3"}, "org_unit", "选择一个有效的选项"),
    ],
)
def test_a_bad_holder_form_shows_the_message_and_saves_nothing(
    world, client, change, field, message
):
    client.force_login(world["staff"])
    data = {
        "org_unit": world["c1"].pk,
        "duty": Duty.COMMUNITY_DIRECTOR,
        "position": "A",
        "name": "新主任",
        "mobile": "13912340000",
        "email": "",
    }
    if "org_unit" in change:
        change = {"org_unit": world["s3"].pk}
    data.update(change)
    before = DutyHolder.objects.count()
    response = client.post(reverse("warnings:holder_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in str(errors.get(field) if field else errors)
    assert DutyHolder.objects.count() == before


@pytest.mark.parametrize("unit", ["", "abc", "999999", "S3"])
def test_a_checklist_post_for_no_called_unit_changes_nothing(world, client, unit):
    warning = published(world, level=Level.RED)
    if unit == "S3":
        unit = str(world["s3"].pk)
    client.force_login(world["staff"])
    response = client.post(
        reverse("warnings:checklist", args=[warning.pk]), {"unit": unit, "item": "evacuation"}
    )
    assert response.status_code == 302
    assert not ChecklistConfirmation.objects.exists()


def test_the_sweep_reminds_the_street_of_its_unanswered_calls(world):
    from apps.notifications.services import run_sweep

    warning = published(world)
    run_sweep(rules=["warnings.call"], send_email=False)
    titles = list(
        Notification.objects.filter(recipient=world["staff"]).values_list("title", flat=True)
    )
    reminders = [t for t in titles if warning.headline in t and "未确认叫应" in t]
    # one line per called unit, each naming its unit: no two read the same
    assert len(reminders) == len(set(reminders)) > 1
    assert any(world["c1"].name in t for t in reminders)
