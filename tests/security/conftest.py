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


def build_world():
    """The records of 华阳路街道 each URL kind needs, keyed by the names the matrix uses."""
    from apps.drills.models import Drill, DrillFile, DrillPlan, FollowUpAction
    from apps.files.models import ImportJob
    from apps.hazards.models import Hazard, HazardEvent, HazardPhoto, RiskPoint
    from apps.notifications.models import Notification
    from apps.orgs.models import OrgUnit, User
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

    return SimpleNamespace(
        application=application,
        aspect=application.standard.aspects.order_by("order")[0],
        evidence=evidence,
        street=street,
        staff=staff,
        plan=plan,
        attachment=attachment,
        hazard=hazard,
        photo=photo,
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
