from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import LogEntry, Roster, RotationMember, Shift, SwapRequest


class RotationMemberInline(admin.TabularInline):
    model = RotationMember
    extra = 0
    fields = ["is_leader", "position", "user"]
    autocomplete_fields = ["user"]


@admin.register(Roster)
class RosterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "org_unit", "shift_start", "shift_hours", "officers_per_shift"]
    search_fields = ["name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [RotationMemberInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class LogEntryInline(admin.TabularInline):
    model = LogEntry
    extra = 0
    fields = ["at", "kind", "caller", "content", "action", "created_by"]
    readonly_fields = ["created_by"]


@admin.register(Shift)
class ShiftAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["roster", "starts_at", "ends_at", "leader", "reinforced", "signed_in_at"]
    list_filter = ["reinforced"]
    search_fields = ["roster__name", "roster__org_unit__name"]
    autocomplete_fields = ["leader", "officers"]
    list_select_related = ["roster__org_unit", "leader"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "roster",
        "signed_in_at",
        "signed_in_by",
        "handed_over_at",
        "handed_over_by",
        "acknowledged_at",
        "acknowledged_by",
        "updated_by",
    ]
    inlines = [LogEntryInline]


@admin.register(SwapRequest)
class SwapRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shift", "requester", "replacement", "status", "decided_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["shift__roster__org_unit", "requester", "replacement", "decided_by"]
    readonly_fields = [
        "shift",
        "other_shift",
        "requester",
        "replacement",
        "status",
        "decided_by",
        "decided_at",
    ]
