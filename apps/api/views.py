"""The read endpoints: org units; hazards and risk points (also as GeoJSON); shelters with
their live occupancy; stock per site and item; plans (in force unless asked otherwise);
warnings with their 叫应 figures; incidents; today's duty.

Each list starts from ``Model.objects.visible_to(request.user)`` (the client's unit and below)
and reads its figures from the owning app's selectors or services; each page is a constant
number of queries.
"""

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.duty import selectors as duty_selectors
from apps.hazards.models import Hazard, HazardState, RiskLevel, RiskPoint, Severity
from apps.incidents.models import Incident, IncidentLevel, IncidentState
from apps.orgs.models import OrgKind, OrgUnit
from apps.people.privacy import phone_for
from apps.plans.models import Plan
from apps.response.models import ShelterOperation
from apps.shelters.models import Shelter, ShelterStatus
from apps.supplies.models import Lot, Standard, usable_lots
from apps.warnings import selectors as warning_selectors
from apps.warnings.models import Call, CallStatus, Level, Status, Warning

from . import serializers as s
from .base import (
    UNIT_PARAM,
    UPDATED_SINCE_PARAM,
    ApiView,
    filter_choice,
    filter_unit,
    filter_updated_since,
    parse_moment,
    state_param,
    within_units,
)
from .models import Scope
from .pagination import SyncCursorPagination

TAG_ORGS = _("组织单元")
TAG_HAZARDS = _("风险隐患")
TAG_SHELTERS = _("避难场所")
TAG_SUPPLIES = _("应急物资")
TAG_PLANS = _("应急预案")
TAG_WARNINGS = _("预警叫应")
TAG_INCIDENTS = _("信息报送")
TAG_DUTY = _("值班值守")


class ListView(mixins.ListModelMixin, ApiView):
    """A scoped, filtered, cursor-paginated list."""

    def list_queryset(self):
        return self.filter_queryset(self.get_queryset())

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    # Page by id first, then read the page's rows: the ids of a street's hazards come from an
    # index alone, and only the hundred rows of the page are read from the table (reading all
    # of a street's rows to sort them took 400 ms with a cold cache on the city data set).
    page_ids_first = True

    def list(self, request, *args, **kwargs):
        queryset = self.list_queryset()
        if not self.page_ids_first:
            page = self.paginate_queryset(queryset)
        else:
            ids_only = queryset.prefetch_related(None).values("pk")
            ids = [row["pk"] for row in self.paginate_queryset(ids_only)]
            rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
            page = [rows[pk] for pk in ids]
        return self.get_paginated_response(self.get_serializer(self.decorate(page), many=True).data)

    def decorate(self, rows):
        """Figures added to the rows of one page (one query for the page)."""
        return rows


class DetailView(ApiView):
    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(self.get_serializer(self.decorate([obj])[0]).data)

    def decorate(self, rows):
        return rows


# --- org units ----------------------------------------------------------------------------


class OrgUnitQueryset:
    serializer_class = s.OrgUnitSerializer

    def get_queryset(self):
        return (
            OrgUnit.objects.visible_to(self.request.user)
            .select_related("population_figure")
            .order_by("path")
        )


@extend_schema(
    tags=[TAG_ORGS],
    summary=_("组织单元列表"),
    description=_("本接入系统所属单位及其下级单位（区、街镇、居村、小区），含常住人口和户数。"),
    parameters=[
        UNIT_PARAM,
        state_param("kind", OrgKind.choices, _("层级：city、district、street、community、estate")),
    ],
)
class OrgUnitListView(OrgUnitQueryset, ListView):
    def filter_queryset(self, queryset):
        queryset = filter_unit(self.request, queryset, "path")
        return filter_choice(self.request, queryset, "kind", "kind", OrgKind.choices)


@extend_schema(tags=[TAG_ORGS], summary=_("组织单元详情"))
class OrgUnitDetailView(OrgUnitQueryset, DetailView):
    lookup_field = "code"


# --- hazards and risk points ----------------------------------------------------------------

HAZARD_PARAMS = [
    UNIT_PARAM,
    UPDATED_SINCE_PARAM,
    state_param("state", HazardState.choices, _("状态，可用逗号分隔多个")),
    state_param("severity", Severity.choices, _("隐患等级")),
]


class HazardQueryset:
    serializer_class = s.HazardSerializer
    scopes = {"GET": Scope.READ_HAZARDS}

    def get_queryset(self):
        return (
            within_units(Hazard.objects.visible_to(self.request.user), self.request.user)
            .with_flags()
            .select_related("org_unit", "category")
        )

    def filter_queryset(self, queryset):
        request = self.request
        queryset = filter_unit(request, queryset)
        queryset = filter_updated_since(request, queryset)
        queryset = filter_choice(request, queryset, "state", "state", HazardState.choices)
        return filter_choice(request, queryset, "severity", "severity", Severity.choices)


