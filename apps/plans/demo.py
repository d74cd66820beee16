"""Demo plans for 华阳路街道 and 陆家嘴街道: a 1+N+M system each, some plans overdue for review,
some communities without a plan in force. Idempotent (looked up by unit and title)."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.orgs.models import OrgKind, OrgUnit, User

from .models import HazardType, Plan, PlanAttachment, PlanVersion
from .reference import ensure_hazard_types

# A minimal valid one-page PDF, so the demo downloads open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

SPECIAL = [
    ("防汛防台专项应急预案", "街道应急办", ["防汛防台"]),
    ("火灾事故专项应急预案", "平安办", ["火灾"]),
    ("燃气事故专项应急预案", "城运中心", ["燃气事故"]),
    ("地震应急专项预案", "街道应急办", ["地震"]),
    ("大客流应急专项预案", "平安办", ["大客流"]),
]
DEPARTMENT = [
    ("社区服务办自然灾害救助部门预案", "社区服务办", ["防汛防台", "地震"]),
    ("社区管理办房屋安全部门预案", "社区管理办", ["房屋安全"]),
]


def _years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _plan(street, unit, kind, title, department, types, effective, parent, user, status=None):
    plan, _ = Plan.objects.update_or_create(
        org_unit=unit,
        title=title,
        defaults={
            "kind": kind,
            "department": department,
            "status": status or Plan.Status.IN_FORCE,
            "effective_date": effective,
            "parent": parent,
            "created_by": user,
            "updated_by": user,
        },
    )
    plan.hazard_types.set(HazardType.objects.filter(name__in=types))
    if not plan.versions.exists():
        version = PlanVersion.objects.create(
            plan=plan,
            number=1,
            version_date=effective,
            change_summary="首次编制，经街道党工委会议审议通过后印发。",
            created_by=user,
        )
        attachment = PlanAttachment(version=version, original_name=f"{title}.pdf")
        attachment.file.save(f"{title}.pdf", ContentFile(DEMO_PDF), save=False)
        attachment.size = len(DEMO_PDF)
        attachment.save()
    return plan


def _street_system(code, staff, covered, overdue_titles):
    street = OrgUnit.objects.get(code=code)
    user = User.objects.get(username=staff)
    overall = _plan(
        street,
        street,
        Plan.Kind.OVERALL,
        f"{street.name}突发事件总体应急预案",
        "街道应急办",
        ["综合"],
        _years_ago(1, 40),
        None,
        user,
    )
    for i, (title, department, types) in enumerate(SPECIAL + DEPARTMENT):
        kind = Plan.Kind.SPECIAL if (title, department, types) in SPECIAL else Plan.Kind.DEPARTMENT
        effective = _years_ago(3, 30 + i) if title in overdue_titles else _years_ago(1, 10 * i)
        _plan(
            street,
            street,
            kind,
            f"{street.name}{title}",
            department,
            types,
            effective,
            overall,
            user,
        )
    communities = OrgUnit.objects.filter(parent=street, kind=OrgKind.COMMUNITY).order_by("code")
    for community in list(communities)[:covered]:
        _plan(
            street,
            community,
            Plan.Kind.COMMUNITY,
            f"{community.name}突发事件应急预案",
            f"{community.name}居委会",
            ["综合", "防汛防台", "火灾"],
            _years_ago(2, community.pk % 200),
            overall,
            user,
        )


def seed_demo(stdout):
    ensure_hazard_types(HazardType)
    _street_system(
        "310105001",
        "huayang_staff",
        covered=4,
        overdue_titles={"燃气事故专项应急预案", "大客流应急专项预案"},
    )
    _street_system("310115005", "lujiazui_staff", covered=6, overdue_titles={"地震应急专项预案"})
    stdout.write("Plans: demo 1+N+M systems for 华阳路街道 and 陆家嘴街道.")
