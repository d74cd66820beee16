from django.urls import path

from . import views

app_name = "files"

urlpatterns = [
    path("imports/<int:pk>/", views.ImportJobView.as_view(), name="import_job"),
    path(
        "imports/<int:pk>/confirm/",
        views.ImportJobActionView.as_view(),
        {"action": "confirm"},
        name="import_confirm",
    ),
    path(
        "imports/<int:pk>/retry/",
        views.ImportJobActionView.as_view(),
        {"action": "retry"},
        name="import_retry",
    ),
]
