from django.urls import path

from . import views

app_name = "drills"

urlpatterns = [
    path("", views.DrillListView.as_view(), name="list"),
    path("export/", views.DrillExportView.as_view(), name="export"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("actions/", views.ActionListView.as_view(), name="actions"),
    path("actions/<int:pk>/done/", views.ActionDoneView.as_view(), name="action_done"),
    path("new/", views.DrillCreateView.as_view(), name="create"),
    path("<int:pk>/", views.DrillDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DrillUpdateView.as_view(), name="edit"),
    path("<int:pk>/cancel/", views.CancelDrillView.as_view(), name="cancel"),
    path("<int:pk>/actions/new/", views.AddActionView.as_view(), name="add_action"),
    path("<int:pk>/files/new/", views.AddFileView.as_view(), name="add_file"),
    path("files/<int:pk>/", views.FileDownloadView.as_view(), name="file"),
    path("plans/", views.DrillPlanListView.as_view(), name="plans"),
    path("plans/new/", views.DrillPlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.DrillPlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.DrillPlanUpdateView.as_view(), name="plan_edit"),
]
