"""Pages of the org app: the org unit pages (with their grid figures), the front line's
accounts (账号管理) and grids (网格), kept by street staff for their communities. Scoping as
everywhere: another street's account or grid is a 404, a read-only role gets 403 on changes
(``apps.orgs.services``)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from apps.people.privacy import can_see_identifiers

from . import services
from .forms import (
    AccountEditForm,
    AccountFilterForm,
    AccountForm,
    BulkAccountsForm,
    GridForm,
    OrgUnitForm,
)
from .mixins import (
    EditorsOnlyMixin,
    RecordActionView,
    ScopedEditMixin,
    ScopedMixin,
    apply_validation_error,
)
from .models import Grid, OrgKind, OrgUnit, Role, can_edit_unit, rollup, user_can_edit
from .selectors import accounts_visible_to, grid_figures, grids_visible_to


def children_with_figures(unit):
    """The unit's direct children with the number of communities and 小区 below each."""
    children = list(unit.children.order_by("code"))
    figures = rollup(
        OrgUnit.objects.filter(kind__in=[OrgKind.COMMUNITY, OrgKind.ESTATE]),
        children,
        path="path",
        community_count=Count("pk", filter=Q(kind=OrgKind.COMMUNITY)),
        estate_count=Count("pk", filter=Q(kind=OrgKind.ESTATE)),
        community_population=Sum("population", filter=Q(kind=OrgKind.COMMUNITY)),
    )
    for child in children:
        for name, value in figures[child.pk].items():
            setattr(child, name, value)
    return children


def unit_context(user, unit):
    """Context shared by the home page and the org unit page."""
    top = user.org_unit
    breadcrumbs = []
    if top is not None:
        breadcrumbs = [a for a in unit.ancestors() if a.path.startswith(top.path)]
    grids = None
    if unit.kind in (OrgKind.STREET, OrgKind.COMMUNITY):
        grids = grid_figures([unit])[unit.pk]
    return {
        "unit": unit,
        "breadcrumbs": breadcrumbs,
        "children": children_with_figures(unit),
        "can_edit": can_edit_unit(user, unit),
        "grids": grids,
    }


class OrgUnitDetailView(ScopedMixin, DetailView):
    model = OrgUnit
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "unit"
    template_name = "orgs/orgunit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(unit_context(self.request.user, self.object))
        return context


class OrgUnitUpdateView(ScopedEditMixin, UpdateView):
    """Street staff keep the resident population of their units up to date; the name is an
    admin's (``OrgUnitForm``)."""

    model = OrgUnit
    form_class = OrgUnitForm
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "unit"
    template_name = "orgs/orgunit_form.html"

    def get_owning_unit(self, obj):
        return obj

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        messages.success(self.request, _("已保存“%(name)s”。") % {"name": form.instance.name})
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("orgs:detail", args=[self.object.code])


# --- Front-line accounts --------------------------------------------------------------------


def show_passwords(request, accounts, *, back_url):
    """The page that shows new temporary passwords, once: they are not stored anywhere the
    portal could show them again."""
    return render(
        request,
        "orgs/account_passwords.html",
        {"accounts": accounts, "back_url": back_url},
    )


class AccountListView(LoginRequiredMixin, ListView):
    """账号管理: the front-line accounts of the user's communities."""

    template_name = "orgs/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = AccountFilterForm(self.request.GET or None)
        return self.filter_form.filter(accounts_visible_to(self.request.user)).order_by(
            "org_unit__path", "username"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "filter_form": self.filter_form,
            "can_create": user_can_edit(self.request.user),
            "show_identifiers": can_see_identifiers(self.request.user),
        }


