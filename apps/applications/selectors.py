"""The application's own facts: what the standards ask beyond the dashboards' indicators
(``apps.dashboards.indicators``), read from the records, for a list of units in a constant number
of queries (``rollup``: each unit counts its subtree). The application freezes them with the
rest at submission; the 普查 export reads them per community.

Groups (JSON-safe, dates as ISO strings):

- ``survey``: this year's resident questionnaire (answers in the last 12 months) — 满意率 and
  参与率 with the number of answers, and what residents know and have;
- ``disaster``: 因灾较大事故 — incidents of a natural-disaster type at level Ⅲ (较大) or worse,
  in the last three years and the date of the last in ten years;
- ``risk``: risk points (registered, located on the map, inspected in the last six months),
  vulnerable residents (with a current helper, with a 明白卡);
- ``forces``: teams by kind with members, volunteers, micro fire stations, team trainings;
- ``stock``: agreement storage and site checks in the last 12 months; stock for floods;
- ``drill_actions``: problems found in drills not yet put right;
- ``outreach``: 科普/宣传/培训 activities in the last 12 months, those on a national day, the
  trainings and their QR sign-ins;
- ``funding``: this year's 经费投入 and residents' disaster insurance;
- ``flood``: the records behind 防汛防台"六有" (a flood plan in force, flood stock, shelters).
"""

import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from apps.drills.models import FollowUpAction
from apps.hazards.models import RiskPoint, RiskPointInspection
from apps.incidents.models import SERIOUS_LEVELS, Incident
from apps.orgs.models import rollup
from apps.people.models import (
    EmergencyTeam,
    HelperAssignment,
    TeamMember,
    TeamTraining,
    Visit,
    VulnerableResident,
)
from apps.plans.models import Plan
from apps.shelters.models import Shelter, ShelterStatus
from apps.supplies.models import Category, Lot, Site, SiteCheck, StorageMode
from resilience.dates import day_start

from .models import (
    SATISFIED_CHOICES,
    Activity,
    ActivityKind,
    Funding,
    SignIn,
    Survey,
    SurveyResponse,
)

WINDOW_DAYS = 365
RISK_INSPECTION_DAYS = 182  # "at least every half year"
FLOOD_HAZARD_TYPE = "防汛防台"


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def survey_figures(units, *, today):
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    answers = rollup(
        SurveyResponse.objects.filter(answered_on__gte=since, answered_on__lte=today),
        units,
        path="survey__org_unit__path",
        answers=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED_CHOICES)),
        knows_shelter=Count("pk", filter=Q(knows_shelter=True)),
        joined_activity=Count("pk", filter=Q(joined_activity=True)),
        has_kit=Count("pk", filter=Q(has_kit=True)),
        got_warning=Count("pk", filter=Q(got_warning=True)),
    )
    surveys = rollup(
        Survey.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=since)),
        units,
        surveys=Count("pk"),
        households=Sum("households"),
    )
    result = {}
    for unit in units:
        a, s = answers[unit.pk], surveys[unit.pk]
        n = a["answers"]
        result[unit.pk] = {
            "surveys": s["surveys"],
            "answers": n,
            "households": s["households"] or 0,
            "satisfaction_rate": _percent(a["satisfied"], n),
            "participation_rate": _percent(n, s["households"] or 0),
            "knows_shelter_rate": _percent(a["knows_shelter"], n),
            "joined_activity_rate": _percent(a["joined_activity"], n),
            "has_kit_rate": _percent(a["has_kit"], n),
            "got_warning_rate": _percent(a["got_warning"], n),
        }
    return result


