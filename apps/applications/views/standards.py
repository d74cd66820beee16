"""The scoring standards, for everyone who files or reviews an application: each version with
its basic conditions (gates) apart from its scored items, the record that proves each item, and
whether its text is the portal's reconstruction. Admins load a new version from a spreadsheet
(``apps.applications.resources.StandardResource`` through ``apps.files``)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from apps.files.spreadsheets import ImportView
from apps.orgs.models import Role

from ..models import Aspect, Item, Standard
from ..resources import StandardResource


def may_import_standards(user):
    return bool(user.is_superuser or (user.role == Role.ADMIN and user.is_active))


class StandardListView(LoginRequiredMixin, ListView):
    model = Standard
    template_name = "applications/standard_list.html"
    context_object_name = "standards"

    def get_queryset(self):
        return Standard.objects.annotate(
            condition_count=Count("conditions", distinct=True),
            item_count=Count("aspects__items", distinct=True),
        ).order_by("-is_active", "-year", "code")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nav="standards", can_import=may_import_standards(self.request.user), **kwargs
        )


class StandardDetailView(LoginRequiredMixin, DetailView):
    model = Standard
    template_name = "applications/standard_detail.html"
    context_object_name = "standard"
    slug_field = slug_url_kwarg = "code"

    def get_queryset(self):
        return Standard.objects.prefetch_related(
            "conditions",
            Prefetch(
                "aspects",
                queryset=Aspect.objects.order_by("order").prefetch_related(
                    Prefetch("items", queryset=Item.objects.order_by("order"))
                ),
            ),
        )

    def get_context_data(self, **kwargs):
        aspects = list(self.object.aspects.all())
        items = [item for aspect in aspects for item in aspect.items.all()]
        return super().get_context_data(
            nav="standards",
            aspects=aspects,
            proved=sum(1 for item in items if item.proof),
            item_count=len(items),
            **kwargs,
        )


class StandardImportView(ImportView):
    """A new version of a standard from a spreadsheet: admins only."""

    resource_class = StandardResource
    title = gettext_lazy("导入评审标准（新版本）")
    help_text = gettext_lazy(
        "一个文件导入一个评审标准：每行为一条基本条件或一个评分项。标准编码须为新编码；"
        "导入后的标准为停用状态，请在管理后台核对后启用。已有申报使用的标准不会被修改。"
    )
    success_url = reverse_lazy("applications:standards")

    def may_import(self, user):
        return may_import_standards(user)
