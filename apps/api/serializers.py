"""What the API answers and accepts, field by field, with Chinese descriptions for the schema.

Read serializers only read the attributes the views' querysets have loaded (``select_related``
and annotations), so a page costs a constant number of queries. Write serializers check the
shape of a payload; the domain rules stay in the apps' services.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.hazards.models import Hazard, HazardState, RiskLevel, RiskPoint, Severity
from apps.incidents.models import DISASTER_FIGURES, Incident, IncidentLevel, IncidentReport
from apps.orgs.models import OrgKind, OrgUnit
from apps.plans.models import Plan
from apps.shelters.models import Shelter
from apps.warnings.models import Warning


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The label of a choice field (``get_<name>_display``), read directly: a ``source`` naming
    the method makes DRF inspect its signature on every row, a third of a page's time."""

    def __init__(self, name, **kwargs):
        self.choice_field = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return str(getattr(value, f"get_{self.choice_field}_display")())


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("单位编码"))
    name = serializers.CharField(help_text=_("单位名称"))


def unit_ref(**kwargs):
    return UnitRefSerializer(source="org_unit", read_only=True, **kwargs)


# --- org units ----------------------------------------------------------------------------


class OrgUnitSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=OrgKind.choices, help_text=_("层级"))
    kind_label = LabelField("kind", help_text=_("层级名称"))
    parent = serializers.SerializerMethodField(help_text=_("上级单位编码"))
    households = serializers.SerializerMethodField(help_text=_("户数（社区云），未报送时为空"))

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "kind",
            "kind_label",
            "parent",
            "depth",
            "population",
            "households",
            "latitude",
            "longitude",
        ]

    def get_parent(self, unit) -> str | None:
        codes = unit.ancestor_codes
        return codes[-1] if codes else None

    def get_households(self, unit) -> int | None:
        figure = getattr(unit, "population_figure", None)
        return figure.households if figure else None


# --- hazards and risk points ----------------------------------------------------------------


class HazardSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("隐患所属单位"))
    category = serializers.CharField(source="category.code", help_text=_("隐患类别编码"))
    category_name = serializers.CharField(source="category.name", help_text=_("隐患类别"))
    severity = serializers.ChoiceField(choices=Severity.choices, help_text=_("隐患等级"))
    state = serializers.ChoiceField(
        choices=HazardState.choices,
        help_text=_("状态：发现 → 交办 → 整改中 → 整改完成待核查 → 销号"),
    )
    state_label = LabelField("state", help_text=_("状态名称"))
    overdue = serializers.BooleanField(source="overdue_flag", help_text=_("是否逾期未销号"))

    class Meta:
        model = Hazard
        fields = [
            "id",
            "title",
            "unit",
            "category",
            "category_name",
            "severity",
            "state",
            "state_label",
            "description",
            "address",
            "latitude",
            "longitude",
            "found_by",
            "found_on",
            "responsible_unit",
            "responsible_person",
            "deadline",
            "closed_at",
            "overdue",
            "created_at",
            "updated_at",
        ]


class RiskPointSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("风险点所属单位"))
    category = serializers.CharField(source="category.code", help_text=_("类别编码"))
    category_name = serializers.CharField(source="category.name", help_text=_("类别"))
    level = serializers.ChoiceField(
        choices=RiskLevel.choices,
        help_text=_("四色等级：red 重大、orange 较大、yellow 一般、blue 低"),
    )

    class Meta:
        model = RiskPoint
        fields = [
            "id",
            "name",
            "unit",
            "category",
            "category_name",
            "level",
            "address",
            "latitude",
            "longitude",
            "responsible_person",
            "inspection_frequency",
            "next_inspection_date",
            "is_active",
            "updated_at",
        ]


class GeoJSONPointSerializer(serializers.Serializer):
    type = serializers.CharField(default="Point")
    coordinates = serializers.ListField(
        child=serializers.FloatField(), help_text=_("[经度, 纬度]，WGS-84")
    )


class GeoJSONFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.IntegerField()
    geometry = GeoJSONPointSerializer()
    properties = serializers.DictField(help_text=_("与列表接口相同的字段（坐标除外）"))


class GeoJSONCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = GeoJSONFeatureSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text=_("下一页链接"))
    previous = serializers.URLField(allow_null=True, help_text=_("上一页链接"))


# --- shelters -----------------------------------------------------------------------------


class ShelterSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("场所所属单位"))
    shelter_type = serializers.CharField(source="shelter_type.name", help_text=_("场所类型"))
    shelter_class = serializers.CharField(source="shelter_class.name", help_text=_("场所等级"))
    status_label = LabelField("status", help_text=_("状态名称"))
    occupancy = serializers.IntegerField(
        allow_null=True, read_only=True, help_text=_("当前在场人数（应急响应中启用时），未启用为空")
    )
    open_capacity = serializers.IntegerField(
        allow_null=True, read_only=True, help_text=_("本次启用的容纳上限，未启用为空")
    )

    class Meta:
        model = Shelter
        fields = [
            "id",
            "name",
            "unit",
            "setting",
            "shelter_type",
            "shelter_class",
            "address",
            "latitude",
            "longitude",
            "total_area",
            "effective_area",
            "capacity",
            "status",
            "status_label",
            "occupancy",
            "open_capacity",
            "managing_unit",
            "updated_at",
        ]


# --- supplies -----------------------------------------------------------------------------


class StockRowSerializer(serializers.Serializer):
    site_id = serializers.IntegerField(source="site", help_text=_("储备库/点 ID"))
    site_code = serializers.CharField(source="site__code", help_text=_("储备库/点编码"))
    site_name = serializers.CharField(source="site__name", help_text=_("储备库/点名称"))
    unit_code = serializers.CharField(source="site__org_unit__code", help_text=_("所属单位编码"))
    item_code = serializers.CharField(source="item__code", help_text=_("物资编码"))
    item_name = serializers.CharField(source="item__name", help_text=_("物资名称"))
    measure = serializers.CharField(source="item__unit", help_text=_("计量单位"))
    quantity = serializers.IntegerField(source="on_hand", help_text=_("在库数量（不含已过期批次）"))
    expired_quantity = serializers.IntegerField(help_text=_("已过期待报损数量"))
    minimum = serializers.IntegerField(allow_null=True, help_text=_("配置标准数量，未设为空"))
    earliest_expiry = serializers.DateField(allow_null=True, help_text=_("在库批次最早有效期"))
    updated_at = serializers.DateTimeField(source="last_change", help_text=_("批次最近变动时间"))


# --- plans --------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("预案所属单位"))
    kind_label = LabelField("kind", help_text=_("预案类别"))
    status_label = LabelField("status", help_text=_("状态名称"))
    hazard_types = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name", help_text=_("适用灾害事故类型")
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "unit",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "department",
            "hazard_types",
            "effective_date",
            "next_review_date",
            "updated_at",
        ]


# --- warnings -----------------------------------------------------------------------------


class CallFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("叫应人次"))
    answered = serializers.IntegerField(help_text=_("已叫应"))
    open = serializers.IntegerField(help_text=_("待叫应"))
    rate = serializers.IntegerField(allow_null=True, help_text=_("叫应率（%）"))
    median_minutes = serializers.FloatField(
        allow_null=True, required=False, help_text=_("叫应用时中位数（分钟），仅详情")
    )
    p90_minutes = serializers.FloatField(
        allow_null=True, required=False, help_text=_("叫应用时 90 分位（分钟），仅详情")
    )


class WarningSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("发布单位"))
    warning_type = serializers.CharField(source="warning_type.name", help_text=_("预警种类"))
    level_label = LabelField("level", help_text=_("预警级别"))
    status_label = LabelField("status", help_text=_("状态名称"))
    areas = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code", help_text=_("预警范围（单位编码）")
    )
    calls = CallFiguresSerializer(
        source="call_figures", read_only=True, help_text=_("本接入系统范围内的叫应统计")
    )

    class Meta:
        model = Warning
        fields = [
            "id",
            "identifier",
            "headline",
            "text",
            "unit",
            "warning_type",
            "level",
            "level_label",
            "source",
            "status",
            "status_label",
            "issued_at",
            "expires_at",
            "cancelled_at",
            "areas",
            "calls",
            "updated_at",
        ]


# --- incidents ----------------------------------------------------------------------------


class IncidentReportSerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text=_("初报、续报一……、终报"))

    class Meta:
        model = IncidentReport
        fields = [
            "kind",
            "sequence",
            "label",
            "event_time",
            "place",
            "source",
            "nature",
            "impact",
            "casualties",
            "trend",
            "measures",
            *DISASTER_FIGURES,
            "submitted_at",
            "acknowledged_at",
        ]


class IncidentSerializer(serializers.ModelSerializer):
    unit = unit_ref(help_text=_("事发单位"))
    incident_type = serializers.CharField(source="incident_type.code", help_text=_("事件类别编码"))
    incident_type_name = serializers.CharField(source="incident_type.name", help_text=_("事件类别"))
    level_label = LabelField("level", help_text=_("事件等级"))

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "unit",
            "incident_type",
            "incident_type_name",
            "level",
            "level_label",
            "state",
            "occurred_at",
            "address",
            "latitude",
            "longitude",
            "source",
            "phone_due",
            "written_due",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class IncidentDetailSerializer(IncidentSerializer):
    reports = IncidentReportSerializer(many=True, read_only=True, help_text=_("各次报告"))

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "reports"]


