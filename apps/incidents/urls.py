from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="list"),
    path("new/", views.IncidentCreateView.as_view(), name="create"),
    path("<int:pk>/", views.IncidentDetailView.as_view(), name="detail"),
    path("<int:pk>/report/", views.ReportCreateView.as_view(), name="add_report"),
    path("<int:pk>/phoned/", views.PhoneReportView.as_view(), name="phoned"),
    path("<int:pk>/ask/", views.FollowUpRequestView.as_view(), name="ask"),
    path("reports/<int:pk>/ack/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("zero/", views.ZeroReportStatusView.as_view(), name="zero"),
    path("zero/new/", views.ZeroReportCreateView.as_view(), name="zero_create"),
]
