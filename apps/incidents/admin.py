"""Admin: the reference and configuration data of 信息报送 (incident types, the deadlines per
district and level, the 零报告 periods), and the records, for fixing by hand."""

from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import (
    DeadlineRule,
    FollowUpRequest,
    Incident,
    IncidentReport,
    IncidentType,
    ZeroReport,
    ZeroReportPeriod,
)


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "is_natural_disaster", "order", "is_active"]
    list_filter = ["parent", "is_natural_disaster", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["district", "level", "phone_minutes", "written_minutes"]
    list_filter = ["level"]
    autocomplete_fields = ["district"]
    list_select_related = ["district"]


class ScopedRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ZeroReportPeriod)
class ZeroReportPeriodAdmin(ScopedRecordAdmin):
    list_display = [
        "name",
        "org_unit",
        "start_date",
        "end_date",
        "during_warning",
        "warning_active",
        "deadline",
    ]
    list_filter = ["during_warning", "warning_active"]
    search_fields = ["name", "org_unit__name"]


@admin.register(ZeroReport)
class ZeroReportAdmin(ScopedRecordAdmin):
    list_display = ["org_unit", "date", "has_disaster", "created_by"]
    list_filter = ["has_disaster", "date"]
    search_fields = ["org_unit__name", "note"]


class ReportInline(admin.StackedInline):
    model = IncidentReport
    extra = 0
    readonly_fields = ["submitted_by", "acknowledged_by"]


class RequestInline(admin.TabularInline):
    model = FollowUpRequest
    extra = 0
    fields = ["note", "due", "requested_by", "requested_at", "answered_by"]
    readonly_fields = ["requested_by", "answered_by"]


@admin.register(Incident)
class IncidentAdmin(ScopedRecordAdmin):
    list_display = ["title", "org_unit", "incident_type", "level", "occurred_at", "state"]
    list_filter = ["state", "level", "incident_type__parent"]
    search_fields = ["title", "address", "org_unit__name"]
    raw_id_fields = ["hazard"]
    list_select_related = ["org_unit", "incident_type__parent"]
    inlines = [ReportInline, RequestInline]
