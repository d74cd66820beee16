"""Notices of the applications app (see apps.notifications.events): each step the applicant
must hear of at once — returned, approved, rejected, awarded, failed at city level — tells the
applicant street's staff, with the reviewer's reason; a submission tells the district's
reviewers. The key is the workflow event, so each step notifies once."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.notifications.events import Notice, district_reviewers, event, street_staff

from .models import Action

# action → (event code, label, title); the title takes %(application)s, %(date)s and %(reason)s
STEPS = {
    Action.RETURN: (
        "applications.returned",
        gettext_lazy("申报被退回修改"),
        gettext_lazy("%(application)s于 %(date)s 被退回修改，原因：%(reason)s"),
    ),
    Action.APPROVE: (
        "applications.approved",
        gettext_lazy("申报区级审核通过"),
        gettext_lazy("%(application)s于 %(date)s 通过区级审核。%(reason)s"),
    ),
    Action.REJECT: (
        "applications.rejected",
        gettext_lazy("申报未通过"),
        gettext_lazy("%(application)s于 %(date)s 未通过区级审核，原因：%(reason)s"),
    ),
    Action.AWARD: (
        "applications.awarded",
        gettext_lazy("示范社区已授牌"),
        gettext_lazy("%(application)s于 %(date)s 授牌。%(reason)s"),
    ),
    Action.CITY_FAIL: (
        "applications.city_failed",
        gettext_lazy("申报市级未通过"),
        gettext_lazy("%(application)s于 %(date)s 市级评审未通过，原因：%(reason)s"),
    ),
}
SUBMITTED = "applications.submitted"


def event_code(action):
    """The notice a workflow step sends, or None."""
    if action == Action.SUBMIT:
        return SUBMITTED
    step = STEPS.get(action)
    return step[0] if step else None


def _describe(application):
    return _("%(unit)s%(year)s年“%(title)s”申报") % {
        "unit": application.org_unit.name,
        "year": application.year,
        "title": application.get_title_display(),
    }


def _step_notice(title):
    def build(step):
        application = step.application
        text = str(title) % {
            "application": _describe(application),
            "date": timezone.localdate(step.created_at).isoformat(),
            "reason": step.comment or _("（未填写意见）"),
        }
        yield Notice(
            key=str(step.pk),
            title=text,
            url=reverse("applications:detail", args=[application.pk]),
            unit_path=application.org_unit.path,
            recipients=street_staff(application.org_unit.path),
        )

    return build


for _action, (_code, _label, _title) in STEPS.items():
    event(_code, _label)(_step_notice(_title))


@event(SUBMITTED, gettext_lazy("新提交的申报"))
def submitted(step):
    application = step.application
    yield Notice(
        key=str(step.pk),
        title=_("%(application)s已于 %(date)s 提交，请审核")
        % {
            "application": _describe(application),
            "date": timezone.localdate(step.created_at).isoformat(),
        },
        url=reverse("applications:detail", args=[application.pk]),
        unit_path=application.org_unit.path,
        recipients=district_reviewers(application.org_unit.path),
    )