class AccountCreateView(EditorsOnlyMixin, FormView):
    form_class = AccountForm
    template_name = "orgs/account_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        grid = self.request.GET.get("grid", "")
        return {"role": Role.GRID_WORKER, "grid": grid} if grid.isdigit() else {}

    def form_valid(self, form):
        try:
            created = services.create_account(self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        return show_passwords(self.request, [created], back_url=reverse("orgs:accounts"))


class AccountMixin(LoginRequiredMixin):
    """One front-line account: 404 outside the user's scope; the service answers 403 to
    read-only roles."""

    def get_account(self):
        return get_object_or_404(accounts_visible_to(self.request.user), pk=self.kwargs["pk"])


class AccountEditView(AccountMixin, FormView):
    form_class = AccountEditForm
    template_name = "orgs/account_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.account = self.get_account()
        if not can_edit_unit(request.user, self.account.org_unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        a = self.account
        return {
            "last_name": a.get_full_name(),
            "mobile": a.mobile,
            "role": a.role,
            "org_unit": a.org_unit_id,
            "grid": a.grid_id,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"account": self.account}

    def form_valid(self, form):
        try:
            services.update_account(self.request.user, self.account, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存账号“%(name)s”。") % {"name": self.account})
        return redirect("orgs:accounts")


class AccountActiveView(AccountMixin, View):
    """POST ``active=1`` (启用) or ``active=0`` (停用)."""

    def post(self, request, pk):
        active = request.POST.get("active") == "1"
        account = services.set_account_active(request.user, self.get_account(), active=active)
        if active:
            text = _("已启用账号“%(name)s”。")
        else:
            text = _("已停用账号“%(name)s”：该用户不能再登录。")
        messages.success(request, text % {"name": account.username})
        back = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("orgs:accounts")
        return redirect(back)


class AccountResetView(AccountMixin, View):
    """POST: a new temporary password, shown once."""

    def post(self, request, pk):
        account = self.get_account()
        password = services.reset_account_password(request.user, account)
        return show_passwords(request, [(account, password)], back_url=reverse("orgs:accounts"))


# --- Grids --------------------------------------------------------------------------------


class GridListView(LoginRequiredMixin, ListView):
    template_name = "orgs/grid_list.html"
    context_object_name = "grids"
    paginate_by = 50

    def get_queryset(self):
        return grids_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_create": user_can_edit(self.request.user)}


class GridFormMixin:
    form_class = GridForm
    template_name = "orgs/grid_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            grid = services.save_grid(
                self.request.user, form.instance, estates=form.cleaned_data["estates"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存网格“%(name)s”。") % {"name": grid})
        return redirect("orgs:grid_detail", pk=grid.pk)


class GridCreateView(EditorsOnlyMixin, GridFormMixin, CreateView):  # type: ignore[misc]
    model = Grid


class GridUpdateView(ScopedEditMixin, GridFormMixin, UpdateView):  # type: ignore[misc]
    model = Grid

    def get_owning_unit(self, obj):
        return obj.community


class GridDetailView(ScopedMixin, DetailView):
    model = Grid
    template_name = "orgs/grid_detail.html"
    context_object_name = "grid"

    def get_queryset(self):
        return grids_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_edit": can_edit_unit(self.request.user, self.object.community),
            "bulk_form": BulkAccountsForm(),
            "show_identifiers": can_see_identifiers(self.request.user),
        }


class GridWorkersView(RecordActionView):
    """批量开通: grid worker accounts for the grid, one per line (name, mobile number)."""

    model = Grid
    form_class = BulkAccountsForm
    template_name = "orgs/grid_workers.html"
    context_object_name = "grid"

    def get_owning_unit(self, obj):
        return obj.community

    def get_queryset(self):
        return Grid.objects.visible_to(self.request.user).select_related("community")

    def form_valid(self, form):
        rows = [
            {
                "username": mobile,
                "last_name": name,
                "mobile": mobile,
                "role": Role.GRID_WORKER,
                "grid": self.object,
            }
            for name, mobile in form.cleaned_data["lines"]
        ]
        try:
            created = services.create_accounts(self.request.user, rows)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        back = reverse("orgs:grid_detail", args=[self.object.pk])
        return show_passwords(self.request, created, back_url=back)
