"""The dashboards' figures, cached per unit and invalidated when the records behind them change.

A unit's figures are stored under its *generation*, a random token kept in the cache for each
unit code. Saving or deleting a record that feeds the figures (``FACT_MODELS``) replaces the
generation of every unit on the record's path — the unit and all its ancestors — so the next
dashboard view computes afresh. The generation is replaced at once and again after the
transaction commits (a view that read the old rows in between cannot leave them behind).
Writes that bypass the model signals (bulk imports) send ``apps.orgs.models.records_changed``.
``DASHBOARD_CACHE_SECONDS`` bounds how old a figure can be if a write path were missed.
The figures depend on the date (12-month windows), so it is part of the key; the 六有
readiness texts depend on the language, so they are added after reading, never cached."""

import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from apps.orgs.models import PATH_SEPARATOR, OrgKind, OrgUnit, records_changed

from . import indicators

PREFIX = "dash"

# The models the indicators read (``apps.dashboards.indicators``).
FACT_MODELS = [
    "orgs.OrgUnit",
    "plans.Plan",
    "hazards.Hazard",
    "supplies.Site",
    "supplies.Standard",
    "supplies.Lot",
    "shelters.Shelter",
    "drills.Drill",
    "people.LeadershipGroup",
    "people.LeadershipMember",
    "people.EmergencyTeam",
    "people.TeamMember",
    "people.InformationOfficer",
    "incidents.Incident",
    "warnings.Call",  # acknowledged one by one; published and escalated in bulk (records_changed)
]


def _generation_key(code):
    return f"{PREFIX}:gen:{code}"


def _bump(codes):
    token = uuid.uuid4().hex
    cache.set_many({_generation_key(code): token for code in codes}, timeout=None)


def _refresh(*paths):
    """Records owned by the units at ``paths`` changed: the figures of them and their
    ancestors, bumped together (a bulk change of thousands of rows is two cache writes)."""
    codes = {code for path in paths for code in path.split(PATH_SEPARATOR) if code}
    if not codes:
        return
    _bump(codes)
    transaction.on_commit(lambda: _bump(codes))


def _owning_path(instance):
    value = instance
    for field in type(instance)._default_manager.get_queryset().scope_path.split("__")[:-1]:
        value = getattr(value, field)
    return value.path


def _on_change(sender, instance, **kwargs):
    _refresh(_owning_path(instance))


def _on_bulk_change(sender, paths, **kwargs):
    _refresh(*paths)


def connect_signals():
    records_changed.connect(_on_bulk_change, dispatch_uid="dashboard-cache-bulk")
    for label in FACT_MODELS:
        model = apps.get_model(label)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"dashboard-cache-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"dashboard-cache-{label}")


def _generations(units):
    keys = {unit.pk: _generation_key(unit.code) for unit in units}
    found = cache.get_many(keys.values())
    missing = {key: uuid.uuid4().hex for key in keys.values() if key not in found}
    if missing:  # evicted or never set: a new token, so nothing older can be read back
        cache.set_many(missing, timeout=None)
    found |= missing
    return {pk: found[key] for pk, key in keys.items()}


def _cached(kind, units, compute, today, *, refresh=False):
    """``{unit.pk: value}`` from the cache, computing the missing units (all of them with
    ``refresh``) in one call."""
    generations = _generations(units)  # before computing: a change meanwhile is not hidden
    keys = {
        unit.pk: f"{PREFIX}:{kind}:{unit.code}:{generations[unit.pk]}:{today.isoformat()}"
        for unit in units
    }
    found = {} if refresh else cache.get_many(keys.values())
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [unit for unit in units if unit.pk not in result]
    if missing:
        computed = compute(missing)
        cache.set_many(
            {keys[pk]: value for pk, value in computed.items()},
            timeout=settings.DASHBOARD_CACHE_SECONDS,
        )
        result |= computed
    return result


def cached_facts_for_units(units, *, today=None):
    """``indicators.facts_for_units`` through the cache."""
    figures = _facts(list(units), today or timezone.localdate())
    return {pk: indicators.with_readiness(facts) for pk, facts in figures.items()}


def warm(*, today=None):
    """Compute and store the figures of every street and district (beat, every few minutes,
    before the stored ones expire; see ``CELERY_BEAT_SCHEDULE``): a district's dashboard reads
    its streets' figures from the cache instead of adding up a quarter of a million hazards
    while its reviewer waits. After a change, only the changed street is computed again, by
    the first page that shows it. Returns the number of units computed."""
    today = today or timezone.localdate()
    done = 0
    districts = list(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("path"))
    for district in districts:
        streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET, parent=district))
        done += len(_facts(streets, today, refresh=True))
        hazard_figures(district, streets, today=today, refresh=True)  # the statistics page
    return done + len(_facts(districts, today, refresh=True))


def _facts(units, today, *, refresh=False):
    if not units:
        return {}
    return _cached(
        "facts",
        units,
        lambda missing: indicators.figures_for_units(missing, today=today),
        today,
        refresh=refresh,
    )


def cached_unit_facts(unit, *, today=None):
    return cached_facts_for_units([unit], today=today)[unit.pk]


def hazard_trend(unit, *, today=None):
    """``indicators.hazard_trend`` through the cache."""
    today = today or timezone.localdate()
    return _cached(
        "trend",
        [unit],
        lambda missing: {missing[0].pk: indicators.hazard_trend(missing[0], today=today)},
        today,
    )[unit.pk]


def hazard_figures(parent, units, *, today=None, refresh=False):
    """``hazards.services.hazard_figures_by_category`` through the cache: the statistics page
    of a district adds up its streets' figures, computing only the streets changed since
    (their generation, as for the facts)."""
    from apps.hazards.services import hazard_figures_by_category

    today = today or timezone.localdate()
    units = list(units)
    if not units:
        return {}
    return _cached(
        "hazard_stats",
        units,
        lambda missing: hazard_figures_by_category(parent, missing, today=today),
        today,
        refresh=refresh,
    )
