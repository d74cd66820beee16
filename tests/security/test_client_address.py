"""One client address per request, and a lockout that cannot be turned against the real user.

``X-Forwarded-For`` is believed only when the immediate peer is one of ``TRUSTED_PROXIES``, and
then the right-most entry that is not a trusted proxy is the client; with no proxy configured,
or from any other peer, the header is ignored. The log-in lockout (django-axes), the audit log
(django-auditlog) and the residents' access log all use that one address. Failures lock a
(user name, address) pair, so failures from one client never lock the user out at another;
an address with ``AXES_IP_FAILURE_LIMIT`` failures over all user names is refused as well.
"""

import ipaddress

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from apps.orgs.models import OrgUnit
from apps.security.client_ip import parse_address, resolve_client_ip
from apps.security.middleware import ClientAddressMiddleware
from tests.conftest import make_user

PROXY = "10.0.0.2"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"
STRANGER = "192.0.2.50"


@pytest.fixture
def staff(tree):
    return make_user(tree["s1"], username="zhang", password="right-password-123")


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def _login(client, password, *, username="zhang", peer="127.0.0.1", forwarded=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def _edit_population(client, unit, population, **headers):
    response = client.post(
        reverse("orgs:edit", args=[unit.code]),
        {"name": unit.name, "population": population},
        **headers,
    )
    assert response.status_code == 302
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(OrgUnit), object_pk=str(unit.pk)
        )
        .latest("pk")
        .remote_addr
    )


# --- the resolution rule ----------------------------------------------------------------------

TRUSTED = ("10.0.0.0/30", "2001:db8::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # no header, or a peer that is not a proxy: the peer
        ("192.0.2.1", "", "192.0.2.1"),
        ("192.0.2.1", "198.51.100.7", "192.0.2.1"),
        # from a trusted proxy: the right-most untrusted entry, whatever the client prepended
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        ("10.0.0.2", " 198.51.100.7:51234 ", "198.51.100.7"),
        ("2001:db8::1", "[2001:db8::9]:443", "2001:db8::9"),
        ("::ffff:10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # garbage written by the client left of the proxy's entry is never reached ...
        ("10.0.0.2", "unknown, 198.51.100.7", "198.51.100.7"),
        # ... and where no address can be vouched for, the last trusted hop is the answer
        ("10.0.0.2", "unknown", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.1", "10.0.0.1"),
        ("not-an-address", "198.51.100.7", None),
    ],
)
def test_the_client_is_the_right_most_address_not_written_by_a_trusted_proxy(
    peer, forwarded, expected
):
    networks = [ipaddress.ip_network(n) for n in TRUSTED]
    assert resolve_client_ip(peer, forwarded, networks) == expected


def test_addresses_with_ports_and_brackets_are_read_and_garbage_is_not():
    assert str(parse_address("[::1]:8000")) == "::1"
    assert str(parse_address("127.0.0.1:8000")) == "127.0.0.1"
    assert parse_address("_hidden") is None
    assert parse_address("") is None


# --- with no proxy configured (the default) ---------------------------------------------------


def test_with_no_proxy_configured_a_forged_forwarded_for_does_not_dodge_the_lockout(client, staff):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password", forwarded=f"198.51.100.{n}")
    assert _login(client, "right-password-123", forwarded="203.0.113.1").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_with_no_proxy_configured_the_audit_log_ignores_a_forged_forwarded_for(client, staff, tree):
    client.force_login(staff)
    assert _edit_population(client, tree["s1"], 4321, HTTP_X_FORWARDED_FOR=CLIENT_A) == (
        "127.0.0.1"
    )


def test_the_residents_access_log_reads_the_same_address(settings):
    from apps.people.services import client_ip as access_log_ip

    settings.TRUSTED_PROXIES = [PROXY]
    seen = {}
    middleware = ClientAddressMiddleware(lambda request: seen.setdefault("ip", request))
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    middleware(request)
    assert access_log_ip(seen["ip"]) == CLIENT_A
    assert seen["ip"].META["PROXY_PEER_ADDR"] == PROXY


# --- behind a trusted proxy -------------------------------------------------------------------


def test_behind_the_proxy_five_failures_from_client_a_do_not_lock_the_user_at_client_b(
    client, staff, behind_proxy
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password", peer=PROXY, forwarded=CLIENT_A)
    assert _login(client, "right-password-123", peer=PROXY, forwarded=CLIENT_A).status_code == 429
    response = _login(client, "right-password-123", peer=PROXY, forwarded=CLIENT_B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_behind_the_proxy_the_lockout_and_the_audit_log_record_the_client(
    client, staff, tree, behind_proxy
):
    _login(client, "wrong-password", peer=PROXY, forwarded=f"6.6.6.6, {CLIENT_A}")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]
    client.force_login(staff)
    address = _edit_population(
        client, tree["s1"], 1234, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {CLIENT_B}"
    )
    assert address == CLIENT_B


def test_an_untrusted_peers_forwarded_for_is_ignored(client, staff, tree, behind_proxy):
    for client_address in (CLIENT_A, CLIENT_B, CLIENT_A, CLIENT_B, CLIENT_A):
        _login(client, "wrong-password", peer=STRANGER, forwarded=client_address)
    # every failure counted against the peer itself: locked, whatever the header claims
    assert _login(client, "right-password-123", peer=STRANGER, forwarded="1.2.3.4").status_code == (
        429
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    client.force_login(staff)
    address = _edit_population(
        client, tree["s1"], 999, REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=CLIENT_A
    )
    assert address == STRANGER


# --- password spraying ------------------------------------------------------------------------


def test_one_address_trying_many_user_names_is_refused_after_the_address_limit(
    client, staff, tree, settings
):
    settings.AXES_IP_FAILURE_LIMIT = 6
    for name in ("wang", "li", "zhao"):
        make_user(tree["s1"], username=name, password="another-password-123")
        for _ in range(2):
            assert _login(client, "wrong-password", username=name, peer=CLIENT_A).status_code == 200
    # zhang has no failures of his own, but the address has used up its allowance ...
    response = _login(client, "right-password-123", peer=CLIENT_A)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # ... and zhang logs in from his own desk.
    assert _login(client, "right-password-123", peer=CLIENT_B).status_code == 302
