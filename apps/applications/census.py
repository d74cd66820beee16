"""普查 export: the 社区减灾能力 form of the national natural-disaster census (第一次全国自然灾害
综合风险普查, 综合减灾资源（能力）调查) filled from the portal's records, one row per community the
user sees, as Excel.

Every column is read from records, in a constant number of queries whatever the number of
communities (``rollup``), except 储备物资折合金额: the supply catalogue keeps no prices, so that
column is left for the street to fill (the 说明 sheet says so). Formula-like text is escaped as in
every export of the portal.
"""

import datetime
import io

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from apps.drills.models import Drill, DrillStatus
from apps.orgs.facts import figures_for_units
from apps.orgs.models import OrgKind, OrgUnit, User, rollup
from apps.people.models import InformationOfficer
from apps.shelters.models import Shelter

from .models import Application, State
from .selectors import evidence_figures

FORMULA_SIGNS = ("=", "+", "-", "@")


def _text(value):
    if isinstance(value, str) and value.startswith(FORMULA_SIGNS):
        return "'" + value
    return value


def _yes(flag):
    return _("有") if flag else _("无")


def columns():
    return [
        _("社区名称"),
        _("社区代码"),
        _("所属街道（乡镇）"),
        _("常住人口"),
        _("是否有应急预案"),
        _("生效预案数"),
        _("脆弱人群清单（人）"),
        _("隐患点清单（风险点，个）"),
        _("近12个月排查隐患（处）"),
        _("是否有灾害风险地图"),
        _("年度减灾经费（万元）"),
        _("储备物资折合金额（万元）"),
        _("志愿者人数"),
        _("近12个月培训次数"),
        _("近12个月培训人次"),
        _("近12个月演练次数"),
        _("近12个月演练人次"),
        _("避难场所数量（个）"),
        _("避难场所容纳人数"),
        _("灾害信息员人数"),
        _("预警信息接收方式"),
        _("预警信息传达方式"),
        _("灾情上报方式"),
        _("综合减灾示范社区"),
    ]


def communities_for(user: User):
    return (
        OrgUnit.objects.visible_to(user)
        .filter(kind=OrgKind.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def census_rows(communities, *, today=None):
    """One row (``columns()``) per community, from the records."""
    today = today or timezone.localdate()
    communities = list(communities)
    if not communities:
        return []
    facts = figures_for_units(communities, today=today)
    evidence = evidence_figures(communities, today=today)
    since = today - datetime.timedelta(days=365)
    drills = rollup(
        Drill.objects.filter(status=DrillStatus.COMPLETED, date__gte=since, date__lte=today),
        communities,
        held=Count("pk"),
        people=Sum("participants"),
    )
    shelters = rollup(Shelter.objects.all(), communities, n=Count("pk"), capacity=Sum("capacity"))
    officers = rollup(InformationOfficer.objects.filter(is_active=True), communities, n=Count("pk"))
    titles = {}
    for app in Application.objects.filter(org_unit__in=communities, state=State.AWARDED).order_by(
        "award_date"
    ):
        titles.setdefault(app.org_unit_id, []).append(
            f"{app.get_title_display()}（{app.award_date:%Y}）"
        )
    rows = []
    for unit in communities:
        f, e = facts[unit.pk], evidence[unit.pk]
        plans = f["plans"]["in_force"]
        calls = f["warnings"]["calls"]
        rows.append(
            [
                unit.name,
                unit.code,
                unit.parent.name if unit.parent_id else "",
                unit.population,
                _yes(plans),
                plans,
                e["risk"]["vulnerable"],
                e["risk"]["points"],
                f["hazards"]["total"],
                _yes(e["risk"]["points"] and e["risk"]["mapped"] >= e["risk"]["points"]),
                round(e["funding"]["amount"] / 10000, 2),
                None,  # no prices in the catalogue: filled by the street
                e["forces"]["volunteers"],
                e["outreach"]["trainings_12m"],
                e["outreach"]["trained_12m"],
                drills[unit.pk]["held"],
                drills[unit.pk]["people"] or 0,
                shelters[unit.pk]["n"],
                shelters[unit.pk]["capacity"] or 0,
                officers[unit.pk]["n"],
                _("平台站内信、短信、电子邮件") if calls else _("未接收过平台预警"),
                _("责任人叫应、上门告知") if calls else "—",
                _("平台信息报送（初报、续报、终报）"),
                "、".join(titles.get(unit.pk, [])) or _("否"),
            ]
        )
    return rows


def census_workbook(rows, *, title):
    """The .xlsx bytes: the form and a 说明 sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("社区减灾能力")
    header = columns()
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append([_text(v) for v in row])
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = 14
    notes = book.create_sheet(_("说明"))
    for line in (
        _(
            "本表依据第一次全国自然灾害综合风险普查综合减灾资源（能力）调查中社区减灾能力调查的内容，由平台记录自动填写。"
        ),
        _(
            "应急预案：居委/村生效的应急预案；脆弱人群：在册的老、幼、孤、残等脆弱人群；隐患点：在管风险点。"
        ),
        _("灾害风险地图：全部风险点已在风险地图上定位为“有”。年度减灾经费：本年度登记的经费投入。"),
        _("培训：近12个月登记的居民培训活动及扫码签到人次；演练：近12个月已完成的演练及参演人数。"),
        _("储备物资折合金额：平台物资台账不记录单价，请街镇核实后填写。"),
        _("生成时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
