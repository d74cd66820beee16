"""Demo 信息报送 for 华阳路街道: an open incident in 华一居民区 (初报 by the community, 续报一 by
the street, the 初报 signed for by the district), a closed one with its 终报, an open 积水 in
华三居民区 that came of 长宁区's 暴雨黄色预警 (apps.warnings.demo, linked), and a 零报告
period over 长宁区 in force today with some of 华阳路's communities reported.

Idempotent: incidents are keyed by (unit, title), the period by (unit, name), and a community's
零报告 by day; everything goes through the services, as a user would. Times are relative to
now, so the open incident's deadlines stay live."""

from datetime import timedelta

from django.utils import timezone

from apps.orgs.models import OrgUnit, User
from apps.warnings.demo import PUBLISHED_ID
from apps.warnings.links import linkable

from . import services
from .models import Incident, IncidentType, ReportKind, ZeroReport, ZeroReportPeriod
from .reference import ensure_types

ELEMENTS = {
    "nature": "居民楼内电动自行车充电引发火灾，属一般火灾事故。",
    "impact": "12 号楼 3 单元 1—6 层烟雾扩散，疏散居民 36 人。",
    "casualties": "暂无人员伤亡，一楼车棚 3 辆电动自行车烧毁。",
    "trend": "明火已扑灭，正在排烟，无复燃迹象。",
    "measures": "消防救援站到场处置，居委会组织疏散并安置在社区活动室。",
}


def _incident(
    user, unit, title, *, type_code, hours_ago, address, source, now, filed_after=40, **changes
):
    existing = Incident.objects.filter(org_unit=unit, title=title).first()
    if existing is not None:
        return existing, False
    return (
        services.file_initial_report(
            user,
            unit=unit,
            title=title,
            incident_type=IncidentType.objects.get(code=type_code),
            level="4",
            occurred_at=now - timedelta(hours=hours_ago),
            address=address,
            source=source,
            now=now - timedelta(hours=hours_ago) + timedelta(minutes=filed_after),
            **(ELEMENTS | changes),
        ),
        True,
    )


def seed_demo(stdout):
    ensure_types(IncidentType)
    now = timezone.now()
    street = OrgUnit.objects.get(code="310105001")
    huayi = OrgUnit.objects.get(code="310105001001")
    staff = User.objects.get(username="huayang_staff")
    reviewer = User.objects.get(username="changning_reviewer")
    community_staff = User.objects.get(username="huayi_community")

    fire, created = _incident(
        community_staff,
        huayi,
        "华一小区 12 号楼电动自行车火灾",
        type_code="fire-ebike",
        hours_ago=2,
        address="长宁路 华一小区 12 号楼北侧车棚",
        source="居民电话报告",
        now=now,
    )
    if created:
        services.record_phone_report(staff, fire, now=fire.occurred_at + timedelta(minutes=20))
        services.acknowledge_report(reviewer, fire.reports.get(kind=ReportKind.INITIAL))
        services.add_report(
            staff,
            fire,
            kind=ReportKind.FOLLOW_UP,
            event_time=fire.occurred_at,
            place=fire.address,
            source="街道值班室核实",
            **(ELEMENTS | {"trend": "现场已清理，受影响居民已返回家中。"}),
        )

    flood, created = _incident(
        staff,
        street,
        "安西路下立交积水",
        type_code="waterlogging",
        hours_ago=24 * 20,
        address="安西路 下立交",
        source="网格员巡查",
        now=now,
        nature="短时强降雨导致下立交积水，属城市内涝。",
        impact="下立交积水约 40 厘米，车辆绕行。",
        casualties="无人员伤亡。",
        trend="雨势减弱，积水逐步消退。",
        measures="封闭下立交，排水泵车抽排。",
        affected_people=0,
        relocated_people=0,
        relief_needed_people=0,
        collapsed_houses=0,
        damaged_houses=0,
        direct_loss=0,
    )
    if created:
        initial = flood.reports.get(kind=ReportKind.INITIAL)
        values = {name: getattr(initial, name) for name in services.REPORT_FIELDS}
        services.add_report(
            staff,
            flood,
            kind=ReportKind.FINAL,
            now=flood.occurred_at + timedelta(hours=3),
            **(values | {"trend": "积水已全部排除，交通恢复。"}),
        )

    # after the district's 暴雨 warning (published twenty minutes ago), while it is in force
    huasan = OrgUnit.objects.get(code="310105001002")
    rainstorm = linkable(staff, huasan).filter(identifier=PUBLISHED_ID).first()
    garage, created = _incident(
        staff,
        huasan,
        "华三居民区地下车库进水",
        type_code="waterlogging",
        hours_ago=0.25,
        filed_after=5,
        address="华三居民区 3 号楼地下车库",
        source="物业报告",
        now=now,
        nature="短时强降水，雨水倒灌地下车库，属城市内涝。",
        impact="地下车库积水约 20 厘米，12 辆车受影响。",
        casualties="无人员伤亡。",
        trend="降雨持续，积水可能上涨。",
        measures="关闭车库出入口，物业用沙袋封堵，排水泵抽排，通知车主挪车。",
        affected_people=0,
        relocated_people=0,
        relief_needed_people=0,
        collapsed_houses=0,
        damaged_houses=0,
        direct_loss=0,
        warning=rainstorm,
    )
    if created:
        services.record_phone_report(staff, garage, now=garage.occurred_at + timedelta(minutes=5))

    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    ZeroReportPeriod.objects.get_or_create(
        org_unit=OrgUnit.objects.get(code="310105"),
        name="汛期零报告（演示）",
        defaults={
            "start_date": today - timedelta(days=7),
            "end_date": today + timedelta(days=30),
            "created_by": admin,
            "updated_by": admin,
        },
    )
    for code, user in (("310105001001", community_staff), ("310105001002", staff)):
        community = OrgUnit.objects.get(code=code)
        if not ZeroReport.objects.filter(org_unit=community, date=today).exists():
            services.file_zero_report(user, community=community)
    stdout.write("incidents: 3 incidents, 1 零报告 period, 2 零报告 today")
