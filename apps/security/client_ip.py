"""The client's address, decided here and only here.

``REMOTE_ADDR`` is the immediate peer: the client itself, or the reverse proxy in front of the
portal. ``X-Forwarded-For`` is a list any client can start with whatever it likes; each proxy
only *appends* the address it received the request from. So the header is believed only when
the immediate peer is one of ``TRUSTED_PROXIES`` (addresses or networks), and then read from the
right: the right-most entry that is not itself a trusted proxy is the client, and everything
left of it is ignored (it may be forged). With ``TRUSTED_PROXIES`` empty (the default: the
portal is reached directly) the header is ignored altogether.

A proxy *count* is deliberately not offered: it believes the header from whichever peer
connects, so anyone who reaches the application port past the proxy picks their address.

Every reader of the client address uses this one answer: ``ClientAddressMiddleware`` (first in
``MIDDLEWARE``) stores it as ``request.client_ip`` and writes it into ``REMOTE_ADDR``, so
django-axes (``AXES_CLIENT_IP_CALLABLE``), the audit log (``apps.security.middleware.
AuditlogMiddleware``) and the residents' access log all record the same address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _networks(entries):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from exc
    return tuple(networks)


def trusted_networks():
    return _networks(tuple(settings.TRUSTED_PROXIES))


def parse_address(value):
    """An ``ip_address`` from a header entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80"), IPv4-mapped
    IPv6 as IPv4; None for anything else ("unknown", obfuscated names, garbage)."""
    value = (value or "").strip()
    if value.startswith("["):  # [IPv6]:port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4:port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address, networks):
    return any(address in network for network in networks)


def resolve_client_ip(remote_addr, forwarded_for, networks):
    """The client address (a string, or None) from the peer address, the ``X-Forwarded-For``
    header and the trusted proxy networks."""
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not forwarded_for or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        address = parse_address(entry)
        if address is None:
            # Not an address a trusted proxy would write: stop at the last hop we can vouch for.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def client_ip(request):
    """The address of the client of ``request`` (the answer of the middleware when it has run;
    also ``AXES_CLIENT_IP_CALLABLE``)."""
    if request is None:
        return None
    resolved = getattr(request, "client_ip", None)
    if resolved is not None:
        return resolved
    return resolve_client_ip(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_networks(),
    )
