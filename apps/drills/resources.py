from django.utils.translation import gettext_lazy as _
from import_export import fields

from apps.files.spreadsheets import ScopedResource

from .models import Drill


class DrillResource(ScopedResource):
    """The drill register (演练台账) as a spreadsheet (export). The queryset is annotated with
    ``open_actions``/``overdue_actions`` and prefetches ``plans``."""

    org_unit_name = fields.Field(attribute="org_unit__name", column_name=_("所属单位"))
    title = fields.Field(attribute="title", column_name=_("演练名称"))
    date = fields.Field(attribute="date", column_name=_("演练日期"))
    form = fields.Field(attribute="get_form_display", column_name=_("演练形式"))
    theme = fields.Field(attribute="get_theme_display", column_name=_("演练主题"))
    status = fields.Field(attribute="get_status_display", column_name=_("状态"))
    place = fields.Field(attribute="place", column_name=_("演练地点"))
    organiser = fields.Field(attribute="organiser", column_name=_("组织单位"))
    participants = fields.Field(attribute="participants", column_name=_("参演人数"))
    annual_plan = fields.Field(attribute="annual_plan__title", column_name=_("年度演练计划"))
    plans = fields.Field(column_name=_("关联预案"))
    summary = fields.Field(attribute="summary", column_name=_("演练总结"))
    open_actions = fields.Field(attribute="open_actions", column_name=_("未完成整改事项"))
    overdue_actions = fields.Field(attribute="overdue_actions", column_name=_("逾期整改事项"))

    class Meta:
        model = Drill
        fields = (
            "org_unit",
            "org_unit_name",
            "title",
            "date",
            "form",
            "theme",
            "status",
            "place",
            "organiser",
            "participants",
            "annual_plan",
            "plans",
            "summary",
            "open_actions",
            "overdue_actions",
        )
        export_order = fields

    def dehydrate_plans(self, drill):
        return "、".join(p.title for p in drill.plans.all())