def disaster_figures(units, *, today):
    """因灾较大事故: natural-disaster incidents at level Ⅲ or worse."""
    natural = Q(incident_type__is_natural_disaster=True) | Q(
        incident_type__parent__is_natural_disaster=True
    )
    three_years = day_start(datetime.date(today.year - 3, today.month, min(today.day, 28)))
    figures = rollup(
        Incident.objects.filter(
            natural,
            level__in=SERIOUS_LEVELS,
            occurred_at__gte=day_start(datetime.date(today.year - 10, 1, 1)),
            occurred_at__lt=day_start(today + datetime.timedelta(days=1)),
        ),
        units,
        serious_3y=Count("pk", filter=Q(occurred_at__gte=three_years)),
        last=Max("occurred_at"),
    )
    return {
        unit.pk: {
            "serious_3y": figures[unit.pk]["serious_3y"],
            "last_serious": timezone.localdate(figures[unit.pk]["last"]).isoformat()
            if figures[unit.pk]["last"]
            else None,
        }
        for unit in units
    }


def risk_figures(units, *, today):
    points = rollup(
        RiskPoint.objects.filter(is_active=True),
        units,
        points=Count("pk"),
        mapped=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False)),
    )
    inspected = rollup(
        RiskPointInspection.objects.filter(
            risk_point__is_active=True,
            date__gte=today - datetime.timedelta(days=RISK_INSPECTION_DAYS),
            date__lte=today,
        ),
        units,
        path="risk_point__org_unit__path",
        points=Count("risk_point", distinct=True),
    )
    helper = HelperAssignment.objects.filter(resident=OuterRef("pk"), ended_on__isnull=True)
    card = Visit.objects.filter(resident=OuterRef("pk"), occasion=Visit.Occasion.CARD)
    residents = rollup(
        VulnerableResident.objects.filter(is_active=True),
        units,
        residents=Count("pk"),
        helped=Count("pk", filter=Q(Exists(helper))),
        carded=Count("pk", filter=Q(Exists(card))),
    )
    return {
        unit.pk: {
            "points": points[unit.pk]["points"],
            "mapped": points[unit.pk]["mapped"],
            "inspected_6m": inspected[unit.pk]["points"],
            "vulnerable": residents[unit.pk]["residents"],
            "vulnerable_helped": residents[unit.pk]["helped"],
            "vulnerable_carded": residents[unit.pk]["carded"],
        }
        for unit in units
    }


def forces_figures(units, *, today):
    member = TeamMember.objects.filter(team=OuterRef("pk"))
    kinds = EmergencyTeam.Kind
    staffed = Q(Exists(member))
    teams = rollup(
        EmergencyTeam.objects.filter(is_active=True),
        units,
        first_response=Count("pk", filter=staffed & Q(kind=kinds.FIRST_RESPONSE)),
        professional=Count("pk", filter=staffed & Q(kind=kinds.PROFESSIONAL)),
        volunteer=Count("pk", filter=staffed & Q(kind=kinds.VOLUNTEER)),
        micro_fire=Count("pk", filter=staffed & Q(kind=kinds.MICRO_FIRE_STATION)),
    )
    volunteers = rollup(
        TeamMember.objects.filter(team__is_active=True, team__kind=kinds.VOLUNTEER),
        units,
        path="team__org_unit__path",
        n=Count("pk"),
    )
    trainings = rollup(
        TeamTraining.objects.filter(
            held_on__gte=today - datetime.timedelta(days=WINDOW_DAYS), held_on__lte=today
        ),
        units,
        path="team__org_unit__path",
        n=Count("pk"),
    )
    return {
        unit.pk: {
            **teams[unit.pk],
            "volunteers": volunteers[unit.pk]["n"],
            "trainings_12m": trainings[unit.pk]["n"],
        }
        for unit in units
    }


def stock_figures(units, *, today):
    sites = rollup(
        Site.objects.all(), units, agreement=Count("pk", filter=Q(mode=StorageMode.AGREEMENT))
    )
    checks = rollup(
        SiteCheck.objects.filter(
            checked_on__gte=today - datetime.timedelta(days=WINDOW_DAYS), checked_on__lte=today
        ),
        units,
        path="site__org_unit__path",
        n=Count("pk"),
    )
    flood = rollup(
        Lot.objects.filter(quantity__gt=0, item__category=Category.FLOOD),
        units,
        path="site__org_unit__path",
        lots=Count("pk"),
    )
    return {
        unit.pk: {
            "agreement_sites": sites[unit.pk]["agreement"],
            "checks_12m": checks[unit.pk]["n"],
            "flood_lots": flood[unit.pk]["lots"],
        }
        for unit in units
    }


