"""值班值守: a month of shifts follows the rotation; swaps change shifts only when the unit's
street staff approve; sign-in, the duty log and the handover belong to the people on the shift
and the acknowledgement to the next shift's; a reinforced shift has a 带班领导; an unsigned
shift reminds its 带班领导; another street's roster is a 404 and a reviewer only reads."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.duty import reminders, selectors, services
from apps.duty.forms import RotationForm
from apps.duty.models import LogEntry, LogKind, Roster, Shift, SwapRequest, SwapStatus
from apps.notifications.models import Notification
from apps.notifications.services import run_sweep
from apps.orgs.models import Role
from tests.conftest import make_user

TZ = timezone.get_current_timezone


def at(day, hour=8, minute=0, month=7, year=2026):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute), TZ())


@pytest.fixture
def duty(tree):
    """甲街道's roster: two leaders and three officers rotating, 08:00 to 08:00, July 2026."""
    s1 = tree["s1"]
    staff = make_user(s1, username="s1_staff")
    leaders = [make_user(s1, username=f"leader{i}", mobile=f"1380000000{i}") for i in (1, 2)]
    officers = [make_user(s1, username=f"officer{i}", mobile=f"1390000000{i}") for i in (1, 2, 3)]
    roster = services.save_roster(staff, Roster(org_unit=s1, name="甲街道值班表"))
    services.set_rotation(staff, roster, leaders=leaders, officers=officers)
    services.generate_month(staff, roster, year=2026, month=7)
    return {
        **tree,
        "roster": roster,
        "staff": staff,
        "leaders": leaders,
        "officers": officers,
        "other_staff": make_user(tree["s2"], username="s2_staff"),
        "reviewer": make_user(tree["d1"], role=Role.DISTRICT_REVIEWER, username="d1_reviewer"),
    }


def shift_on(duty, day, month=7):
    return selectors.with_people(duty["roster"].shifts.filter(starts_at=at(day, month=month))).get()


def officer_of(shift):
    return shift.officers.get()


# --- rotation and generation ----------------------------------------------------------------


def test_a_month_follows_the_rotation_and_the_next_month_carries_on(duty):
    roster, leaders, officers = duty["roster"], duty["leaders"], duty["officers"]
    shifts = list(selectors.with_people(roster.shifts.order_by("starts_at")))
    assert len(shifts) == 31
    assert shifts[0].starts_at == at(1) and shifts[0].ends_at == at(2)
    assert shifts[-1].ends_at == at(1, month=8)
    ids = [officer_of(s).pk for s in shifts]
    first = [o.pk for o in officers].index(ids[0])
    assert ids == [officers[(first + i) % 3].pk for i in range(31)]
    assert {s.leader_id for s in shifts[::2]} != {s.leader_id for s in shifts[1::2]}
    assert {s.leader_id for s in shifts} == {u.pk for u in leaders}
    services.generate_month(duty["staff"], roster, year=2026, month=8)
    august = shift_on(duty, 1, month=8)
    assert officer_of(august).pk == officers[(first + 31) % 3].pk
    assert august.leader_id != shifts[-1].leader_id


def test_a_rerun_fills_only_the_gaps_and_keeps_changed_shifts(duty):
    staff, roster = duty["staff"], duty["roster"]
    changed = shift_on(duty, 10)
    services.update_shift(staff, changed, leader=None, officers=[duty["officers"][0]])
    roster.shifts.filter(starts_at=at(11)).delete()
    assert services.generate_month(staff, roster, year=2026, month=7) == 1
    assert roster.shifts.count() == 31
    assert shift_on(duty, 10).leader_id is None


def test_twelve_hour_shifts_with_two_officers(duty):
    staff, roster = duty["staff"], duty["roster"]
    roster.shifts.all().delete()
    roster.shift_hours, roster.officers_per_shift = 12, 2
    services.save_roster(staff, roster)
    assert services.generate_month(staff, roster, year=2026, month=6) == 60
    night = selectors.with_people(roster.shifts.filter(starts_at=at(1, 20, month=6))).get()
    assert night.ends_at == at(2, month=6)
    assert night.officers.count() == 2


