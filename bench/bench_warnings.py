"""预警叫应 at city scale (``bench/run.py --only warnings``): the 责任人 (A and B for every duty)
of every unit of the city data set (``apps/warnings/city.py``), then a red typhoon warning for
the whole city published (the calls fanned out in bulk), delivered (in-app, SMS through the
logging backend), and the escalation tick ten minutes later with nobody having answered (every call
escalates), then a second tick with nothing left to do. Run inside a rolled-back transaction."""

import datetime
import time

from django.utils import timezone

from apps.notifications import sms
from apps.orgs.models import OrgUnit, Role, User
from apps.warnings import services
from apps.warnings.models import DutyHolder, Level, Source, Warning, WarningType


def prepare():
    city = OrgUnit.objects.get(code="X310000")
    holders = DutyHolder.objects.filter(org_unit__path__startswith=city.path)
    drafter, approver = (
        User.objects.create(username=f"bench-warnings-{n}", role=Role.STREET_STAFF, org_unit=city)
        for n in (1, 2)
    )
    now = timezone.now()
    warning = services.save_warning(
        drafter,
        Warning(
            org_unit=city,
            warning_type=WarningType.objects.get(code="typhoon"),
            level=Level.RED,
            source=Source.CITY_MET,
            headline="上海中心气象台发布台风红色预警",
            text="bench",
            expires_at=now + datetime.timedelta(hours=12),
        ),
        areas=[city],
    )
    services.approve_warning(approver, warning, now=now)
    return warning, approver, holders.count()


def once(timings):
    warning, approver, holders = prepare()
    now = timezone.now()
    start = time.perf_counter()
    calls = services.publish_warning(approver, warning, now=now)
    timings["publish"].append(time.perf_counter() - start)
    sms.outbox.clear()
    start = time.perf_counter()
    services.deliver_calls(warning.pk, now=now)
    timings["deliver"].append(time.perf_counter() - start)
    start = time.perf_counter()
    escalated = services.escalate_calls(now=now + datetime.timedelta(minutes=10))
    timings["tick"].append(time.perf_counter() - start)
    start = time.perf_counter()
    again = services.escalate_calls(now=now + datetime.timedelta(minutes=11))
    timings["idle_tick"].append(time.perf_counter() - start)
    assert again == 0, again
    sms.outbox.clear()
    return {"holders": holders, "calls": calls, "escalated": escalated}


# --- the acknowledgement link under load (bench/run.py: bench_ack) ----------------------------


def ack_paths(count):
    """Committed: the city-wide red warning published, and the paths of ``count`` of its
    acknowledgement links (SMS channel), each to be used once."""
    from django.urls import reverse

    from apps.warnings.models import Call, Channel

    warning, approver, _holders = prepare()
    services.publish_warning(approver, warning, now=timezone.now())
    calls = Call.objects.filter(warning=warning).order_by("pk").only("pk", "holder_id")[:count]
    paths = [reverse("warnings:ack_link", args=[services.ack_token(c, Channel.SMS)]) for c in calls]
    return warning, paths


def clean_up(warning):
    """Remove what ``ack_paths`` committed."""
    from apps.warnings.models import Call

    Call.objects.filter(warning=warning).delete()
    warning.delete()
    User.objects.filter(username__startswith="bench-warnings-").delete()
