"""Read-side figures of a response: the event board (tasks by state, shelters and occupancy,
transfer progress, open requests, the latest timeline), the list of events with their
progress, the public list of open shelters and the 事后评估. Each is a constant number of
queries, whatever the number of tasks, people checked in or residents on the roster."""

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from apps.warnings.models import Call, ChecklistConfirmation
from apps.warnings.selectors import figures

from .models import (
    CheckIn,
    EventLog,
    EventStatus,
    EventTask,
    RequestStatus,
    ShelterOperation,
    SupplyRequest,
    TaskStatus,
    Transfer,
    TransferStatus,
)

OPEN_REQUEST_STATES = (RequestStatus.REQUESTED, RequestStatus.APPROVED, RequestStatus.DISPATCHED)
PEOPLE_FIELDS = ("elderly", "children", "alone", "disabled", "pregnant")


def task_counts(tasks, *, now=None):
    now = now or timezone.now()
    return tasks.aggregate(
        total=Count("pk"),
        todo=Count("pk", filter=Q(status=TaskStatus.TODO)),
        doing=Count("pk", filter=Q(status=TaskStatus.DOING)),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        overdue=Count("pk", filter=~Q(status=TaskStatus.DONE) & Q(due_at__lt=now)),
    )


def transfer_counts(transfers):
    counts = dict(transfers.order_by().values_list("status").annotate(n=Count("pk")))
    rows = [(s, label, counts.get(s, 0)) for s, label in TransferStatus.choices]
    total = sum(n for _s, _l, n in rows)
    settled = sum(
        n
        for s, _l, n in rows
        if s in (TransferStatus.MOVED, TransferStatus.SAFE_AT_HOME, TransferStatus.SHELTERED)
    )
    return {"rows": rows, "total": total, "settled": settled}


def operations_with_people(operations):
    """The operations with, on each, the present people by group (老、幼、孤、残、孕)."""
    operations = list(operations.select_related("shelter").order_by("opened_at", "pk"))
    sums = {
        row["operation"]: row
        for row in CheckIn.objects.filter(operation__in=operations, checked_out_at__isnull=True)
        .order_by()
        .values("operation")
        .annotate(**{f: Sum(f) for f in PEOPLE_FIELDS}, households=Count("pk"))
    }
    for operation in operations:
        row = sums.get(operation.pk, {})
        operation.people = {f: row.get(f) or 0 for f in PEOPLE_FIELDS}
        operation.households = row.get("households", 0)
    return operations


def event_board(event, *, now=None):
    """Everything the board of one event shows."""
    now = now or timezone.now()
    tasks = EventTask.objects.filter(event=event)
    operations = operations_with_people(ShelterOperation.objects.filter(event=event))
    return {
        "tasks": task_counts(tasks, now=now),
        "task_list": list(tasks.select_related("unit").order_by("status", "due_at", "pk")),
        "operations": operations,
        "occupancy": sum(o.occupancy for o in operations if o.is_open),
        "capacity": sum(o.capacity for o in operations if o.is_open),
        "transfers": transfer_counts(Transfer.objects.filter(event=event)),
        "requests": list(
            SupplyRequest.objects.filter(event=event, status__in=OPEN_REQUEST_STATES)
            .select_related("unit", "item")
            .order_by("requested_at", "pk")
        ),
        "log": list(EventLog.objects.filter(event=event).order_by("-at", "-pk")[:15]),
        "now": now,
    }


def board_data(event, *, now=None):
    """The board as JSON-ready data (the polled endpoint): figures and texts only."""
    board = event_board(event, now=now)
    return {
        "level": event.get_level_display(),
        "status": event.get_status_display(),
        "tasks": board["tasks"],
        "occupancy": board["occupancy"],
        "capacity": board["capacity"],
        "shelters": [
            {
                "id": o.pk,
                "name": o.shelter.name,
                "url": o.get_absolute_url(),
                "open": o.is_open,
                "occupancy": o.occupancy,
                "capacity": o.capacity,
                "remaining": o.remaining,
                **o.people,
            }
            for o in board["operations"]
        ],
        "transfers": {s: n for s, _label, n in board["transfers"]["rows"]},
        "transfers_total": board["transfers"]["total"],
        "open_requests": len(board["requests"]),
        "log": [
            {"at": timezone.localtime(e.at).strftime("%m-%d %H:%M"), "text": e.text}
            for e in board["log"]
        ],
    }


