"""The residents' pages without log-in (``/public/``): a community's questionnaire and an
activity's sign-in, each reached from its QR code."""

from django.urls import path

from .views import public

app_name = "residents"

urlpatterns = [
    path("survey/<str:token>/", public.SurveyAnswerView.as_view(), name="survey"),
    path("sign-in/<str:token>/", public.SignInView.as_view(), name="sign_in"),
]
