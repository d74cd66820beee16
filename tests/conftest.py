import contextlib
import importlib
import io
import os
import re
import uuid

import pytest
from celery._state import _register_app
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings

from apps.orgs.models import OrgKind, Role
from resilience.celery import app as celery_app
from tests.factories import UserFactory, child, city

TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _own_redis_database():
    """Under pytest-xdist (``make test`` runs two workers) each worker has its own test
    database (pytest-django's ``_gw0`` suffix) and here its own Redis database too: the cache,
    the Celery broker and the results. Otherwise one worker's Celery worker would take the
    other's tasks, and a ``cache.clear()`` would empty the other's queue. Settings are read by
    now, but the cache and Celery connect only on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return
    offset = int(worker[2:])

    def moved(url):
        match = re.match(r"^(.*?//[^/]*)(?:/(\d+))?(.*)$", url)
        base, db, rest = match.groups()
        return f"{base}/{int(db or 0) + offset}{rest}"

    for alias in settings.CACHES.values():
        if isinstance(alias.get("LOCATION"), str) and alias["LOCATION"].startswith("redis"):
            alias["LOCATION"] = moved(alias["LOCATION"])
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        value = getattr(settings, name)
        if value and value.startswith("redis"):
            setattr(settings, name, moved(value))
            celery_app.conf[name] = moved(value)


_own_redis_database()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache(monkeypatch):
    """Each test its own dashboard cache keys: the cache (Redis in CI) outlives the test's
    rolled-back rows, and fixtures may load rows without the signals that invalidate it."""
    from apps.dashboards import cache

    monkeypatch.setattr(cache, "PREFIX", f"dash-{uuid.uuid4().hex}")


def _module_has_transactional_tests(request):
    path = request.node.path
    return any(item.path == path and _is_transactional(item) for item in request.session.items)


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
    )


def pytest_collection_modifyitems(items):
    """Modules without transactional tests first (those tests empty every table when they
    end), each module whole (pytest-xdist hands a worker whole modules: ``--dist loadfile``),
    and within a module the tests without the demo data first: once a module's demo is seeded
    (``_demo_once``) later tests see it; its transactional tests last."""
    modules = {}
    for item in items:
        modules.setdefault(item.path, len(modules))
    transactional = {item.path for item in items if _is_transactional(item)}
    items.sort(
        key=lambda item: (
            item.path in transactional,
            modules[item.path],
            _is_transactional(item),
            "demo" in item.fixturenames,
        )
    )


# The data migrations that load reference data (warning types, shelter types, the catalogue
# ...): each is idempotent, and each transactional test runs them again, since the flush at
# the end of the one before emptied those tables too.
REFERENCE_LOADERS = [
    ("apps.applications.migrations.0004_standards_conditions", "load"),
    ("apps.hazards.migrations.0002_load_categories", "load"),
    ("apps.incidents.migrations.0002_load_types", "load"),
    ("apps.people.migrations.0002_load_certificate_types", "load"),
    ("apps.plans.migrations.0002_load_hazard_types", "load"),
    ("apps.shelters.migrations.0002_load_reference_data", "load"),
    ("apps.supplies.migrations.0002_load_catalogue", "load_catalogue"),
    ("apps.warnings.migrations.0002_warning_types", "load"),
]


_flushed = False  # a transactional test has run in this process and emptied the tables


def _load_reference_data():
    from django.apps import apps

    for module, function in REFERENCE_LOADERS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data for every transactional test, and for the database tests that run after
    one in the same process (a module's plain tests after an earlier module's transactional
    ones): inside their transaction, rolled back with it."""
    global _flushed
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")
        _load_reference_data()
        _flushed = True
    elif _flushed and (
        request.node.get_closest_marker("django_db") or "db" in request.fixturenames
    ):
        request.getfixturevalue("db")
        _load_reference_data()


