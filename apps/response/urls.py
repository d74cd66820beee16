from django.urls import path

from . import views

app_name = "response"

urlpatterns = [
    path("", views.EventListView.as_view(), name="list"),
    path("new/", views.EventCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EventDetailView.as_view(), name="detail"),
    path("<int:pk>/board/", views.BoardDataView.as_view(), name="board_data"),
    path("<int:pk>/level/", views.ChangeLevelView.as_view(), name="level"),
    path("<int:pk>/close/", views.CloseEventView.as_view(), name="close"),
    path("<int:pk>/shelters/new/", views.OpenShelterView.as_view(), name="open_shelter"),
    path("<int:pk>/roster/", views.RosterView.as_view(), name="roster"),
    path("<int:pk>/requests/new/", views.RequestCreateView.as_view(), name="request_create"),
    path("<int:pk>/m/", views.MobileEventView.as_view(), name="mobile"),
    path("plans/<int:plan_pk>/card/", views.CardView.as_view(), name="card"),
    path(
        "plans/<int:plan_pk>/card/<int:level>/",
        views.CardLevelEditView.as_view(),
        name="card_edit",
    ),
    path("tasks/<int:pk>/", views.TaskUpdateView.as_view(), name="task"),
    path("transfers/<int:pk>/", views.TransferUpdateView.as_view(), name="transfer"),
    path("shelters/<int:pk>/", views.OperationDetailView.as_view(), name="operation"),
    path("shelters/<int:pk>/qr.svg", views.OperationQRView.as_view(), name="qr"),
    path("shelters/<int:pk>/export/", views.OperationExportView.as_view(), name="export"),
    path("shelters/<int:pk>/check-in/", views.CheckInView.as_view(), name="check_in"),
    path("shelters/<int:pk>/close/", views.CloseOperationView.as_view(), name="close_operation"),
    path("check-ins/<int:pk>/out/", views.CheckOutView.as_view(), name="check_out"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request"),
    path("requests/<int:pk>/decide/", views.DecideRequestView.as_view(), name="decide"),
    path("requests/<int:pk>/dispatch/", views.DispatchRequestView.as_view(), name="dispatch"),
    path("requests/<int:pk>/cross-street/", views.CrossStreetView.as_view(), name="cross_street"),
    path(
        "requests/<int:pk>/cross-street/approve/",
        views.ApproveCrossStreetView.as_view(),
        name="approve_cross_street",
    ),
    path("requests/<int:pk>/receive/", views.ReceiveRequestView.as_view(), name="receive"),
]
