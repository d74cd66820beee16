from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("street/", views.StreetReportCreateView.as_view(), name="street"),
    path("new/<slug:kind>/", views.ObjectReportCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
    path("<int:pk>/retry/", views.ReportRetryView.as_view(), name="retry"),
]
