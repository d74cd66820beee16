from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import Drill, DrillFile, DrillPlan, FollowUpAction


class AttributedAdminMixin(ScopedAdminMixin):
    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DrillPlan)
class DrillPlanAdmin(AttributedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "year", "org_unit", "department"]
    list_filter = ["year"]
    search_fields = ["title", "department", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    extra = 0
    fields = ["problem", "action", "owner", "due_date", "done", "done_at"]


class DrillFileInline(admin.TabularInline):
    model = DrillFile
    extra = 0
    fields = ["kind", "original_name", "size"]
    readonly_fields = ["kind", "original_name", "size"]
    can_delete = False


@admin.register(Drill)
class DrillAdmin(AttributedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "date", "org_unit", "form", "theme", "status", "participants"]
    list_filter = ["status", "form", "theme"]
    search_fields = ["title", "place", "organiser", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit", "annual_plan", "plans"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    date_hierarchy = "date"
    inlines = [FollowUpActionInline, DrillFileInline]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["problem", "drill", "owner", "due_date", "done"]
    list_filter = ["done"]
    search_fields = ["problem", "owner", "drill__title"]
    autocomplete_fields = ["drill"]
    list_select_related = ["drill"]
    readonly_fields = ["created_by", "updated_by"]


@admin.register(DrillFile)
class DrillFileAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "kind", "drill", "size", "created_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "drill__title"]
    autocomplete_fields = ["drill"]
    list_select_related = ["drill"]
    readonly_fields = ["created_by"]
