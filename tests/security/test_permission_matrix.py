"""The permission matrix: every URL of the project, GET as each demo role and as anonymous,
against an explicit table of expected statuses. URL arguments are filled with a real record of
华阳路街道 (the street of ``huayang_staff``), so the table says who may see and who may change
that street's data:

- anonymous → 302 to the login page (except the public pages);
- huayang_staff (the owning street) → 200;
- xinhua_staff (another street of the same district) → 404: the record does not exist for them;
- changning_reviewer (the district's reviewer) → 200 to read, 403 to change;
- pudong_reviewer (another district) → 404;
- admin (superuser) → 200.

POST-only URLs answer GET with 405 whoever asks, which says nothing about scope: for those the
table also has the POST statuses of the roles that must be refused (nothing is kept: each test
is rolled back).

A URL that is not in the table fails the test: a new view must be added here, with the statuses
its scoping is meant to give.
"""

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, reverse

from .conftest import ROLES

SKIPPED_PREFIXES = ("admin/", "i18n/", settings.STATIC_URL.lstrip("/"))

# Rows of statuses, in ROLES order:
# anonymous, huayang_staff, xinhua_staff, changning_reviewer, pudong_reviewer, admin,
# huayi_community, huayi_grid, huayi_officer (the front line of 华阳路街道's 华一居民区)
#
# The front line works on the phone pages and on what is delegated to it (apps.orgs.frontline):
# every desk page is a 403 for them, whatever its record (DESK below).
DESK = "403 403 403"
PUBLIC = "200 200 200 200 200 200 200 200 200"
SELF = "302 200 200 200 200 200 200 200 200"  # each user's own page (password, notifications)
LIST = f"302 200 200 200 200 200 {DESK}"  # a list or page of the user's own scope
CREATE = f"302 200 200 403 403 200 {DESK}"  # create/import pages: street staff only
READ = f"302 200 404 200 404 200 {DESK}"  # a 华阳路 record: its street, its district reviewer
EDIT = f"302 200 404 403 404 200 {DESK}"  # changing a 华阳路 record: its street only
POST_ONLY = f"302 405 405 405 405 405 {DESK}"
SELF_POST_ONLY = "302 405 405 405 405 405 405 405 405"  # POST-only on the user's own data
OWN = f"302 200 404 404 404 404 {DESK}"  # a record of huayang_staff's own (import job)
PERSONAL = f"302 200 403 403 403 200 {DESK}"  # vulnerable residents: street staff of the unit
ADMIN_ONLY = f"302 403 403 403 403 200 {DESK}"
DISTRICT_READ = f"302 404 404 200 404 200 {DESK}"  # district-level data: its reviewer
REVIEW = f"302 403 404 200 404 200 {DESK}"  # reviewing a 华阳路 application: its reviewer
# Editing an application under review: the applicant is sent back to the (read-only) record.
LOCKED = f"302 302 404 403 404 302 {DESK}"

# POST statuses of the roles that must not act (anonymous, xinhua_staff, changning_reviewer,
# pudong_reviewer and the front line) on a POST-only URL.
REFUSED_ROLES = (
    "anonymous",
    "xinhua_staff",
    "changning_reviewer",
    "pudong_reviewer",
    "huayi_community",
    "huayi_grid",
    "huayi_officer",
)
POST_EDIT = f"302 404 403 404 {DESK}"  # an action on a 华阳路 record
POST_OWN = f"302 404 404 404 {DESK}"  # an action on huayang_staff's own record
POST_SELF = None  # acts only on the requesting user's own data: nothing to refuse
# The open API (/api/v1/) takes a client's token and nothing else: a portal session, whoever's,
# is 401 on every endpoint, GET or POST (its scoping by token: tests/api/). Its schema and
# documentation page describe it and hold no data: public.
API = "401 401 401 401 401 401 401 401 401"
POST_API = "401 401 401 401 401 401 401"


def pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def street_code(w):
    return {"code": w.street.code}


def district_code(w):
    return {"code": w.street.parent.code}


def NONE(w):  # noqa: N802 - no URL arguments
    return {}


