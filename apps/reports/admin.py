from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "org_unit", "state", "requested_by", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "requested_by__username"]
    list_select_related = ["org_unit", "requested_by"]
    readonly_fields = ["kind", "params", "org_unit", "requested_by", "file", "error"]
