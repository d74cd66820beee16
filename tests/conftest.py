import io

import pytest
from django.core.management import call_command

from apps.orgs.models import OrgKind, Role
from tests.factories import UserFactory, child, city


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db, settings):
    """The demo org tree and users from ``seed_demo``."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


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
