from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.orgs.admin import ScopedAdminMixin

from . import services
from .models import (
    Application,
    ApplicationEvent,
    Aspect,
    AspectReview,
    Condition,
    Evidence,
    Item,
    ItemAssessment,
    Standard,
)

FROZEN_HELP = _("该评审标准已有申报使用，内容已冻结；如需修订，请使用“复制为新版本”。")


class FrozenStandardMixin:
    """A standard that an application uses is read-only here (except ``is_active``), and so
    are its aspects and items: old applications keep the criteria they were filed under."""

    def standard_of(self, obj):
        raise NotImplementedError

    def _frozen(self, obj):
        standard = self.standard_of(obj) if obj is not None else None
        return standard is not None and standard.is_used()

    def has_delete_permission(self, request, obj=None):
        if self._frozen(obj):
            return False
        return super().has_delete_permission(request, obj)


class FrozenInlineMixin:
    """An inline of a used standard's rows: read-only (see ``FrozenStandardMixin``)."""

    def _frozen(self, obj):
        return obj is not None and obj.is_used()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class ConditionInline(FrozenInlineMixin, admin.TabularInline):
    """基本条件: the gates checked at submission, apart from the scored items."""

    model = Condition
    extra = 0
    fields = ["order", "text", "rule", "threshold"]


class AspectInline(admin.TabularInline):
    model = Aspect
    extra = 0
    fields = ["order", "code", "name", "facts"]
    show_change_link = True

    def _frozen(self, obj):
        return obj is not None and obj.is_used()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Standard)
class StandardAdmin(FrozenStandardMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "title",
        "year",
        "total",
        "pass_mark",
        "is_active",
        "is_reconstruction",
        "in_use",
        "consistency",
    ]
    list_filter = ["is_active", "title", "is_reconstruction", "year"]
    search_fields = ["name", "code"]
    inlines = [ConditionInline, AspectInline]
    change_list_template = "admin/applications/standard/change_list.html"
    actions = ["copy_as_new_version"]

    def standard_of(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        if self._frozen(obj):
            return [
                "code",
                "name",
                "title",
                "year",
                "total",
                "pass_mark",
                "is_reconstruction",
                "source",
                "note",
            ]
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if self._frozen(obj):
            messages.info(request, FROZEN_HELP)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("已有申报"), boolean=True)
    def in_use(self, obj):
        return obj.is_used()

    @admin.display(description=_("检查"))
    def consistency(self, obj):
        return "；".join(services.standard_problems(obj)) or gettext("分值合计与总分一致")

    @admin.action(description=_("复制为新版本（停用状态，可修改）"))
    def copy_as_new_version(self, request, queryset):
        for standard in queryset:
            versions = Standard.objects.filter(code__startswith=standard.code).count()
            code = f"{standard.code}-v{versions + 1}"
            try:
                copy = services.copy_standard(standard, code=code)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("已复制为“%(code)s”，修改后请启用。") % {"code": copy.code},
                messages.SUCCESS,
            )


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["order", "text", "max_points", "evidence", "proof"]

    def _frozen(self, obj):
        return obj is not None and obj.standard.is_used()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Aspect)
class AspectAdmin(FrozenStandardMixin, admin.ModelAdmin):
    list_display = ["name", "standard", "order", "facts"]
    list_filter = ["standard", "facts"]
    search_fields = ["name", "code", "standard__name"]
    list_select_related = ["standard"]
    autocomplete_fields = ["standard"]
    inlines = [ItemInline]

    def standard_of(self, obj):
        return obj.standard

    def get_readonly_fields(self, request, obj=None):
        if self._frozen(obj):
            return ["standard", "code", "name", "order", "facts", "description"]
        return []


@admin.register(Item)
class ItemAdmin(FrozenStandardMixin, admin.ModelAdmin):
    list_display = ["__str__", "aspect", "max_points", "evidence", "proof"]
    list_filter = ["aspect__standard", "aspect__name", "proof"]
    search_fields = ["text", "evidence"]
    list_select_related = ["aspect__standard"]
    autocomplete_fields = ["aspect"]

    def standard_of(self, obj):
        return obj.aspect.standard

    def get_readonly_fields(self, request, obj=None):
        if self._frozen(obj):
            return ["aspect", "order", "text", "max_points", "evidence", "proof"]
        return []


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "org_unit",
        "title",
        "year",
        "state",
        "submitted_at",
        "rereview_date",
    ]
    list_filter = ["state", "title", "year", "standard"]
    search_fields = ["org_unit__name", "org_unit__code", "contact_name"]
    autocomplete_fields = ["org_unit", "standard"]
    list_select_related = ["org_unit", "standard"]
    readonly_fields = [
        "state",
        "submitted_at",
        "award_date",
        "valid_until",
        "rereview_date",
        "facts_snapshot",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    inlines = [EventInline]
    date_hierarchy = "submitted_at"

    def get_readonly_fields(self, request, obj=None):
        # An application keeps the standard it was filed under.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "standard"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ItemAssessment)
class ItemAssessmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["application", "item", "claimed_points", "score", "scored_by"]
    list_filter = ["application__state"]
    search_fields = ["application__org_unit__name", "item__text"]
    list_select_related = ["application__org_unit", "item__aspect", "scored_by"]
    autocomplete_fields = ["application", "item"]
    readonly_fields = ["scored_by", "scored_at"]


@admin.register(AspectReview)
class AspectReviewAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["application", "aspect", "reviewer", "updated_at"]
    search_fields = ["application__org_unit__name", "comment"]
    list_select_related = ["application__org_unit", "aspect", "reviewer"]
    autocomplete_fields = ["application", "aspect"]
    readonly_fields = ["reviewer"]


@admin.register(Evidence)
class EvidenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "application", "item", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "application__org_unit__name"]
    list_select_related = ["application__org_unit", "item__aspect", "uploaded_by"]
    autocomplete_fields = ["application", "item"]
    readonly_fields = ["uploaded_by", "size"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["application", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action", "to_state"]
    search_fields = ["application__org_unit__name", "comment"]
    list_select_related = ["application__org_unit", "actor"]
    autocomplete_fields = ["application"]
    readonly_fields = ["actor"]
