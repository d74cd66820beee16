"""A token is the only way in, and it scopes everything: another street's record is a 404 (as on
the pages), a token without a write scope is a 403 and writes nothing, a missing, malformed,
revoked or expired token is a 401; tokens are stored as digests and rotate; every client has
its own rate limit; every write is in the audit trail as the client."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from apps.api.auth import parse_token
from apps.api.models import ApiToken, Scope, hash_secret
from apps.hazards.models import Hazard
from apps.orgs.models import User

from .conftest import READ_SCOPES, TokenClient, report

pytestmark = pytest.mark.django_db

WORK_ORDER = {
    "order_id": "12345-0001",
    "unit": "S1C1",
    "title": "消防通道堆物",
    "category": "fire-lane",
}


def test_a_token_is_stored_as_a_digest_of_its_secret(api):
    client, _http = api()
    token, plaintext = ApiToken.issue(client)
    prefix, secret = parse_token(plaintext)
    assert plaintext.startswith("crp_") and len(secret) >= 40
    assert token.prefix == prefix and token.secret_hash == hash_secret(secret)
    assert secret not in token.secret_hash
    assert not ApiToken.objects.filter(secret_hash__contains=secret).exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer crp_nothing",
        "Bearer crp_abc_def",
        "Token crp_x_y",
        "Bearer a b",
    ],
)
def test_without_a_valid_token_the_answer_is_401_with_a_problem(api, client, header):
    api()
    response = client.get(
        "/api/v1/org-units/", **({"HTTP_AUTHORIZATION": header} if header else {})
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.json()["detail"]


def test_a_wrong_secret_of_a_real_prefix_is_refused(api):
    client, _http = api()
    token, plaintext = ApiToken.issue(client)
    forged = plaintext[: plaintext.rindex("_") + 1] + "x" * 43
    assert TokenClient(forged).get("/api/v1/org-units/").status_code == 401


def test_a_revoked_or_expired_token_or_a_disabled_client_is_refused(api):
    client, http = api()
    assert http.get("/api/v1/org-units/").status_code == 200
    token = client.tokens.get()
    token.revoked_at = timezone.now()
    token.save()
    assert http.get("/api/v1/org-units/").status_code == 401
    other, plaintext = ApiToken.issue(client, expires_at=timezone.now() - datetime.timedelta(1))
    assert TokenClient(plaintext).get("/api/v1/org-units/").status_code == 401
    _fresh, plaintext = ApiToken.issue(client)
    assert TokenClient(plaintext).get("/api/v1/org-units/").status_code == 200
    client.is_active = False
    client.save()
    assert TokenClient(plaintext).get("/api/v1/org-units/").status_code == 401


def test_create_api_token_prints_a_token_once_and_rotates(api, capsys):
    client, http = api()
    call_command("create_api_token", client.name, "--rotate")
    plaintext = capsys.readouterr().out.strip()
    assert TokenClient(plaintext).get("/api/v1/org-units/").status_code == 200
    assert http.get("/api/v1/org-units/").status_code == 401  # the old one was revoked
    assert client.tokens.filter(revoked_at__isnull=True).count() == 1


def test_the_service_account_cannot_log_in_and_is_nobody_s_colleague(api, tree):
    client, _http = api()
    actor = User.objects.get(pk=client.actor_id)
    assert not actor.is_active and not actor.has_usable_password()
    assert actor.org_unit == tree["s1"] and "一网统管" in actor.get_full_name()
    assert not User.objects.filter(is_active=True, org_unit=tree["s1"], pk=actor.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/hazards/{hazard}/",
        "/api/v1/shelters/{shelter}/",
        "/api/v1/org-units/S2/",
        "/api/v1/org-units/S2C1/",
        "/api/v1/hazards/?unit=S2",
    ],
)
def test_another_street_s_record_is_a_404(api, tree, staff, path):
    from tests.shelters.factories import ShelterFactory

    theirs = report(staff["s2"], tree["c2"])
    shelter = ShelterFactory(org_unit=tree["s2"])
    _client, http = api(tree["s1"])
    response = http.get(path.format(hazard=theirs.pk, shelter=shelter.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "范围" in response.json()["detail"]


def test_lists_hold_only_the_client_s_unit_and_below(api, tree, staff):
    mine = report(staff["s1"], tree["e1"])
    report(staff["s2"], tree["c2"])
    _client, street = api(tree["s1"])
    assert [h["id"] for h in street.get("/api/v1/hazards/").json()["results"]] == [mine.pk]
    _client, district = api(tree["d1"], name="一网统管·一区")
    assert len(district.get("/api/v1/hazards/").json()["results"]) == 2
    codes = {u["code"] for u in street.get("/api/v1/org-units/").json()["results"]}
    assert codes == {"S1", "S1C1", "S1C1E1"}


def test_a_read_only_token_cannot_write_and_nothing_is_saved(api, tree):
    _client, http = api(tree["s1"], READ_SCOPES)
    writes = [
        ("/api/v1/hazards/work-orders/", WORK_ORDER, Scope.WRITE_HAZARDS),
        ("/api/v1/population/", {"rows": []}, Scope.WRITE_POPULATION),
        ("/api/v1/incidents/", {}, Scope.WRITE_INCIDENTS),
    ]
    for path, body, scope in writes:
        response = http.post_json(path, body)
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"
        assert scope in response.json()["detail"]
    response = http.post("/api/v1/warnings/cap/", b"<alert/>", content_type="application/cap+xml")
    assert response.status_code == 403
    assert not Hazard.objects.exists()


def test_a_token_without_a_read_scope_cannot_read_that_domain(api, tree):
    _client, http = api(tree["s1"], [Scope.READ_SHELTERS])
    assert http.get("/api/v1/shelters/").status_code == 200
    assert http.get("/api/v1/org-units/").status_code == 200  # any token
    for path in ("/api/v1/hazards/", "/api/v1/warnings/", "/api/v1/incidents/", "/api/v1/plans/"):
        assert http.get(path).status_code == 403, path


def test_each_client_has_its_own_rate_limit(api, tree):
    from django.core.cache import cache

    cache.clear()
    _slow, slow = api(tree["s1"], requests_per_minute=3, name="慢")
    _other, other = api(tree["s1"], name="快")
    assert [slow.get("/api/v1/org-units/").status_code for _ in range(3)] == [200] * 3
    refused = slow.get("/api/v1/org-units/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json"
    assert "频繁" in refused.json()["detail"]
    assert other.get("/api/v1/org-units/").status_code == 200


def test_a_write_is_in_the_audit_trail_as_the_client(api, tree):
    client, http = api(tree["s1"])
    response = http.post_json("/api/v1/hazards/work-orders/", WORK_ORDER)
    assert response.status_code == 201, response.content
    hazard = Hazard.objects.get()
    assert hazard.created_by_id == client.actor_id
    entry = LogEntry.objects.get_for_object(hazard).get()
    assert entry.actor_id == client.actor_id
    assert entry.remote_addr == "127.0.0.1"
    assert "一网统管" in entry.actor.get_full_name()


def test_a_session_is_not_a_token(client, tree):
    from tests.conftest import make_user

    client.force_login(make_user(tree["s1"]))
    assert client.get("/api/v1/hazards/").status_code == 401
    assert client.post("/api/v1/hazards/work-orders/", WORK_ORDER).status_code == 401


def test_issuing_and_revoking_tokens_is_audited_without_the_secret(api):
    client, _http = api()
    token = client.tokens.get()
    ApiToken.revoke_all(client.tokens.all())
    entries = LogEntry.objects.get_for_object(token)
    assert [e.action for e in entries.order_by("pk")] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    assert all("secret_hash" not in (e.changes_dict or {}) for e in entries)
    assert "revoked_at" in entries.order_by("pk").last().changes_dict
