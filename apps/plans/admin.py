from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import HazardType, Plan, PlanAttachment, PlanVersion


@admin.register(HazardType)
class HazardTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    extra = 0
    fields = ["number", "version_date", "change_summary", "is_current", "created_by"]
    readonly_fields = ["created_by"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "org_unit", "status", "effective_date", "next_review_date"]
    list_filter = ["kind", "status", "hazard_types"]
    search_fields = ["title", "department", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit", "parent"]
    filter_horizontal = ["hazard_types"]
    list_select_related = ["org_unit"]
    readonly_fields = ["next_review_date", "created_by", "created_at", "updated_by", "updated_at"]
    inlines = [PlanVersionInline]
    date_hierarchy = "next_review_date"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class PlanAttachmentInline(admin.TabularInline):
    model = PlanAttachment
    extra = 0
    fields = ["original_name", "size"]
    readonly_fields = ["original_name", "size"]
    can_delete = False


@admin.register(PlanVersion)
class PlanVersionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "number", "version_date", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["plan__title"]
    autocomplete_fields = ["plan"]
    list_select_related = ["plan"]
    readonly_fields = ["created_by"]
    inlines = [PlanAttachmentInline]
