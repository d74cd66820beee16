from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.TodayView.as_view(), name="list"),
    path("rosters/new/", views.RosterCreateView.as_view(), name="roster_create"),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster"),
    path("rosters/<int:pk>/edit/", views.RosterUpdateView.as_view(), name="roster_edit"),
    path("rosters/<int:pk>/rotation/", views.RotationView.as_view(), name="rotation"),
    path("rosters/<int:pk>/generate/", views.GenerateView.as_view(), name="generate"),
    path("rosters/<int:pk>/reinforce/", views.ReinforceView.as_view(), name="reinforce"),
    path("rosters/<int:pk>/export/", views.RosterExportView.as_view(), name="export"),
    path("shifts/<int:pk>/", views.ShiftDetailView.as_view(), name="shift"),
    path("shifts/<int:pk>/edit/", views.ShiftUpdateView.as_view(), name="shift_edit"),
    path("shifts/<int:pk>/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("shifts/<int:pk>/log/", views.AddLogEntryView.as_view(), name="add_log"),
    path("shifts/<int:pk>/hand-over/", views.HandOverView.as_view(), name="hand_over"),
    path("shifts/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("shifts/<int:pk>/swap/", views.RequestSwapView.as_view(), name="request_swap"),
    path("swaps/<int:pk>/decide/", views.DecideSwapView.as_view(), name="decide_swap"),
]
