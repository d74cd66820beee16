"""Admin: the response records, for what needs fixing by hand. The timeline is read-only;
stock never moves from here (dispatch goes through the services)."""

from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import (
    CardLevel,
    CardSupply,
    CardTask,
    Event,
    EventLog,
    FollowUp,
    ShelterOperation,
    SupplyRequest,
)


class CardTaskInline(admin.TabularInline):
    model = CardTask
    extra = 0
    autocomplete_fields = ["unit"]


class CardSupplyInline(admin.TabularInline):
    model = CardSupply
    extra = 0


@admin.register(CardLevel)
class CardLevelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "level", "trigger"]
    list_filter = ["level"]
    search_fields = ["plan__title"]
    autocomplete_fields = ["plan"]
    filter_horizontal = ["shelters", "teams"]
    inlines = [CardTaskInline, CardSupplyInline]


class EventLogInline(admin.TabularInline):
    model = EventLog
    extra = 0
    fields = ["at", "kind", "text", "user"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "org_unit", "level", "status", "is_exercise", "opened_at"]
    # has a warning / has an incident: a filter listing every warning would not scale
    list_filter = [
        "status",
        "level",
        "is_exercise",
        "origin",
        ("warning", admin.EmptyFieldListFilter),
        ("incident", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "org_unit__name", "plan__title"]
    list_select_related = ["org_unit"]
    # the links are checked by services.open_event (scope, status, area): not edited here
    readonly_fields = [
        "plan",
        "drill",
        "warning",
        "incident",
        "org_unit",
        "created_by",
        "updated_by",
    ]
    inlines = [FollowUpInline, EventLogInline]


@admin.register(ShelterOperation)
class ShelterOperationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shelter", "event", "occupancy", "capacity", "peak", "opened_at", "closed_at"]
    list_select_related = ["shelter", "event"]
    readonly_fields = ["event", "shelter", "opening", "occupancy", "peak"]


@admin.register(SupplyRequest)
class SupplyRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["item", "quantity", "unit", "event", "status", "requested_at", "received_at"]
    list_filter = ["status"]
    list_select_related = ["item", "unit", "event"]
    readonly_fields = ["event", "unit", "item", "site", "voucher", "status", "task"]