def test_generation_without_enough_officers_is_refused_and_creates_nothing(duty):
    staff, roster = duty["staff"], duty["roster"]
    roster.officers_per_shift = 4
    roster.save()
    with pytest.raises(ValidationError, match="每班需要 4 名值班员"):
        services.generate_month(staff, roster, year=2026, month=9)
    assert not roster.shifts.filter(starts_at__month=9).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"leaders": "", "officers": ""}, "请至少填写一名值班员"),
        ({"leaders": "", "officers": "officer1\nnobody"}, "第 2 行“nobody”不是本单位人员"),
        ({"leaders": "s2_staff", "officers": "officer1"}, "第 1 行“s2_staff”不是本单位人员"),
        ({"leaders": "", "officers": "officer1\n13900000001"}, "同一人不能重复填写"),
    ],
)
def test_bad_rotation_gets_a_clear_message_and_changes_nothing(duty, client, data, message):
    client.force_login(duty["staff"])
    url = reverse("duty:rotation", args=[duty["roster"].pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert duty["roster"].rotation.count() == 5


def test_rotation_form_reads_user_names_and_mobiles_in_order(duty):
    form = RotationForm(
        {"leaders": "13800000002\nleader1", "officers": " officer3 \n\nofficer1"},
        roster=duty["roster"],
    )
    assert form.is_valid(), form.errors
    assert [u.username for u in form.cleaned_data["leaders"]] == ["leader2", "leader1"]
    assert [u.username for u in form.cleaned_data["officers"]] == ["officer3", "officer1"]


def test_people_of_another_unit_cannot_be_put_on_duty(duty):
    with pytest.raises(ValidationError, match="不是甲街道的人员"):
        services.update_shift(
            duty["staff"], shift_on(duty, 3), leader=None, officers=[duty["other_staff"]]
        )


# --- reinforced shifts ----------------------------------------------------------------------


def test_a_reinforced_shift_without_a_leader_is_refused(duty):
    shift = shift_on(duty, 4)
    with pytest.raises(ValidationError) as exc:
        services.update_shift(
            duty["staff"],
            shift,
            leader=None,
            officers=[officer_of(shift)],
            reinforced=True,
            reinforced_reason="holiday",
        )
    assert exc.value.message_dict["leader"] == ["加强值班的班次须安排带班领导。"]
    assert not Shift.objects.get(pk=shift.pk).reinforced
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(reinforced=True, leader=None)


def test_reinforcing_a_period_names_the_shifts_without_a_leader_and_changes_nothing(duty):
    staff, roster = duty["staff"], duty["roster"]
    services.update_shift(staff, shift_on(duty, 5), leader=None, officers=[duty["officers"][0]])
    start, end = datetime.date(2026, 7, 4), datetime.date(2026, 7, 6)
    with pytest.raises(ValidationError, match="2026-07-05 08:00 的班次尚未安排带班领导"):
        services.reinforce_shifts(staff, roster, start=start, end=end, reason="flood_season")
    assert not roster.shifts.filter(reinforced=True).exists()
    assert services.reinforce_shifts(staff, roster, start=start, end=start, reason="holiday") == 1
    assert shift_on(duty, 4).get_reinforced_reason_display() == "节假日"


@pytest.mark.parametrize(
    ("start", "end", "reason", "message"),
    [
        ("2026-07-06", "2026-07-04", "holiday", "结束日期不能早于开始日期"),
        ("2026-07-01", "2027-07-04", "holiday", "一次最多设置一年"),
        ("2026-07-01", "2026-07-02", "party", "选择一个有效的选项"),
        ("2026-12-01", "2026-12-02", "holiday", "该时段还没有班次"),
        ("", "2026-07-02", "holiday", "这个字段是必填项"),
    ],
)
def test_bad_reinforcement_gets_a_message_and_changes_nothing(
    duty, client, start, end, reason, message
):
    client.force_login(duty["staff"])
    response = client.post(
        reverse("duty:reinforce", args=[duty["roster"].pk]),
        {"start": start, "end": end, "reason": reason},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not duty["roster"].shifts.filter(reinforced=True).exists()


# --- sign-in, log, handover -----------------------------------------------------------------


def test_the_officer_on_duty_signs_in_once_within_the_shift(duty):
    shift = shift_on(duty, 8)
    officer = officer_of(shift)
    with pytest.raises(PermissionDenied):
        services.sign_in(duty["staff"], shift, now=at(8, 8, 5))
    with pytest.raises(ValidationError, match="开始前 30 分钟内才能签到"):
        services.sign_in(officer, shift, now=at(8, 7, 20))
    with pytest.raises(ValidationError, match="班次已结束"):
        services.sign_in(officer, shift, now=at(9, 8, 0))
    signed = services.sign_in(officer, shift, now=at(8, 7, 45))
    assert (signed.signed_in_at, signed.signed_in_by) == (at(8, 7, 45), officer)
    with pytest.raises(ValidationError, match="本班次已于 2026-07-08 07:45 签到"):
        services.sign_in(shift.leader, shift, now=at(8, 9))


def test_the_duty_log_takes_entries_of_the_signed_in_shift_at_times_within_it(duty):
    shift = shift_on(duty, 8)
    officer = officer_of(shift)
    entry = {"kind": LogKind.CALL, "content": "居民报告路面积水", "caller": "华一居委"}
    with pytest.raises(ValidationError, match="请先签到"):
        services.add_log_entry(officer, shift, **entry, now=at(8, 9))
    services.sign_in(officer, shift, now=at(8, 8, 1))
    shift.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.add_log_entry(duty["staff"], shift, **entry, now=at(8, 9))
    bad = [
        ({"at": at(8, 10)}, "at", "时间不能晚于现在"),
        ({"at": at(7, 23)}, "at", "时间须在本班次内"),
        ({"content": "  "}, "content", "请填写内容"),
        ({"kind": "gossip"}, "kind", "请选择类型"),
    ]
    for change, field, message in bad:
        with pytest.raises(ValidationError) as exc:
            services.add_log_entry(officer, shift, **(entry | change), now=at(8, 9))
        assert message in exc.value.message_dict[field][0]
    assert not LogEntry.objects.exists()
    line = services.add_log_entry(officer, shift, **entry, now=at(8, 9))
    assert (line.at, line.created_by, line.caller) == (at(8, 9), officer, "华一居委")
    services.add_log_entry(shift.leader, shift, **entry, at=at(8, 8, 30), now=at(8, 9))
    assert [e.at for e in shift.log.all()] == [at(8, 8, 30), at(8, 9)]


def test_only_the_next_shift_acknowledges_the_handover(duty):
    shift, following = shift_on(duty, 8), shift_on(duty, 9)
    officer, next_officer = officer_of(shift), officer_of(following)
    with pytest.raises(ValidationError, match="尚未签到，不能交班"):
        services.hand_over(officer, shift, note="无", now=at(9, 7))
    services.sign_in(officer, shift, now=at(8, 8))
    with pytest.raises(ValidationError) as exc:
        services.hand_over(officer, shift, note=" ", now=at(9, 7))
    assert "请填写交班事项" in exc.value.message_dict["handover_note"][0]
    with pytest.raises(PermissionDenied):
        services.hand_over(duty["staff"], shift, note="无", now=at(9, 7))
    with pytest.raises(ValidationError, match="尚未交班"):
        services.acknowledge_handover(next_officer, shift, now=at(9, 8))
    services.hand_over(officer, shift, note="3号楼积水待复查", now=at(9, 7, 50))
    for someone in (officer, duty["staff"], duty["reviewer"]):
        with pytest.raises(PermissionDenied, match="只有下一班的值班人员"):
            services.acknowledge_handover(someone, shift, now=at(9, 8))
    with pytest.raises(ValidationError, match="已交班，不能再记录"):
        services.add_log_entry(officer, shift, kind="note", content="补记", now=at(9, 7, 55))
    done = services.acknowledge_handover(next_officer, shift, now=at(9, 8, 2))
    assert (done.acknowledged_by, done.acknowledged_at) == (next_officer, at(9, 8, 2))
    with pytest.raises(ValidationError, match="已于 2026-07-09 08:02 确认接班"):
        services.acknowledge_handover(following.leader, shift, now=at(9, 8, 5))


def test_a_refused_acknowledgement_is_a_403_through_the_page(duty, client):
    shift = shift_on(duty, 8)
    officer = officer_of(shift)
    services.sign_in(officer, shift, now=at(8, 8))
    services.hand_over(officer, shift, note="无", now=at(8, 9))
    client.force_login(officer)
    assert client.post(reverse("duty:acknowledge", args=[shift.pk])).status_code == 403
    client.force_login(officer_of(shift_on(duty, 9)))
    response = client.post(reverse("duty:acknowledge", args=[shift.pk]), follow=True)
    assert "已确认接班" in response.content.decode()


def test_sign_in_and_log_through_the_shift_page(duty, client):
    now = timezone.now()
    roster, staff = duty["roster"], duty["staff"]
    shift = roster.shifts.create(
        starts_at=now - datetime.timedelta(hours=1), ends_at=now + datetime.timedelta(hours=1)
    )
    officer = duty["officers"][1]
    shift.officers.set([officer])
    client.force_login(officer)
    page = client.get(shift.get_absolute_url()).content.decode()
    assert 'id="sign-in"' in page
    client.post(reverse("duty:sign_in", args=[shift.pk]))
    response = client.post(
        reverse("duty:add_log", args=[shift.pk]), {"kind": "call", "content": ""}, follow=True
    )
    assert "请填写内容。" in response.content.decode()
    response = client.post(
        reverse("duty:add_log", args=[shift.pk]),
        {"kind": "call", "caller": "区应急局", "content": "通知暴雨预警"},
        follow=True,
    )
    page = response.content.decode()
    assert "已记入值班日志" in page and "通知暴雨预警" in page
    assert Shift.objects.get(pk=shift.pk).signed_in_by == officer
    client.force_login(staff)
    assert client.post(reverse("duty:sign_in", args=[shift.pk])).status_code == 403


# --- swaps ----------------------------------------------------------------------------------


def test_a_swap_changes_the_shift_only_when_the_street_approves(duty):
    shift = shift_on(duty, 20)
    requester = officer_of(shift)
    replacement = next(o for o in duty["officers"] if o != requester)
    swap = services.request_swap(
        requester, shift, replacement=replacement, reason="家中有事", now=at(10)
    )
    assert officer_of(shift_on(duty, 20)) == requester
    with pytest.raises(ValidationError, match="正在审批中"):
        services.request_swap(
            requester, shift, replacement=replacement, reason="再申请", now=at(10)
        )
    for wrong in (duty["reviewer"], duty["other_staff"]):
        with pytest.raises(PermissionDenied):
            services.decide_swap(wrong, swap, approve=True, now=at(11))
    for party in (requester, replacement):
        with pytest.raises(ValidationError, match="换班当事人不能审批"):
            services.decide_swap(party, swap, approve=True, now=at(11))
    services.decide_swap(duty["staff"], swap, approve=True, now=at(11))
    assert officer_of(shift_on(duty, 20)) == replacement
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by) == (SwapStatus.APPROVED, duty["staff"])
    with pytest.raises(ValidationError, match="该换班申请已处理（已同意）"):
        services.decide_swap(duty["staff"], swap, approve=True, now=at(11))


def test_an_exchange_swaps_both_shifts_and_a_refusal_changes_nothing(duty):
    mine, theirs = shift_on(duty, 20), shift_on(duty, 21)
    me, them = officer_of(mine), officer_of(theirs)
    swap = services.request_swap(
        me, mine, replacement=them, other_shift=theirs, reason="对调", now=at(10)
    )
    services.decide_swap(duty["staff"], swap, approve=False, now=at(11))
    assert (officer_of(shift_on(duty, 20)), officer_of(shift_on(duty, 21))) == (me, them)
    swap = services.request_swap(
        me, mine, replacement=them, other_shift=theirs, reason="对调", now=at(10)
    )
    services.decide_swap(duty["staff"], swap, approve=True, now=at(11))
    assert (officer_of(shift_on(duty, 20)), officer_of(shift_on(duty, 21))) == (them, me)


def test_a_leader_hands_the_leadership_to_another_leader(duty):
    shift = shift_on(duty, 20)
    other = next(u for u in duty["leaders"] if u.pk != shift.leader_id)
    swap = services.request_swap(shift.leader, shift, replacement=other, reason="出差", now=at(10))
    services.decide_swap(duty["staff"], swap, approve=True, now=at(11))
    assert shift_on(duty, 20).leader == other


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("started", "班次已开始，不能再换班"),
        ("no_reason", "请填写换班原因"),
        ("on_shift", "替班人已在本班次值班"),
        ("outsider", "不是甲街道的人员"),
        ("wrong_other", "替班人须在对调班次担任同样的职责"),
    ],
)
def test_a_bad_swap_request_gets_a_clear_message(duty, case, message):
    shift = shift_on(duty, 20)
    requester = officer_of(shift)
    others = [o for o in duty["officers"] if o != requester]
    kwargs = {"replacement": others[0], "reason": "有事", "now": at(10)}
    if case == "started":
        kwargs["now"] = at(20, 9)
    elif case == "no_reason":
        kwargs["reason"] = " "
    elif case == "on_shift":
        kwargs["replacement"] = shift.leader
    elif case == "outsider":
        kwargs["replacement"] = duty["other_staff"]
    elif case == "wrong_other":
        kwargs["other_shift"] = next(
            s for s in (shift_on(duty, d) for d in (21, 22)) if not s.is_on(others[0])
        )
    with pytest.raises(ValidationError, match=message):
        services.request_swap(requester, shift, **kwargs)
    assert not SwapRequest.objects.exists()