@extend_schema(
    tags=[TAG_HAZARDS],
    summary=_("隐患列表"),
    description=_("隐患及其整治闭环状态（发现 → 交办 → 整改中 → 整改完成待核查 → 销号）。"),
    parameters=HAZARD_PARAMS,
)
class HazardListView(HazardQueryset, ListView):
    pass


@extend_schema(tags=[TAG_HAZARDS], summary=_("隐患详情"))
class HazardDetailView(HazardQueryset, DetailView):
    pass


class RiskPointQueryset:
    serializer_class = s.RiskPointSerializer
    scopes = {"GET": Scope.READ_HAZARDS}

    def get_queryset(self):
        user = self.request.user
        return within_units(RiskPoint.objects.visible_to(user), user).select_related(
            "org_unit", "category"
        )

    def filter_queryset(self, queryset):
        request = self.request
        queryset = filter_unit(request, queryset)
        queryset = filter_updated_since(request, queryset)
        return filter_choice(request, queryset, "level", "level", RiskLevel.choices)


RISK_POINT_PARAMS = [
    UNIT_PARAM,
    UPDATED_SINCE_PARAM,
    state_param("level", RiskLevel.choices, _("四色等级，可用逗号分隔多个")),
]


@extend_schema(
    tags=[TAG_HAZARDS],
    summary=_("风险点列表"),
    description=_("风险点及其四色等级、巡查频次和下次巡查日期。"),
    parameters=RISK_POINT_PARAMS,
)
class RiskPointListView(RiskPointQueryset, ListView):
    pass


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class GeoJSONMixin:
    """The same list as GeoJSON (records with coordinates only), cursor-paginated."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    def list_queryset(self):
        return super().list_queryset().filter(latitude__isnull=False, longitude__isnull=False)

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": row["id"],
                        "geometry": {
                            "type": "Point",
                            "coordinates": [float(row["longitude"]), float(row["latitude"])],
                        },
                        "properties": {
                            k: v for k, v in row.items() if k not in ("latitude", "longitude")
                        },
                    }
                    for row in data
                ],
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
            }
        )


@extend_schema(
    tags=[TAG_HAZARDS],
    summary=_("隐患分布（GeoJSON）"),
    description=_("有坐标的隐患，GeoJSON FeatureCollection（WGS-84），分页同列表。"),
    parameters=HAZARD_PARAMS,
    responses=s.GeoJSONCollectionSerializer,
)
class HazardGeoJSONView(GeoJSONMixin, HazardQueryset, ListView):
    pagination_class = SyncCursorPagination


@extend_schema(
    tags=[TAG_HAZARDS],
    summary=_("风险地图（GeoJSON）"),
    description=_(
        "有坐标的风险点，GeoJSON FeatureCollection（WGS-84），properties.level 为四色等级。"
    ),
    parameters=RISK_POINT_PARAMS,
    responses=s.GeoJSONCollectionSerializer,
)
class RiskPointGeoJSONView(GeoJSONMixin, RiskPointQueryset, ListView):
    pagination_class = SyncCursorPagination


# --- shelters -----------------------------------------------------------------------------


class ShelterQueryset:
    serializer_class = s.ShelterSerializer
    scopes = {"GET": Scope.READ_SHELTERS}

    def get_queryset(self):
        # a shelter is open for at most one response at a time (one open ShelterOpening)
        running = ShelterOperation.objects.filter(shelter=OuterRef("pk"), closed_at__isnull=True)
        return (
            within_units(Shelter.objects.visible_to(self.request.user), self.request.user)
            .select_related("org_unit", "shelter_type", "shelter_class")
            .annotate(
                occupancy=Subquery(running.values("occupancy")[:1]),
                open_capacity=Subquery(running.values("capacity")[:1]),
            )
        )

    def filter_queryset(self, queryset):
        request = self.request
        queryset = filter_unit(request, queryset)
        queryset = filter_updated_since(request, queryset)
        return filter_choice(request, queryset, "status", "status", ShelterStatus.choices)


@extend_schema(
    tags=[TAG_SHELTERS],
    summary=_("避难场所列表"),
    description=_(
        "应急避难场所及其有效面积、容纳人数和状态；应急响应中启用的场所带当前在场人数"
        "（实时，updated_since 只按场所档案的修改时间筛选）。"
    ),
    parameters=[
        UNIT_PARAM,
        UPDATED_SINCE_PARAM,
        state_param("status", ShelterStatus.choices, _("状态：available、maintenance、activated")),
    ],
)
class ShelterListView(ShelterQueryset, ListView):
    pass


@extend_schema(tags=[TAG_SHELTERS], summary=_("避难场所详情"))
class ShelterDetailView(ShelterQueryset, DetailView):
    pass


# --- supplies -----------------------------------------------------------------------------


class StockPagination(SyncCursorPagination):
    ordering = ("site", "item")


@extend_schema(
    tags=[TAG_SUPPLIES],
    summary=_("物资库存（按储备点和物资）"),
    description=_(
        "每个储备库/点每种物资一行：在库数量（不含已过期批次）、已过期待报损数量、配置标准和"
        "最早有效期。updated_since 返回此后有批次变动的行（数量为变动后的全部库存）。"
    ),
    parameters=[UNIT_PARAM, UPDATED_SINCE_PARAM],
)
class StockListView(ListView):
    serializer_class = s.StockRowSerializer
    page_ids_first = False  # grouped rows, not records
    scopes = {"GET": Scope.READ_SUPPLIES}
    pagination_class = StockPagination

    def get_queryset(self):
        usable = usable_lots(timezone.localdate())
        return (
            within_units(Lot.objects.visible_to(self.request.user), self.request.user)
            .order_by()
            .values(
                "site",
                "site__code",
                "site__name",
                "site__org_unit__code",
                "item",
                "item__code",
                "item__name",
                "item__unit",
            )
            .annotate(
                on_hand=Coalesce(Sum("quantity", filter=usable), Value(0)),
                expired_quantity=Coalesce(Sum("quantity", filter=~usable), Value(0)),
                earliest_expiry=Min("expiry_date", filter=usable & Q(quantity__gt=0)),
                last_change=Max("updated_at"),
            )
        )

    def decorate(self, rows):
        """The 配置标准 of the page's (site, item) pairs, in one query (as a subquery it ran
        once per lot, before the grouping)."""
        minimums = {
            (site, item): minimum
            for site, item, minimum in Standard.objects.filter(
                site__in={row["site"] for row in rows}, item__in={row["item"] for row in rows}
            )
            .order_by()
            .values_list("site", "item", "minimum")
        }
        for row in rows:
            row["minimum"] = minimums.get((row["site"], row["item"]))
        return rows

    def filter_queryset(self, queryset):
        queryset = filter_unit(self.request, queryset, "site__org_unit__path")
        # the rows with a lot changed since then, with the whole stock (HAVING, not WHERE)
        return filter_updated_since(self.request, queryset, "last_change")


# --- plans --------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_PLANS],
    summary=_("应急预案列表"),
    description=_("默认只返回生效中的预案（1+N+M 预案体系）；status 可取其他状态。"),
    parameters=[
        UNIT_PARAM,
        UPDATED_SINCE_PARAM,
        state_param("status", Plan.Status.choices, _("状态，默认 in_force（生效）")),
        state_param("kind", Plan.Kind.choices, _("预案类别")),
    ],
)
class PlanListView(ListView):
    serializer_class = s.PlanSerializer
    scopes = {"GET": Scope.READ_PLANS}

    def get_queryset(self):
        return (
            within_units(Plan.objects.visible_to(self.request.user), self.request.user)
            .select_related("org_unit")
            .prefetch_related("hazard_types")
        )

    def filter_queryset(self, queryset):
        request = self.request
        if not request.query_params.get("status"):
            queryset = queryset.in_force()
        queryset = filter_choice(request, queryset, "status", "status", Plan.Status.choices)
        queryset = filter_choice(request, queryset, "kind", "kind", Plan.Kind.choices)
        queryset = filter_unit(request, queryset)
        return filter_updated_since(request, queryset)


# --- warnings -----------------------------------------------------------------------------


class WarningQueryset:
    serializer_class = s.WarningSerializer
    scopes = {"GET": Scope.READ_WARNINGS}

    def get_queryset(self):
        return (
            Warning.objects.visible_to(self.request.user)
            .select_related("org_unit", "warning_type")
            .prefetch_related("areas")
        )

    def filter_queryset(self, queryset):
        request = self.request
        queryset = filter_choice(request, queryset, "status", "status", Status.choices)
        queryset = filter_choice(request, queryset, "level", "level", Level.choices)
        queryset = filter_unit(request, queryset)
        return filter_updated_since(request, queryset)


def _rate(answered, total):
    return round(100 * answered / total) if total else None


@extend_schema(
    tags=[TAG_WARNINGS],
    summary=_("预警列表"),
    description=_("预警及其叫应统计（本接入系统范围内的叫应人次、已叫应、待叫应和叫应率）。"),
    parameters=[
        UNIT_PARAM,
        UPDATED_SINCE_PARAM,
        state_param("status", Status.choices, _("状态")),
        state_param("level", Level.choices, _("预警级别")),
    ],
)
class WarningListView(WarningQueryset, ListView):
    def decorate(self, rows):
        """The page's 叫应 figures in one grouped query (the calls the client sees)."""
        counts = {
            row["warning"]: row
            for row in Call.objects.visible_to(self.request.user)
            .filter(warning__in=[w.pk for w in rows])
            .order_by()
            .values("warning")
            .annotate(
                total=Count("pk"),
                answered=Count("pk", filter=Q(acknowledged_at__isnull=False)),
                open=Count("pk", filter=Q(status=CallStatus.OPEN)),
            )
        }
        for warning in rows:
            row = counts.get(warning.pk, {"total": 0, "answered": 0, "open": 0})
            warning.call_figures = {
                "total": row["total"],
                "answered": row["answered"],
                "open": row["open"],
                "rate": _rate(row["answered"], row["total"]),
            }
        return rows


