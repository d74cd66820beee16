from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    # 应急队伍
    path("", views.TeamListView.as_view(), name="list"),
    path("teams/export/", views.TeamExportView.as_view(), name="team_export"),
    path("teams/new/", views.TeamCreateView.as_view(), name="team_create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamUpdateView.as_view(), name="team_edit"),
    path("teams/<int:team_pk>/members/new/", views.MemberCreateView.as_view(), name="member_add"),
    path(
        "teams/<int:team_pk>/trainings/new/",
        views.TeamTrainingCreateView.as_view(),
        name="team_training_add",
    ),
    path("members/<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
    # 灾害信息员
    path("officers/", views.OfficerListView.as_view(), name="officers"),
    path("officers/export/", views.OfficerExportView.as_view(), name="officer_export"),
    path("officers/import/", views.OfficerImportView.as_view(), name="officer_import"),
    path("officers/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("officers/new/", views.OfficerCreateView.as_view(), name="officer_create"),
    path("officers/accounts/", views.OfficerAccountsView.as_view(), name="officer_accounts"),
    path("officers/<int:pk>/", views.OfficerDetailView.as_view(), name="officer_detail"),
    path("officers/<int:pk>/edit/", views.OfficerUpdateView.as_view(), name="officer_edit"),
    path(
        "officers/<int:pk>/trainings/new/",
        views.OfficerTrainingCreateView.as_view(),
        name="officer_training_add",
    ),
    # 脆弱人群
    path("residents/", views.ResidentListView.as_view(), name="residents"),
    path("residents/export/", views.ResidentExportView.as_view(), name="resident_export"),
    path("residents/import/", views.ResidentImportView.as_view(), name="resident_import"),
    path("residents/new/", views.ResidentCreateView.as_view(), name="resident_create"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/edit/", views.ResidentUpdateView.as_view(), name="resident_edit"),
    path("residents/<int:pk>/helpers/new/", views.HelperCreateView.as_view(), name="helper_add"),
    path("residents/<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_add"),
    path("helpers/<int:pk>/end/", views.HelperEndView.as_view(), name="helper_end"),
    # 领导小组
    path("leadership/", views.LeadershipView.as_view(), name="leadership"),
    path("leadership/new/", views.LeadershipGroupCreateView.as_view(), name="leadership_create"),
    path(
        "leadership/<int:pk>/edit/",
        views.LeadershipGroupUpdateView.as_view(),
        name="leadership_edit",
    ),
    path(
        "leadership/<int:group_pk>/members/new/",
        views.LeadershipMemberCreateView.as_view(),
        name="leadership_member_add",
    ),
    path(
        "leadership/members/<int:pk>/edit/",
        views.LeadershipMemberUpdateView.as_view(),
        name="leadership_member_edit",
    ),
    path(
        "leadership/members/<int:pk>/delete/",
        views.LeadershipMemberDeleteView.as_view(),
        name="leadership_member_delete",
    ),
]
