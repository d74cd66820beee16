from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from apps.files.uploads import download_response
from apps.orgs.mixins import ScopedEditMixin, ScopedMixin, apply_validation_error
from apps.orgs.models import Role, user_can_edit

from .. import services
from ..forms import ApplicationForm, FilterForm, ReviewForm, SelfAssessmentForm, TransitionForm
from ..models import TRANSITIONS, Application, Aspect, Evidence, State

# The applicant sees the district's scores once the district has decided.
SCORES_SHOWN = {
    State.RETURNED,
    State.APPROVED,
    State.REJECTED,
    State.AWARDED,
    State.CITY_FAILED,
    State.REVOKED,
}


def _is_reviewer_role(user):
    return user.is_superuser or user.role in (Role.DISTRICT_REVIEWER, Role.ADMIN)


class ApplicationListView(ScopedMixin, ListView):
    """The applications the user may see. For district reviewers this is the review queue:
    with no filter chosen it shows the applications waiting for the district's review."""

    model = Application
    paginate_by = 50
    template_name = "applications/application_list.html"
    context_object_name = "applications"
    queue = False

    def get_queryset(self):
        params = self.request.GET.copy()
        if self.queue and "state" not in params:
            params["state"] = FilterForm.WAITING
        self.filter_form = FilterForm(params, user=self.request.user)
        queryset = super().get_queryset().select_related("org_unit__parent", "standard")
        queryset = services.with_totals(self.filter_form.filter(queryset))
        if self.queue:
            return queryset.order_by("submitted_at", "pk")
        return queryset.order_by("-year", "org_unit__path", "title", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for app in context["applications"]:
            app.waiting_days = (
                services.waiting_days(app)
                if app.state in (State.SUBMITTED, State.IN_REVIEW)
                else None
            )
            app.passed = services.result_of(
                app.score_total, app.scored_count, app.item_count, app.standard.pass_mark
            )
        context.update(
            filter_form=self.filter_form,
            can_create=user_can_edit(user) and services.applicant_units(user).exists(),
            is_reviewer=_is_reviewer_role(user),
            queue=self.queue,
        )
        return context


class ApplicationCreateView(LoginRequiredMixin, CreateView):
    model = Application
    form_class = ApplicationForm
    template_name = "applications/application_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            user_can_edit(request.user) and services.applicant_units(request.user).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        values = {k: v for k, v in data.items() if k not in ("org_unit", "standard")}
        try:
            self.object = services.create_application(
                self.request.user, org_unit=data["org_unit"], standard=data["standard"], **values
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建申报草稿，请逐项填写自评。"))
        return redirect(self.object)


class ApplicationQuerysetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("org_unit__parent", "standard")


class ApplicationDetailView(ApplicationQuerysetMixin, ScopedMixin, DetailView):
    model = Application
    template_name = "applications/application_detail.html"
    context_object_name = "application"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app, user = self.object, self.request.user
        facts = services.facts_for(app)
        card = services.scorecard(app, facts=facts)
        can_edit = app.is_editable and services.is_applicant(user, app)
        context.update(
            card=card,
            inspections=app.inspections.order_by("-checked_on", "-pk"),
            can_inspect=app.state == State.IN_REVIEW and services.is_reviewer(user, app),
            can_rereview=app.state == State.AWARDED and services.is_city_admin(user, app),
            conditions=services.conditions_of(app, facts),
            # 还差多少分: for the applicant's draft
            show_gap=app.is_editable,
            actions=services.allowed_actions(user, app),
            can_edit=can_edit,
            can_review=app.state == State.IN_REVIEW and services.is_reviewer(user, app),
            events=app.events.select_related("actor"),
            waiting_days=services.waiting_days(app)
            if app.state in (State.SUBMITTED, State.IN_REVIEW)
            else None,
            show_scores=services.is_reviewer(user, app) or app.state in SCORES_SHOWN,
        )
        return context


class ApplicantEditMixin(ApplicationQuerysetMixin, ScopedEditMixin, SingleObjectMixin):
    """Applicant pages: 404 outside scope, 403 read-only roles, and only while the application
    is a draft or returned (a submitted application is read-only)."""

    model = Application

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.application = self.get_object()
        if not self.application.is_editable:
            messages.error(request, _("申报已提交，不能再修改。"))
            return redirect(self.application)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"application": self.application}


class ApplicationUpdateView(ApplicantEditMixin, FormView):
    form_class = ApplicationForm
    template_name = "applications/application_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "instance": self.object}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.update_application(self.request.user, self.application, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存申报信息。"))
        return redirect(self.application)