@extend_schema(
    tags=[TAG_WARNINGS],
    summary=_("预警详情"),
    description=_("预警及其叫应统计，含叫应用时中位数和 90 分位（分钟）。"),
)
class WarningDetailView(WarningQueryset, DetailView):
    def decorate(self, rows):
        warning = rows[0]
        calls = list(
            Call.objects.visible_to(self.request.user)
            .filter(warning=warning)
            .only("status", "called_at", "acknowledged_at")
        )
        warning.call_figures = warning_selectors.figures(calls)
        return rows


# --- incidents ----------------------------------------------------------------------------


class IncidentQueryset:
    scopes = {"GET": Scope.READ_INCIDENTS}

    def get_queryset(self):
        user = self.request.user
        return within_units(Incident.objects.visible_to(user), user).select_related(
            "org_unit", "incident_type__parent"
        )


INCIDENT_LIST_SCHEMA = {
    "tags": [TAG_INCIDENTS],
    "summary": _("突发事件列表"),
    "description": _("突发事件（信息报送）：初报登记的事件，处置中或已终报。"),
    "parameters": [
        UNIT_PARAM,
        UPDATED_SINCE_PARAM,
        state_param("state", IncidentState.choices, _("状态：open 处置中、closed 已终报")),
        state_param("level", IncidentLevel.choices, _("事件等级")),
    ],
}