# name: (URL arguments from the demo world, GET statuses, POST statuses or None)
MATRIX = {
    "home": (NONE, "302 200 200 200 200 200 302 302 302", None),  # front line: /m/
    "healthz": (NONE, PUBLIC, None),
    "login": (NONE, PUBLIC, None),
    "logout": (NONE, "405 405 405 405 405 405 405 405 405", None),
    # each user's own password and log-in record
    "password_change": (NONE, SELF, None),
    "password_change_done": (NONE, SELF, None),
    "login_activity": (NONE, SELF, None),
    # two-factor log-in: each user's own (no demo user has an authenticator; 2FA not required)
    "two_factor:manage": (NONE, SELF, None),
    "two_factor:setup": (NONE, SELF, None),
    # the key of a set-up under way (none until the set-up page starts one)
    "two_factor:qr": (NONE, "302 404 404 404 404 404 404 404 404", None),
    "two_factor:verify": (
        NONE,
        "302 302 302 302 302 302 302 302 302",
        None,
    ),  # nothing to verify: home
    # the code by text message (SMS_LOGIN_CODE off: nothing owed, on to the page asked for)
    "two_factor:sms": (NONE, "302 302 302 302 302 302 302 302 302", None),
    "two_factor:recovery_codes": (NONE, SELF_POST_ONLY, POST_SELF),
    "two_factor:disable": (NONE, SELF_POST_ONLY, POST_SELF),
    # the large-text mode (适老化): each user's own switch, the front line's too
    "large_text": (NONE, SELF_POST_ONLY, POST_SELF),
    "orgs:detail": (street_code, READ, None),
    "orgs:edit": (street_code, EDIT, None),
    # the front line's accounts and grids, kept by street staff (huayang_c2: 华阳路's)
    "orgs:accounts": (NONE, LIST, None),
    "orgs:account_create": (NONE, CREATE, None),
    "orgs:account_edit": (pk("account"), EDIT, None),
    "orgs:account_active": (pk("account"), POST_ONLY, POST_EDIT),
    "orgs:account_reset": (pk("account"), POST_ONLY, POST_EDIT),
    "orgs:grids": (NONE, LIST, None),
    "orgs:grid_create": (NONE, CREATE, None),
    "orgs:grid_detail": (pk("grid"), READ, None),
    "orgs:grid_edit": (pk("grid"), EDIT, None),
    "orgs:grid_workers": (pk("grid"), EDIT, POST_EDIT),
    "files:import_job": (pk("job"), OWN, None),
    "files:import_confirm": (pk("job"), POST_ONLY, POST_OWN),
    "files:import_retry": (pk("job"), POST_ONLY, POST_OWN),
    # plans
    "plans:list": (NONE, LIST, None),
    "plans:export": (NONE, LIST, None),
    "plans:system": (NONE, LIST, None),
    "plans:create": (NONE, CREATE, None),
    "plans:detail": (pk("plan"), READ, None),
    "plans:edit": (pk("plan"), EDIT, None),
    "plans:add_version": (pk("plan"), EDIT, None),
    "plans:retire": (pk("plan"), EDIT, None),
    "plans:attachment": (pk("attachment"), READ, None),
    # hazards
    "hazards:list": (NONE, LIST, None),
    "hazards:create": (NONE, CREATE, None),
    "hazards:detail": (pk("hazard"), READ, None),
    "hazards:transition": (lambda w: {"pk": w.hazard.pk, "action": "assign"}, EDIT, None),
    # shown on the phone pages too: the 华一 community sees its hazard's photo
    "hazards:photo": (pk("photo"), "302 200 404 200 404 200 200 404 404", None),
    "hazards:export": (NONE, LIST, None),
    "hazards:import": (NONE, CREATE, None),
    "hazards:points": (NONE, LIST, None),
    "hazards:point_create": (NONE, CREATE, None),
    "hazards:point_detail": (pk("risk_point"), READ, None),
    "hazards:point_edit": (pk("risk_point"), EDIT, None),
    "hazards:point_inspect": (pk("risk_point"), EDIT, None),
    "hazards:point_export": (NONE, LIST, None),
    "hazards:point_import": (NONE, CREATE, None),
    "hazards:map": (NONE, LIST, None),
    "hazards:map_data": (NONE, LIST, None),
    "hazards:stats": (NONE, LIST, None),
    # supplies
    "supplies:list": (NONE, LIST, None),
    "supplies:overview": (NONE, LIST, None),
    "supplies:items": (NONE, LIST, None),
    "supplies:site_create": (NONE, CREATE, None),
    "supplies:site_detail": (pk("site"), READ, None),
    "supplies:site_edit": (pk("site"), EDIT, None),
    "supplies:receive": (pk("site"), EDIT, None),
    "supplies:dispatch": (pk("site"), EDIT, None),
    "supplies:transfer": (pk("site"), EDIT, None),
    "supplies:write_off": (pk("site"), EDIT, None),
    "supplies:adjust": (pk("site"), EDIT, None),
    "supplies:standards": (pk("site"), EDIT, None),
    "supplies:terms": (pk("site"), EDIT, None),  # 协议条款 (a notice for an own site)
    "supplies:check_create": (pk("site"), EDIT, None),
    "supplies:movements": (NONE, LIST, None),
    "supplies:movement_export": (NONE, LIST, None),
    "supplies:stock_export": (NONE, LIST, None),
    "supplies:import_sites": (NONE, CREATE, None),
    "supplies:import_stock": (NONE, CREATE, None),
    "supplies:import_items": (NONE, ADMIN_ONLY, None),  # the catalogue is reference data
    # shelters
    "shelters:list": (NONE, LIST, None),
    "shelters:overview": (NONE, LIST, None),
    "shelters:map": (NONE, LIST, None),
    "shelters:map_data": (NONE, LIST, None),
    "shelters:export": (NONE, LIST, None),
    "shelters:import": (NONE, CREATE, None),
    "shelters:create": (NONE, CREATE, None),
    "shelters:detail": (pk("shelter"), READ, None),
    "shelters:edit": (pk("shelter"), EDIT, None),
    "shelters:inspect": (pk("shelter"), EDIT, None),
    "shelters:activate": (pk("shelter"), EDIT, None),
    "shelters:close": (pk("shelter"), EDIT, None),
    # drills
    "drills:list": (NONE, LIST, None),
    "drills:export": (NONE, LIST, None),
    "drills:calendar": (NONE, LIST, None),
    "drills:coverage": (NONE, LIST, None),
    "drills:actions": (NONE, LIST, None),
    "drills:action_done": (pk("action"), POST_ONLY, POST_EDIT),
    "drills:create": (NONE, CREATE, None),
    "drills:detail": (pk("drill"), READ, None),
    "drills:edit": (pk("drill"), EDIT, None),
    "drills:cancel": (pk("drill"), POST_ONLY, POST_EDIT),
    "drills:add_action": (pk("drill"), EDIT, None),
    "drills:add_file": (pk("drill"), EDIT, None),
    "drills:file": (pk("drill_file"), READ, None),
    "drills:plans": (NONE, LIST, None),
    "drills:plan_create": (NONE, CREATE, None),
    "drills:plan_detail": (pk("drill_plan"), READ, None),
    "drills:plan_edit": (pk("drill_plan"), EDIT, None),
    # people
    "people:list": (NONE, LIST, None),
    "people:team_export": (NONE, LIST, None),
    "people:team_create": (NONE, CREATE, None),
    "people:team_detail": (pk("team"), READ, None),
    "people:team_edit": (pk("team"), EDIT, None),
    "people:member_add": (lambda w: {"team_pk": w.team.pk}, EDIT, None),
    "people:team_training_add": (lambda w: {"team_pk": w.team.pk}, EDIT, None),
    "people:member_edit": (pk("member"), EDIT, None),
    "people:member_delete": (pk("member"), POST_ONLY, POST_EDIT),
    "people:officers": (NONE, LIST, None),
    "people:officer_export": (NONE, LIST, None),
    "people:officer_import": (NONE, CREATE, None),
    "people:coverage": (NONE, LIST, None),
    "people:officer_create": (NONE, CREATE, None),
    # accounts for the ticked officers (none ticked: back to the list); reviewers never
    "people:officer_accounts": (
        NONE,
        f"302 405 405 403 403 405 {DESK}",
        f"302 302 403 403 {DESK}",
    ),
    "people:officer_detail": (pk("officer"), READ, None),
    "people:officer_edit": (pk("officer"), EDIT, None),
    "people:officer_training_add": (pk("officer"), EDIT, None),
    "people:residents": (NONE, PERSONAL, None),
    "people:resident_export": (NONE, PERSONAL, None),
    "people:resident_import": (NONE, PERSONAL, None),
    "people:resident_create": (NONE, PERSONAL, None),
    "people:resident_detail": (pk("resident"), PERSONAL, None),
    "people:resident_edit": (pk("resident"), PERSONAL, None),
    "people:helper_add": (pk("resident"), PERSONAL, None),
    "people:visit_add": (pk("resident"), PERSONAL, None),
    "people:helper_end": (
        pk("helper"),
        f"302 405 403 403 403 405 {DESK}",
        f"302 403 403 403 {DESK}",
    ),
    "people:leadership": (NONE, LIST, None),
    "people:leadership_create": (NONE, CREATE, None),
    "people:leadership_edit": (pk("group"), EDIT, None),
    "people:leadership_member_add": (lambda w: {"group_pk": w.group.pk}, EDIT, None),
    "people:leadership_member_edit": (pk("group_member"), EDIT, None),
    "people:leadership_member_delete": (pk("group_member"), POST_ONLY, POST_EDIT),
    # notifications: each user's own
    "notifications:list": (NONE, SELF, None),
    "notifications:open": (pk("notification"), SELF_POST_ONLY, "302 404 404 404 404 404 404"),
    "notifications:read_all": (NONE, SELF_POST_ONLY, POST_SELF),
    "notifications:settings": (NONE, SELF_POST_ONLY, POST_SELF),
    # reports
    "reports:list": (NONE, LIST, None),
    "reports:street": (NONE, POST_ONLY, POST_SELF),
    "reports:create": (lambda w: {"kind": "hazard_notice"}, POST_ONLY, POST_SELF),
    "reports:detail": (pk("report"), READ, None),
    "reports:download": (pk("report"), READ, None),
    "reports:retry": (pk("report"), POST_ONLY, f"302 404 302 404 {DESK}"),
    # applications (示范社区创建申报): 华阳路街道's application, under district review
    "applications:list": (NONE, LIST, None),
    "applications:queue": (NONE, LIST, None),
    "applications:compare": (NONE, LIST, None),
    "applications:create": (NONE, CREATE, None),
    "applications:detail": (pk("application"), READ, None),
    "applications:edit": (pk("application"), LOCKED, None),
    "applications:aspect": (
        lambda w: {"pk": w.application.pk, "aspect": w.aspect.pk},
        LOCKED,
        None,
    ),
    "applications:review": (pk("application"), REVIEW, None),
    "applications:transition": (
        lambda w: {"pk": w.application.pk, "action": "return"},
        REVIEW,
        None,
    ),
    "applications:evidence": (pk("evidence"), READ, None),
    "applications:evidence_delete": (pk("evidence"), POST_ONLY, POST_EDIT),
    # review beyond the desk: the district's 现场核查 of the application under review, the
    # yearly 抽查 of awarded communities (a list everyone reads for their own scope)
    "applications:inspect": (lambda w: {"pk": w.application.pk, "kind": "site"}, REVIEW, None),
    "applications:inspection": (pk("inspection"), READ, None),
    "applications:inspection_photo": (pk("inspection_photo"), READ, None),
    "applications:spot_checks": (NONE, LIST, None),
    # the records behind the evidence: 华阳路街道's questionnaire, activity and funding
    "applications:surveys": (NONE, LIST, None),
    "applications:survey_create": (NONE, CREATE, None),
    "applications:survey": (pk("survey"), READ, None),
    "applications:survey_qr": (pk("survey"), READ, None),
    "applications:survey_close": (pk("survey"), POST_ONLY, POST_EDIT),
    "applications:activities": (NONE, LIST, None),
    "applications:activity_create": (NONE, CREATE, None),
    "applications:activity": (pk("activity"), READ, None),
    "applications:activity_edit": (pk("activity"), EDIT, None),
    "applications:activity_qr": (pk("activity"), READ, None),
    "applications:activity_sign_in": (pk("activity"), POST_ONLY, POST_EDIT),
    "applications:activity_photo": (pk("activity_photo"), READ, None),
    "applications:activity_photo_delete": (pk("activity_photo"), POST_ONLY, POST_EDIT),
    "applications:funding": (NONE, LIST, None),
    "applications:funding_create": (NONE, CREATE, None),
    "applications:funding_edit": (pk("funding"), EDIT, None),
    # 普查 社区减灾能力 of the communities the user sees
    "applications:census": (NONE, LIST, None),
    # residents answer a questionnaire and sign in at an activity from a QR code, no log-in
    "residents:survey": (lambda w: {"token": w.survey.token}, PUBLIC, None),
    "residents:sign_in": (lambda w: {"token": w.activity.token}, PUBLIC, None),
    # the scoring standards: reference data every desk user reads; a new version, admins only
    "applications:standards": (NONE, LIST, None),
    "applications:standard": (lambda w: {"code": w.application.standard.code}, LIST, None),
    "applications:standard_import": (NONE, ADMIN_ONLY, None),
    "dashboards:unit": (street_code, READ, None),
    # the front line's phone pages
    "mobile:home": (NONE, "302 200 200 200 200 200 200 200 200", None),
    "mobile:report": (NONE, "302 200 200 403 403 200 200 200 200", None),
    # a hazard of 华一小区, being rectified: its street, district and front line
    "mobile:hazard": (pk("phone_hazard"), "302 200 404 200 404 200 200 200 200", None),
    # 整改 of a hazard of 华三居民区: not the 华一 front line's
    "mobile:hazard_step": (
        lambda w: {"pk": w.neighbour_hazard.pk, "action": "start"},
        "302 405 405 405 405 405 405 405 405",
        "302 404 403 404 404 404 404",
    ),
    "mobile:service_worker": (NONE, PUBLIC, None),
    "mobile:manifest": (NONE, PUBLIC, None),
    # 预警叫应: a published warning of 华阳路街道 and its draft (issuing: street staff, admins)
    "warnings:list": (NONE, LIST, None),
    "warnings:create": (NONE, CREATE, None),
    "warnings:cap_import": (NONE, CREATE, None),
    "warnings:detail": (pk("warning"), READ, None),
    "warnings:edit": (pk("warning_draft"), EDIT, None),
    "warnings:update": (pk("warning"), EDIT, None),
    "warnings:cancel": (pk("warning"), EDIT, None),
    "warnings:approve": (pk("warning_draft"), POST_ONLY, POST_EDIT),
    "warnings:publish": (pk("warning_draft"), POST_ONLY, POST_EDIT),
    "warnings:board": (pk("warning"), READ, None),
    "warnings:board_data": (pk("warning"), READ, None),
    "warnings:checklist": (pk("warning"), POST_ONLY, POST_EDIT),
    "warnings:record_export": (pk("warning"), READ, None),
    "warnings:record_pdf": (pk("warning"), READ, None),
    "warnings:holders": (NONE, LIST, None),
    "warnings:holder_create": (NONE, CREATE, None),
    "warnings:holder_edit": (pk("duty_holder"), EDIT, None),
    "warnings:holder_import": (NONE, CREATE, None),
    "warnings:holder_export": (NONE, LIST, None),
    # the phone page of one's own calls, and answering one (the world's call has no account)
    "warnings:my_calls": (NONE, SELF, None),
    "warnings:acknowledge": (pk("call"), SELF_POST_ONLY, "302 404 404 404 404 404 404"),
    # the signed link of an SMS: open without logging in (the token is the credential)
    "warnings:ack_link": (lambda w: {"token": w.ack_token}, PUBLIC, None),
    # 值班值守: 华阳路街道's roster, a shift of it and its pending swap; the actions on a shift
    # are its own people's (nobody of the matrix is on the world's shift: 403 to the editors too)
    "duty:list": (NONE, LIST, None),
    "duty:roster_create": (NONE, CREATE, None),
    "duty:roster": (pk("roster"), READ, None),
    "duty:roster_edit": (pk("roster"), EDIT, None),
    "duty:rotation": (pk("roster"), EDIT, None),
    "duty:reinforce": (pk("roster"), EDIT, None),
    "duty:generate": (pk("roster"), POST_ONLY, POST_EDIT),
    "duty:export": (pk("roster"), READ, None),
    "duty:shift": (pk("shift"), READ, None),
    "duty:shift_edit": (pk("shift"), EDIT, None),
    "duty:sign_in": (pk("shift"), POST_ONLY, POST_EDIT),
    "duty:add_log": (pk("shift"), POST_ONLY, POST_EDIT),
    "duty:hand_over": (pk("shift"), POST_ONLY, POST_EDIT),
    "duty:acknowledge": (pk("shift"), POST_ONLY, POST_EDIT),
    "duty:request_swap": (pk("shift"), POST_ONLY, POST_EDIT),
    "duty:decide_swap": (pk("swap"), POST_ONLY, POST_EDIT),
    # 应急响应: the demo exercise of 华阳路街道 (street: commands; district reviewer: reads)
    "response:list": (NONE, LIST, None),
    "response:create": (NONE, CREATE, None),
    "response:detail": (pk("response_event"), READ, None),
    "response:board_data": (pk("response_event"), READ, None),
    "response:level": (pk("response_event"), EDIT, None),
    "response:close": (pk("response_event"), EDIT, None),
    "response:open_shelter": (pk("response_event"), EDIT, None),
    "response:roster": (pk("response_event"), PERSONAL, None),
    "response:card": (lambda w: {"plan_pk": w.plan.pk}, READ, None),
    "response:card_edit": (lambda w: {"plan_pk": w.plan.pk, "level": 2}, EDIT, None),
    "response:operation": (pk("operation"), READ, None),
    "response:qr": (pk("operation"), READ, None),
    "response:export": (pk("operation"), READ, None),
    "response:check_in": (pk("operation"), EDIT, None),
    "response:close_operation": (pk("operation"), POST_ONLY, POST_EDIT),
    "response:check_out": (pk("check_in"), POST_ONLY, POST_EDIT),
    "response:decide": (pk("supply_request"), POST_ONLY, POST_EDIT),
    "response:dispatch": (pk("supply_request"), POST_ONLY, POST_EDIT),
    # 跨街道调拨: the street asks, the district (its staff, not its reviewer) approves
    "response:cross_street": (pk("supply_request"), POST_ONLY, POST_EDIT),
    "response:approve_cross_street": (pk("supply_request"), POST_ONLY, POST_EDIT),
    # its phone pages: the event reaches its communities' front line; a task, a transfer and a
    # request of 华一居民区 are its community staff's (the grid worker and the officer see their
    # 小区 only; transfers need the vulnerable-resident permission, which huayi_community has)
    "response:mobile": (pk("response_event"), "302 200 404 200 404 200 200 200 200", None),
    "response:request_create": (
        pk("response_event"),
        "302 200 404 403 404 200 200 403 403",
        None,
    ),
    "response:task": (pk("response_task"), "302 200 404 403 404 200 200 404 404", None),
    "response:transfer": (pk("transfer"), "302 200 403 403 403 200 200 403 403", None),
    "response:request": (pk("supply_request"), "302 200 404 200 404 200 200 404 404", None),
    # signing for a request (still 待审批 in the demo: the community's POST changes nothing)
    "response:receive": (
        pk("supply_request"),
        "302 405 405 405 405 405 405 405 405",
        "302 404 403 404 302 404 404",
    ),
    # public: open shelters with remaining capacity, and the signed self check-in link
    "public:shelters": (NONE, PUBLIC, None),
    "public:shelters_data": (NONE, PUBLIC, None),
    "public:check_in": (lambda w: {"token": w.check_in_token}, PUBLIC, None),
    # 信息报送: the open incident of 华一居民区 (demo) and its 初报; filing a 初报 and the 零报告
    # are phone pages (street staff, community staff and the 灾害信息员; not the grid worker);
    # signing for a report and asking for a 续报 are the district reviewer's
    "incidents:list": (NONE, LIST, None),
    "incidents:create": (NONE, "302 200 200 403 403 200 200 403 200", None),
    "incidents:detail": (pk("incident"), READ, None),
    "incidents:add_report": (pk("incident"), EDIT, None),
    "incidents:phoned": (pk("incident"), POST_ONLY, POST_EDIT),
    "incidents:ask": (pk("incident"), REVIEW, None),
    "incidents:acknowledge": (pk("incident_report"), POST_ONLY, f"302 404 302 404 {DESK}"),
    "incidents:zero": (NONE, LIST, None),
    "incidents:zero_create": (NONE, "302 200 200 403 403 200 200 403 200", None),
    # dashboards (JSON for the home page)
    "dashboards:facts": (street_code, READ, None),
    "dashboards:streets": (district_code, DISTRICT_READ, None),
    "dashboards:trend": (street_code, READ, None),
    "dashboards:map": (district_code, DISTRICT_READ, None),
    # the open API (apps.api): token only, see API above
    "api:schema": (NONE, PUBLIC, None),
    "api:docs": (NONE, PUBLIC, None),
    "api:org_units": (NONE, API, None),
    "api:org_unit": (street_code, API, None),
    "api:population": (NONE, API, POST_API),
    "api:hazards": (NONE, API, None),
    "api:hazards_geojson": (NONE, API, None),
    "api:work_orders": (NONE, API, POST_API),
    "api:hazard": (pk("hazard"), API, None),
    "api:risk_points": (NONE, API, None),
    "api:risk_points_geojson": (NONE, API, None),
    "api:shelters": (NONE, API, None),
    "api:shelter": (pk("shelter"), API, None),
    "api:stock": (NONE, API, None),
    "api:plans": (NONE, API, None),
    "api:warnings": (NONE, API, None),
    "api:warning_cap": (NONE, API, POST_API),
    "api:warning": (pk("warning"), API, None),
    "api:incidents": (NONE, API, POST_API),
    "api:incident": (pk("incident"), API, None),
    "api:duty_today": (NONE, API, None),
}


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def project_urls():
    urls = {}
    for name, route, pattern in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        urls[name or route] = (route, pattern)
    return urls