def events_with_progress(events):
    """Events with, on each, tasks done/total, people in open shelters and transfers still
    pending: three aggregate queries for the whole list."""
    events = list(events)
    ids = [e.pk for e in events]
    tasks = {
        row["event"]: row
        for row in EventTask.objects.filter(event__in=ids)
        .order_by()
        .values("event")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)))
    }
    people = dict(
        ShelterOperation.objects.filter(event__in=ids, closed_at__isnull=True)
        .order_by()
        .values_list("event")
        .annotate(n=Sum("occupancy"))
    )
    pending = dict(
        Transfer.objects.filter(event__in=ids, status=TransferStatus.PENDING)
        .order_by()
        .values_list("event")
        .annotate(n=Count("pk"))
    )
    for event in events:
        row = tasks.get(event.pk, {})
        event.tasks_total = row.get("total", 0)
        event.tasks_done = row.get("done", 0)
        event.people_sheltered = people.get(event.pk) or 0
        event.transfers_pending = pending.get(event.pk, 0)
    return events


def open_shelters(district):
    """The shelters of ``district`` open for a response now, with remaining capacity: no
    personal data (the public page)."""
    return list(
        ShelterOperation.objects.filter(
            event__org_unit__path__startswith=district.path,
            event__status=EventStatus.OPEN,
            closed_at__isnull=True,
        )
        .select_related("shelter")
        .order_by("shelter__name", "pk")
    )


def warning_milestones(event):
    """For an event that answers a warning: when it was published, when the first person of
    the event's area acknowledged it (and how many of them did) and when the first unit there
    confirmed 责任人到岗; None without a warning."""
    if event.warning_id is None:
        return None
    in_area = {"org_unit__path__startswith": event.org_unit.path}
    calls = list(
        Call.objects.filter(warning_id=event.warning_id, **in_area).only(
            "status", "called_at", "acknowledged_at"
        )
    )
    return {
        "warning": event.warning,
        "first_acknowledged": min(
            (c.acknowledged_at for c in calls if c.acknowledged_at), default=None
        ),
        "calls": figures(calls),
        "on_post": ChecklistConfirmation.objects.filter(
            warning_id=event.warning_id, item="on_post", **in_area
        ).aggregate(first=Min("confirmed_at"))["first"],
    }


def review(event):
    """The 事后评估 figures, from the timeline and the records: warning → first acknowledgement
    → on post → open → tasks → transfers → shelter peak → supplies used → close."""
    tasks = EventTask.objects.filter(event=event)
    task_figures = tasks.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        first_done=Min("done_at"),
        last_done=Max("done_at"),
        late=Count("pk", filter=Q(status=TaskStatus.DONE, done_at__gt=F("due_at"))),
    )
    transfer_first = EventLog.objects.filter(event=event, kind=EventLog.Kind.TRANSFER).aggregate(
        first=Min("at")
    )["first"]
    operations = operations_with_people(ShelterOperation.objects.filter(event=event))
    checked_in = CheckIn.objects.filter(operation__event=event).aggregate(
        people=Sum("household_size"), households=Count("pk")
    )
    requests = list(
        SupplyRequest.objects.filter(event=event).select_related("unit", "item", "site")
    )
    lead_times = sorted(r.lead_time for r in requests if r.lead_time is not None)
    return {
        "event": event,
        "warning": warning_milestones(event),
        "tasks": task_figures,
        "unfinished_tasks": list(
            tasks.exclude(status=TaskStatus.DONE).select_related("unit").order_by("due_at")
        ),
        "transfers": transfer_counts(Transfer.objects.filter(event=event)),
        "first_transfer": transfer_first,
        "operations": operations,
        "peak": sum(o.peak for o in operations),
        "checked_in": checked_in,
        "requests": requests,
        "median_lead_time": lead_times[len(lead_times) // 2] if lead_times else None,
        "log": list(EventLog.objects.filter(event=event).order_by("at", "pk")),
        "follow_ups": list(event.follow_ups.all()),
    }
