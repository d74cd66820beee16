"""The rules of the people register. Views, admin, imports, demo data and tests all go
through these functions, which take the acting user first and raise ``ValidationError`` /
``PermissionDenied`` with Chinese messages.

What the pages and other apps read (有队伍, 有班子, information-officer coverage) is in
``selectors``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.orgs.models import OrgKind, Role, require_edit, stamp
from apps.orgs.services import create_accounts
from apps.security.client_ip import client_ip

from .models import (
    AccessLog,
    EmergencyTeam,
    HelperAssignment,
    InformationOfficer,
    OfficerTraining,
    TeamMember,
    TeamTraining,
    Visit,
)
from .privacy import can_see_vulnerable

EDIT_DENIED = gettext_lazy("您无权修改该单位的队伍与人员信息。")


def require_vulnerable_access(user):
    """Vulnerable-resident records need the explicit permission (scope applies on top)."""
    if not can_see_vulnerable(user):
        raise PermissionDenied(_("您没有查看脆弱人群信息的权限。"))


def _save(user, obj, unit):
    require_edit(user, unit, EDIT_DENIED)
    stamp(obj, user)
    obj.full_clean()
    obj.save()
    return obj


# --- 领导小组 ---------------------------------------------------------------------------------


def save_leadership_group(user, group):
    if group.org_unit_id and group.org_unit.kind not in (OrgKind.STREET, OrgKind.COMMUNITY):
        raise ValidationError({"org_unit": _("领导小组应属于街道/镇或居委/村。")})
    return _save(user, group, group.org_unit)


def save_leadership_member(user, member):
    return _save(user, member, member.group.org_unit)


def delete_leadership_member(user, member):
    require_edit(user, member.group.org_unit, EDIT_DENIED)
    member.delete()


# --- 应急队伍 ---------------------------------------------------------------------------------


def save_team(user, team):
    if team.org_unit_id and team.org_unit.kind not in (
        OrgKind.STREET,
        OrgKind.COMMUNITY,
        OrgKind.ESTATE,
    ):
        raise ValidationError({"org_unit": _("应急队伍应属于街道/镇、居委/村或小区。")})
    return _save(user, team, team.org_unit)


@transaction.atomic
def save_member(user, member, certificates=None):
    """Add or change a team member; a team has at most one 队长."""
    team = EmergencyTeam.objects.select_for_update().get(pk=member.team_id)
    require_edit(user, team.org_unit, EDIT_DENIED)
    if member.role == TeamMember.Role.LEADER:
        leader = team.members.filter(role=TeamMember.Role.LEADER).exclude(pk=member.pk).first()
        if leader:
            raise ValidationError(
                {
                    "role": _("该队伍已有队长（%(name)s），请先将其改为副队长或队员。")
                    % {"name": leader.name}
                }
            )
    stamp(member, user)
    member.full_clean()
    member.save()
    if certificates is not None:
        member.certificates.set(certificates)
    _touch(user, team)
    return member


def delete_member(user, member):
    require_edit(user, member.team.org_unit, EDIT_DENIED)
    member.delete()
    _touch(user, member.team)


def add_team_training(user, team, *, held_on, topic, hours, participants, trainer=""):
    training = TeamTraining(
        team=team,
        held_on=held_on,
        topic=topic,
        hours=hours,
        participants=participants,
        trainer=trainer,
    )
    _save(user, training, team.org_unit)
    _touch(user, team)
    return training


def _touch(user, record):
    """A change to a child row is a change to the record: who and when."""
    record.updated_by = user
    record.save(update_fields=["updated_by", "updated_at"])


# --- 灾害信息员 -------------------------------------------------------------------------------


def save_officer(user, officer):
    if officer.org_unit_id and officer.org_unit.kind not in (
        OrgKind.STREET,
        OrgKind.COMMUNITY,
        OrgKind.ESTATE,
    ):
        raise ValidationError({"org_unit": _("灾害信息员应属于街道/镇、居委/村或小区。")})
    return _save(user, officer, officer.org_unit)


def create_officer_accounts(user, officers) -> list:
    """灾害信息员 log-ins for officers who have none, all or none: the officer's mobile number
    is the user name, the unit the officer's (a 居委/村 or 小区). Returns (account, temporary
    password) pairs, shown once."""
    with transaction.atomic():
        officers = list(
            InformationOfficer.objects.select_for_update()
            .filter(pk__in=[o.pk for o in officers])
            .select_related("org_unit")
            .order_by("pk")
        )
        for officer in officers:
            require_edit(user, officer.org_unit, EDIT_DENIED)
        taken = [o.name for o in officers if o.user_id]
        if taken:
            raise ValidationError(_("已有登录账号：%(names)s。") % {"names": "、".join(taken)})
        no_phone = [o.name for o in officers if not o.phone]
        if no_phone:
            raise ValidationError(
                _("没有手机号，无法开通：%(names)s。") % {"names": "、".join(no_phone)}
            )
        created = create_accounts(
            user,
            [
                {
                    "username": officer.phone,
                    "last_name": officer.name,
                    "mobile": officer.phone,
                    "role": Role.INFO_OFFICER,
                    "org_unit": officer.org_unit,
                }
                for officer in officers
            ],
        )
        for officer, (account, _password) in zip(officers, created, strict=True):
            officer.user = account
            _save(user, officer, officer.org_unit)
    return created


def add_officer_training(user, officer, *, held_on, topic, organizer="", hours=2):
    training = OfficerTraining(
        officer=officer, held_on=held_on, topic=topic, organizer=organizer, hours=hours
    )
    _save(user, training, officer.org_unit)
    _touch(user, officer)
    return training


# --- 脆弱人群 ---------------------------------------------------------------------------------


def save_resident(user, resident):
    require_vulnerable_access(user)
    if resident.org_unit_id and resident.org_unit.kind not in (OrgKind.COMMUNITY, OrgKind.ESTATE):
        raise ValidationError({"org_unit": _("脆弱人群应登记在居委/村或小区。")})
    return _save(user, resident, resident.org_unit)


def assign_helper(user, resident, *, helper_name, helper_phone, relation, started_on, note=""):
    """结对帮扶: a new helper for the resident (earlier helpers stay until ended)."""
    require_vulnerable_access(user)
    assignment = HelperAssignment(
        resident=resident,
        helper_name=helper_name,
        helper_phone=helper_phone,
        relation=relation,
        started_on=started_on,
        note=note,
    )
    _save(user, assignment, resident.org_unit)
    _touch(user, resident)
    return assignment


def end_helper(user, assignment, *, ended_on=None):
    require_vulnerable_access(user)
    require_edit(user, assignment.resident.org_unit, EDIT_DENIED)
    if assignment.ended_on is not None:
        raise ValidationError(_("该结对已经结束。"))
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        raise ValidationError(_("结束日期不能早于结对日期。"))
    assignment.ended_on = ended_on
    assignment.updated_by = user
    assignment.save(update_fields=["ended_on", "updated_by", "updated_at"])
    _touch(user, assignment.resident)
    return assignment


def record_visit(user, resident, *, visited_on, occasion, visitor, findings, follow_up=""):
    require_vulnerable_access(user)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    visit = Visit(
        resident=resident,
        visited_on=visited_on,
        occasion=occasion,
        visitor=visitor,
        findings=findings,
        follow_up=follow_up,
    )
    _save(user, visit, resident.org_unit)
    _touch(user, resident)
    return visit


def record_access(user, residents, *, action, request=None):
    """Write one access-log row per resident read (detail page, export row, admin page)."""
    ip = client_ip(request)
    path = request.get_full_path()[:300] if request is not None else ""
    rows = [
        AccessLog(
            user=user,
            username=user.get_username(),
            action=action,
            resident=resident,
            record_label=f"#{resident.pk} {resident.name}"[:100],
            org_unit_id=resident.org_unit_id,
            ip=ip,
            path=path,
        )
        for resident in residents
    ]
    AccessLog.objects.bulk_create(rows, batch_size=500)
    return len(rows)
