from django.urls import path

from .views import applications as views
from .views import records, reviews, standards

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
    # review beyond the desk: 现场核查 and the yearly 动态管理抽查
    path("<int:pk>/inspect/<slug:kind>/", reviews.InspectView.as_view(), name="inspect"),
    path("inspections/<int:pk>/", reviews.InspectionDetailView.as_view(), name="inspection"),
    path(
        "inspection-photos/<int:pk>/",
        reviews.InspectionPhotoView.as_view(),
        name="inspection_photo",
    ),
    path("spot-checks/", reviews.SpotCheckListView.as_view(), name="spot_checks"),
    # the records behind the evidence: questionnaires, activities, funding and insurance
    path("surveys/", records.SurveyListView.as_view(), name="surveys"),
    path("surveys/new/", records.SurveyCreateView.as_view(), name="survey_create"),
    path("surveys/<int:pk>/", records.SurveyDetailView.as_view(), name="survey"),
    path("surveys/<int:pk>/qr.svg", records.SurveyQRView.as_view(), name="survey_qr"),
    path("surveys/<int:pk>/close/", records.SurveyCloseView.as_view(), name="survey_close"),
    path("activities/", records.ActivityListView.as_view(), name="activities"),
    path("activities/new/", records.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", records.ActivityDetailView.as_view(), name="activity"),
    path("activities/<int:pk>/edit/", records.ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/qr.svg", records.ActivityQRView.as_view(), name="activity_qr"),
    path(
        "activities/<int:pk>/sign-in/",
        records.ActivitySignInSwitchView.as_view(),
        name="activity_sign_in",
    ),
    path("activity-photos/<int:pk>/", records.ActivityPhotoView.as_view(), name="activity_photo"),
    path(
        "activity-photos/<int:pk>/delete/",
        records.ActivityPhotoDeleteView.as_view(),
        name="activity_photo_delete",
    ),
    path("funding/", records.FundingListView.as_view(), name="funding"),
    path("funding/new/", records.FundingCreateView.as_view(), name="funding_create"),
    path("funding/<int:pk>/", records.FundingEditView.as_view(), name="funding_edit"),
    path("census.xlsx", records.CensusExportView.as_view(), name="census"),
    # the scoring standards (reference data) and a new version from a spreadsheet
    path("standards/", standards.StandardListView.as_view(), name="standards"),
    path("standards/import/", standards.StandardImportView.as_view(), name="standard_import"),
    path("standards/<slug:code>/", standards.StandardDetailView.as_view(), name="standard"),
]
