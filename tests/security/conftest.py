"""One demo world per test module: ``seed_demo`` plus the few records it does not make
(files, an import job, a report, a notification), built once in a transaction that is rolled
back when the module ends, so every test of the module reads it and no other test sees it."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

# No example database in the work tree (.hypothesis/): every run starts fresh, in CI too.
hypothesis_settings.register_profile("portal", database=None)
hypothesis_settings.load_profile("portal")

HUAYANG = "310105001"
ROLES = (
    "anonymous",
    "huayang_staff",
    "xinhua_staff",
    "changning_reviewer",
    "pudong_reviewer",
    "admin",
    "huayi_community",
    "huayi_grid",
    "huayi_officer",
)


def png_bytes(size=(8, 8), color=(200, 30, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _first(queryset, what):
    obj = queryset.order_by("pk").first()
    assert obj is not None, f"the demo data has no {what} of 华阳路街道"
    return obj


def build_warnings_world(street, staff):
    """预警叫应: a published warning of 华阳路街道 (approved by admin) with its calls, the demo
    draft, a 责任人, a call with no account and the signed link of that call."""
    from apps.orgs.models import User
    from apps.warnings import services as warning_services
    from apps.warnings.demo import DRAFT_ID
    from apps.warnings.models import Level, Source, Warning, WarningType

    admin = User.objects.get(username="admin")
    warning = warning_services.save_warning(
        staff,
        Warning(
            org_unit=street,
            warning_type=WarningType.objects.get(code="typhoon"),
            level=Level.RED,
            source=Source.STREET,
            headline="华阳路街道台风红色预警",
            text="测试",
            expires_at=timezone.now() + timezone.timedelta(hours=6),
        ),
        areas=[street],
    )
    warning_services.approve_warning(admin, warning)
    warning_services.publish_warning(admin, warning)
    call = warning.calls.filter(user__isnull=True).order_by("pk").first()
    return {
        "warning": warning,
        "warning_draft": Warning.objects.get(identifier=DRAFT_ID),
        "duty_holder": call.holder,
        "call": call,
        "ack_token": warning_services.ack_token(call, "sms"),
    }


def build_response_world(street):
    """应急响应: the demo exercise of 华阳路街道 (apps.response.demo) and its records, those of
    the front line's 华一居民区 where a record has an owning unit."""
    from apps.response.models import (
        CheckIn,
        Event,
        EventTask,
        ShelterOperation,
        SupplyRequest,
        Transfer,
    )
    from apps.response.services import check_in_token

    event = _first(Event.objects.filter(org_unit=street), "response event")
    huayi = f"{street.path}310105001001/"
    operation = _first(ShelterOperation.objects.filter(event=event), "opened shelter")
    return {
        "response_event": event,
        "response_task": _first(
            EventTask.objects.filter(event=event, unit__path=huayi), "response task"
        ),
        "transfer": _first(
            Transfer.objects.filter(event=event, unit__path__startswith=huayi), "transfer"
        ),
        "operation": operation,
        "check_in": _first(CheckIn.objects.filter(operation=operation), "check-in"),
        "supply_request": _first(SupplyRequest.objects.filter(event=event), "supply request"),
        "check_in_token": check_in_token(operation),
    }


