from django.urls import path

from .views import leadership, officers, residents, teams

app_name = "people"

urlpatterns = [
    # 应急队伍
    path("", teams.TeamListView.as_view(), name="list"),
    path("teams/export/", teams.TeamExportView.as_view(), name="team_export"),
    path("teams/new/", teams.TeamCreateView.as_view(), name="team_create"),
    path("teams/<int:pk>/", teams.TeamDetailView.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", teams.TeamUpdateView.as_view(), name="team_edit"),
    path("teams/<int:team_pk>/members/new/", teams.MemberCreateView.as_view(), name="member_add"),
    path(
        "teams/<int:team_pk>/trainings/new/",
        teams.TeamTrainingCreateView.as_view(),
        name="team_training_add",
    ),
    path("members/<int:pk>/edit/", teams.MemberUpdateView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", teams.MemberDeleteView.as_view(), name="member_delete"),
    # 灾害信息员
    path("officers/", officers.OfficerListView.as_view(), name="officers"),
    path("officers/export/", officers.OfficerExportView.as_view(), name="officer_export"),
    path("officers/import/", officers.OfficerImportView.as_view(), name="officer_import"),
    path("officers/coverage/", officers.CoverageView.as_view(), name="coverage"),
    path("officers/new/", officers.OfficerCreateView.as_view(), name="officer_create"),
    path("officers/accounts/", officers.OfficerAccountsView.as_view(), name="officer_accounts"),
    path("officers/<int:pk>/", officers.OfficerDetailView.as_view(), name="officer_detail"),
    path("officers/<int:pk>/edit/", officers.OfficerUpdateView.as_view(), name="officer_edit"),
    path(
        "officers/<int:pk>/trainings/new/",
        officers.OfficerTrainingCreateView.as_view(),
        name="officer_training_add",
    ),
    # 脆弱人群
    path("residents/", residents.ResidentListView.as_view(), name="residents"),
    path("residents/export/", residents.ResidentExportView.as_view(), name="resident_export"),
    path("residents/import/", residents.ResidentImportView.as_view(), name="resident_import"),
    path("residents/new/", residents.ResidentCreateView.as_view(), name="resident_create"),
    path("residents/<int:pk>/", residents.ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/edit/", residents.ResidentUpdateView.as_view(), name="resident_edit"),
    path(
        "residents/<int:pk>/helpers/new/", residents.HelperCreateView.as_view(), name="helper_add"
    ),
    path("residents/<int:pk>/visits/new/", residents.VisitCreateView.as_view(), name="visit_add"),
    path("helpers/<int:pk>/end/", residents.HelperEndView.as_view(), name="helper_end"),
    # 领导小组
    path("leadership/", leadership.LeadershipView.as_view(), name="leadership"),
    path(
        "leadership/new/", leadership.LeadershipGroupCreateView.as_view(), name="leadership_create"
    ),
    path(
        "leadership/<int:pk>/edit/",
        leadership.LeadershipGroupUpdateView.as_view(),
        name="leadership_edit",
    ),
    path(
        "leadership/<int:group_pk>/members/new/",
        leadership.LeadershipMemberCreateView.as_view(),
        name="leadership_member_add",
    ),
    path(
        "leadership/members/<int:pk>/edit/",
        leadership.LeadershipMemberUpdateView.as_view(),
        name="leadership_member_edit",
    ),
    path(
        "leadership/members/<int:pk>/delete/",
        leadership.LeadershipMemberDeleteView.as_view(),
        name="leadership_member_delete",
    ),
]
