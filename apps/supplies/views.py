import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import EditorsOnlyMixin, ScopedEditMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import Role, can_edit_unit, user_can_edit

from . import services
from .forms import (
    AdjustForm,
    AgreementTermForm,
    CheckForm,
    DispatchForm,
    MovementFilterForm,
    ReceiveForm,
    SiteFilterForm,
    SiteForm,
    StandardForm,
    TransferForm,
    WriteOffForm,
)
from .models import AgreementTerm, Item, Lot, Movement, Site, StorageMode, category_order
from .resources import (
    ItemResource,
    LotImportResource,
    MovementExportResource,
    SiteResource,
    StockExportResource,
)

# Rows per card of the overview (a district has thousands of expiring lots); the 库存 export
# has them all.
OVERVIEW_ROWS = 50


# --- sites ----------------------------------------------------------------------------------


class SiteListView(ScopedMixin, ListView):
    """储备库/点 list with the figures of each site."""

    model = Site
    paginate_by = 50
    template_name = "supplies/site_list.html"
    context_object_name = "sites"

    def get_queryset(self):
        qs = super().get_queryset().select_related("org_unit")
        self.filter_form = SiteFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                qs = qs.filter(
                    Q(name__icontains=data["q"])
                    | Q(code__icontains=data["q"])
                    | Q(address__icontains=data["q"])
                    | Q(org_unit__name__icontains=data["q"])
                    | Q(partner__icontains=data["q"])
                )
            if data["level"]:
                qs = qs.filter(level=data["level"])
            if data["mode"]:
                qs = qs.filter(mode=data["mode"])
        return services.sites_with_figures(qs).order_by("org_unit__path", "level", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["can_create"] = user_can_edit(self.request.user)
        return context


class SiteDetailView(ScopedMixin, DetailView):
    model = Site
    template_name = "supplies/site_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.object
        one = Site.objects.filter(pk=site.pk)
        today = timezone.localdate()
        lots = list(
            Lot.objects.filter(site=site, quantity__gt=0)
            .select_related("item")
            .order_by(category_order("item__category"), "item__code", "expiry_date", "pk")
        )
        standards = list(services.standards_with_stock(one, today=today))
        expiring = list(services.expiring_lots(one, 90, today=today))
        context.update(
            today=today,
            can_edit=can_edit_unit(self.request.user, site.org_unit),
            stock=list(services.stock_by_item(site)),
            lots=lots,
            standards=standards,
            shortfalls=[s for s in standards if s.shortfall > 0],
            expiring=expiring,
            expired=[lot for lot in expiring if lot.expired],
            expiring_30=[lot for lot in expiring if not lot.expired and lot.days_left <= 30],
            expiring_90=[lot for lot in expiring if not lot.expired],
            movements=list(
                Movement.objects.filter(site=site)
                .select_related("item", "lot", "counterpart_site", "created_by")
                .order_by("-occurred_at", "-pk")[:20]
            ),
            checks=list(site.sitecheck_set.select_related("created_by")[:10]),
            terms=list(site.agreementterm_set.select_related("item"))
            if site.mode == StorageMode.AGREEMENT
            else [],
        )
        return context


class SiteCreateView(EditorsOnlyMixin, CreateView):
    model = Site
    form_class = SiteForm
    template_name = "supplies/site_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        unit = self.request.user.org_unit
        return {"org_unit": unit, "level": "street" if unit else None}

    def form_valid(self, form):
        try:
            self.object = services.save_site(self.request.user, form.instance)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已添加储备点“%(name)s”。") % {"name": self.object.name})
        return redirect(self.object)


class SiteUpdateView(ScopedEditMixin, UpdateView):
    model = Site
    form_class = SiteForm
    template_name = "supplies/site_form.html"
    context_object_name = "site"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            self.object = services.save_site(self.request.user, form.instance)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存“%(name)s”。") % {"name": self.object.name})
        return redirect(self.object)


# --- actions on a site: movements, standards, checks -----------------------------------------


class SiteActionView(ScopedEditMixin, SingleObjectMixin, FormView):
    """A form about one site the user may change (404 outside scope, 403 read-only).
    Subclasses implement ``perform(form)`` by calling a service."""

    model = Site
    context_object_name = "site"
    template_name = "supplies/site_action.html"
    title = ""
    intro = ""
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "site": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, intro=self.intro, **kwargs)

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(form, result))
        return redirect(self.get_success_url())

    def get_success_message(self, form, result):
        return self.success_message

    def get_success_url(self):
        return self.object.get_absolute_url()


