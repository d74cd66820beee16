"""Warnings named by the records of other apps: an incident (apps.incidents) and a response
event (apps.response) may each name the warning it answers.

The rule, kept in one place: a record may name a warning the user sees, in force (已发布: not a
draft awaiting approval, not superseded by an update, not cancelled) and whose area covers the
record's unit (the unit itself or a unit above it). Forms offer ``linkable(user)``; services
check ``link_error`` again, with the record's unit, before saving.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.orgs.models import OrgUnit, User

from .models import Status, Warning, ancestor_paths


def linkable(
    user: User, unit: OrgUnit | None = None, *, keep: Warning | None = None
) -> models.QuerySet:
    """The warnings ``user`` may name: the published ones they see (covering ``unit`` when it
    is known), and ``keep``, a warning already named, so a form can leave it as it is."""
    found = Warning.objects.visible_to(user).filter(status=Status.PUBLISHED)
    if unit is not None:
        found = found.filter(pk__in=covering(unit).values("pk"))
    if keep is not None:
        found = Warning.objects.filter(Q(pk__in=found.values("pk")) | Q(pk=keep.pk))
    return found.select_related("org_unit")


def covering(unit: OrgUnit) -> models.QuerySet:
    """Warnings whose area is ``unit`` or a unit above it."""
    return Warning.objects.filter(areas__path__in=ancestor_paths(unit.path))


def link_error(user: User, warning: Warning, unit: OrgUnit) -> str | None:
    """Why ``user`` may not name ``warning`` for a record of ``unit`` (a message), or None."""
    visible = Warning.objects.visible_to(user).filter(pk=warning.pk)
    if not visible.exists():
        return _("找不到该预警，或该预警不在您的查看范围内。")
    if not visible.filter(status=Status.PUBLISHED).exists():
        return _("只能关联已发布的预警（草稿、已更新或已解除的预警不能关联）。")
    if not covering(unit).filter(pk=warning.pk).exists():
        return _("该预警的预警范围不包括%(unit)s。") % {"unit": unit.name}
    return None


def choice_label(warning: Warning) -> str:
    """How a warning reads in a form's choices: its headline, issuer and time of issue."""
    issued = (
        timezone.localtime(warning.issued_at).strftime("%m-%d %H:%M") if warning.issued_at else ""
    )
    return _("%(headline)s（%(unit)s %(issued)s）") % {
        "headline": warning.headline,
        "unit": warning.org_unit.name,
        "issued": issued,
    }