class AspectAssessView(ApplicantEditMixin, FormView):
    """Fill the self-assessment of one aspect: claimed points, explanation, evidence."""

    form_class = SelfAssessmentForm
    template_name = "applications/aspect_form.html"

    def get_aspects(self):
        if not hasattr(self, "_aspects"):
            self._aspects = list(
                Aspect.objects.filter(standard_id=self.application.standard_id).order_by("order")
            )
        return self._aspects

    def get_block(self):
        if not hasattr(self, "_block"):
            card = services.scorecard(self.application, facts=services.facts_for(self.application))
            block = next(
                (b for b in card["aspects"] if b["aspect"].pk == self.kwargs["aspect"]), None
            )
            if block is None:
                raise Http404
            self._block = block
        return self._block

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"rows": self.get_block()["rows"]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        aspects = self.get_aspects()
        block = self.get_block()
        index = next(i for i, a in enumerate(aspects) if a.pk == block["aspect"].pk)
        context.update(
            part=block,
            aspects=aspects,
            next_aspect=aspects[index + 1] if index + 1 < len(aspects) else None,
            previous_aspect=aspects[index - 1] if index > 0 else None,
        )
        return context

    def form_valid(self, form):
        aspect = self.get_block()["aspect"]
        try:
            services.save_self_assessment(
                self.request.user, self.application, aspect, form.entries(), form.uploads()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存“%(aspect)s”的自评。") % {"aspect": aspect.name})
        if self.request.POST.get("next"):
            target = next(
                (a for a in self.get_aspects() if str(a.pk) == self.request.POST["next"]), None
            )
            if target:
                return redirect("applications:aspect", pk=self.application.pk, aspect=target.pk)
        return redirect(f"{self.application.get_absolute_url()}#aspect-{aspect.pk}")


class EvidenceDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
        return download_response(evidence.file, evidence.original_name)


class EvidenceDeleteView(LoginRequiredMixin, View):
    def post(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.visible_to(request.user).select_related("application__org_unit"),
            pk=pk,
        )
        try:
            services.delete_evidence(request.user, evidence)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除佐证材料“%(name)s”。") % {"name": evidence})
        return redirect(
            "applications:aspect", pk=evidence.application_id, aspect=evidence.item.aspect_id
        )


class ReviewerMixin(ApplicationQuerysetMixin, ScopedMixin):
    """Reviewer pages: 404 outside scope (a reviewer of another district), 403 for anyone who
    is not a reviewer of the applicant's district."""

    model = Application

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.application = self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not services.is_reviewer(request.user, self.application):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReviewView(ReviewerMixin, FormView):
    """Score every item and comment on every aspect (the application must be 区级审核中)."""

    form_class = ReviewForm
    template_name = "applications/review_form.html"

    def get(self, request, *args, **kwargs):
        return self._refuse() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refuse() or super().post(request, *args, **kwargs)

    def _refuse(self):
        if self.application.state != State.IN_REVIEW:
            messages.error(
                self.request,
                _("申报当前状态为“%(state)s”，不能评分。")
                % {"state": self.application.get_state_display()},
            )
            return redirect(self.application)
        return None

    def get_card(self):
        if not hasattr(self, "_card"):
            self._card = services.scorecard(
                self.application, facts=services.facts_for(self.application)
            )
        return self._card

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"card": self.get_card()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            application=self.application,
            card=self.get_card(),
            actions=services.allowed_actions(self.request.user, self.application),
        )
        return context

    def form_valid(self, form):
        try:
            services.save_review(
                self.request.user,
                self.application,
                scores=form.scores(),
                comments=form.comments(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        figures = services.totals(self.application)
        messages.success(
            self.request,
            _(
                "已保存评分：已评 %(scored)d/%(items)d 项，"
                "合计 %(score)s 分（通过分数线 %(mark)s 分）。"
            )
            % {
                "scored": figures["scored"],
                "items": figures["items"],
                "score": figures["score"],
                "mark": figures["pass_mark"],
            },
        )
        return redirect("applications:review", pk=self.application.pk)


class TransitionView(ApplicationQuerysetMixin, ScopedMixin, FormView):
    """One step of the workflow; the form's fields come from ``TRANSITIONS``. Outside scope
    404; a role or side that may not take this step 403; a wrong state a message."""

    model = Application
    form_class = TransitionForm
    template_name = "applications/transition_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.transition = TRANSITIONS.get(kwargs["action"])
        if self.transition is None:
            raise Http404
        self.application = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        try:
            services.check_transition(request.user, self.application, self.transition.action)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.application)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"transition": self.transition}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            application=self.application,
            transition=self.transition,
            target_label=State(self.transition.target).label,
            totals=services.totals(self.application),
        )
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            services.transition_application(
                self.request.user,
                self.application,
                self.transition.action,
                comment=data.pop("comment", ""),
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已完成“%(action)s”，申报状态为“%(state)s”。")
            % {
                "action": self.transition.action.label,
                "state": State(self.transition.target).label,
            },
        )
        return redirect(self.application)


class CompareView(LoginRequiredMixin, TemplateView):
    """The district's applications side by side (aspect scores, totals, result)."""

    template_name = "applications/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = FilterForm(self.request.GET or None, user=user)
        queryset = form.filter(Application.objects.visible_to(user).exclude(state=State.DRAFT))
        context.update(services.comparison(queryset))
        context["filter_form"] = form
        context["is_reviewer"] = _is_reviewer_role(user)
        return context
