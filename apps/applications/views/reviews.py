"""Review beyond the desk: the 现场核查 / 动态管理抽查 form a reviewer fills on a tablet, an
inspection's record with its photos, and the year's 抽查 of awarded communities. An application
outside the user's scope is a 404; someone who may not inspect it a 403; a wrong state sends
back to the application with the reason."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from apps.files.uploads import download_response
from apps.orgs.mixins import apply_validation_error

from .. import inspections, services
from ..forms import InspectionForm
from ..models import Application, Inspection, InspectionKind, InspectionPhoto


class InspectView(LoginRequiredMixin, FormView):
    form_class = InspectionForm
    template_name = "applications/inspection_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kwargs["kind"] not in InspectionKind.values:
            raise Http404
        self.kind = kwargs["kind"]
        self.application = get_object_or_404(
            Application.objects.visible_to(request.user).select_related(
                "org_unit__parent", "standard"
            ),
            pk=kwargs["pk"],
        )
        if not inspections.may_inspect(request.user, self.application, self.kind):
            raise PermissionDenied
        try:
            inspections.check_state(self.application, self.kind, timezone.localdate().year)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.application)
        return super().dispatch(request, *args, **kwargs)

    def get_card(self):
        if not hasattr(self, "_card"):
            self._card = services.scorecard(
                self.application, facts=services.facts_for(self.application)
            )
        return self._card

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"card": self.get_card()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            application=self.application,
            card=self.get_card(),
            kind_label=InspectionKind(self.kind).label,
            writes_scores=self.kind == InspectionKind.SITE,
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            inspection = inspections.record_inspection(
                self.request.user,
                self.application,
                kind=self.kind,
                checked_on=data["checked_on"],
                checkers=data["checkers"],
                findings=data["findings"],
                scores=form.scores(),
                photos=data.get("photos") or [],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已记录%(kind)s，核查得分 %(score)s 分。")
            % {"kind": inspection.get_kind_display(), "score": inspection.score or "—"},
        )
        return redirect(inspection)


class InspectionDetailView(LoginRequiredMixin, DetailView):
    template_name = "applications/inspection_detail.html"
    context_object_name = "inspection"

    def get_queryset(self):
        return Inspection.objects.visible_to(self.request.user).select_related(
            "application__org_unit", "application__standard", "created_by"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            scores=self.object.scores.select_related("item__aspect"),
            photos=self.object.photos.all(),
            **kwargs,
        )


class InspectionPhotoView(LoginRequiredMixin, View):
    def get(self, request, pk):
        photo = get_object_or_404(InspectionPhoto.objects.visible_to(request.user), pk=pk)
        return download_response(photo.image, photo.original_name)


class SpotCheckListView(LoginRequiredMixin, TemplateView):
    """动态管理: the awarded communities due for this year's 抽查 (``?year=``), done or not."""

    template_name = "applications/spot_checks.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year") or today.year)
        except ValueError:
            year = today.year
        year = min(max(year, 2000), 2100)
        user = self.request.user
        due = list(inspections.spot_checks_due(Application.objects.visible_to(user), year))
        for app in due:
            app.may_check = year == today.year and inspections.may_inspect(
                user, app, InspectionKind.SPOT
            )
        return super().get_context_data(
            year=year,
            due=due,
            previous_year=year - 1,
            next_year=year + 1,
            nav="spot_checks",
            **kwargs,
        )
