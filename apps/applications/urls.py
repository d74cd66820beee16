from django.urls import path

from .views import applications as views
from .views import standards

app_name = "applications"

urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("queue/", views.ApplicationListView.as_view(queue=True), name="queue"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("new/", views.ApplicationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ApplicationUpdateView.as_view(), name="edit"),
    path("<int:pk>/aspects/<int:aspect>/", views.AspectAssessView.as_view(), name="aspect"),
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/act/<slug:action>/", views.TransitionView.as_view(), name="transition"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence"),
    path("evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
    # the scoring standards (reference data) and a new version from a spreadsheet
    path("standards/", standards.StandardListView.as_view(), name="standards"),
    path("standards/import/", standards.StandardImportView.as_view(), name="standard_import"),
    path("standards/<slug:code>/", standards.StandardDetailView.as_view(), name="standard"),
]