def test_only_someone_on_the_shift_asks_for_a_swap(duty):
    shift = shift_on(duty, 20)
    with pytest.raises(PermissionDenied):
        services.request_swap(
            duty["staff"], shift, replacement=duty["officers"][0], reason="x", now=at(10)
        )


def test_swap_decisions_through_the_page_refuse_the_wrong_people(duty, client):
    shift = shift_on(duty, 20)
    requester = officer_of(shift)
    replacement = next(o for o in duty["officers"] if o != requester)
    swap = services.request_swap(
        requester, shift, replacement=replacement, reason="有事", now=at(10)
    )
    url = reverse("duty:decide_swap", args=[swap.pk])
    for user, status in ((duty["reviewer"], 403), (duty["other_staff"], 404)):
        client.force_login(user)
        assert client.post(url, {"approve": "1"}).status_code == status
    client.force_login(requester)
    response = client.post(url, {"approve": "1"}, follow=True)
    assert "换班当事人不能审批该换班申请。" in response.content.decode()
    assert SwapRequest.objects.get().status == SwapStatus.PENDING


# --- who is on duty -------------------------------------------------------------------------


def test_on_duty_gives_the_people_to_call_and_a_community_falls_back_to_its_street(duty):
    shift = shift_on(duty, 8)
    people = selectors.on_duty(duty["c1"], at(8, 20))
    assert [p.user for p in people] == [shift.leader, officer_of(shift)]
    assert people[0].is_leader and str(people[0].role) == "带班领导"
    assert people[1].mobile.startswith("139")
    assert selectors.current_shift(duty["s1"], at(9, 7, 59)) == shift
    assert selectors.current_shift(duty["s1"], at(9, 8)) == shift_on(duty, 9)
    assert selectors.on_duty(duty["s2"], at(8, 20)) == []
    assert selectors.current_shift(duty["s1"], at(1, 7, month=7)) is None


