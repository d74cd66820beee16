from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="list"),
    path("export/", views.PlanExportView.as_view(), name="export"),
    path("system/", views.PlanSystemView.as_view(), name="system"),
    path("new/", views.PlanCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PlanUpdateView.as_view(), name="edit"),
    path("<int:pk>/versions/new/", views.PlanVersionCreateView.as_view(), name="add_version"),
    path("<int:pk>/retire/", views.PlanRetireView.as_view(), name="retire"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]
