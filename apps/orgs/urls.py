from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("<slug:code>/", views.OrgUnitDetailView.as_view(), name="detail"),
    path("<slug:code>/edit/", views.OrgUnitUpdateView.as_view(), name="edit"),
]
