"""Admin for the org tree and users. A password an admin sets (a new account's, or a reset)
is known to the admin: the user must change it at the next log-in (``must_change_password``,
enforced by ``apps.security.passwords``)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
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


class ResetPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password" form: the user must change the new password at log-in."""

    def save(self, commit=True):
        if self.cleaned_data.get("set_usable_password", True):
            self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = ResetPasswordForm
    list_display = ["username", "get_full_name", "org_unit", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "must_change_password", "org_unit__kind"]
    search_fields = ["username", "first_name", "last_name", "email", "org_unit__name"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    fieldsets = (
        *BaseUserAdmin.fieldsets[:1],  # type: ignore[index]
        (_("单位与角色"), {"fields": ("org_unit", "role")}),
        (_("密码"), {"fields": ("must_change_password",)}),
        *BaseUserAdmin.fieldsets[1:],  # type: ignore[index]
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

    def save_model(self, request, obj, form, change):
        if not change and obj.has_usable_password():
            obj.must_change_password = True  # created with a password the admin chose
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(org_unit__in=OrgUnit.objects.visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            kwargs["queryset"] = OrgUnit.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
