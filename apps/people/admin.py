from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.orgs.admin import ScopedAdminMixin

from . import services
from .models import (
    AccessLog,
    CertificateType,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    LeadershipGroup,
    LeadershipMember,
    OfficerTraining,
    TeamMember,
    TeamTraining,
    Visit,
    VulnerableResident,
)
from .privacy import mask_id_number, mask_phone


class StampedAdminMixin:
    """Changes made in admin are attributable too."""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is None:
                obj.created_by = request.user
            obj.updated_by = request.user
            obj.save()
        formset.save_m2m()


@admin.display(description=_("手机号码"))
def masked_phone(obj):
    return mask_phone(obj.phone)


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


class LeadershipMemberInline(admin.TabularInline):
    model = LeadershipMember
    extra = 0
    fields = ["post", "name", "title", "phone", "sort_order"]


@admin.register(LeadershipGroup)
class LeadershipGroupAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "org_unit", "established_on", "office_department"]
    search_fields = ["name", "org_unit__name", "org_unit__code"]
    list_filter = ["org_unit__kind"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [LeadershipMemberInline]


@admin.register(LeadershipMember)
class LeadershipMemberAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "post", "title", masked_phone, "group"]
    list_filter = ["post"]
    search_fields = ["name", "title", "group__name"]
    autocomplete_fields = ["group"]
    list_select_related = ["group"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ["name", "role", "phone", "skills", "note"]


class TeamTrainingInline(admin.TabularInline):
    model = TeamTraining
    extra = 0
    fields = ["held_on", "topic", "hours", "participants", "trainer"]


@admin.register(EmergencyTeam)
class EmergencyTeamAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "org_unit", "is_active", "founded_on"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [TeamMemberInline, TeamTrainingInline]


@admin.register(TeamMember)
class TeamMemberAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "role", masked_phone, "team", "skills"]
    list_filter = ["role", "team__kind", "certificates"]
    search_fields = ["name", "skills", "team__name"]
    autocomplete_fields = ["team"]
    filter_horizontal = ["certificates"]
    list_select_related = ["team"]


@admin.register(TeamTraining)
class TeamTrainingAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["held_on", "topic", "team", "participants", "hours"]
    search_fields = ["topic", "team__name"]
    autocomplete_fields = ["team"]
    list_select_related = ["team"]
    date_hierarchy = "held_on"


class OfficerTrainingInline(admin.TabularInline):
    model = OfficerTraining
    extra = 0
    fields = ["held_on", "topic", "organizer", "hours"]


@admin.register(InformationOfficer)
class InformationOfficerAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", masked_phone, "org_unit", "affiliation", "is_active"]
    list_filter = ["is_active", "org_unit__kind"]
    search_fields = ["name", "affiliation", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [OfficerTrainingInline]


@admin.register(OfficerTraining)
class OfficerTrainingAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["held_on", "topic", "officer", "organizer"]
    search_fields = ["topic", "officer__name"]
    autocomplete_fields = ["officer"]
    list_select_related = ["officer"]


class HelperInline(admin.TabularInline):
    model = HelperAssignment
    extra = 0
    fields = ["helper_name", "helper_phone", "relation", "started_on", "ended_on", "note"]


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    fields = ["visited_on", "occasion", "visitor", "findings", "follow_up"]


@admin.register(VulnerableResident)
class VulnerableResidentAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Lists show identifiers masked; opening a record is written to the access log."""

    list_display = ["name", "category", "org_unit", "masked_id_number", masked_phone, "is_active"]
    list_filter = ["category", "mobility", "is_active"]
    search_fields = ["name", "address", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    inlines = [HelperInline, VisitInline]

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            resident = self.get_queryset(request).filter(pk=object_id).first()
            if resident is not None and self.has_view_or_change_permission(request, resident):
                services.record_access(
                    request.user, [resident], action=AccessLog.Action.ADMIN_VIEW, request=request
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(HelperAssignment)
class HelperAssignmentAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["helper_name", "relation", "resident", "started_on", "ended_on"]
    list_filter = ["relation"]
    search_fields = ["helper_name", "resident__name"]
    autocomplete_fields = ["resident"]
    list_select_related = ["resident"]


@admin.register(Visit)
class VisitAdmin(StampedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["visited_on", "occasion", "resident", "visitor"]
    list_filter = ["occasion"]
    search_fields = ["visitor", "resident__name"]
    autocomplete_fields = ["resident"]
    list_select_related = ["resident"]
    date_hierarchy = "visited_on"


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read only: nobody adds, changes or deletes access-log rows."""

    list_display = ["at", "username", "action", "record_label", "org_unit", "ip"]
    list_filter = ["action", "at"]
    search_fields = ["username", "record_label", "ip", "org_unit__name"]
    list_select_related = ["org_unit"]
    date_hierarchy = "at"
    fields = [
        "at",
        "user",
        "username",
        "action",
        "resident",
        "record_label",
        "org_unit",
        "ip",
        "path",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
