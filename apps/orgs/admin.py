from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, User


class ScopedAdminMixin:
    """Admin changelists go through the same scoping rule as the portal's pages: an admin
    account tied to a district sees that district only; superusers see everything."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "code", "parent", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["parent"]
    ordering = ["path"]
    list_per_page = 50


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "org_unit", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "org_unit__kind"]
    search_fields = ["username", "first_name", "last_name", "email", "org_unit__name"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    fieldsets = (
        *BaseUserAdmin.fieldsets[:1],
        (_("单位与角色"), {"fields": ("org_unit", "role")}),
        *BaseUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "org_unit", "role", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(org_unit__in=OrgUnit.objects.visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            kwargs["queryset"] = OrgUnit.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
