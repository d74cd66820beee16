"""Clients of the open API on the small ``tree``: one per street (甲街道 S1, 乙街道 S2) and one of
the district 一区 (D1), with the scopes a test asks for, and a test client that sends a token."""

import json

import pytest
from django.test import Client

from apps.api.models import ApiClient, ApiToken, Scope
from apps.hazards import services as hazard_services
from apps.hazards.models import HazardCategory, Severity
from tests.conftest import make_user

ALL_SCOPES = list(Scope.values)
READ_SCOPES = [s for s in Scope.values if s.startswith("read:")]


class TokenClient(Client):
    """Django's test client with ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}" if token else None, **kwargs)
        if not token:
            self.defaults.pop("HTTP_AUTHORIZATION")

    def post_json(self, path, data, **extra):
        return self.post(path, json.dumps(data), content_type="application/json", **extra)


def make_client(unit, scopes=ALL_SCOPES, name=None, **kwargs):
    client = ApiClient.objects.create(
        name=name or f"一网统管·{unit.name}", org_unit=unit, scopes=list(scopes), **kwargs
    )
    _token, plaintext = ApiToken.issue(client)
    return client, TokenClient(plaintext)


@pytest.fixture
def api(tree):
    """``api(unit, scopes)`` → (ApiClient, TokenClient)."""

    def _api(unit=None, scopes=ALL_SCOPES, **kwargs):
        return make_client(unit or tree["s1"], scopes, **kwargs)

    return _api


@pytest.fixture
def staff(tree):
    return {code: make_user(tree[code], username=f"staff_{code}") for code in ("s1", "s2", "d1")}


def report(user, unit, title="楼道堆物", **kwargs):
    return hazard_services.report_hazard(
        user,
        org_unit=unit,
        title=title,
        category=HazardCategory.objects.filter(is_active=True).order_by("pk").first(),
        severity=Severity.GENERAL,
        **kwargs,
    )
