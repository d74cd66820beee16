from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    # before the unit pages: "accounts" and "grids" would otherwise read as unit codes
    path("accounts/", views.AccountListView.as_view(), name="accounts"),
    path("accounts/new/", views.AccountCreateView.as_view(), name="account_create"),
    path("accounts/<int:pk>/edit/", views.AccountEditView.as_view(), name="account_edit"),
    path("accounts/<int:pk>/active/", views.AccountActiveView.as_view(), name="account_active"),
    path("accounts/<int:pk>/reset/", views.AccountResetView.as_view(), name="account_reset"),
    path("grids/", views.GridListView.as_view(), name="grids"),
    path("grids/new/", views.GridCreateView.as_view(), name="grid_create"),
    path("grids/<int:pk>/", views.GridDetailView.as_view(), name="grid_detail"),
    path("grids/<int:pk>/edit/", views.GridUpdateView.as_view(), name="grid_edit"),
    path("grids/<int:pk>/workers/", views.GridWorkersView.as_view(), name="grid_workers"),
    path("<slug:code>/", views.OrgUnitDetailView.as_view(), name="detail"),
    path("<slug:code>/edit/", views.OrgUnitUpdateView.as_view(), name="edit"),
]