class IncidentListView(IncidentQueryset, ListView):
    """The list of incidents (routed with its POST, ``writes.IncidentsView``)."""

    serializer_class = s.IncidentSerializer

    def filter_queryset(self, queryset):
        request = self.request
        queryset = filter_choice(request, queryset, "state", "state", IncidentState.choices)
        queryset = filter_choice(request, queryset, "level", "level", IncidentLevel.choices)
        queryset = filter_unit(request, queryset)
        return filter_updated_since(request, queryset)


@extend_schema(tags=[TAG_INCIDENTS], summary=_("突发事件详情"), description=_("事件及其各次报告。"))
class IncidentDetailView(IncidentQueryset, DetailView):
    serializer_class = s.IncidentDetailSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("reports")


# --- duty ---------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_DUTY],
    summary=_("今日值班"),
    description=_(
        "此刻在班的班次（本单位、下级单位和上级单位的值班表中本单位可见的），带班领导在前。"
    ),
    parameters=[
        OpenApiParameter(
            "at", OpenApiTypes.DATETIME, description=_("查询时刻，默认现在（ISO 8601）")
        )
    ],
    responses=s.ShiftSerializer(many=True),
)
class DutyTodayView(ApiView):
    scopes = {"GET": Scope.READ_DUTY}
    pagination_class = None
    serializer_class = s.ShiftSerializer

    def get(self, request, *args, **kwargs):
        at = request.query_params.get("at")
        now = parse_moment(at, "at") if at else timezone.now()
        rows = []
        for shift in duty_selectors.shifts_now(request.user, now):
            roster = shift.roster
            reveal = duty_selectors.reveals_phones(request.user, roster)
            rows.append(
                {
                    "id": shift.pk,
                    "roster": roster.name,
                    "unit": roster.org_unit,
                    "duty_phone": roster.duty_phone,
                    "starts_at": shift.starts_at,
                    "ends_at": shift.ends_at,
                    "reinforced": shift.reinforced,
                    "signed_in_at": shift.signed_in_at,
                    "people": [
                        {
                            "name": person.name,
                            "role": str(person.role),
                            "mobile": phone_for(person.mobile, reveal),
                        }
                        for person in duty_selectors.people_of(shift)
                    ],
                }
            )
        return Response(s.ShiftSerializer(rows, many=True).data)
