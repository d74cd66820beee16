from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import Call, DutyHolder, Warning, WarningType


@admin.register(WarningType)
class WarningTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(DutyHolder)
class DutyHolderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "org_unit", "duty", "position", "user"]
    list_filter = ["duty", "position"]
    search_fields = ["name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit", "user"]
    list_select_related = ["org_unit", "user"]


@admin.register(Warning)
class WarningAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-mostly: warnings change state through the pages (services), not here."""

    list_display = ["headline", "warning_type", "level", "org_unit", "status", "issued_at"]
    list_filter = ["status", "level", "warning_type"]
    search_fields = ["headline", "identifier"]
    list_select_related = ["org_unit", "warning_type"]
    readonly_fields = [f.name for f in Warning._meta.fields] + ["areas"]

    def has_add_permission(self, request):
        return False


@admin.register(Call)
class CallAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "warning", "org_unit", "duty", "tier", "status", "acknowledged_at"]
    list_filter = ["status", "tier", "channel"]
    search_fields = ["name", "warning__headline"]
    list_select_related = ["warning", "org_unit"]
    readonly_fields = [f.name for f in Call._meta.fields]

    def has_add_permission(self, request):
        return False