def _voucher_message(label, movements):
    total = sum(abs(m.quantity_change) for m in movements if m.quantity_change < 0) or sum(
        m.quantity_change for m in movements
    )
    first = movements[0]
    return _("%(label)s成功：%(item)s %(n)s%(unit)s，单据号 %(voucher)s。") % {
        "label": label,
        "item": first.item.name,
        "n": total,
        "unit": first.item.unit,
        "voucher": first.voucher,
    }


class ReceiveView(SiteActionView):
    form_class = ReceiveForm
    title = gettext_lazy("入库")

    def perform(self, form):
        d = form.cleaned_data
        return services.receive(
            self.request.user,
            self.object,
            d["item"],
            d["quantity"],
            lot_no=d["lot_no"],
            expiry_date=d["expiry_date"],
            note=d["note"],
        )

    def get_success_message(self, form, result):
        return _voucher_message(_("入库"), result)


class DispatchView(SiteActionView):
    form_class = DispatchForm
    title = gettext_lazy("出库")
    intro = gettext_lazy("不选批次时按“先到期先出”自动从多个批次出库；已过期批次不能出库。")

    def perform(self, form):
        d = form.cleaned_data
        return services.dispatch(
            self.request.user,
            self.object,
            d["item"],
            d["quantity"],
            recipient=d["recipient"],
            purpose=d["purpose"],
            lot=d["lot"],
        )

    def get_success_message(self, form, result):
        return _voucher_message(_("出库"), result)


