from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import OrgKind, OrgUnit

from .models import (
    CheckKind,
    CheckResult,
    Item,
    Lot,
    MovementKind,
    Site,
    SiteLevel,
    StorageMode,
    category_order,
    usable_lots,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SiteFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    level = forms.ChoiceField(
        label=_("层级"), required=False, choices=[("", _("全部层级")), *SiteLevel.choices]
    )
    mode = forms.ChoiceField(
        label=_("储备方式"), required=False, choices=[("", _("全部方式")), *StorageMode.choices]
    )


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "name",
            "code",
            "org_unit",
            "level",
            "mode",
            "partner",
            "partner_contact",
            "partner_phone",
            "contract_end",
            "address",
            "latitude",
            "longitude",
            "area",
            "keeper",
            "keeper_phone",
            "check_interval_days",
            "next_check_date",
            "is_active",
            "note",
        ]
        widgets = {
            "contract_end": DATE,
            "next_check_date": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.editable_by(user).filter(
            kind__in=[OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY]
        )
        self.fields["code"].required = False

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_category_display()} · {obj.name}（{obj.unit}）"


class LotSelect(forms.Select):
    """Each lot's option carries its item (``data-item``), so the page lists only the lots of
    the item chosen (static/supplies/lot_filter.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-item"] = instance.item_id
        return option


class LotChoiceField(forms.ModelChoiceField):
    widget = LotSelect

    def label_from_instance(self, obj):
        expiry = obj.expiry_date.isoformat() if obj.expiry_date else _("无有效期")
        return f"{obj.item.name} · {obj.lot_no} · {expiry} · {obj.quantity}{obj.item.unit}"


class ReceiveForm(forms.Form):
    item = ItemChoiceField(
        label=_("物资"),
        queryset=Item.objects.filter(is_active=True).order_by(category_order(), "code"),
    )
    quantity = forms.IntegerField(label=_("入库数量"), min_value=1)
    expiry_date = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    lot_no = forms.CharField(
        label=_("批次号"),
        required=False,
        max_length=40,
        help_text=_("留空时按有效期自动编号；同一批次号会合并到原批次。"),
    )
    note = forms.CharField(label=_("来源/说明"), required=False, max_length=200)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site


class _TakeForm(forms.Form):
    """Forms that take stock out of a site: the item, and optionally one lot (FEFO otherwise).
    Only lots that may leave are offered: in stock and, but for 报损, not expired."""

    allow_expired = False

    item = ItemChoiceField(label=_("物资"), queryset=Item.objects.none())
    lot = LotChoiceField(
        label=_("批次"),
        queryset=Lot.objects.none(),
        required=False,
        empty_label=_("自动（先到期先出）"),
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        in_stock = Lot.objects.filter(site=site, quantity__gt=0)
        if not self.allow_expired:
            in_stock = in_stock.filter(usable_lots())
        self.fields["item"].queryset = Item.objects.filter(pk__in=in_stock.values("item")).order_by(
            "category", "code"
        )
        self.fields["lot"].queryset = in_stock.select_related("item").order_by(
            category_order("item__category"), "item__code", "expiry_date", "pk"
        )

    def clean(self):
        cleaned = super().clean()
        lot, item = cleaned.get("lot"), cleaned.get("item")
        if lot and item and lot.item_id != item.pk:
            self.add_error("lot", _("所选批次不是该物资的批次。"))
        return cleaned


class DispatchForm(_TakeForm):
    recipient = forms.CharField(label=_("领用单位/人"), max_length=100)
    purpose = forms.CharField(label=_("用途"), max_length=200)


class TransferForm(_TakeForm):
    destination = forms.ModelChoiceField(label=_("调入储备点"), queryset=Site.objects.none())
    note = forms.CharField(label=_("调拨说明"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = (
            Site.objects.editable_by(user)
            .filter(is_active=True)
            .exclude(pk=self.site.pk)
            .select_related("org_unit")
            .order_by("org_unit__path", "name")
        )


class WriteOffForm(_TakeForm):
    allow_expired = True  # 报损 is what expired lots are for
    reason = forms.CharField(label=_("报损原因"), max_length=200)


class AdjustForm(forms.Form):
    lot = LotChoiceField(label=_("批次"), queryset=Lot.objects.none())
    counted = forms.IntegerField(label=_("实盘数量"), min_value=0)
    note = forms.CharField(label=_("调整说明"), max_length=200)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["lot"].queryset = (
            Lot.objects.filter(site=site)
            .select_related("item")
            .order_by(category_order("item__category"), "item__code", "expiry_date", "pk")
        )


class StandardForm(forms.Form):
    item = ItemChoiceField(
        label=_("物资"),
        queryset=Item.objects.filter(is_active=True).order_by(category_order(), "code"),
    )
    minimum = forms.IntegerField(
        label=_("最低储备数量"), min_value=0, help_text=_("填 0 表示取消该物资的配置标准。")
    )


class AgreementTermForm(forms.Form):
    item = ItemChoiceField(
        label=_("物资"),
        queryset=Item.objects.filter(is_active=True).order_by(category_order(), "code"),
    )
    quantity = forms.IntegerField(
        label=_("协议数量"), min_value=0, help_text=_("填 0 表示删除该物资的协议条款。")
    )
    promised_hours = forms.IntegerField(
        label=_("承诺送达时限（小时）"),
        min_value=1,
        max_value=168,
        required=False,
        help_text=_("接到调用通知后多少小时内送达。"),
    )


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("检查类型"), choices=CheckKind.choices)
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE, initial=timezone.localdate)
    checker = forms.CharField(label=_("检查人"), max_length=50)
    result = forms.ChoiceField(label=_("检查结果"), choices=CheckResult.choices)
    findings = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_check_date = forms.DateField(
        label=_("下次检查日期"),
        required=False,
        widget=DATE,
        help_text=_("留空时按检查周期自动计算。"),
    )


class MovementFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *MovementKind.choices]
    )
    site = forms.ModelChoiceField(
        label=_("储备点"), required=False, queryset=Site.objects.none(), empty_label=_("全部储备点")
    )
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # hundreds of sites for a district: the template renders them with select_options
        self.fields["site"].queryset = (
            Site.objects.visible_to(user).only("pk", "name").order_by("org_unit__path", "name")
        )
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
