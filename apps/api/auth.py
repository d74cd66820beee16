"""Who calls the API: the token in ``Authorization: Bearer crp_<prefix>_<secret>``.

The prefix finds the token (indexed, unique); the secret's SHA-256 is compared in constant
time. A revoked or expired token, a disabled client or a malformed header is a 401 with the
same Chinese message (a caller learns nothing about which tokens exist). ``request.user`` is
the client's service account, active for this request only (``actor_for``), so every
``visible_to(request.user)`` of the domain apps scopes the client exactly as it scopes a user
of the client's unit; ``request.auth`` is the token (``request.auth.client`` the client).
"""

import hmac

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import TOKEN_PREFIX, ApiToken, hash_secret

# last_used_at is written at most this often per token (not one UPDATE per request).
LAST_USED_RESOLUTION_SECONDS = 60


def actor_for(client):
    """The client's service account as the acting user of one request: active in memory only
    (the stored row stays inactive, see ``models``), with the client at hand."""
    actor = client.actor
    actor.is_active = True
    actor.api_client_obj = client
    return actor


def parse_token(value: str):
    """``(prefix, secret)`` of a token string, or None."""
    parts = value.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def token_for(value: str):
    """The usable token whose plaintext is ``value``, or None."""
    parsed = parse_token(value)
    if parsed is None:
        return None
    prefix, secret = parsed
    token = (
        ApiToken.objects.usable()
        .select_related("client__org_unit", "client__actor__org_unit")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    return token


class ClientTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization 请求头格式应为：Bearer <令牌>。")
            )
        try:
            value = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已被吊销。")) from exc
        token = token_for(value)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已被吊销。"))
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return actor_for(token.client), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The token, as the schema and the docs page's "Authorize" button describe it."""

    target_class = ClientTokenAuthentication
    name = "ClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("接入系统令牌（crp_ 开头），由管理员在管理后台或用 create_api_token 命令生成。")
            ),
        }
