from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import (
    Facility,
    Shelter,
    ShelterClass,
    ShelterInspection,
    ShelterOpening,
    ShelterType,
)


@admin.register(ShelterType, Facility)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


@admin.register(ShelterClass)
class ShelterClassAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]


class OpeningInline(admin.TabularInline):
    model = ShelterOpening
    extra = 0
    fields = ["opened_at", "reason", "closed_at", "people_sheltered"]


class InspectionInline(admin.TabularInline):
    model = ShelterInspection
    extra = 0
    fields = ["inspected_on", "inspector", "result", "findings", "next_inspection_date"]


@admin.register(Shelter)
class ShelterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "org_unit",
        "shelter_type",
        "shelter_class",
        "effective_area",
        "capacity",
        "status",
        "next_inspection_date",
    ]
    list_filter = ["status", "setting", "shelter_type", "shelter_class"]
    search_fields = ["name", "address", "managing_unit", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["org_unit"]
    filter_horizontal = ["facilities"]
    list_select_related = ["org_unit", "shelter_type", "shelter_class"]
    readonly_fields = [
        "next_inspection_date",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    inlines = [OpeningInline, InspectionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ShelterInspection)
class ShelterInspectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shelter", "inspected_on", "inspector", "result", "next_inspection_date"]
    list_filter = ["result"]
    search_fields = ["shelter__name", "inspector", "findings"]
    autocomplete_fields = ["shelter"]
    list_select_related = ["shelter"]
    readonly_fields = ["created_by"]


@admin.register(ShelterOpening)
class ShelterOpeningAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shelter", "opened_at", "closed_at", "reason", "people_sheltered"]
    search_fields = ["shelter__name", "reason"]
    autocomplete_fields = ["shelter"]
    list_select_related = ["shelter"]
    readonly_fields = ["opened_by", "closed_by"]