def build_world():
    """The records of 华阳路街道 each URL kind needs, keyed by the names the matrix uses."""
    from apps.drills.models import Drill, DrillFile, DrillPlan, FollowUpAction
    from apps.duty.models import Roster, Shift, SwapRequest
    from apps.files.models import ImportJob
    from apps.hazards.models import Hazard, HazardEvent, HazardPhoto, RiskPoint
    from apps.incidents.models import Incident, IncidentReport
    from apps.notifications.models import Notification
    from apps.orgs.models import Grid, OrgUnit, User
    from apps.people.models import (
        EmergencyTeam,
        HelperAssignment,
        InformationOfficer,
        LeadershipGroup,
        LeadershipMember,
        TeamMember,
        VulnerableResident,
    )
    from apps.plans.models import Plan, PlanAttachment, PlanVersion
    from apps.reports.models import ReportRequest
    from apps.shelters.models import Shelter
    from apps.supplies.models import Site

    street = OrgUnit.objects.get(code=HUAYANG)
    staff = User.objects.get(username="huayang_staff")
    mine = {"org_unit__path__startswith": street.path}

    plan = _first(Plan.objects.filter(**mine), "plan")
    version = plan.versions.order_by("-pk").first() or PlanVersion.objects.create(
        plan=plan, number=1
    )
    attachment = PlanAttachment(version=version, original_name="预案.pdf", size=len(PDF_BYTES))
    attachment.file.save("plan.pdf", ContentFile(PDF_BYTES), save=True)

    hazard = _first(Hazard.objects.filter(**mine), "hazard")
    # the phone pages: a hazard being rectified in 华一小区 (the front line's), one in 华三
    category = hazard.category
    phone_hazards = {
        code: Hazard.objects.create(
            org_unit=OrgUnit.objects.get(code=code),
            title="楼道堆物",
            category=category,
            found_by="网格员",
            found_on=timezone.localdate(),
            state="assigned",
            created_by=staff,
        )
        for code in ("31010500100101", "310105001002")
    }
    event = _first(HazardEvent.objects.filter(hazard=hazard), "hazard event")
    photo = HazardPhoto(hazard=hazard, event=event, original_name="现场.png")
    photo.image.save("photo.png", ContentFile(png_bytes()), save=True)

    drill = _first(Drill.objects.filter(**mine), "drill")
    drill_file = DrillFile(drill=drill, kind=DrillFile.Kind.PHOTO, original_name="现场.png")
    drill_file.file.save("drill.png", ContentFile(png_bytes()), save=False)
    drill_file.size = drill_file.file.size
    drill_file.save()
    action = FollowUpAction.objects.filter(drill__in=Drill.objects.filter(**mine)).order_by("pk")

    team = _first(EmergencyTeam.objects.filter(**mine), "team")
    resident = _first(VulnerableResident.objects.filter(**mine), "resident")
    group = _first(LeadershipGroup.objects.filter(**mine), "leadership group")

    job = ImportJob(
        resource="apps.plans.resources.PlanResource",
        title="导入",
        original_name="a.csv",
        created_by=staff,
        state=ImportJob.State.READY,
    )
    job.file.save("a.csv", ContentFile(b"a,b\n"), save=True)

    report = ReportRequest(
        kind="street_summary",
        params={"unit": HUAYANG},
        title="华阳路街道综合减灾工作报告",
        org_unit=street,
        requested_by=staff,
        state=ReportRequest.State.DONE,
        finished_at=timezone.now(),
    )
    report.file.save("report.pdf", ContentFile(PDF_BYTES), save=True)

    notification = Notification.objects.create(
        recipient=staff,
        rule="security.matrix",
        key="matrix",
        title="测试提醒",
        url=plan.get_absolute_url(),
        unit_path=street.path,
    )

    from apps.applications.models import Application, Evidence
    from apps.applications.models import Item as Criterion

    application = _first(Application.objects.filter(**mine), "application")
    evidence = Evidence(
        application=application,
        item=Criterion.objects.filter(aspect__standard=application.standard).order_by("pk")[0],
        original_name="佐证材料.pdf",
        size=len(PDF_BYTES),
        uploaded_by=staff,
    )
    evidence.file.save("evidence.pdf", ContentFile(PDF_BYTES), save=True)
    # the district's on-site check (with a photo) of the application under review, and the
    # records behind the evidence (apps.applications.demo): a questionnaire, an activity with
    # a photo, this year's funding
    from apps.applications.inspections import record_inspection
    from apps.applications.models import (
        Activity,
        ActivityPhoto,
        Funding,
        InspectionKind,
        InspectionPhoto,
        Survey,
    )

    inspection = record_inspection(
        User.objects.get(username="changning_reviewer"),
        application,
        kind=InspectionKind.SITE,
        checked_on=timezone.localdate(),
        checkers="区灾防办",
    )
    inspection_photo = InspectionPhoto(inspection=inspection, original_name="现场.png")
    inspection_photo.image.save("inspection.png", ContentFile(png_bytes()), save=True)
    activity = _first(Activity.objects.filter(**mine), "activity")
    activity_photo = ActivityPhoto(activity=activity, original_name="现场.png", uploaded_by=staff)
    activity_photo.image.save("activity.png", ContentFile(png_bytes()), save=True)

    warnings_world = build_warnings_world(street, staff)
    response_world = build_response_world(street)

    return SimpleNamespace(
        **warnings_world,
        **response_world,
        # a front-line account and a grid of 华阳路街道 (apps.orgs.demo)
        account=User.objects.get(username="huayang_c2"),
        grid=Grid.objects.get(community__code="310105001001"),
        application=application,
        aspect=application.standard.aspects.order_by("order")[0],
        inspection=inspection,
        inspection_photo=inspection_photo,
        survey=_first(Survey.objects.filter(**mine), "residents' questionnaire"),
        activity=activity,
        activity_photo=activity_photo,
        funding=_first(Funding.objects.filter(**mine), "funding"),
        evidence=evidence,
        street=street,
        staff=staff,
        plan=plan,
        attachment=attachment,
        hazard=hazard,
        photo=photo,
        phone_hazard=phone_hazards["31010500100101"],
        neighbour_hazard=phone_hazards["310105001002"],
        risk_point=_first(RiskPoint.objects.filter(**mine), "risk point"),
        site=_first(Site.objects.filter(**mine), "supply site"),
        shelter=_first(Shelter.objects.filter(**mine), "shelter"),
        drill=drill,
        drill_file=drill_file,
        drill_plan=_first(DrillPlan.objects.filter(**mine), "drill plan"),
        action=_first(action, "follow-up action"),
        team=team,
        member=_first(TeamMember.objects.filter(team=team), "team member"),
        officer=_first(InformationOfficer.objects.filter(**mine), "information officer"),
        resident=resident,
        helper=_first(
            HelperAssignment.objects.filter(resident__org_unit__path__startswith=street.path),
            "helper",
        ),
        group=group,
        group_member=_first(LeadershipMember.objects.filter(group=group), "leadership member"),
        job=job,
        report=report,
        notification=notification,
        incident=_first(Incident.objects.filter(**mine, state="open"), "open incident"),
        incident_report=_first(
            IncidentReport.objects.filter(incident__org_unit__path__startswith=street.path),
            "incident report",
        ),
        roster=_first(Roster.objects.filter(org_unit=street), "duty roster"),
        shift=_first(Shift.objects.filter(roster__org_unit=street), "duty shift"),
        swap=_first(SwapRequest.objects.filter(shift__roster__org_unit=street), "duty swap"),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data and ``build_world()``'s records, once per module, rolled back after it.
    Tests that use it must also use ``media`` so uploaded files are found."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=io.StringIO())
        objects = build_world()
        objects.media_root = media
        yield objects
        transaction.set_rollback(True)


@pytest.fixture
def media(world, settings):
    settings.MEDIA_ROOT = world.media_root
    return world.media_root
