from django.urls import path

from . import views

app_name = "shelters"

urlpatterns = [
    path("", views.ShelterListView.as_view(), name="list"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("map/", views.ShelterMapView.as_view(), name="map"),
    path("map/data/", views.ShelterMapDataView.as_view(), name="map_data"),
    path("export/", views.ShelterExportView.as_view(), name="export"),
    path("import/", views.ShelterImportView.as_view(), name="import"),
    path("new/", views.ShelterCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ShelterDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ShelterUpdateView.as_view(), name="edit"),
    path("<int:pk>/inspections/new/", views.InspectionCreateView.as_view(), name="inspect"),
    path("<int:pk>/activate/", views.ActivateView.as_view(), name="activate"),
    path("<int:pk>/close/", views.CloseView.as_view(), name="close"),
]
