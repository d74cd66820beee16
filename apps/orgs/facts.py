"""A unit's figures — plans, hazards, supplies, shelters, drills, people, grids, incidents, 叫应
and the 六有 readiness — for a domain app that shows them beside its own records (applications:
the facts of an application, the 普查 export).

They are defined once, in the hub that reads every domain (apps/dashboards/indicators.py). A
domain app never imports a hub, so it asks here; the hub hands in its module when the apps are
ready (``DashboardsConfig.ready`` calls ``provide``). Calls are looked up on that module each
time, so its functions stay the one definition (and what a test patches there holds here)."""

_source = None


def provide(module) -> None:
    """Called by the module that defines ``figures_for_units`` and ``unit_facts``."""
    global _source
    _source = module


def figures_for_units(units, *, today=None):
    """``{unit id: figures}`` for ``units``, in a constant number of queries."""
    return _source.figures_for_units(units, today=today)


def unit_facts(unit, *, today=None):
    """One unit's figures and readiness, a JSON-safe dict."""
    return _source.unit_facts(unit, today=today)
