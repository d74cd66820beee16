"""Pages of 预警叫应. Thin: every change goes through ``services``; what a user sees starts from
``visible_to``. The acknowledgement link is the one page open without logging in: the signed,
single-use token is the credential."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from apps.files.spreadsheets import ImportView, export_response
from apps.orgs.mixins import (
    EditorsOnlyMixin,
    ScopedEditMixin,
    ScopedMixin,
    ServiceFormMixin,
    apply_validation_error,
)
from apps.orgs.models import OrgUnit, user_can_edit
from apps.orgs.pdf import render_pdf
from apps.people.privacy import can_see_identifiers

from . import cap, selectors, services
from .forms import CancelForm, CapUploadForm, DutyHolderForm, WarningForm
from .models import Call, DutyHolder, Status, Warning
from .resources import CallResource, DutyHolderResource

# --- warnings ---------------------------------------------------------------------------------


class IssuersOnlyMixin(LoginRequiredMixin):
    """Drafting and importing: whoever may issue warnings at all (403 for the rest)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_issue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IssuerObjectMixin(ScopedMixin):
    """A warning the user sees (else 404) and may issue for (else 403)."""

    def get_object(self, queryset=None):
        warning = super().get_object(queryset)
        if not services.can_issue(self.request.user, warning.org_unit):
            raise PermissionDenied
        return warning


class WarningListView(ScopedMixin, ListView):
    model = Warning
    paginate_by = 50
    template_name = "warnings/warning_list.html"
    context_object_name = "warnings"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "warning_type")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_create": services.may_issue(self.request.user)
        }


class WarningFormMixin(ServiceFormMixin):
    model = Warning
    form_class = WarningForm
    template_name = "warnings/warning_form.html"
    supersedes = None

    def save(self, form):
        return services.save_warning(
            self.request.user,
            form.save(commit=False),
            areas=form.cleaned_data["areas"],
            supersedes=self.supersedes,
        )

    def success_message(self):
        return _("预警草稿已保存，请由另一位工作人员审核。")


class WarningCreateView(IssuersOnlyMixin, WarningFormMixin, CreateView):
    pass


class WarningEditView(IssuerObjectMixin, WarningFormMixin, UpdateView):
    def get_object(self, queryset=None):
        warning = super().get_object(queryset)
        if warning.status != Status.DRAFT:
            raise PermissionDenied(_("只有草稿状态的预警可以修改。"))
        return warning


class WarningUpdateView(IssuerObjectMixin, WarningFormMixin, CreateView):
    """更新 (CAP Update): a new draft, prefilled from a published warning, that supersedes it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.supersedes = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        old = self.supersedes
        return {
            "org_unit": old.org_unit_id,
            "warning_type": old.warning_type_id,
            "level": old.level,
            "source": old.source,
            "headline": old.headline,
            "text": old.text,
            "expires_at": timezone.localtime(old.expires_at),
            "areas": list(old.areas.values_list("pk", flat=True)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"supersedes": self.supersedes}


class WarningDetailView(ScopedMixin, DetailView):
    model = Warning
    template_name = "warnings/warning_detail.html"
    context_object_name = "warning"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "warning_type", "created_by", "approved_by", "published_by")
            .prefetch_related("areas")
        )

    def get_context_data(self, **kwargs):
        warning = self.object
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "can_edit": services.can_issue(self.request.user, warning.org_unit),
            "figures": selectors.figures(
                list(Call.objects.visible_to(self.request.user).filter(warning=warning))
            ),
            # what answers it (apps.incidents, apps.response), as far as the user sees
            "incidents": warning.incidents.visible_to(user).select_related("org_unit"),
            "response_events": warning.response_events.visible_to(user).select_related("org_unit"),
            "can_open_response": user_can_edit(user) and warning.status == Status.PUBLISHED,
        }


class WarningActionView(LoginRequiredMixin, View):
    """POST: approve or publish (``action`` comes from the URL pattern)."""

    ACTIONS = {
        "approve": (services.approve_warning, gettext_lazy("预警已审核，可以发布。")),
        "publish": (services.publish_warning, gettext_lazy("预警已发布，叫应已发出。")),
    }

    def post(self, request, pk, action):
        warning = get_object_or_404(Warning.objects.visible_to(request.user), pk=pk)
        if not services.can_issue(request.user, warning.org_unit):
            raise PermissionDenied
        perform, done = self.ACTIONS[action]
        try:
            perform(request.user, warning)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(warning)


class WarningCancelView(IssuerObjectMixin, SingleObjectMixin, FormView):
    model = Warning
    form_class = CancelForm
    template_name = "warnings/warning_cancel.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.cancel_warning(
                self.request.user, self.object, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("预警已解除，未确认的叫应已结束。"))
        return redirect(self.object)


# --- the board --------------------------------------------------------------------------------


class BoardView(ScopedMixin, DetailView):
    """叫应看板: the district and the street follow the answers; reviewers read."""

    model = Warning
    template_name = "warnings/board.html"
    context_object_name = "warning"

    def get_context_data(self, **kwargs):
        warning = self.object
        return (
            super().get_context_data(**kwargs)
            | selectors.board(warning, self.request.user)
            | {
                "can_confirm": user_can_edit(self.request.user)
                and warning.status == Status.PUBLISHED
            }
        )


class BoardDataView(ScopedMixin, View):
    """The board's JSON, polled by static/warnings/board.js."""

    def get(self, request, pk):
        warning = get_object_or_404(Warning.objects.visible_to(request.user), pk=pk)
        return JsonResponse(selectors.board_json(warning, request.user))


