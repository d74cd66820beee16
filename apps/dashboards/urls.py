from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("unit/<slug:code>/", views.UnitDashboardView.as_view(), name="unit"),
    path("api/facts/<slug:code>.json", views.FactsView.as_view(), name="facts"),
    path("api/streets/<slug:code>.json", views.StreetsView.as_view(), name="streets"),
    path("api/trend/<slug:code>.json", views.TrendView.as_view(), name="trend"),
    path("api/map/<slug:code>.json", views.MapView.as_view(), name="map"),
]
