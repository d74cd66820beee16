"""Reminder rules of the duty app (see apps.notifications.rules).

A shift nobody has signed into 30 minutes after its start reminds its 带班领导 (by name, not the
unit's staff). The rule looks at the shifts running at ``now``: the sweep passes only the date,
so ``now`` is the current time unless a test passes it; ``apps.duty.tasks`` runs this rule every
quarter of an hour, since a missed sign-in cannot wait for the daily sweep.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.notifications.rules import Finding, object_url, register

from .selectors import unsigned_shifts

SIGN_IN_GRACE = datetime.timedelta(minutes=30)


@register("duty.unsigned_shift", _("值班无人签到"))
def unsigned_shift(today, *, now=None):
    now = now or timezone.now()
    url = object_url("duty:shift")
    rows = (
        unsigned_shifts(now, grace=SIGN_IN_GRACE)
        .filter(leader__isnull=False)
        .values("pk", "starts_at", "leader_id", "roster__org_unit__path", "roster__org_unit__name")
    )
    for row in rows.iterator(chunk_size=2000):
        starts_at = timezone.localtime(row["starts_at"])
        yield Finding(
            key=f"{row['pk']}",
            unit_path=row["roster__org_unit__path"],
            title=str(_("%(unit)s %(start)s 开始的班次尚无人签到"))
            % {"unit": row["roster__org_unit__name"], "start": starts_at.strftime("%m-%d %H:%M")},
            url=url(row["pk"]),
            due=starts_at.date(),
            recipients=(row["leader_id"],),
        )
