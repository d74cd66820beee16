from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("new/", views.HazardCreateView.as_view(), name="create"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="detail"),
    path("<int:pk>/<slug:action>/", views.HazardTransitionView.as_view(), name="transition"),
    path("photos/<int:pk>/", views.HazardPhotoView.as_view(), name="photo"),
    path("export/", views.HazardExportView.as_view(), name="export"),
    path("import/", views.HazardImportView.as_view(), name="import"),
    path("points/", views.RiskPointListView.as_view(), name="points"),
    path("points/new/", views.RiskPointCreateView.as_view(), name="point_create"),
    path("points/<int:pk>/", views.RiskPointDetailView.as_view(), name="point_detail"),
    path("points/<int:pk>/edit/", views.RiskPointUpdateView.as_view(), name="point_edit"),
    path("points/<int:pk>/inspect/", views.RiskPointInspectView.as_view(), name="point_inspect"),
    path("points/export/", views.RiskPointExportView.as_view(), name="point_export"),
    path("points/import/", views.RiskPointImportView.as_view(), name="point_import"),
    path("map/", views.RiskMapView.as_view(), name="map"),
    path("map/data.json", views.RiskMapDataView.as_view(), name="map_data"),
    path("stats/", views.StatsView.as_view(), name="stats"),
]