@pytest.fixture(scope="module")
def _demo_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` once per test module, in a transaction rolled back when the module ends;
    each test runs in a savepoint inside it, so what a test changes is gone for the next.
    Seeding takes seconds, and most modules have several tests that read the demo data.

    A module with transactional tests (workers, browsers) cannot hold a transaction open
    around them: there each test seeds its own (``None`` here)."""
    if _module_has_transactional_tests(request):
        yield None
        return
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        # the tests' hasher (``_test_settings`` is not active yet): demo passwords must verify
        override_settings(DEBUG=True, MEDIA_ROOT=media, PASSWORD_HASHERS=TEST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        if _flushed:
            _load_reference_data()
        call_command("seed_demo", stdout=io.StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_once, db, settings):
    """The demo org tree, users and each app's demo records from ``seed_demo``."""
    settings.DEBUG = True
    if _demo_once is None:
        call_command("seed_demo", stdout=io.StringIO())
    else:
        settings.MEDIA_ROOT = _demo_once  # the demo's uploaded files


@pytest.fixture
def tree(db):
    """A small tree: city → two districts → streets → communities → estates."""
    sh = city(code="C1", name="市")
    d1 = child(sh, OrgKind.DISTRICT, code="D1", name="一区")
    d2 = child(sh, OrgKind.DISTRICT, code="D2", name="二区")
    s1 = child(d1, OrgKind.STREET, code="S1", name="甲街道")
    s2 = child(d1, OrgKind.STREET, code="S2", name="乙街道")
    s3 = child(d2, OrgKind.STREET, code="S3", name="丙街道")
    c1 = child(s1, OrgKind.COMMUNITY, code="S1C1", name="甲一居委")
    e1 = child(c1, OrgKind.ESTATE, code="S1C1E1", name="甲一小区")
    c2 = child(s2, OrgKind.COMMUNITY, code="S2C1", name="乙一居委")
    return {k: v for k, v in locals().items() if k != "db"}


@pytest.fixture
def login(client):
    """Log the test client in as a demo user by username."""

    def _login(username):
        from apps.orgs.models import User

        client.force_login(User.objects.get(username=username))
        return client

    return _login


def make_user(unit, role=Role.STREET_STAFF, **kw):
    return UserFactory(org_unit=unit, role=role, **kw)


def _close_worker_connections(**kwargs):
    connections.close_all()  # the worker thread's own connection; lets the test DB be dropped


@contextlib.contextmanager
def celery_conf(**values):
    """Override Celery settings for a block. The app reads Django settings with the CELERY_
    namespace, so the overrides must use those (upper-case) names to take effect."""
    names = {key: f"CELERY_{key.upper()}" for key in values}
    saved = {names[key]: getattr(celery_app.conf, key) for key in values}
    celery_app.conf.update({names[key]: value for key, value in values.items()})
    _drop_connection_pools()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _drop_connection_pools()


def _drop_connection_pools():
    """Forget broker connections and the result backend made with the previous settings."""
    celery_app.close()
    _register_app(celery_app)  # close() deregisters the app; tasks imported later need it
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def worker():
    """A real Celery worker in a thread, consuming from the configured broker (Redis in CI;
    Celery's in-memory transport when none is configured). Use with
    ``pytest.mark.django_db(transaction=True)`` so the worker's connection sees the data."""
    overrides = {"task_always_eager": False}
    if not settings.CELERY_BROKER_URL:
        overrides |= {"broker_url": "memory://", "result_backend": "cache+memory://"}
    task_postrun.connect(_close_worker_connections)
    try:
        # The in-memory transport takes ~10 s to stop; Redis stops at once.
        with (
            celery_conf(**overrides),
            start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
        ):
            assert not celery_app.conf.task_always_eager
            yield celery_app
    finally:
        task_postrun.disconnect(_close_worker_connections)


@pytest.fixture
def tasks_in_process():
    """Run tasks in-process (as the embedded default does) for tests about what a task does,
    not how it travels; the worker tests cover the broker."""
    with celery_conf(task_always_eager=True):
        yield


@pytest.fixture
def run_tasks_on_commit(django_capture_on_commit_callbacks, monkeypatch, tasks_in_process):
    """For view tests: tasks run in-process, and what a request queues with
    ``delay_on_commit`` runs when the request ends, as it would after a real commit (the
    test's own transaction never commits)."""
    from django.test.client import Client

    original = Client.post

    def post(self, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)