def test_today_page_shows_the_shifts_in_scope_with_phones(
    duty, client, django_assert_max_num_queries
):
    now = timezone.now()
    roster = duty["roster"]
    shift = roster.shifts.create(
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=2),
        leader=duty["leaders"][0],
    )
    shift.officers.set(duty["officers"][:2])
    client.force_login(duty["reviewer"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("duty:list")).content.decode()
    assert "13800000001" in page and "13900000002" in page
    client.force_login(duty["other_staff"])
    assert "13800000001" not in client.get(reverse("duty:list")).content.decode()


def test_roster_month_query_count_does_not_grow_with_shifts(
    duty, client, django_assert_max_num_queries
):
    client.force_login(duty["staff"])
    url = reverse("duty:roster", args=[duty["roster"].pk]) + "?month=2026-07"
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "13900000003" in page


# --- scoping --------------------------------------------------------------------------------


def test_another_street_gets_404_and_the_reviewer_reads_but_cannot_change(duty, client):
    roster, shift = duty["roster"], shift_on(duty, 8)
    client.force_login(duty["other_staff"])
    for url in (roster.get_absolute_url(), shift.get_absolute_url()):
        assert client.get(url).status_code == 404
    client.force_login(duty["reviewer"])
    assert client.get(roster.get_absolute_url()).status_code == 200
    assert client.get(shift.get_absolute_url()).status_code == 200
    for name in ("duty:roster_edit", "duty:rotation", "duty:reinforce", "duty:shift_edit"):
        pk = shift.pk if name == "duty:shift_edit" else roster.pk
        assert client.get(reverse(name, args=[pk])).status_code == 403
    response = client.post(reverse("duty:generate", args=[roster.pk]), {"month": "2026-08"})
    assert response.status_code == 403
    assert client.post(reverse("duty:sign_in", args=[shift.pk])).status_code == 403
    assert not roster.shifts.filter(starts_at__month=8).exists()


def test_generate_through_the_page_with_a_bad_month(duty, client):
    client.force_login(duty["staff"])
    url = reverse("duty:generate", args=[duty["roster"].pk])
    response = client.post(url, {"month": "2026-13"}, follow=True)
    assert "月份格式应为 YYYY-MM" in response.content.decode()
    response = client.post(url, {"month": "2026-08"}, follow=True)
    assert "已生成 2026-08 的 31 个班次" in response.content.decode()


# --- the reminder ---------------------------------------------------------------------------


def test_a_shift_nobody_signed_into_reminds_its_leader(duty):
    shift = shift_on(duty, 8)
    day = datetime.date(2026, 7, 8)
    assert list(reminders.unsigned_shift(day, now=at(8, 8, 20))) == []
    (finding,) = reminders.unsigned_shift(day, now=at(8, 8, 40))
    assert finding.recipients == (shift.leader_id,)
    assert "07-08 08:00 开始的班次尚无人签到" in finding.title
    services.sign_in(officer_of(shift), shift, now=at(8, 8, 45))
    assert list(reminders.unsigned_shift(day, now=at(8, 9))) == []


def test_the_sweep_notifies_the_leader_only_and_once(duty):
    now = timezone.now()
    shift = duty["roster"].shifts.create(
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
        leader=duty["leaders"][1],
    )
    shift.officers.set([duty["officers"][0]])
    assert run_sweep(rules=["duty.unsigned_shift"], send_email=False) == {"duty.unsigned_shift": 1}
    assert run_sweep(rules=["duty.unsigned_shift"], send_email=False) == {"duty.unsigned_shift": 0}
    (notification,) = Notification.objects.all()
    assert notification.recipient == duty["leaders"][1]
    assert notification.url == shift.get_absolute_url()


# --- exports --------------------------------------------------------------------------------


def test_the_roster_exports_to_excel_with_phones_for_the_unit(duty, client):
    client.force_login(duty["staff"])
    response = client.get(reverse("duty:export", args=[duty["roster"].pk]) + "?month=2026-07")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("值班单位", "开始时间", "结束时间", "带班领导")
    assert len(rows) == 32
    assert rows[1][1] == "2026-07-01 08:00" and "1380000000" in rows[1][3]


def test_the_roster_pdf_lists_the_month_through_the_reports(duty, client, run_tasks_on_commit):
    from apps.reports.models import ReportRequest

    client.force_login(duty["staff"])
    url = reverse("reports:create", args=["duty_roster"])
    client.post(url, {"roster": duty["roster"].pk, "month": "2026-07"})
    report = ReportRequest.objects.get()
    assert report.title == "甲街道值班表（2026年07月）"
    response = client.get(reverse("reports:download", args=[report.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "值班表" in text and "7月31日" in text and "13900000001" in text
    client.force_login(duty["other_staff"])
    assert client.post(url, {"roster": duty["roster"].pk, "month": "2026-07"}).status_code == 404
    client.force_login(duty["staff"])
    assert client.post(url, {"roster": duty["roster"].pk, "month": "July"}).status_code == 404
    assert ReportRequest.objects.count() == 1


def test_phones_are_masked_for_people_below_the_unit(duty):
    below = make_user(duty["c1"], username="c1_staff")
    assert not selectors.reveals_phones(below, duty["roster"])
    assert selectors.reveals_phones(duty["reviewer"], duty["roster"])
    html = render_to_string(
        "duty/_people.html",
        {"people": selectors.people_of(shift_on(duty, 8)), "reveal": False},
    )
    assert "138****000" in html and "13800000001" not in html and "13800000002" not in html


# --- 加强值班 when a warning is published -----------------------------------------------------


@pytest.mark.parametrize(
    ("level", "reinforced"), [("red", True), ("orange", True), ("yellow", False)]
)
def test_a_red_or_orange_warning_reinforces_the_shifts_it_covers(duty, level, reinforced):
    from tests.warnings.builders import build, published

    # T0 + 12 h: 2026-07-01 16:00 to 07-02 04:00 in Shanghai, inside the shift of 1 July
    published(build(duty), level=level)
    assert shift_on(duty, 1).reinforced is reinforced
    if reinforced:
        assert shift_on(duty, 1).get_reinforced_reason_display() == "预警生效"
    assert not duty["roster"].shifts.exclude(starts_at=at(1)).filter(reinforced=True).exists()


def test_a_red_warning_tells_the_street_of_a_shift_without_a_leader(duty):
    from tests.warnings.builders import build, published

    services.update_shift(
        duty["staff"], shift_on(duty, 1), leader=None, officers=[duty["officers"][0]]
    )
    world = build(duty)
    published(world, level="red")
    assert not shift_on(duty, 1).reinforced
    notice = Notification.objects.get(recipient=duty["staff"], rule="duty.reinforce")
    assert "2026-07-01 08:00 的班次尚未安排带班领导" in notice.title
    assert notice.url == duty["roster"].get_absolute_url()
    assert not Notification.objects.filter(recipient=duty["other_staff"]).exists()