class TransferView(SiteActionView):
    form_class = TransferForm
    title = gettext_lazy("调拨")
    intro = gettext_lazy("调出与调入在同一事务中完成：要么两边都记账，要么都不变。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        d = form.cleaned_data
        return services.transfer(
            self.request.user,
            self.object,
            d["destination"],
            d["item"],
            d["quantity"],
            lot=d["lot"],
            note=d["note"],
        )

    def get_success_message(self, form, result):
        return _voucher_message(_("调拨"), result)


class WriteOffView(SiteActionView):
    form_class = WriteOffForm
    title = gettext_lazy("报损")
    intro = gettext_lazy("不选批次时按“先到期先出”报损，已过期批次优先。")

    def perform(self, form):
        d = form.cleaned_data
        return services.write_off(
            self.request.user,
            self.object,
            d["item"],
            d["quantity"],
            reason=d["reason"],
            lot=d["lot"],
        )

    def get_success_message(self, form, result):
        return _voucher_message(_("报损"), result)


class AdjustView(SiteActionView):
    form_class = AdjustForm
    title = gettext_lazy("盘点调整")
    intro = gettext_lazy("填写实盘数量，系统按与账面数量的差额记一笔盘点调整。")

    def get_initial(self):
        lot = self.request.GET.get("lot")
        return {"lot": lot} if lot and lot.isdigit() else {}

    def perform(self, form):
        d = form.cleaned_data
        return services.adjust(self.request.user, d["lot"], d["counted"], note=d["note"])

    def get_success_message(self, form, result):
        m = result[0]
        return _("已按实盘调整：%(item)s 批次 %(lot)s 变动 %(n)+d，单据号 %(voucher)s。") % {
            "item": m.item.name,
            "lot": m.lot.lot_no,
            "n": m.quantity_change,
            "voucher": m.voucher,
        }


class StandardView(SiteActionView):
    form_class = StandardForm
    title = gettext_lazy("配置标准")
    template_name = "supplies/standard_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("site")
        return kwargs

    def get_initial(self):
        item = self.request.GET.get("item")
        return {"item": item} if item and item.isdigit() else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["standards"] = services.standards_with_stock(Site.objects.filter(pk=self.object.pk))
        return context

    def perform(self, form):
        d = form.cleaned_data
        return services.set_standard(self.request.user, self.object, d["item"], d["minimum"])

    def get_success_message(self, form, result):
        return _("已保存配置标准。")

    def get_success_url(self):
        return reverse("supplies:standards", args=[self.object.pk])


class AgreementTermView(SiteActionView):
    """协议条款 of an agreement reserve, set one item at a time as the configuration standards
    are (0 removes one)."""

    form_class = AgreementTermForm
    title = gettext_lazy("协议条款")
    template_name = "supplies/term_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("site")
        return kwargs

    def get_initial(self):
        item = self.request.GET.get("item")
        if not (item and item.isdigit()):
            return {}
        term = AgreementTerm.objects.filter(site=self.object, item_id=item).first()
        if term is None:
            return {"item": item}
        return {"item": item, "quantity": term.quantity, "promised_hours": term.promised_hours}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_agreement"] = self.object.mode == StorageMode.AGREEMENT
        context["terms"] = self.object.agreementterm_set.select_related("item")
        return context

    def perform(self, form):
        d = form.cleaned_data
        return services.set_agreement_term(
            self.request.user,
            self.object,
            d["item"],
            quantity=d["quantity"],
            promised_hours=d["promised_hours"],
        )

    def get_success_message(self, form, result):
        return _("已保存协议条款。") if result else _("已删除该物资的协议条款。")

    def get_success_url(self):
        return reverse("supplies:terms", args=[self.object.pk])


class CheckCreateView(SiteActionView):
    form_class = CheckForm
    title = gettext_lazy("登记日常维护/盘点")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("site")
        return kwargs

    def perform(self, form):
        return services.record_check(self.request.user, self.object, **form.cleaned_data)

    def get_success_message(self, form, result):
        return _("已登记检查，下次检查日期：%(date)s。") % {"date": self.object.next_check_date}


# --- movements, overview -------------------------------------------------------------------


MOVEMENT_RELATIONS = ("site", "item", "lot", "counterpart_site", "created_by")


def filtered_movements(request):
    """The movements the user sees, filtered as the form says, newest first, without their
    related rows (the list prefetches them for its page, the export joins them)."""
    # The user's sites as ``site IN (…)`` and no joins: PostgreSQL can then take the newest
    # movements of those sites and stop at a page, instead of joining every movement of a
    # district before sorting them (a district's list on the city data set: 348 → 60 ms).
    qs = Movement.objects.filter(site__in=Site.objects.visible_to(request.user)).order_by(
        "-occurred_at", "-pk"
    )
    form = MovementFilterForm(request.GET or None, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(
                Q(voucher__icontains=d["q"])
                | Q(item__name__icontains=d["q"])
                | Q(recipient__icontains=d["q"])
                | Q(purpose__icontains=d["q"])
            )
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["site"]:
            qs = qs.filter(site=d["site"])
        if d["date_from"]:
            qs = qs.filter(occurred_at__date__gte=d["date_from"])
        if d["date_to"]:
            qs = qs.filter(occurred_at__date__lte=d["date_to"])
    return form, qs


class MovementListView(LoginRequiredMixin, ListView):
    template_name = "supplies/movement_list.html"
    context_object_name = "movements"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form, qs = filtered_movements(self.request)
        return qs.prefetch_related(*MOVEMENT_RELATIONS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


class OverviewView(LoginRequiredMixin, ListView):
    """Across every site the user sees: stock per item against the standards, the shortfalls
    and the lots expiring within 30/90 days."""

    template_name = "supplies/overview.html"
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self):
        self.sites = Site.objects.visible_to(self.request.user)
        return services.item_totals(self.sites)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        shortfall_count, shortfalls = services.shortfall_summary(self.sites, OVERVIEW_ROWS)
        expiring = services.expiring_lots(self.sites, 90, today=today)
        # expired lots are listed (to be written off) but not counted as "expiring"
        expiring_counts = expiring.aggregate(
            within_30=Count(
                "pk",
                filter=Q(
                    expiry_date__gte=today, expiry_date__lte=today + datetime.timedelta(days=30)
                ),
            ),
            within_90=Count("pk", filter=Q(expiry_date__gte=today)),
            expired=Count("pk", filter=Q(expiry_date__lt=today)),
        )
        context.update(
            today=today,
            site_count=self.sites.count(),
            shortfalls=shortfalls,
            shortfall_count=shortfall_count,
            expiring=list(expiring[:OVERVIEW_ROWS]),
            expiring_90_count=expiring_counts["within_90"],
            expiring_30_count=expiring_counts["within_30"],
            expired_count=expiring_counts["expired"],
            overdue_checks=list(
                self.sites.filter(is_active=True, next_check_date__lt=today).order_by(
                    "next_check_date"
                )[:OVERVIEW_ROWS]
            ),
            overview_rows=OVERVIEW_ROWS,
        )
        return context


# --- Excel ----------------------------------------------------------------------------------


class StockExportView(LoginRequiredMixin, View):
    """库存 export: every lot in stock the user sees, or one site's (``?site=<pk>``)."""

    def get(self, request):
        lots = Lot.objects.visible_to(request.user).filter(quantity__gt=0)
        stem = _("库存")
        site_id = request.GET.get("site")
        if site_id:
            site = get_object_or_404(
                Site.objects.visible_to(request.user), pk=site_id if site_id.isdigit() else 0
            )
            lots, stem = lots.filter(site=site), f"{stem}-{site.name}"
        lots = lots.select_related("site", "site__org_unit", "item").order_by(
            "site__org_unit__path",
            "site__name",
            category_order("item__category"),
            "item__code",
            "expiry_date",
        )
        return export_response(StockExportResource(user=request.user), lots, stem)


class MovementExportView(LoginRequiredMixin, View):
    """出入库记录 export with the same filters as the list."""

    def get(self, request):
        _form, qs = filtered_movements(request)
        qs = qs.select_related("site__org_unit", *MOVEMENT_RELATIONS)
        return export_response(MovementExportResource(user=request.user), qs, _("出入库记录"))


class SiteImportView(ImportView):
    resource_class = SiteResource
    title = gettext_lazy("导入储备库/点")
    success_url = reverse_lazy("supplies:list")


class StockImportView(ImportView):
    resource_class = LotImportResource
    title = gettext_lazy("导入库存批次")
    help_text = gettext_lazy(
        "每一行表示某储备点某批次当前的数量：新批次记为入库，已有批次数量不同则记为盘点调整；"
        "同一文件重复导入不会重复入库。"
    )
    success_url = reverse_lazy("supplies:overview")


class ItemImportView(ImportView):
    """The catalogue is reference data shared by every street: admins only."""

    resource_class = ItemResource
    title = gettext_lazy("导入物资目录")
    success_url = reverse_lazy("supplies:items")

    def may_import(self, user):
        return may_edit_catalogue(user)


def may_edit_catalogue(user):
    return bool(user.is_superuser or (user.role == Role.ADMIN and user.is_active))


class ItemListView(LoginRequiredMixin, ListView):
    """物资目录 (read-only here; admins edit it in Django admin or import it)."""

    template_name = "supplies/item_list.html"
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self):
        qs = Item.objects.order_by(category_order(), "code")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_import"] = may_edit_catalogue(self.request.user)
        context["q"] = self.request.GET.get("q", "")
        return context
