from django.urls import path

from . import views

app_name = "warnings"

urlpatterns = [
    path("", views.WarningListView.as_view(), name="list"),
    path("new/", views.WarningCreateView.as_view(), name="create"),
    path("import/", views.CapImportView.as_view(), name="cap_import"),
    path("<int:pk>/", views.WarningDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.WarningEditView.as_view(), name="edit"),
    path("<int:pk>/update/", views.WarningUpdateView.as_view(), name="update"),
    path("<int:pk>/cancel/", views.WarningCancelView.as_view(), name="cancel"),
    path(
        "<int:pk>/approve/",
        views.WarningActionView.as_view(),
        {"action": "approve"},
        name="approve",
    ),
    path(
        "<int:pk>/publish/",
        views.WarningActionView.as_view(),
        {"action": "publish"},
        name="publish",
    ),
    path("<int:pk>/board/", views.BoardView.as_view(), name="board"),
    path("<int:pk>/board.json", views.BoardDataView.as_view(), name="board_data"),
    path("<int:pk>/checklist/", views.ChecklistConfirmView.as_view(), name="checklist"),
    path("<int:pk>/record.xlsx", views.RecordExportView.as_view(), name="record_export"),
    path("<int:pk>/record.pdf", views.RecordPdfView.as_view(), name="record_pdf"),
    path("holders/", views.HolderListView.as_view(), name="holders"),
    path("holders/new/", views.HolderCreateView.as_view(), name="holder_create"),
    path("holders/<int:pk>/edit/", views.HolderEditView.as_view(), name="holder_edit"),
    path("holders/import/", views.HolderImportView.as_view(), name="holder_import"),
    path("holders/export/", views.HolderExportView.as_view(), name="holder_export"),
    path("m/", views.MyCallsView.as_view(), name="my_calls"),
    path("calls/<int:pk>/ack/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("ack/<str:token>/", views.AckLinkView.as_view(), name="ack_link"),
]
