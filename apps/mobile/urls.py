from django.urls import path

from . import views

app_name = "mobile"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("hazards/<int:pk>/", views.HazardView.as_view(), name="hazard"),
    path("hazards/<int:pk>/<slug:action>/", views.HazardStepView.as_view(), name="hazard_step"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
]
