"""The residents' pages, without log-in, reached from a QR code: answering a community's
questionnaire, and signing in at a 科普/宣传/培训 activity.

One answer (one sign-in) per phone: after posting, the phone gets a signed cookie for that
survey or activity (``ONCE_SALT``), and a phone that has it is thanked instead of asked again.
Clearing cookies gets round that, so each address may also post only
``PUBLIC_POSTS_PER_ADDRESS_HOUR`` times an hour: the count is kept in the cache under a keyed
hash of the address (``over_limit``), which expires and is never written to the database. No
personal data is asked for or kept: an answer is the five answers and the day.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.views import View

from .. import records
from ..forms import SurveyAnswerForm
from ..models import Activity, Survey

ONCE_SALT = "applications.public.once"
ONCE_MAX_AGE = 400 * 24 * 3600  # a questionnaire round lasts less than that
RATE_WINDOW = 3600


def over_limit(request, scope):
    """Count one more post from the request's address under ``scope``; True once past
    ``PUBLIC_POSTS_PER_ADDRESS_HOUR`` within the hour."""
    address = getattr(request, "client_ip", None) or request.META.get("REMOTE_ADDR", "")
    digest = salted_hmac("applications.public.rate", f"{scope}|{address}").hexdigest()[:32]
    key = f"public-rate:{digest}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > settings.PUBLIC_POSTS_PER_ADDRESS_HOUR


class OncePerPhoneView(View):
    """A public page whose POST counts once per phone (see the module docstring)."""

    frontline = True  # public: whoever is logged in, the front line too
    template_name = ""
    scope = ""

    def get_object(self, token):
        raise NotImplementedError

    def cookie_name(self):
        return f"{self.scope}-{self.object.pk}"

    def already(self, request):
        return (
            request.get_signed_cookie(
                self.cookie_name(), default=None, salt=ONCE_SALT, max_age=ONCE_MAX_AGE
            )
            is not None
        )

    def remember(self, request, response):
        response.set_signed_cookie(
            self.cookie_name(),
            "1",
            salt=ONCE_SALT,
            max_age=ONCE_MAX_AGE,
            path=request.path,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object(kwargs["token"])
        if self.object is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, status=200, **context):
        return render(
            request,
            self.template_name,
            {"object": self.object, **self.context(), **context},
            status=status,
        )

    def context(self):
        return {}


class SurveyAnswerView(OncePerPhoneView):
    template_name = "applications/public_survey.html"
    scope = "survey"

    def get_object(self, token):
        return Survey.objects.select_related("org_unit__parent").filter(token=token).first()

    def get(self, request, token):
        if self.already(request):
            return self.page(request, done=True)
        return self.page(request, form=SurveyAnswerForm())

    def post(self, request, token):
        if self.already(request):
            return self.page(request, done=True)
        form = SurveyAnswerForm(request.POST)
        if not form.is_valid():
            return self.page(request, status=400, form=form)
        if over_limit(request, f"survey:{self.object.pk}"):
            return self.page(request, status=429, form=form, limited=True)
        try:
            records.record_response(self.object, **form.cleaned_data)
        except ValidationError as exc:
            return self.page(request, status=400, form=form, error=" ".join(exc.messages))
        return self.remember(request, self.page(request, done=True, thanks=True))


class SignInView(OncePerPhoneView):
    template_name = "applications/public_sign_in.html"
    scope = "sign-in"

    def get_object(self, token):
        return Activity.objects.select_related("org_unit").filter(token=token).first()

    def get(self, request, token):
        return self.page(request, done=self.already(request))

    def post(self, request, token):
        if self.already(request):
            return self.page(request, done=True)
        if over_limit(request, f"sign-in:{self.object.pk}"):
            return self.page(request, status=429, limited=True)
        try:
            records.sign_in(self.object)
        except ValidationError as exc:
            return self.page(request, status=400, error=" ".join(exc.messages))
        response = self.page(request, done=True, thanks=True)
        return self.remember(request, response)
