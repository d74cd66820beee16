from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path("shelters/", public.PublicSheltersView.as_view(), name="shelters"),
    path("shelters/data/", public.PublicSheltersDataView.as_view(), name="shelters_data"),
    path("check-in/<str:token>/", public.SelfCheckInView.as_view(), name="check_in"),
]
