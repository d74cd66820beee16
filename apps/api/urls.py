"""``/api/v1/``: the schema and its documentation page, then the endpoints by domain."""

from django.urls import path

from . import docs, views, writes

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("org-units/", views.OrgUnitListView.as_view(), name="org_units"),
    path("org-units/<str:code>/", views.OrgUnitDetailView.as_view(), name="org_unit"),
    path("population/", writes.PopulationView.as_view(), name="population"),
    path("hazards/", views.HazardListView.as_view(), name="hazards"),
    path("hazards/geojson/", views.HazardGeoJSONView.as_view(), name="hazards_geojson"),
    path("hazards/work-orders/", writes.WorkOrderView.as_view(), name="work_orders"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard"),
    path("risk-points/", views.RiskPointListView.as_view(), name="risk_points"),
    path("risk-points/geojson/", views.RiskPointGeoJSONView.as_view(), name="risk_points_geojson"),
    path("shelters/", views.ShelterListView.as_view(), name="shelters"),
    path("shelters/<int:pk>/", views.ShelterDetailView.as_view(), name="shelter"),
    path("supplies/stock/", views.StockListView.as_view(), name="stock"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("warnings/", views.WarningListView.as_view(), name="warnings"),
    path("warnings/cap/", writes.CapImportView.as_view(), name="warning_cap"),
    path("warnings/<int:pk>/", views.WarningDetailView.as_view(), name="warning"),
    path("incidents/", writes.IncidentsView.as_view(), name="incidents"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident"),
    path("duty/today/", views.DutyTodayView.as_view(), name="duty_today"),
]
