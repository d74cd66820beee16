"""The public pages of a response, without log-in: the open shelters of a district with their
remaining capacity (no personal data: names, addresses of people, counts by group are never
shown), and the self check-in page an arriving person reaches from the shelter's QR code. The
check-in link is signed per opened shelter and dies when the shelter closes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.orgs.mixins import apply_validation_error
from apps.orgs.models import OrgKind, OrgUnit

from . import selectors, services
from .forms import PersonForm


def _district(request):
    code = request.GET.get("district", "")
    return OrgUnit.objects.filter(kind=OrgKind.DISTRICT, code=code).first() if code else None


class PublicSheltersView(TemplateView):
    frontline = True  # public: whoever is logged in, the front line too
    template_name = "response/public_shelters.html"

    def get_context_data(self, **kwargs):
        district = _district(self.request)
        data_url = ""
        if district is not None:
            data_url = f"{reverse('public:shelters_data')}?district={district.code}"
        return super().get_context_data(
            districts=OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("code"),
            district=district,
            operations=selectors.open_shelters(district) if district else [],
            data_url=data_url,
            **kwargs,
        )


class PublicSheltersDataView(View):
    """The open shelters of a district as map points: name, address, remaining capacity."""

    frontline = True

    def get(self, request):
        district = _district(request)
        operations = selectors.open_shelters(district) if district else []
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(o.shelter.longitude), float(o.shelter.latitude)],
                },
                "properties": {
                    "status": "open" if o.remaining else "full",
                    "title": o.shelter.name,
                    "lines": [
                        o.shelter.address,
                        _("剩余 %(n)s 个位置（上限 %(cap)s）")
                        % {"n": o.remaining, "cap": o.capacity},
                    ],
                },
            }
            for o in operations
            if o.shelter.latitude is not None and o.shelter.longitude is not None
        ]
        legend = [
            {"value": "open", "label": _("可入住"), "color": "#198754"},
            {"value": "full", "label": _("已满"), "color": "#d7263d"},
        ]
        return JsonResponse(
            {"type": "FeatureCollection", "legend": legend, "features": features},
            json_dumps_params={"ensure_ascii": False},
        )


class SelfCheckInView(FormView):
    """扫码自助登记: name, phone and household size only."""

    frontline = True
    form_class = PersonForm
    template_name = "response/self_check_in.html"

    def dispatch(self, request, *args, **kwargs):
        self.operation = services.operation_for_token(kwargs["token"])
        if self.operation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(operation=self.operation, **kwargs)

    def form_valid(self, form):
        try:
            services.check_in(None, self.operation, self_registered=True, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("登记成功，欢迎来到%(shelter)s。请听从现场工作人员安排。")
            % {"shelter": self.operation.shelter.name},
        )
        return redirect("public:check_in", token=self.kwargs["token"])
