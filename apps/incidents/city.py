"""City-scale 信息报送 for ``seed_city``: three years of incidents in the communities (fires,
waterlogging, gas, …; almost all 一般 Ⅳ级, a few 较大), each with its 初报 signed for by the
district, often a 续报, and a 终报 once it is over; the last days' incidents are still open."""

import datetime

from django.db.models import Q

from apps.orgs.models import User

from .models import Incident, IncidentLevel, IncidentReport, IncidentState, IncidentType, ReportKind

INCIDENTS = 30_000  # at scale 1.0: about 10,000 a year over the city's 6,000 communities
TITLES = {
    "fire-residential": "居民住宅厨房起火",
    "fire-ebike": "楼道电动自行车充电起火",
    "waterlogging": "小区道路积水",
    "flood": "暴雨致地下车库进水",
    "typhoon": "台风致树木倒伏",
    "gas": "居民户内燃气泄漏",
    "building": "老旧房屋外墙脱落",
    "utility": "小区停水停电",
    "traffic": "小区出入口交通事故",
}
NATURAL = {"waterlogging", "flood", "typhoon"}


def seed(city):
    rng = city.rng
    types = dict(IncidentType.objects.filter(Q(code__in=TITLES)).values_list("code", "pk"))
    # the district signs for the reports (seed_city's district accounts are reviewers)
    district_of = {street: district for street, _c, _p, district, _n in city.streets}
    codes = {district: code for district, code, _p in city.districts}
    signer = dict(
        User.objects.filter(username__startswith="city_reviewer_").values_list("username", "pk")
    )
    incidents = city.w.table(Incident)
    reports = city.w.table(IncidentReport)
    communities = city.communities
    for _ in range(city.scaled(INCIDENTS)):
        community, street = rng.choice(communities)
        code = rng.choice(list(TITLES))
        occurred = city.stamp(city.days_ago(0, 3 * 365))
        open_ = occurred > city.now - datetime.timedelta(days=3)
        level = IncidentLevel.III if rng.random() < 0.002 else IncidentLevel.IV
        latitude, longitude = city.near(community)
        staff = city.staff_of[street]
        district_user = signer[f"city_reviewer_{codes[district_of[street]]}"]
        closed = None if open_ else occurred + datetime.timedelta(hours=rng.randint(2, 48))
        incident = incidents.add_row(
            org_unit=community,
            created_at=occurred,
            created_by=staff,
            updated_at=closed or occurred,
            updated_by=staff,
            title=TITLES[code],
            incident_type=types[code],
            level=level,
            occurred_at=occurred,
            address=f"{rng.randint(1, 999)}号",
            latitude=latitude,
            longitude=longitude,
            source=rng.choice(["群众报告", "网格员巡查", "110 转报"]),
            state=IncidentState.OPEN if open_ else IncidentState.CLOSED,
            phone_due=occurred + datetime.timedelta(minutes=30),
            written_due=occurred + datetime.timedelta(hours=1),
            phoned_at=occurred + datetime.timedelta(minutes=rng.randint(5, 40)),
            closed_at=closed,
        )
        kinds = [ReportKind.INITIAL]
        if rng.random() < 0.4:
            kinds.append(ReportKind.FOLLOW_UP)
        if not open_:
            kinds.append(ReportKind.FINAL)
        at = occurred + datetime.timedelta(minutes=rng.randint(15, 60))
        for sequence, kind in enumerate(kinds, start=1):
            final = kind == ReportKind.FINAL
            reports.add_row(
                incident=incident,
                kind=kind,
                sequence=sequence,
                event_time=occurred,
                place=f"{rng.randint(1, 999)}号",
                source="居委报告",
                nature=TITLES[code],
                impact="影响本楼栋居民" if not final else "已消除",
                casualties="无人员伤亡",
                trend="已得到控制" if not final else "处置完毕",
                measures="已疏散人员并通知相关部门到场处置",
                affected_people=rng.randint(0, 60) if code in NATURAL else None,
                submitted_at=closed if final else at,
                submitted_by=staff,
                acknowledged_at=(closed if final else at) + datetime.timedelta(minutes=10),
                acknowledged_by=district_user,
            )
            at += datetime.timedelta(hours=rng.randint(1, 6))