# --- duty ---------------------------------------------------------------------------------


class DutyPersonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("姓名"))
    role = serializers.CharField(help_text=_("带班领导或值班员"))
    mobile = serializers.CharField(help_text=_("手机号（本单位及上级可见全号，其余掩码）"))


class ShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    roster = serializers.CharField(help_text=_("值班表"))
    unit = UnitRefSerializer(help_text=_("值班单位"))
    duty_phone = serializers.CharField(help_text=_("值班电话"))
    starts_at = serializers.DateTimeField(help_text=_("班次开始"))
    ends_at = serializers.DateTimeField(help_text=_("班次结束"))
    reinforced = serializers.BooleanField(help_text=_("是否加强值班"))
    signed_in_at = serializers.DateTimeField(allow_null=True, help_text=_("签到时间"))
    people = DutyPersonSerializer(many=True, help_text=_("在班人员，带班领导在前"))


# --- writes -------------------------------------------------------------------------------


class WorkOrderSerializer(serializers.Serializer):
    """A hazard found through a work-order system (12345, 网格)."""

    order_id = serializers.CharField(
        max_length=100, help_text=_("外部工单号：同一接入系统内唯一，重复提交不会重复创建")
    )
    unit = serializers.CharField(max_length=32, help_text=_("隐患所在单位编码（街镇、居村或小区）"))
    title = serializers.CharField(max_length=120, help_text=_("隐患名称"))
    category = serializers.CharField(max_length=40, help_text=_("隐患类别编码，如 fire-lane"))
    severity = serializers.ChoiceField(
        choices=Severity.choices, default=Severity.GENERAL, help_text=_("隐患等级")
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    coordinate_system = serializers.ChoiceField(
        choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")],
        default="wgs84",
        help_text=_("坐标系：wgs84（默认）或 gcj02（高德、腾讯地图取点），存储为 WGS-84"),
    )
    found_by = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text=_("发现人")
    )
    found_on = serializers.DateField(required=False, allow_null=True, default=None)


class WorkOrderResultSerializer(serializers.Serializer):
    order_id = serializers.CharField(help_text=_("外部工单号"))
    created = serializers.BooleanField(help_text=_("本次是否新建（重复提交为 false）"))
    hazard = HazardSerializer(help_text=_("对应的隐患"))


class IncidentFilingSerializer(serializers.Serializer):
    """初报 of an incident, with the required elements of every report."""

    unit = serializers.CharField(max_length=32, help_text=_("事发单位编码（街镇、居村或小区）"))
    title = serializers.CharField(max_length=120, help_text=_("事件名称"))
    incident_type = serializers.CharField(max_length=40, help_text=_("事件类别编码"))
    level = serializers.ChoiceField(choices=IncidentLevel.choices, help_text=_("事件等级 1–4"))
    occurred_at = serializers.DateTimeField(help_text=_("发生时间"))
    address = serializers.CharField(max_length=200, help_text=_("发生地点"))
    source = serializers.CharField(max_length=120, help_text=_("信息来源"))
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    nature = serializers.CharField(help_text=_("事件性质"))
    impact = serializers.CharField(help_text=_("影响范围"))
    casualties = serializers.CharField(help_text=_("伤亡损失"))
    trend = serializers.CharField(help_text=_("发展趋势"))
    measures = serializers.CharField(help_text=_("已采取措施"))
    affected_people = serializers.IntegerField(required=False, allow_null=True, default=None)
    relocated_people = serializers.IntegerField(required=False, allow_null=True, default=None)
    relief_needed_people = serializers.IntegerField(required=False, allow_null=True, default=None)
    collapsed_houses = serializers.IntegerField(required=False, allow_null=True, default=None)
    damaged_houses = serializers.IntegerField(required=False, allow_null=True, default=None)
    direct_loss = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )


class PopulationRowSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=32, help_text=_("单位编码"))
    population = serializers.IntegerField(min_value=0, help_text=_("常住人口"))
    households = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text=_("户数")
    )
    as_of = serializers.DateField(help_text=_("统计日期"))


class PopulationBatchSerializer(serializers.Serializer):
    rows = PopulationRowSerializer(many=True, help_text=_("各单位人口户数，全部成功或全部不保存"))

    def validate_rows(self, rows):
        if not rows:
            raise serializers.ValidationError(_("请至少提交一个单位。"))
        if len(rows) > 10000:
            raise serializers.ValidationError(_("一次最多提交 10000 个单位。"))
        return rows


class PopulationResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text=_("更新的单位数"))


class WarningImportResultSerializer(serializers.Serializer):
    warning = WarningSerializer(help_text=_("导入后的预警（草稿，须审核后发布；解除消息为已解除）"))
