"""Notices of the hazards app (see apps.notifications.events): a hazard 交办 to a unit of the
portal (its 整改责任单位 names a unit of the hazard's street) tells that unit's users at once,
with the deadline; when the responsible unit is outside the portal (a property company), the
users of the 居委/村 the hazard lies in are told instead. The key is the 交办 event."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.notifications.events import Notice, event
from apps.orgs.models import FRONTLINE_ROLES, OrgKind, OrgUnit, User

ASSIGNED = "hazards.assigned"


def _responsible_unit(hazard):
    unit = hazard.org_unit
    street = unit.street() or unit
    named = (
        OrgUnit.objects.subtree(street).filter(name=hazard.responsible_unit).order_by("pk").first()
    )
    if named is not None:
        return named
    return unit.parent if unit.kind == OrgKind.ESTATE else unit


@event(ASSIGNED, gettext_lazy("隐患交办"))
def assigned(step):
    hazard = step.hazard
    unit = _responsible_unit(hazard)
    title = _("隐患“%(title)s”已交办%(unit)s整改，整改期限 %(deadline)s") % {
        "title": hazard.title,
        "unit": hazard.responsible_unit,
        "deadline": hazard.deadline,
    }
    if step.note:
        title += _("。说明：%(note)s") % {"note": step.note}
    users = User.objects.filter(is_active=True, org_unit=unit).order_by("pk")
    desk, phone = [], []
    for pk, role in users.values_list("pk", "role"):
        (phone if role in FRONTLINE_ROLES else desk).append(pk)
    # the front line opens the phone page of the hazard, the others the desk page
    for recipients, url_name in ((desk, "hazards:detail"), (phone, "mobile:hazard")):
        if recipients:
            yield Notice(
                key=str(step.pk),
                title=title,
                url=reverse(url_name, args=[hazard.pk]),
                unit_path=hazard.org_unit.path,
                recipients=tuple(recipients),
            )