class ChecklistConfirmView(LoginRequiredMixin, View):
    """POST ``unit`` (id) and ``item``: a called unit confirms one 到岗 item."""

    def post(self, request, pk):
        warning = get_object_or_404(Warning.objects.visible_to(request.user), pk=pk)
        if not user_can_edit(request.user):
            raise PermissionDenied
        unit_id = request.POST.get("unit", "")
        unit = (
            OrgUnit.objects.visible_to(request.user).filter(pk=unit_id).first()
            if unit_id.isdigit()
            else None
        )
        if unit is None:
            messages.error(request, _("请选择要确认的单位。"))
        else:
            try:
                services.confirm_checklist_item(
                    request.user, warning, unit=unit, item=request.POST.get("item", "")
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已确认。"))
        return redirect("warnings:board", pk=warning.pk)


# --- 叫应记录 -----------------------------------------------------------------------------------


class RecordExportView(ScopedMixin, View):
    def get(self, request, pk):
        warning = get_object_or_404(Warning.objects.visible_to(request.user), pk=pk)
        resource = CallResource(reveal=can_see_identifiers(request.user))
        return export_response(
            resource, selectors.visible_calls(warning, request.user), _("叫应记录")
        )


class RecordPdfView(ScopedMixin, View):
    def get(self, request, pk):
        warning = get_object_or_404(
            Warning.objects.visible_to(request.user).select_related("org_unit", "warning_type"),
            pk=pk,
        )
        now = timezone.localtime()
        context = selectors.board(warning, request.user) | {
            "warning": warning,
            "printed_at": now,
            # what the shared PDF page frame prints in its header
            "report": {"title": _("预警叫应记录"), "org_unit": warning.org_unit, "created_at": now},
        }
        response = HttpResponse(
            render_pdf("warnings/record_pdf.html", context), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{_('叫应记录')}-{warning.pk}.pdf"
        )
        return response


# --- CAP import -------------------------------------------------------------------------------


class CapImportView(IssuersOnlyMixin, FormView):
    form_class = CapUploadForm
    template_name = "warnings/cap_import.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > cap.MAX_BYTES:
            form.add_error("file", _("CAP 文件过大（上限 512 KB）。"))
            return self.form_invalid(form)
        try:
            warning = cap.import_cap(
                self.request.user, upload.read(), issuer=form.cleaned_data["issuer"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("CAP 预警已导入。"))
        return redirect(warning)


# --- 责任人 -----------------------------------------------------------------------------------


class HolderListView(ScopedMixin, ListView):
    model = DutyHolder
    paginate_by = 100
    template_name = "warnings/holder_list.html"
    context_object_name = "holders"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit", "user")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "can_create": user_can_edit(self.request.user),
            "reveal": can_see_identifiers(self.request.user),
        }


class HolderFormMixin:
    model = DutyHolder
    form_class = DutyHolderForm
    template_name = "warnings/holder_form.html"
    success_url = reverse_lazy("warnings:holders")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            services.save_holder(self.request.user, form.save(commit=False))
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("责任人已保存。"))
        return redirect(self.success_url)


class HolderCreateView(EditorsOnlyMixin, HolderFormMixin, CreateView):
    pass


class HolderEditView(ScopedEditMixin, HolderFormMixin, UpdateView):
    pass


class HolderImportView(ImportView):
    resource_class = DutyHolderResource
    title = gettext_lazy("导入责任人")
    help_text = gettext_lazy(
        "每行一名责任人：所属单位编码、职责（如“防汛责任人”）、AB岗（A岗或B岗）、姓名、手机号。"
        "同一单位同一职责同一岗位已有的责任人将被更新。"
    )
    success_url = reverse_lazy("warnings:holders")


class HolderExportView(ScopedMixin, View):
    def get(self, request):
        queryset = DutyHolder.objects.visible_to(request.user).select_related("org_unit")
        return export_response(DutyHolderResource(user=request.user), queryset, _("责任人"))


# --- 叫应 on the phone and by link ------------------------------------------------------------


class MyCallsView(LoginRequiredMixin, ListView):
    """我的叫应: the calls of the logged-in person, open first (a phone page)."""

    frontline = True
    template_name = "warnings/my_calls.html"
    context_object_name = "calls"

    def get_queryset(self):
        return (
            Call.objects.filter(user=self.request.user)
            .select_related("warning__warning_type", "warning__org_unit", "org_unit")
            .order_by("-status", "-called_at")[:50]
        )


class AcknowledgeView(LoginRequiredMixin, View):
    """POST: 确认收到 on the phone page."""

    frontline = True

    def post(self, request, pk):
        call = get_object_or_404(Call.objects.filter(user=request.user), pk=pk)
        try:
            services.acknowledge_call(request.user, call)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已确认收到，谢谢。"))
        return redirect("warnings:my_calls")


class AckLinkView(View):
    """The signed link of an SMS, e-mail or in-app notice: shows the warning and one button;
    the POST acknowledges, with no log-in. A GET changes nothing (link previews of messaging
    apps open links by themselves)."""

    frontline = True
    template_name = "warnings/ack_link.html"

    def get(self, request, token):
        try:
            call, _channel = services.call_for_token(token)
        except ValidationError as exc:
            return render(request, self.template_name, {"errors": exc.messages}, status=400)
        return render(request, self.template_name, {"call": call, "warning": call.warning})

    def post(self, request, token):
        try:
            call = services.acknowledge_by_link(token, user=request.user)
        except ValidationError as exc:
            return render(request, self.template_name, {"errors": exc.messages}, status=400)
        return render(
            request,
            self.template_name,
            {"call": call, "warning": call.warning, "done": True},
        )
