"""City-scale 队伍与人员 for ``seed_city``: a 领导小组 and three teams in every street, a volunteer
team in every community, an information officer in most 小区, and the vulnerable residents of
the communities, each with a helper."""

from .models import (
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    TeamMember,
    VulnerableResident,
)

RESIDENTS = 120_000  # at scale 1.0


def seed(city):
    rng = city.rng
    scoped = ["org_unit", "created_at", "created_by", "updated_at", "updated_by"]
    child = ["created_at", "created_by", "updated_at", "updated_by"]
    groups = city.w.table(
        LeadershipGroup,
        scoped
        + [
            "name",
            "established_on",
            "document_no",
            "office_department",
            "office_phone",
            "duties",
        ],
    )
    members = city.w.table(
        LeadershipMember, child + ["group", "post", "name", "title", "phone", "sort_order"]
    )
    teams = city.w.table(
        EmergencyTeam, scoped + ["name", "kind", "founded_on", "duties", "equipment", "is_active"]
    )
    team_members = city.w.table(
        TeamMember, child + ["team", "name", "role", "phone", "skills", "note"]
    )
    officers = city.w.table(
        InformationOfficer,
        scoped + ["name", "phone", "affiliation", "appointed_on", "is_active", "note"],
    )
    residents = city.w.table(
        VulnerableResident,
        scoped
        + [
            "name",
            "gender",
            "id_number",
            "phone",
            "category",
            "address",
            "mobility",
            "needs",
            "emergency_contact",
            "emergency_phone",
            "is_active",
        ],
    )
    helpers = city.w.table(
        HelperAssignment,
        child
        + [
            "resident",
            "helper_name",
            "helper_phone",
            "relation",
            "started_on",
            "ended_on",
            "note",
        ],
    )

    def stamp(unit):
        user = city.staff_of[city.street_of[unit]]
        return (city.now, user, city.now, user)

    def team(unit, name, kind, size):
        pk = teams.add(*city.scoped(unit), name, kind, city.days_ago(300, 2000), "", "", True)
        for m in range(size):
            role = "leader" if m == 0 else "member"
            team_members.add(*stamp(unit), pk, city.person(), role, city.phone(), "", "")

    for street, _c, _p, _d, s_name in city.streets:
        group = groups.add(
            *city.scoped(street),
            f"{s_name}应急管理工作领导小组",
            city.days_ago(300, 1500),
            "",
            "街道应急办",
            "",
            "",
        )
        for order, post in enumerate(
            (
                "leader",
                "executive_deputy",
                "deputy",
                "member",
                "office_director",
                "office_member",
            )
        ):
            members.add(*stamp(street), group, post, city.person(), "街道干部", city.phone(), order)
        for kind in ("first_response", "professional", "volunteer"):
            team(street, f"{s_name}{kind}队", kind, 8)
    for community, _street in city.communities:
        team(community, f"居民区志愿服务队{community}", "volunteer", 5)
    for estate, _community, _street in city.estates:
        if rng.random() < 0.9:  # the one-per-小区 target is not met everywhere
            officers.add(
                *city.scoped(estate),
                city.person(),
                city.phone(),
                "物业经理",
                city.days_ago(30, 1500),
                True,
                "",
            )
    community_units = [c for c, _s in city.communities]
    categories = ["elderly", "elderly", "elderly", "alone", "disabled", "child"]
    for _ in range(city.scaled(RESIDENTS)):
        unit = rng.choice(community_units)
        pk = residents.add(
            *city.scoped(unit),
            city.person(),
            rng.choice("mf"),
            "",
            "",
            rng.choice(categories),
            f"某路{rng.randint(1, 2000)}弄{rng.randint(1, 80)}号",
            rng.choice(("independent", "partial", "dependent")),
            "",
            city.person(),
            city.phone(),
            True,
        )
        helpers.add(
            *stamp(unit),
            pk,
            city.person(),
            city.phone(),
            "volunteer",
            city.days_ago(10, 700),
            None,
            "",
        )
