from django.contrib import admin

from apps.orgs.admin import ScopedAdminMixin

from .models import Item, Lot, Movement, Site, SiteCheck, Standard


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    """The catalogue: reference data, edited here by admins."""

    list_display = ["code", "name", "category", "spec", "unit", "expires", "shelf_life_months"]
    list_filter = ["category", "expires", "is_active"]
    search_fields = ["code", "name", "spec"]
    ordering = ["category", "code"]
    list_per_page = 50


class SiteOwnedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_select_related = ["site", "site__org_unit"]
    autocomplete_fields = ["site"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = Site.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Site)
class SiteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "org_unit", "level", "mode", "contract_end", "next_check_date"]
    list_filter = ["level", "mode", "is_active"]
    search_fields = ["name", "code", "address", "partner", "org_unit__name"]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["org_unit"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Lot)
class LotAdmin(SiteOwnedAdmin):
    """Quantities change only through movements (the portal's forms or imports)."""

    list_display = ["item", "lot_no", "site", "expiry_date", "quantity"]
    list_filter = ["item__category"]
    search_fields = ["lot_no", "item__name", "site__name", "site__code"]
    list_select_related = ["site", "site__org_unit", "item"]
    autocomplete_fields = ["site", "item"]
    readonly_fields = ["quantity", *SiteOwnedAdmin.readonly_fields]


@admin.register(Standard)
class StandardAdmin(SiteOwnedAdmin):
    list_display = ["site", "item", "minimum"]
    list_filter = ["item__category"]
    search_fields = ["site__name", "item__name"]
    list_select_related = ["site", "site__org_unit", "item"]
    autocomplete_fields = ["site", "item"]


@admin.register(Movement)
class MovementAdmin(SiteOwnedAdmin):
    """Movements are the ledger: read only here."""

    list_display = [
        "voucher",
        "occurred_at",
        "kind",
        "site",
        "item",
        "lot",
        "quantity_change",
        "balance_after",
        "created_by",
    ]
    list_filter = ["kind", "item__category"]
    search_fields = ["voucher", "item__name", "site__name", "recipient", "purpose"]
    list_select_related = ["site", "site__org_unit", "item", "lot", "created_by"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteCheck)
class SiteCheckAdmin(SiteOwnedAdmin):
    list_display = ["site", "kind", "checked_on", "checker", "result"]
    list_filter = ["kind", "result"]
    search_fields = ["site__name", "checker", "findings"]
