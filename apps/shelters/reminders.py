"""Reminder rules of the shelters app (see apps.notifications.rules)."""

from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Summary, dated_findings, register

from .models import Shelter


@register(
    "shelters.inspection_due",
    _("避难场所检查到期"),
    summary=Summary(
        _("%(unit)s有 %(n)d 处避难场所已到检查日期，最早的应于 %(due)s 检查"),
        "shelters:list",
        "?overdue=on",
    ),
)
def inspection_due(today):
    return dated_findings(
        Shelter.objects.filter(next_inspection_date__lte=today),
        date_field="next_inspection_date",
        name_field="name",
        title=_("避难场所“%(name)s”应于 %(due)s 检查"),
        url_name="shelters:detail",
    )
