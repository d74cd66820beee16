from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import (
    Hazard,
    HazardCategory,
    HazardEvent,
    HazardLoopSettings,
    HazardPhoto,
    RiskPoint,
    RiskPointInspection,
)


@admin.register(HazardCategory)
class HazardCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(HazardLoopSettings)
class HazardLoopSettingsAdmin(admin.ModelAdmin):
    """Per district, by the admin: how strictly the loop is run (see the model)."""

    list_display = [
        "district",
        "photo_required",
        "separate_verifier",
        "trusted_direct_assign",
        "direct_assign_days",
    ]


class InspectionInline(admin.TabularInline):
    model = RiskPointInspection
    extra = 0
    fields = ["date", "inspector", "result", "note", "created_by"]
    readonly_fields = ["created_by"]


@admin.register(RiskPoint)
class RiskPointAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "org_unit",
        "category",
        "level",
        "responsible_person",
        "next_inspection_date",
        "is_active",
    ]
    list_filter = ["level", "category", "inspection_frequency", "is_active"]
    search_fields = ["name", "address", "responsible_person", "org_unit__name"]
    autocomplete_fields = ["org_unit", "category"]
    list_select_related = ["org_unit", "category"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [InspectionInline]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RiskPointInspection)
class RiskPointInspectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["risk_point", "date", "inspector", "result"]
    list_filter = ["result", "date"]
    search_fields = ["risk_point__name", "inspector"]
    autocomplete_fields = ["risk_point"]
    list_select_related = ["risk_point"]
    readonly_fields = ["created_by", "created_at"]


class EventInline(admin.TabularInline):
    model = HazardEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """State changes go through the portal's transition pages (services); admin shows the
    record and its events, and can correct descriptive fields."""

    list_display = [
        "title",
        "org_unit",
        "category",
        "severity",
        "state",
        "deadline",
        "found_on",
    ]
    list_filter = ["state", "severity", "category"]
    search_fields = ["title", "description", "address", "responsible_unit", "org_unit__name"]
    autocomplete_fields = ["org_unit", "category", "risk_point"]
    list_select_related = ["org_unit", "category"]
    readonly_fields = [
        "state",
        "closed_at",
        "inspection",
        "reported_by",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    inlines = [EventInline]
    date_hierarchy = "found_on"
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(HazardEvent)
class HazardEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["hazard", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action", "to_state"]
    search_fields = ["hazard__title", "note", "actor__username"]
    autocomplete_fields = ["hazard", "actor"]
    list_select_related = ["hazard", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HazardPhoto)
class HazardPhotoAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "hazard", "event", "created_at"]
    search_fields = ["original_name", "hazard__title"]
    autocomplete_fields = ["hazard", "event"]
    list_select_related = ["hazard", "event"]
