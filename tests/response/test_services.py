"""The rules of a response: every state change of an event, its tasks, shelters, check-ins,
transfers and supply requests goes through the services, is refused with a clear message when
it breaks a rule (changing nothing), and writes its line of the timeline. An event names the
warning and the incident it answers only when the user sees them and they concern its plan's
unit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.response import mobile, selectors, services
from apps.response.models import (
    CheckIn,
    Event,
    EventLog,
    EventStatus,
    FollowUp,
    Origin,
    RequestStatus,
    TaskStatus,
    Transfer,
    TransferStatus,
)
from apps.shelters.models import ShelterStatus
from apps.supplies.models import Lot, Movement, MovementKind

pytestmark = pytest.mark.django_db


def open_event(w, level=2):
    return services.open_event(w["staff"], w["plan"], level=level, title="台风“测试”防御响应")


def test_opening_spawns_the_level_tasks_with_owners_and_deadlines_and_the_roster(world):
    w = world
    before = timezone.now()
    event = open_event(w)
    tasks = {t.title: t for t in event.tasks.all()}
    assert set(tasks) == {"会商", "转移居民"}
    assert tasks["转移居民"].unit == w["c1"] and tasks["会商"].unit == w["s1"]
    assert tasks["会商"].due_at >= before + datetime.timedelta(hours=1)
    roster = {t.resident: t for t in Transfer.objects.filter(event=event)}
    assert set(roster) == {w["old"], w["disabled"]}
    assert roster[w["old"]].helper.helper_name == "李帮扶"
    assert roster[w["disabled"]].helper is None
    assert all(t.status == TransferStatus.PENDING for t in roster.values())
    kinds = list(event.log.values_list("kind", flat=True))
    assert kinds == [EventLog.Kind.OPENED, EventLog.Kind.TASK]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"level": 3}, "level"),  # no Ⅲ级 card
        ({"level": 7}, "level"),
        ({"title": "  "}, "title"),
        ({"origin": "drill"}, "drill"),  # a drill exercise needs its drill
        ({"origin": "rumour"}, "origin"),
    ],
)
def test_opening_refuses_bad_input_and_creates_nothing(world, change, field):
    w = world
    kwargs = {"level": 2, "title": "响应"} | change
    with pytest.raises(ValidationError) as exc:
        services.open_event(w["staff"], w["plan"], **kwargs)
    assert field in exc.value.error_dict
    assert not Event.objects.exists()


def test_a_draft_plan_cannot_be_activated(world):
    w = world
    w["plan"].status = w["plan"].Status.DRAFT
    w["plan"].save()
    with pytest.raises(ValidationError, match="生效"):
        open_event(w)


@pytest.mark.parametrize("who", ["other_staff", "reviewer", "community"])
def test_only_the_plans_street_may_activate_it(world, who):
    with pytest.raises(PermissionDenied):
        services.open_event(world[who], world["plan"], level=2, title="响应")


def test_an_event_names_the_warning_and_the_incident_it_answers(world, links):
    w, x = world, links
    event = services.open_event(
        w["staff"],
        w["plan"],
        level=2,
        title="暴雨积水响应",
        origin=Origin.INCIDENT,
        warning=x["warning"],
        incident=x["incident"],
    )
    assert event.warning == x["warning"] and event.incident == x["incident"]
    assert list(x["warning"].response_events.all()) == [event]
    assert list(x["incident"].response_events.all()) == [event]


def test_the_review_of_an_event_for_a_warning_gives_its_acknowledgement_milestones(world, links):
    from apps.warnings.models import Call, CallStatus, ChecklistConfirmation, DutyHolder

    w, warning = world, links["warning"]
    issued = warning.issued_at
    for unit, minutes in ((w["c1"], 6), (w["s1"], None), (w["s2"], 2)):  # 乙街道: not the area
        holder = DutyHolder.objects.create(
            org_unit=unit, duty="flood", position="A", name="责任人", mobile="13900000000"
        )
        Call.objects.create(
            warning=warning,
            holder=holder,
            org_unit=unit,
            duty="flood",
            position="A",
            name="责任人",
            mobile="13900000000",
            called_at=issued,
            status=CallStatus.ACKNOWLEDGED if minutes else CallStatus.OPEN,
            acknowledged_at=issued + datetime.timedelta(minutes=minutes) if minutes else None,
        )
    ChecklistConfirmation.objects.create(
        warning=warning,
        org_unit=w["c1"],
        item="on_post",
        confirmed_at=issued + datetime.timedelta(minutes=15),
        confirmed_by=w["staff"],
    )
    event = services.open_event(
        w["staff"], w["plan"], level=2, title="暴雨响应", origin=Origin.WARNING, warning=warning
    )
    milestones = selectors.review(event)["warning"]
    assert milestones["first_acknowledged"] == issued + datetime.timedelta(minutes=6)
    assert (milestones["calls"]["total"], milestones["calls"]["answered"]) == (2, 1)
    assert milestones["on_post"] == issued + datetime.timedelta(minutes=15)
    manual = services.open_event(w["staff"], w["plan"], level=2, title="手动启动")
    assert selectors.review(manual)["warning"] is None


# who opens the plan's event, origin, which warning / incident, the field to blame, the message
BAD_LINKS = [
    ("staff", "warning", "other_district_warning", None, "warning", "找不到该预警"),
    ("staff", "warning", "draft_warning", None, "warning", "只能关联已发布的预警"),
    ("staff", "warning", "cancelled_warning", None, "warning", "只能关联已发布的预警"),
    ("staff", "warning", "community_warning", None, "warning", "预警范围不包括甲街道"),
    ("admin", "warning", "other_district_warning", None, "warning", "预警范围不包括甲街道"),
    ("staff", "warning", None, None, "warning", "请选择关联的预警"),
    ("staff", "manual", "other_district_warning", None, "warning", "找不到该预警"),
    ("staff", "incident", None, "other_incident", "incident", "找不到该突发事件"),
    ("admin", "incident", None, "other_incident", "incident", "不在甲街道辖区内"),
    ("staff", "incident", None, None, "incident", "请选择关联的突发事件"),
    ("staff", "incident", "warning", None, "incident", "请选择关联的突发事件"),
]


@pytest.mark.parametrize("who, origin, warning, incident, field, message", BAD_LINKS)
def test_an_event_names_only_what_concerns_its_plan_and_the_user_sees(
    world, links, who, origin, warning, incident, field, message
):
    w, x = world, links
    user = x["admin"] if who == "admin" else w[who]
    with pytest.raises(ValidationError) as exc:
        services.open_event(
            user,
            w["plan"],
            level=2,
            title="响应",
            origin=origin,
            warning=x[warning] if warning else None,
            incident=x[incident] if incident else None,
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert not Event.objects.exists() and not Transfer.objects.exists()


@pytest.mark.parametrize(
    "origin, message",
    [("warning", "须选择关联的预警"), ("incident", "须选择关联的突发事件")],
)
def test_the_database_keeps_the_link_the_origin_names(world, origin, message):
    w = world
    event = Event(
        org_unit=w["s1"],
        plan=w["plan"],
        title="x",
        level=2,
        origin=origin,
        opened_at=timezone.now(),
    )
    with pytest.raises(ValidationError, match=message):
        event.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_raising_the_level_adds_its_tasks_and_loses_none(world):
    w = world
    event = open_event(w)
    services.change_level(w["staff"], event, level=1, reason="升级为红色预警")
    assert sorted(event.tasks.values_list("title", flat=True)) == ["会商", "全部转移", "转移居民"]
    services.change_level(w["staff"], event, level=2, reason="预警降级")
    services.change_level(w["staff"], event, level=1, reason="再次升级")
    assert event.tasks.count() == 3  # back to a level already given: no duplicates
    event.refresh_from_db()
    assert event.level == 1
    assert event.log.filter(kind=EventLog.Kind.LEVEL).count() == 3


@pytest.mark.parametrize(
    "level, reason, message", [(2, "原因", "未变化"), (1, " ", "调整原因"), (9, "x", "响应级别")]
)
def test_a_level_change_needs_a_new_level_and_a_reason(world, level, reason, message):
    w = world
    event = open_event(w)
    with pytest.raises(ValidationError, match=message):
        services.change_level(w["staff"], event, level=level, reason=reason)
    event.refresh_from_db()
    assert event.level == 2 and event.tasks.count() == 2


def test_community_staff_update_their_own_tasks_only(world):
    w = world
    event = open_event(w)
    own = event.tasks.get(unit=w["c1"])
    street_task = event.tasks.get(unit=w["s1"])
    services.update_task(w["community"], own, status=TaskStatus.DONE, note="已转移 2 户")
    own.refresh_from_db()
    assert own.status == TaskStatus.DONE and own.done_at is not None
    with pytest.raises(PermissionDenied):
        services.update_task(w["community"], street_task, status=TaskStatus.DONE)
    with pytest.raises(PermissionDenied):
        services.update_task(w["other_community"], own, status=TaskStatus.DOING)
    with pytest.raises(PermissionDenied):
        services.update_task(w["reviewer"], street_task, status=TaskStatus.DONE)
    with pytest.raises(ValidationError, match="未变化"):
        services.update_task(w["staff"], own, status=TaskStatus.DONE)


# --- shelters -------------------------------------------------------------------------------


def test_opening_a_shelter_activates_it_and_closing_it_checks_everyone_out(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    w["shelter"].refresh_from_db()
    assert w["shelter"].status == ShelterStatus.ACTIVATED
    assert operation.capacity == 5 and operation.opening.closed_at is None
    services.check_in(w["staff"], operation, name="路人甲", phone="13912345678", household_size=2)
    services.close_operation(w["staff"], operation)
    operation.refresh_from_db()
    w["shelter"].refresh_from_db()
    assert operation.closed_at and operation.occupancy == 0 and operation.peak == 2
    assert w["shelter"].status == ShelterStatus.AVAILABLE
    assert not CheckIn.objects.present().exists()
    with pytest.raises(ValidationError, match="已关闭"):
        services.check_in(w["staff"], operation, name="路人乙", phone="13912345679")


def test_a_shelter_cannot_be_opened_above_its_capacity_or_twice(world):
    w = world
    event = open_event(w)
    with pytest.raises(ValidationError, match="不能超过"):
        services.open_shelter(w["staff"], event, w["shelter"], capacity=6)
    services.open_shelter(w["staff"], event, w["shelter"])
    with pytest.raises(ValidationError, match="启用状态"):
        services.open_shelter(w["staff"], event, w["shelter"])


def test_check_ins_count_occupancy_groups_and_refuse_beyond_a_hard_capacity(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    services.check_in(
        w["staff"],
        operation,
        name="赵大妈",
        phone="139 1234 5678",
        id_number="11010519491231002X",
        household_size=3,
        counts={"elderly": 1, "children": 1, "pregnant": 1},
    )
    entry = services.check_in(w["staff"], operation, resident=w["old"])
    assert entry.name == "张老伯" and entry.elderly == 1
    transfer = Transfer.objects.get(event=event, resident=w["old"])
    assert transfer.status == TransferStatus.SHELTERED and transfer.operation == operation
    with pytest.raises(ValidationError, match="已满：在场 4 人，上限 5 人，剩余 1 个位置"):
        services.check_in(
            w["staff"], operation, name="钱先生", phone="13911112222", household_size=2
        )
    [board] = selectors.operations_with_people(operation.__class__.objects.filter(pk=operation.pk))
    assert board.occupancy == 4 and board.peak == 4
    assert board.people == {"elderly": 2, "children": 1, "alone": 0, "disabled": 0, "pregnant": 1}
    assert CheckIn.objects.get(name="赵大妈").phone == "13912345678"


def test_a_soft_capacity_lets_people_in_beyond_it(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"], hard_limit=False)
    services.check_in(w["staff"], operation, name="大家庭", phone="13911112222", household_size=7)
    operation.refresh_from_db()
    assert operation.occupancy == 7


def test_a_resident_checks_in_once_and_only_with_the_permission(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    services.check_in(w["staff"], operation, resident=w["old"])
    with pytest.raises(ValidationError, match="已在此避难场所"):
        services.check_in(w["staff"], operation, resident=w["old"])
    w["staff"].user_permissions.clear()
    w["staff"] = w["staff"].__class__.objects.get(pk=w["staff"].pk)  # drop the perm cache
    with pytest.raises(PermissionDenied):
        services.check_in(w["staff"], operation, resident=w["disabled"])
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "", "phone": "13912345678"}, "name"),
        ({"name": "甲" * 51, "phone": "13912345678"}, "name"),
        ({"name": "甲", "phone": ""}, "phone"),
        ({"name": "甲", "phone": "12345"}, "phone"),
        ({"name": "甲", "phone": "13912345678", "id_number": "110105194912310021"}, "id_number"),
        ({"name": "甲", "phone": "13912345678", "household_size": 0}, "household_size"),
        ({"name": "甲", "phone": "13912345678", "household_size": 21}, "household_size"),
        ({"name": "甲", "phone": "13912345678", "household_size": "3"}, "household_size"),
        ({"name": "甲", "phone": "13912345678", "counts": {"elderly": 2}}, "elderly"),
        ({"name": "甲", "phone": "13912345678", "counts": {"pregnant": -1}}, "pregnant"),
    ],
)
def test_bad_check_in_input_is_refused_and_nothing_changes(world, kwargs, field):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    with pytest.raises(ValidationError) as exc:
        services.check_in(w["staff"], operation, **kwargs)
    assert field in exc.value.error_dict
    operation.refresh_from_db()
    assert operation.occupancy == 0 and not CheckIn.objects.exists()


def test_check_out_frees_the_places(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    entry = services.check_in(
        w["staff"], operation, name="甲", phone="13912345678", household_size=5
    )
    services.check_out(w["staff"], entry)
    operation.refresh_from_db()
    assert operation.occupancy == 0 and operation.peak == 5
    with pytest.raises(ValidationError, match="已离开"):
        services.check_out(w["staff"], entry)
    with pytest.raises(PermissionDenied):
        services.check_out(w["reviewer"], entry)


def test_the_self_check_in_link_is_signed_per_opening_and_dies_with_it(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    token = services.check_in_token(operation)
    assert services.operation_for_token(token) == operation
    assert services.operation_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert services.operation_for_token(f"{operation.pk}") is None
    entry = services.check_in(
        None, operation, name="扫码人", phone="13912345678", household_size=2, self_registered=True
    )
    assert entry.self_registered and entry.created_by is None
    with pytest.raises(PermissionDenied):
        services.check_in(None, operation, name="匿名", phone="13912345678")
    services.close_operation(w["staff"], operation)
    assert services.operation_for_token(token) is None


# --- transfers ------------------------------------------------------------------------------


def test_helpers_move_residents_through_the_roster(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    transfer = Transfer.objects.get(event=event, resident=w["old"])
    services.set_transfer_status(w["community"], transfer, status=TransferStatus.CONTACTED)
    with pytest.raises(ValidationError, match="安置的避难场所"):
        services.set_transfer_status(w["community"], transfer, status=TransferStatus.SHELTERED)
    services.set_transfer_status(
        w["community"], transfer, status=TransferStatus.SHELTERED, operation=operation
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SHELTERED and transfer.updated_by == w["community"]
    other = Transfer.objects.get(event=event, resident=w["disabled"])
    with pytest.raises(PermissionDenied):
        services.set_transfer_status(w["community"], other, status=TransferStatus.CONTACTED)
    with pytest.raises(ValidationError, match="转移状态"):
        services.set_transfer_status(w["staff"], other, status="lost")
    counts = selectors.transfer_counts(Transfer.objects.filter(event=event))
    assert counts["total"] == 2 and counts["settled"] == 1


# --- supply requests ------------------------------------------------------------------------


def test_a_request_is_approved_dispatched_from_stock_and_signed_for(world):
    w = world
    event = open_event(w)
    request = services.request_supplies(
        w["community"], event, unit=w["c1"], item=w["sandbags"], quantity=30, reason="封堵"
    )
    with pytest.raises(ValidationError, match="审批意见"):
        services.decide_request(w["staff"], request, approve=True, quantity=20)
    services.decide_request(w["staff"], request, approve=True, quantity=20, note="先拨 20 只")
    proposals = services.dispatch_proposals(w["staff"], request)
    assert [(p.site, p.on_hand, p.across) for p in proposals] == [(w["site"], 50, False)]
    services.dispatch_request(w["staff"], request, site=w["site"])
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPATCHED and request.voucher.startswith("CK")
    assert Lot.objects.get(site=w["site"]).quantity == 30
    movement = Movement.objects.get(kind=MovementKind.DISPATCH)
    assert movement.quantity_change == -20 and movement.recipient == w["c1"].name
    with pytest.raises(ValidationError, match="差异说明"):
        services.receive_request(w["community"], request, quantity=18)
    with pytest.raises(PermissionDenied):
        services.receive_request(w["other_community"], request, quantity=20)
    services.receive_request(w["community"], request, quantity=18, discrepancy="2 只破损")
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.lead_time is not None
    kinds = list(event.log.values_list("kind", flat=True))
    assert kinds[-4:] == ["request", "request", "dispatch", "receipt"]


def test_a_dispatch_beyond_the_stock_is_refused_and_changes_nothing(world):
    w = world
    event = open_event(w)
    request = services.request_supplies(
        w["staff"], event, unit=w["c1"], item=w["sandbags"], quantity=80, reason="封堵"
    )
    services.decide_request(w["staff"], request, approve=True)
    with pytest.raises(ValidationError, match="库存不足"):
        services.dispatch_request(w["staff"], request, site=w["site"])
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert Lot.objects.get(site=w["site"]).quantity == 50
    assert not Movement.objects.filter(kind=MovementKind.DISPATCH).exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"reason": " "}, "reason"),
    ],
)
def test_bad_requests_are_refused(world, kwargs, field):
    w = world
    event = open_event(w)
    data = {"unit": w["c1"], "item": w["sandbags"], "quantity": 5, "reason": "封堵"} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.request_supplies(w["community"], event, **data)
    assert field in exc.value.error_dict


def test_requests_and_decisions_respect_who_acts(world):
    w = world
    event = open_event(w)
    with pytest.raises(PermissionDenied):  # another community's request
        services.request_supplies(
            w["community"], event, unit=w["c3"], item=w["sandbags"], quantity=5, reason="x"
        )
    request = services.request_supplies(
        w["community"], event, unit=w["c1"], item=w["sandbags"], quantity=5, reason="x"
    )
    for who in ("community", "reviewer", "other_staff"):
        with pytest.raises(PermissionDenied):
            services.decide_request(w[who], request, approve=True)
    with pytest.raises(ValidationError, match="原因"):
        services.decide_request(w["staff"], request, approve=False)
    services.decide_request(w["staff"], request, approve=False, note="库存留作Ⅰ级")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    with pytest.raises(ValidationError, match="已批准"):
        services.dispatch_request(w["staff"], request, site=w["site"])


# --- closing --------------------------------------------------------------------------------


def test_closing_needs_the_figures_and_turns_problems_into_follow_ups(world):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"])
    services.check_in(w["staff"], operation, name="甲", phone="13912345678")
    with pytest.raises(ValidationError) as exc:
        services.close_event(
            w["staff"],
            event,
            people_evacuated=None,
            casualties=None,
            summary="",
            plan_needs_revision=True,
        )
    assert set(exc.value.error_dict) == {
        "people_evacuated",
        "casualties",
        "summary",
        "revision_reason",
    }
    due = timezone.localdate() + datetime.timedelta(days=30)
    services.close_event(
        w["staff"],
        event,
        people_evacuated=12,
        casualties=0,
        summary="转移及时，无人员伤亡。",
        problems=[("沙袋储备不足", "街道应急办", due)],
        plan_needs_revision=True,
        revision_reason="Ⅱ级任务缺少地下车库排查",
    )
    event.refresh_from_db()
    operation.refresh_from_db()
    assert event.status == EventStatus.CLOSED and event.plan_needs_revision
    assert operation.closed_at is not None
    assert FollowUp.objects.get().problem == "沙袋储备不足"
    with pytest.raises(ValidationError, match="已结束"):
        services.change_level(w["staff"], event, level=1, reason="x")
    with pytest.raises(ValidationError, match="已结束"):
        services.close_event(w["staff"], event, people_evacuated=1, casualties=0, summary="x")
    figures = selectors.review(event)
    assert figures["peak"] == 1 and figures["follow_ups"][0].owner == "街道应急办"


def test_the_phone_home_lists_the_units_open_tasks_and_transfers_to_do(world):
    w = world
    event = open_event(w)
    rows = mobile.tasks(w["community"])
    titles = [r["title"] for r in rows]
    assert f"{event.title}：转移居民" in titles
    assert any("1 名居民待联系" in t for t in titles)  # 张老伯 of 甲一居委 only
    assert all(set(r) == {"kind", "title", "url", "due", "urgent"} for r in rows)
    task_row = next(r for r in rows if r["title"].endswith("转移居民"))
    assert task_row["due"] is not None and task_row["urgent"] is False
    services.update_task(w["community"], event.tasks.get(unit=w["c1"]), status=TaskStatus.DONE)
    assert not any(r["title"].endswith("转移居民") for r in mobile.tasks(w["community"]))
    assert mobile.tasks(w["reviewer"]) == []


def test_the_board_takes_a_constant_number_of_queries(world, django_assert_max_num_queries):
    w = world
    event = open_event(w)
    operation = services.open_shelter(w["staff"], event, w["shelter"], hard_limit=False)
    with django_assert_max_num_queries(8):
        selectors.board_data(event)
    for i in range(20):
        services.check_in(w["staff"], operation, name=f"人{i}", phone="13912345678")
    services.request_supplies(
        w["staff"], event, unit=w["c1"], item=w["sandbags"], quantity=5, reason="x"
    )
    with django_assert_max_num_queries(8):
        data = selectors.board_data(event)
    assert data["occupancy"] == 20 and data["open_requests"] == 1


def test_an_overdue_follow_up_is_a_reminder_of_the_events_street(world):
    from apps.response.reminders import follow_up_overdue

    w = world
    event = open_event(w)
    due = timezone.localdate() + datetime.timedelta(days=3)
    services.close_event(
        w["staff"],
        event,
        people_evacuated=0,
        casualties=0,
        summary="无",
        problems=[("排水泵故障", "城运中心", due)],
    )
    assert list(follow_up_overdue(due)) == []
    [finding] = follow_up_overdue(due + datetime.timedelta(days=1))
    assert "排水泵故障" in finding.title and finding.unit_path == w["s1"].path
    assert finding.url == event.get_absolute_url()
