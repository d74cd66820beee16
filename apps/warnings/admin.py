from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.orgs.admin import ScopedAdminMixin
from apps.orgs.models import OrgUnit, User

from . import services
from .models import Call, CapFeed, DutyHolder, Warning, WarningType


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


class HttpsURLField(forms.URLField):
    """An address typed without a scheme is taken as https (Django 6's default, said now)."""

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class CapFeedForm(forms.ModelForm):
    class Meta:
        model = CapFeed
        fields = ["name", "url", "org_unit", "imported_as", "is_active"]
        field_classes = {"url": HttpsURLField}

    def clean(self):
        """The feed's account must be able to issue for its unit now, as an upload by it
        would be checked (the poll checks again: permissions change)."""
        data = super().clean()
        unit, user = data.get("org_unit"), data.get("imported_as")
        if unit is not None and unit.kind not in services.ISSUING_KINDS:
            self.add_error("org_unit", _("预警由区或街镇发布，请选择区或街镇。"))
        elif unit is not None and user is not None and not services.can_issue(user, unit):
            self.add_error(
                "imported_as",
                _("该账号不能以%(unit)s名义发布预警，请选择该单位有发布权限的账号。")
                % {"unit": unit.name},
            )
        return data


@admin.register(CapFeed)
class CapFeedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Add an intranet CAP address here; beat polls the active ones (``feeds``)."""

    form = CapFeedForm
    list_display = ["name", "org_unit", "url", "is_active", "last_polled_at", "last_status"]
    list_filter = ["is_active", "last_status"]
    search_fields = ["name", "url", "org_unit__name"]
    autocomplete_fields = ["org_unit", "imported_as"]
    list_select_related = ["org_unit"]
    readonly_fields = ["last_polled_at", "last_status", "last_error"]
    actions = ["poll_now"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        units = OrgUnit.objects.visible_to(request.user)
        if db_field.name == "org_unit":
            kwargs["queryset"] = units
        elif db_field.name == "imported_as":
            kwargs["queryset"] = User.objects.filter(is_active=True, org_unit__in=units)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("立即获取所选订阅"))
    def poll_now(self, request, queryset):
        from .tasks import poll_cap_feeds

        poll_cap_feeds.delay_on_commit(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            gettext("已开始获取，结果见“最近获取结果”和“最近错误”（请稍后刷新）。"),
            messages.SUCCESS,
        )
