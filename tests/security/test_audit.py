"""The audit trail (django-auditlog): which models are tracked, that a change through the
portal records who made it with before/after values, that the 修改记录 section shows it on the
record's page (only to those who can see the record), that personal identifiers are masked,
and that admins read it in Django admin."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.urls import reverse

from apps.orgs.models import Role
from apps.security.audit import TRACKED_APPS, UNTRACKED_MODELS
from tests.conftest import make_user
from tests.plans.factories import PlanFactory


def test_every_domain_model_is_tracked_and_job_tables_are_not():
    for label in TRACKED_APPS:
        if not apps.is_installed(f"apps.{label}"):
            continue
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in UNTRACKED_MODELS:
                assert not auditlog.contains(model)
            else:
                assert auditlog.contains(model), f"{model._meta.label} is not audited"
    assert auditlog.contains(apps.get_model("orgs.OrgUnit"))
    assert auditlog.contains(apps.get_model("orgs.User"))
    for label in ("notifications", "reports", "files"):
        for model in apps.get_app_config(label).get_models():
            assert not auditlog.contains(model), model


def test_user_passwords_and_logins_never_reach_the_log(tree):
    user = make_user(tree["s1"], username="wang")
    user.set_password("a-new-password-456")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in (entry.changes_dict or {})
        assert "last_login" not in (entry.changes_dict or {})


@pytest.fixture
def street(tree):
    staff = make_user(tree["s1"], username="zhang", last_name="张", first_name="伟")
    plan = PlanFactory(
        org_unit=tree["s1"],
        title="华阳路街道防汛防台专项应急预案",
        created_by=staff,
        updated_by=staff,
    )
    return staff, plan


def _edit_plan(client, plan, **changes):
    data = {
        "org_unit": plan.org_unit_id,
        "kind": plan.kind,
        "title": plan.title,
        "department": plan.department,
        "status": plan.status,
        "effective_date": plan.effective_date.isoformat(),
        "review_cycle_months": plan.review_cycle_months,
        **changes,
    }
    return client.post(reverse("plans:edit", args=[plan.pk]), data)


def test_a_change_records_who_and_before_and_after(client, street):
    staff, plan = street
    client.force_login(staff)
    response = _edit_plan(client, plan, title="防汛防台专项应急预案（2026年修订）")
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == staff
    assert entry.changes_dict["title"] == [
        "华阳路街道防汛防台专项应急预案",
        "防汛防台专项应急预案（2026年修订）",
    ]
    assert entry.remote_addr == "127.0.0.1"


def test_the_record_page_shows_the_history_to_those_who_see_the_record(client, street, tree):
    staff, plan = street
    client.force_login(staff)
    _edit_plan(client, plan, title="新标题预案")
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "修改记录" in page
    history = page.split('id="history"', 1)[1]
    assert "张伟" in history and "新标题预案" in history
    assert "修改" in history and "update" not in history  # action names in Chinese
    # The district reviewer reads the record, and so its history.
    reviewer = make_user(tree["d1"], role=Role.DISTRICT_REVIEWER, username="reviewer")
    client.force_login(reviewer)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "新标题预案" in page and "修改记录" in page
    # Another street does not see the record, hence not its history.
    other = make_user(tree["s2"], username="other")
    client.force_login(other)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404


def test_history_lists_only_this_record(client, street, tree):
    staff, plan = street
    other_plan = PlanFactory(
        org_unit=tree["s1"], title="另一份预案", created_by=staff, updated_by=staff
    )
    client.force_login(staff)
    _edit_plan(client, other_plan, title="另一份预案（修订）")
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    history = page.split('id="history"', 1)[1]
    assert "另一份预案（修订）" not in history
    assert "新建记录" in history  # the plan itself was only created


def test_history_costs_a_constant_number_of_queries(client, street, django_assert_max_num_queries):
    staff, plan = street
    client.force_login(staff)
    _edit_plan(client, plan, title="第一次修改")
    url = reverse("plans:detail", args=[plan.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)  # read now: each request resets the query log
    assert baseline > 0
    for n in range(8):
        _edit_plan(client, plan, title=f"第{n}次修改", department=f"部门{n}")
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_resident_identifiers_are_masked_in_the_log(tree):
    from tests.people.factories import ResidentFactory

    resident = ResidentFactory(org_unit=tree["c1"], phone="13912345678")
    entry = LogEntry.objects.get_for_object(resident).get()
    logged = entry.changes_dict["phone"][1]
    assert logged != "13912345678" and "*" in logged


def test_m2m_changes_are_recorded(tree):
    from apps.plans.models import HazardType

    plan = PlanFactory(org_unit=tree["s1"])
    kind = HazardType.objects.first()
    if kind is None:
        pytest.skip("no hazard types loaded")
    plan.hazard_types.add(kind)
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["hazard_types"]["operation"] == "add"
    from apps.security.audit import describe_changes

    rows = describe_changes(entry)
    assert any(str(kind) in after for _label, _before, after in rows)


def test_admin_reads_the_log_in_django_admin(admin_client, tree):
    plan = PlanFactory(org_unit=tree["s1"], title="管理员可见的预案")
    response = admin_client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200
    assert "管理员可见的预案" in response.content.decode()
    entry = LogEntry.objects.get_for_object(plan).get()
    response = admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert response.status_code == 200


def test_street_staff_cannot_open_the_admin_log(client, street):
    staff, _plan = street
    client.force_login(staff)
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 302  # to the admin login: not staff


def test_an_import_records_the_uploader_as_the_author(client, tree, run_tasks_on_commit):
    from apps.files.models import ImportJob
    from apps.shelters.models import Shelter
    from tests.shelters.test_shelters import csv_upload, row

    staff = make_user(tree["s1"], username="importer", last_name="导", first_name="入")
    client.force_login(staff)
    client.post(reverse("shelters:import"), {"file": csv_upload([row("S1", "审计测试操场")])})
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.READY, job.report
    client.logout()  # the import runs in the worker, with no request: the actor is the uploader
    from apps.files.tasks import run_import

    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.IMPORT_QUEUED)
    run_import(job.pk, dry_run=False)
    shelter = Shelter.objects.get(name="审计测试操场")
    entry = LogEntry.objects.get_for_object(shelter).get(action=LogEntry.Action.CREATE)
    assert entry.actor == staff


def test_a_model_whose_str_fails_is_still_saved_and_logged(tree):
    """Auditing must never make a legitimate save fail: a ``__str__`` that formats a date
    still held as a string (as right after ``create(visited_on="2026-01-01")``) is logged as
    "<verbose name> #<pk>"."""
    from tests.people.factories import ResidentFactory, VisitFactory

    resident = ResidentFactory(org_unit=tree["c1"])
    visit = VisitFactory(resident=resident, visited_on="2026-01-01")
    entry = LogEntry.objects.get_for_object(visit).get()
    assert entry.object_repr.endswith(f"#{visit.pk}")