def drill_action_figures(units):
    actions = rollup(
        FollowUpAction.objects.all(),
        units,
        path="drill__org_unit__path",
        total=Count("pk"),
        open=Count("pk", filter=Q(done=False)),
    )
    return {unit.pk: actions[unit.pk] for unit in units}


def outreach_figures(units, *, today):
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    window = Q(held_on__gte=since, held_on__lte=today)
    activities = rollup(
        Activity.objects.filter(window),
        units,
        activities=Count("pk"),
        national_days=Count("pk", filter=~Q(national_day="")),
        trainings=Count("pk", filter=Q(kind=ActivityKind.TRAINING)),
        last=Max("held_on"),
    )
    signed = rollup(
        SignIn.objects.filter(activity__held_on__gte=since, activity__held_on__lte=today),
        units,
        path="activity__org_unit__path",
        participants=Count("pk"),
        trained=Count("pk", filter=Q(activity__kind=ActivityKind.TRAINING)),
    )
    return {
        unit.pk: {
            "activities_12m": activities[unit.pk]["activities"],
            "national_days_12m": activities[unit.pk]["national_days"],
            "trainings_12m": activities[unit.pk]["trainings"],
            "participants_12m": signed[unit.pk]["participants"],
            "trained_12m": signed[unit.pk]["trained"],
            "last_held": activities[unit.pk]["last"].isoformat()
            if activities[unit.pk]["last"]
            else None,
        }
        for unit in units
    }


def funding_figures(units, *, today):
    """This year's 经费投入 and insurance: a unit's own record, or its communities' added up."""
    figures = rollup(
        Funding.objects.filter(year=today.year),
        units,
        records=Count("pk"),
        amount=Sum("amount"),
        insured=Sum("insured_households"),
        insurance=Count("pk", filter=~Q(insurance="") | Q(insured_households__gt=0)),
    )
    return {
        unit.pk: {
            "year": today.year,
            "records": figures[unit.pk]["records"],
            "amount": float(figures[unit.pk]["amount"] or 0),
            "insured_households": figures[unit.pk]["insured"] or 0,
            "insurance": figures[unit.pk]["insurance"] > 0,
        }
        for unit in units
    }


def flood_figures(units):
    flood_plan = Q(status=Plan.Status.IN_FORCE, hazard_types__name=FLOOD_HAZARD_TYPE)
    plans = rollup(
        Plan.objects.all(), units, flood_plans=Count("pk", filter=flood_plan, distinct=True)
    )
    shelters = rollup(
        Shelter.objects.filter(status=ShelterStatus.AVAILABLE), units, available=Count("pk")
    )
    return {
        unit.pk: {
            "flood_plans": plans[unit.pk]["flood_plans"],
            "shelters_available": shelters[unit.pk]["available"],
        }
        for unit in units
    }


def evidence_figures(units, *, today=None):
    """``{unit.pk: {group: figures}}`` for every unit in ``units`` (each counting its
    subtree); the caller has checked the units are in the user's scope."""
    today = today or timezone.localdate()
    units = list(units)
    if not units:
        return {}
    groups = {
        "survey": survey_figures(units, today=today),
        "disaster": disaster_figures(units, today=today),
        "risk": risk_figures(units, today=today),
        "forces": forces_figures(units, today=today),
        "stock": stock_figures(units, today=today),
        "drill_actions": drill_action_figures(units),
        "outreach": outreach_figures(units, today=today),
        "funding": funding_figures(units, today=today),
        "flood": flood_figures(units),
    }
    return {unit.pk: {name: values[unit.pk] for name, values in groups.items()} for unit in units}
