from django.utils.translation import gettext_lazy as _
from import_export import fields

from apps.files.spreadsheets import ScopedResource

from .models import Plan


class PlanRegisterResource(ScopedResource):
    """The plan register (预案台账) as a spreadsheet (export)."""

    org_unit_name = fields.Field(attribute="org_unit__name", column_name=_("所属单位"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("预案类别"))
    title = fields.Field(attribute="title", column_name=_("预案名称"))
    department = fields.Field(attribute="department", column_name=_("责任部门"))
    status = fields.Field(attribute="get_status_display", column_name=_("状态"))
    hazard_types = fields.Field(column_name=_("适用灾害事故类型"))
    effective_date = fields.Field(attribute="effective_date", column_name=_("生效日期"))
    review_cycle_months = fields.Field(
        attribute="review_cycle_months", column_name=_("评估修订周期（月）")
    )
    next_review_date = fields.Field(attribute="next_review_date", column_name=_("下次评估日期"))
    current_version = fields.Field(attribute="current_version", column_name=_("现行版本号"))
    parent = fields.Field(attribute="parent__title", column_name=_("上级预案"))

    class Meta:
        model = Plan
        fields = (
            "org_unit",
            "org_unit_name",
            "kind",
            "title",
            "department",
            "status",
            "hazard_types",
            "effective_date",
            "review_cycle_months",
            "next_review_date",
            "current_version",
            "parent",
        )
        export_order = fields

    def dehydrate_hazard_types(self, plan):
        return "、".join(t.name for t in plan.hazard_types.all())
