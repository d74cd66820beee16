"""Accounts at the scale of a street: street staff create, disable, enable and reset the
accounts of the front line of their own communities (one by one, from a grid's page, from the
officers list), never an account of another role or outside their street (404); reviewers read
(403 on any change), the front line reaches none of it (403). A new or reset account gets a
temporary password shown once and must change it at log-in; every change is audited."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from apps.orgs.models import Grid, OrgKind, Role, User
from apps.orgs.services import make_temporary_password
from apps.people.models import InformationOfficer
from apps.security.passwords import character_classes
from tests.conftest import make_user
from tests.factories import child


@pytest.fixture
def world(tree):
    estate2 = child(tree["c1"], OrgKind.ESTATE, code="S1C1E2", name="甲一苑")
    grid = Grid.objects.create(community=tree["c1"], name="第一网格")
    grid.estates.set([tree["e1"], estate2])
    people = {
        "staff": make_user(tree["s1"], username="s1_staff"),
        "other_staff": make_user(tree["s2"], username="s2_staff"),
        "reviewer": make_user(tree["d1"], Role.DISTRICT_REVIEWER, username="d1_reviewer"),
        "community": make_user(tree["c1"], Role.COMMUNITY_STAFF, username="c1_staff"),
        "admin": make_user(tree["sh"], Role.ADMIN, username="root", is_superuser=True),
    }
    target = make_user(
        tree["c1"], Role.GRID_WORKER, username="c1_grid", grid=grid, mobile="13900000001"
    )
    colleague = make_user(tree["s1"], username="s1_colleague")
    return {**tree, **people, "grid": grid, "target": target, "colleague": colleague}


def _as(client, user):
    client.force_login(user)
    return client


def _create(client, **data):
    fields = {
        "username": "c1_new",
        "last_name": "王小明",
        "mobile": "13700000009",
        "role": Role.COMMUNITY_STAFF,
        "org_unit": "",
        "grid": "",
    }
    return client.post(reverse("orgs:account_create"), fields | data)


# --- Who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor, create, edit, reset, disable",
    [
        ("staff", 200, 200, 200, 302),
        ("admin", 200, 200, 200, 302),
        ("other_staff", 200, 404, 404, 404),  # another street's account does not exist for them
        ("reviewer", 403, 403, 403, 403),
        ("community", 403, 403, 403, 403),  # the front line: desk pages are not theirs
    ],
)
def test_who_may_create_edit_reset_and_disable_a_front_line_account(
    client, world, actor, create, edit, reset, disable
):
    target = world["target"]
    _as(client, world[actor])
    unit = world["c1"] if actor in ("staff", "admin") else world["c2"]
    response = _create(client, org_unit=unit.pk)
    assert response.status_code == create
    assert User.objects.filter(username="c1_new").exists() == (create == 200)
    assert client.get(reverse("orgs:account_edit", args=[target.pk])).status_code == edit
    assert client.post(reverse("orgs:account_reset", args=[target.pk])).status_code == reset
    response = client.post(reverse("orgs:account_active", args=[target.pk]), {"active": "0"})
    assert response.status_code == disable
    target.refresh_from_db()
    assert target.is_active == (disable != 302)
    assert target.must_change_password == (reset == 200)


def test_street_staff_cannot_touch_a_street_staff_account_of_their_own_street(client, world):
    _as(client, world["staff"])
    colleague = world["colleague"]
    for name in ("orgs:account_reset", "orgs:account_active"):
        assert client.post(reverse(name, args=[colleague.pk]), {"active": "0"}).status_code == 404
    assert client.get(reverse("orgs:account_edit", args=[colleague.pk])).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active and not colleague.must_change_password


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"role": Role.STREET_STAFF}, "role", "选择一个有效的选项"),
        ({"role": Role.DISTRICT_REVIEWER}, "role", "选择一个有效的选项"),
        ({"role": Role.ADMIN}, "role", "选择一个有效的选项"),
        ({"role": "superuser"}, "role", "选择一个有效的选项"),
        ({"org_unit": "S2C1"}, "org_unit", "选择一个有效的选项"),  # another street's
        ({"org_unit": "S1"}, "org_unit", "选择一个有效的选项"),  # the street itself
        ({"org_unit": ""}, "org_unit", "请选择所属居委/村或小区"),
        ({"role": Role.GRID_WORKER}, "grid", "网格员须选择所在网格"),
        ({"mobile": "1234"}, "mobile", "请输入11位手机号码"),
        ({"mobile": "13900000001"}, None, "该手机号已被其他账号使用"),
        ({"username": "c1_grid"}, "username", "已存在"),
        ({"username": "13600000000"}, "username", "用户名不能是手机号"),
        ({"username": "bad name!"}, "username", "合法的用户名"),
    ],
)
def test_bad_account_data_is_refused_with_a_message_and_creates_nothing(
    client, world, data, field, message
):
    from apps.orgs.models import OrgUnit

    if data.get("org_unit"):
        data = data | {"org_unit": OrgUnit.objects.get(code=data["org_unit"]).pk}
    data = {"org_unit": world["c1"].pk} | data
    before = User.objects.count()
    response = _as(client, world["staff"]).post(
        reverse("orgs:account_create"),
        {"username": "c1_new", "last_name": "王小明", "mobile": "13700000009", "grid": ""}
        | {"role": Role.COMMUNITY_STAFF}
        | data,
    )
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in str(e) for e in errors), form.errors
    assert User.objects.count() == before


def test_a_new_account_shows_its_temporary_password_once_and_must_change_it(client, world):
    _as(client, world["staff"])
    response = _create(client, org_unit=world["e1"].pk, role=Role.INFO_OFFICER)
    assert response.status_code == 200
    password = response.context["accounts"][0][1]
    assert password in response.content.decode()
    account = User.objects.get(username="c1_new")
    assert account.role == Role.INFO_OFFICER and account.org_unit == world["e1"]
    assert account.must_change_password and account.check_password(password)
    entry = LogEntry.objects.get_for_object(account).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == world["staff"]
    # the new user logs in with it and is sent to change it first
    client.logout()
    assert client.login(username="c1_new", password=password)
    response = client.get(reverse("mobile:home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_a_grid_workers_unit_is_the_community_of_their_grid(client, world):
    _as(client, world["staff"])
    _create(client, role=Role.GRID_WORKER, grid=world["grid"].pk, org_unit=world["e1"].pk)
    account = User.objects.get(username="c1_new")
    assert account.grid == world["grid"] and account.org_unit == world["c1"]


def test_a_reset_gives_a_new_temporary_password_audited_and_lifts_the_lockout(client, world):
    from axes.models import AccessAttempt

    target = world["target"]
    AccessAttempt.objects.create(
        username="c1_grid",
        ip_address="127.0.0.1",
        failures_since_start=5,
        get_data="",
        post_data="",
    )
    response = _as(client, world["staff"]).post(reverse("orgs:account_reset", args=[target.pk]))
    password = response.context["accounts"][0][1]
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    assert not AccessAttempt.objects.filter(username="c1_grid").exists()
    # a second reset still leaves its own entry (the password itself is never logged)
    client.post(reverse("orgs:account_reset", args=[target.pk]))
    resets = LogEntry.objects.get_for_object(target).filter(changes__has_key="password")
    assert resets.count() == 2
    assert {e.actor for e in resets} == {world["staff"]}
    assert password not in str(list(resets.values_list("changes", flat=True)))


def test_a_disabled_account_cannot_log_in_until_enabled_again(client, world):
    target = world["target"]
    target.set_password("Grid-worker-2026")
    target.save()
    url = reverse("orgs:account_active", args=[target.pk])
    _as(client, world["staff"]).post(url, {"active": "0", "back": "https://evil.example/"})
    target.refresh_from_db()
    assert not target.is_active
    entry = LogEntry.objects.get_for_object(target).first()
    assert entry.changes_dict["is_active"] == [True, False]
    client.logout()
    assert not client.login(username="c1_grid", password="Grid-worker-2026")
    response = _as(client, world["staff"]).post(url, {"active": "1"})
    assert response["Location"] == reverse("orgs:accounts")  # never another site
    client.logout()
    assert client.login(username="c1_grid", password="Grid-worker-2026")


def test_editing_an_account_moves_it_between_front_line_roles_only(client, world):
    target = world["target"]
    url = reverse("orgs:account_edit", args=[target.pk])
    _as(client, world["staff"])
    data = {"last_name": "赵六", "mobile": "13900000001", "org_unit": world["e1"].pk, "grid": ""}
    response = client.post(url, data | {"role": Role.STREET_STAFF})
    assert response.status_code == 200 and "role" in response.context["form"].errors
    response = client.post(url, data | {"role": Role.INFO_OFFICER})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.org_unit, target.grid) == (Role.INFO_OFFICER, world["e1"], None)
    assert target.get_full_name() == "赵六"


def test_temporary_passwords_meet_the_policy():
    for _ in range(50):
        password = make_temporary_password()
        assert len(password) == 14 and character_classes(password) >= 3


# --- Lists ----------------------------------------------------------------------------------


def test_the_account_list_shows_the_front_line_of_the_street_only(client, world):
    make_user(world["c2"], Role.COMMUNITY_STAFF, username="c2_staff")
    response = _as(client, world["staff"]).get(reverse("orgs:accounts"))
    names = {a.username for a in response.context["accounts"]}
    assert names == {"c1_staff", "c1_grid"}
    response = client.get(reverse("orgs:accounts"), {"role": Role.GRID_WORKER})
    assert [a.username for a in response.context["accounts"]] == ["c1_grid"]
    response = _as(client, world["reviewer"]).get(reverse("orgs:accounts"))
    assert {a.username for a in response.context["accounts"]} == {"c1_staff", "c1_grid", "c2_staff"}
    assert "重置密码" not in response.content.decode()


def test_the_account_list_query_count_does_not_grow_with_rows(
    client, world, django_assert_max_num_queries
):
    _as(client, world["staff"])
    client.get(reverse("orgs:accounts"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("orgs:accounts"))
    for i in range(20):
        make_user(world["c1"], Role.COMMUNITY_STAFF, username=f"many{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("orgs:accounts"))
    assert len(response.context["accounts"]) == 22


# --- In bulk: a grid's workers, the officers list -----------------------------------------


def test_a_grids_page_opens_several_grid_worker_accounts_at_once(client, world):
    url = reverse("orgs:grid_workers", args=[world["grid"].pk])
    response = _as(client, world["staff"]).post(
        url, {"lines": "张三 13800000001\n\n李四，13800000002\n"}
    )
    assert response.status_code == 200
    accounts = response.context["accounts"]
    assert [a.username for a, _ in accounts] == ["13800000001", "13800000002"]
    for account, password in accounts:
        account.refresh_from_db()
        assert account.role == Role.GRID_WORKER and account.grid == world["grid"]
        assert account.must_change_password and account.check_password(password)


@pytest.mark.parametrize(
    "lines, message",
    [
        ("张三 13800000001\n李四", "第 2 行：应为“姓名 手机号”两项"),
        ("张三 13800000001\n李四 12345", "第 2 行（李四）：请输入11位手机号码"),
        ("张三 13800000001\n李四 13800000001", "第 2 行（李四）"),  # the same number twice
        ("张三 13900000001", "该手机号已被其他账号使用"),  # c1_grid's
        ("", "这个字段是必填项"),
    ],
)
def test_one_bad_line_opens_no_account_and_every_bad_line_is_named(client, world, lines, message):
    before = User.objects.count()
    url = reverse("orgs:grid_workers", args=[world["grid"].pk])
    response = _as(client, world["staff"]).post(url, {"lines": lines})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert User.objects.count() == before


def test_another_streets_grid_is_not_found_and_a_reviewer_may_not_open_accounts(client, world):
    url = reverse("orgs:grid_workers", args=[world["grid"].pk])
    assert (
        _as(client, world["other_staff"]).post(url, {"lines": "张三 13800000001"}).status_code
        == 404
    )
    assert (
        _as(client, world["reviewer"]).post(url, {"lines": "张三 13800000001"}).status_code == 403
    )
    assert not User.objects.filter(username="13800000001").exists()


def _officer(unit, name, phone, staff):
    return InformationOfficer.objects.create(
        org_unit=unit, name=name, phone=phone, created_by=staff, updated_by=staff
    )


def test_officers_ticked_in_the_list_get_their_accounts(client, world):
    staff = world["staff"]
    first = _officer(world["e1"], "陈一", "13600000001", staff)
    second = _officer(world["c1"], "陈二", "13600000002", staff)
    response = _as(client, staff).get(reverse("people:officers"))
    assert f'name="officer" value="{first.pk}"' in response.content.decode()
    response = client.post(reverse("people:officer_accounts"), {"officer": [first.pk, second.pk]})
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user.username == "13600000001" and first.user.role == Role.INFO_OFFICER
    assert first.user.org_unit == world["e1"] and second.user.org_unit == world["c1"]
    assert LogEntry.objects.get_for_object(first).filter(actor=staff).exists()
    # once only: the list shows the account and no box to tick
    page = client.get(reverse("people:officers")).content.decode()
    assert f'name="officer" value="{first.pk}"' not in page and "13600000001" in page
    response = client.post(reverse("people:officer_accounts"), {"officer": [first.pk]}, follow=True)
    assert "已有登录账号：陈一" in response.content.decode()


@pytest.mark.parametrize("unit, message", [("s1", "须属于居委/村或小区"), (None, "没有手机号")])
def test_an_officer_who_cannot_have_an_account_stops_the_whole_batch(client, world, unit, message):
    staff = world["staff"]
    good = _officer(world["e1"], "陈一", "13600000001", staff)
    bad = _officer(world[unit or "c1"], "陈二", "13600000002", staff)
    if unit is None:
        InformationOfficer.objects.filter(pk=bad.pk).update(phone="")
    response = _as(client, staff).post(
        reverse("people:officer_accounts"), {"officer": [good.pk, bad.pk]}, follow=True
    )
    assert message in response.content.decode()
    good.refresh_from_db()
    assert good.user is None and not User.objects.filter(role=Role.INFO_OFFICER).exists()


def test_officers_of_another_street_are_not_found(client, world):
    theirs = _officer(world["c2"], "陈三", "13600000003", world["other_staff"])
    response = _as(client, world["staff"]).post(
        reverse("people:officer_accounts"), {"officer": [theirs.pk]}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.user is None
