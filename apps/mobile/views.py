"""The phone pages (/m/): 我的任务, 隐患上报 in three steps (sent at once or, offline, queued
in the browser and sent later with its idempotency key), a hazard's page with the steps the
front line may take (整改), and what makes the pages installable and usable offline (the
service worker and the web app manifest).

Every view here is open to the front line (``frontline = True``); what it shows is scoped by
``visible_to`` and what it changes goes through the hazards' services, which decide who may.
"""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from apps.hazards import services as hazard_services
from apps.hazards.models import Hazard, HazardAction, HazardEvent, HazardState
from apps.orgs.mixins import ScopedMixin, apply_validation_error
from apps.orgs.models import user_can_edit

from .forms import PhoneReportForm, StepForm
from .services import submit_hazard_report
from .tasks import collect_tasks

# The steps of the loop taken on the phone: those delegated to the community.
PHONE_STEPS = (HazardAction.START, HazardAction.COMPLETE)


class HomeView(LoginRequiredMixin, TemplateView):
    """我的任务: the front line's start page."""

    frontline = True
    template_name = "mobile/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tasks=collect_tasks(self.request.user), **kwargs)


class ReportView(LoginRequiredMixin, FormView):
    """隐患上报. The page's script posts the form itself (answered in JSON), from the offline
    queue too; without the script the form posts as usual and lands on the hazard."""

    frontline = True
    form_class = PhoneReportForm
    template_name = "mobile/report.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.is_frontline or user_can_edit(user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # the one page that asks for the phone's position (the portal's default denies it)
        response["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
        return response

    def _wants_json(self):
        return "application/json" in self.request.headers.get("Accept", "")

    def form_valid(self, form):
        try:
            hazard, created = submit_hazard_report(
                self.request.user, key=form.cleaned_data["key"], **form.report()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        url = reverse("mobile:hazard", args=[hazard.pk])
        if self._wants_json():
            return JsonResponse(
                {"hazard": hazard.pk, "title": hazard.title, "url": url, "created": created},
                status=201 if created else 200,
            )
        messages.success(self.request, _("隐患已上报。"))
        return redirect(url)

    def form_invalid(self, form):
        if self._wants_json():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return super().form_invalid(form)


class HazardView(ScopedMixin, DetailView):
    """A hazard on the phone: where it stands, its photos, and the steps the user may take."""

    frontline = True
    model = Hazard
    template_name = "mobile/hazard.html"
    context_object_name = "hazard"

    def get_queryset(self):
        events = HazardEvent.objects.select_related("actor").prefetch_related("photos")
        return (
            super()
            .get_queryset()
            .select_related("org_unit", "category")
            .prefetch_related(Prefetch("events", queryset=events))
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        steps = [
            t for t in hazard_services.allowed_actions(user, self.object) if t.action in PHONE_STEPS
        ]
        return super().get_context_data(
            steps=steps,
            form=StepForm(),
            state_label=HazardState(self.object.state).label,
            desk=not user.is_frontline,
            **kwargs,
        )


class HazardStepView(LoginRequiredMixin, View):
    """POST: 开始整改 or 整改完成 (with the after-photos) from the phone."""

    frontline = True

    def post(self, request, pk, action):
        if action not in PHONE_STEPS:
            raise Http404
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        form = StepForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            hazard_services.transition_hazard(
                request.user,
                hazard,
                action,
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("已完成“%(action)s”。") % {"action": HazardAction(action).label}
            )
        return redirect("mobile:hazard", pk=hazard.pk)


def shell_urls():
    """What the service worker keeps for offline use: the pages and their static files."""
    return [
        reverse("mobile:home"),
        reverse("mobile:report"),
        static("vendor/bootstrap/bootstrap.min.css"),
        static("css/portal.css"),
        static("mobile/mobile.css"),
        static("mobile/outbox.js"),
        static("mobile/report.js"),
        static("mobile/icon-192.png"),
    ]


class ServiceWorkerView(View):
    """The service worker, served from /m/ so that it controls the phone pages (a worker only
    controls pages under its own path)."""

    frontline = True

    def get(self, request):
        shell = shell_urls()
        response = render(
            request,
            "mobile/sw.js",
            {
                "shell_json": json.dumps(shell),
                # new static file names (a deployment) make a new cache and drop the old one
                "version": hashlib.sha256(json.dumps(shell).encode()).hexdigest()[:12],
                "offline_url": reverse("mobile:home"),
            },
            content_type="text/javascript",
        )
        response["Cache-Control"] = "no-cache"
        return response


class ManifestView(View):
    """The web app manifest: the phone pages install as an app starting at 我的任务."""

    frontline = True

    def get(self, request):
        home = reverse("mobile:home")
        manifest = {
            "name": _("社区韧性工作平台"),
            "short_name": _("社区韧性"),
            "lang": "zh-CN",
            "start_url": home,
            "scope": home,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b4f8a",
            "icons": [
                {
                    "src": static(f"mobile/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ],
        }
        response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = "application/manifest+json"
        return response