URLS = project_urls()


def test_every_url_is_in_the_matrix():
    missing = sorted(set(URLS) - set(MATRIX))
    assert not missing, (
        "URLs without an entry in tests/security/test_permission_matrix.py: "
        + ", ".join(f"{name} ({URLS[name][0]})" for name in missing)
        + ". Add each to the matrix with the statuses its scoping should give."
    )
    gone = sorted(set(MATRIX) - set(URLS))
    assert not gone, f"Entries for URLs that no longer exist: {', '.join(gone)}"


def _statuses(row, roles):
    values = [int(v) for v in row.split()]
    assert len(values) == len(roles)
    return dict(zip(roles, values, strict=True))


def _as(client, role, users):
    client.logout()
    if role != "anonymous":
        client.force_login(users[role])


@pytest.fixture
def users(world):
    from apps.orgs.models import User

    return {u.username: u for u in User.objects.filter(username__in=ROLES)}


@pytest.mark.parametrize("name", sorted(set(URLS) & set(MATRIX)))
def test_get(name, world, media, users, client, db):
    args, row, _post = MATRIX[name]
    url = reverse(name, kwargs=args(world))
    expected = _statuses(row, ROLES)
    actual = {}
    for role in ROLES:
        _as(client, role, users)
        response = client.get(url)
        actual[role] = response.status_code
        if response.status_code == 302 and role == "anonymous":
            assert response["Location"].startswith(reverse("login")), (name, response["Location"])
    assert actual == expected, (
        f"GET {url} ({name}): statuses differ from the matrix; actual row: "
        + " ".join(str(actual[role]) for role in ROLES)
    )


POSTS = sorted(name for name, entry in MATRIX.items() if entry[2] and name in URLS)


@pytest.mark.parametrize("name", POSTS)
def test_post_refused(name, world, media, users, client, db):
    args, _row, post = MATRIX[name]
    url = reverse(name, kwargs=args(world))
    expected = _statuses(post, REFUSED_ROLES)
    actual = {}
    for role in REFUSED_ROLES:
        _as(client, role, users)
        actual[role] = client.post(url).status_code
    assert actual == expected, (
        f"POST {url} ({name}): statuses differ from the matrix; actual row: "
        + " ".join(str(actual[role]) for role in REFUSED_ROLES)
    )
