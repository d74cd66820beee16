"""Errors as RFC 7807 problem documents (``application/problem+json``), in Chinese:
``type`` (a stable URI naming the kind of problem), ``title``, ``status``, ``detail`` and, for a
bad payload, ``errors`` (field → messages; ``__all__`` for the payload as a whole).

A service's ``ValidationError`` (the domain rule refused the data) is a 400 like a
serializer's; its ``PermissionDenied`` a 403. Either way the write's transaction has been rolled
back: nothing is saved.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:community-resilience:problem:"

TITLES = {
    400: ("invalid", gettext_noop("请求内容有误")),
    401: ("unauthenticated", gettext_noop("未认证")),
    403: ("forbidden", gettext_noop("无权访问")),
    404: ("not-found", gettext_noop("记录不存在")),
    405: ("method-not-allowed", gettext_noop("不支持的请求方法")),
    406: ("not-acceptable", gettext_noop("无法提供所请求的格式")),
    409: ("conflict", gettext_noop("与现有记录冲突")),
    413: ("too-large", gettext_noop("请求内容过大")),
    415: ("unsupported-media-type", gettext_noop("不支持的内容类型")),
    429: ("throttled", gettext_noop("请求过于频繁")),
}


def _messages(detail):
    """DRF's error detail (str, list or dict) as plain strings."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        flat = []
        for item in detail:
            value = _messages(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return str(detail)


def field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def problem(status_code, detail, *, errors=None, headers=None, kind=None):
    code, title = TITLES.get(status_code, ("error", gettext_noop("请求失败")))
    body = {
        "type": TYPE_BASE + (kind or code),
        "title": _(title),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _summary(errors):
    lines = []
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            text = message if isinstance(message, str) else str(message)
            lines.append(text if field in ("__all__", "non_field_errors") else f"{field}：{text}")
    return "；".join(lines)


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc)
        return problem(status.HTTP_400_BAD_REQUEST, _summary(errors), errors=errors)
    if isinstance(exc, Http404):
        return problem(404, _("记录不存在，或不在本接入系统的数据范围内。"))
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, str(exc) or _("无权执行此操作。"))
    response = exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if isinstance(exc, exceptions.ValidationError):
        detail = _messages(exc.detail)
        errors = detail if isinstance(detail, dict) else {"__all__": detail}
        return problem(400, _summary(errors), errors=errors)
    if isinstance(exc, exceptions.Throttled):
        return problem(
            429,
            _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": exc.wait and int(exc.wait)},
            headers=headers,
        )
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = _("请在 Authorization 请求头中提供令牌：Bearer <令牌>。")
    elif isinstance(exc, exceptions.MethodNotAllowed):
        detail = _("不支持 %(method)s 请求。") % {"method": exc.args[0] if exc.args else ""}
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        detail = _("不支持的内容类型：%(type)s。") % {"type": exc.args[0] if exc.args else ""}
    elif isinstance(exc, exceptions.ParseError):
        detail = _("请求内容不是有效的 JSON。")
    else:
        detail = _messages(exc.detail)
        if not isinstance(detail, str):
            detail = _summary(detail if isinstance(detail, dict) else {"__all__": detail})
    return problem(response.status_code, detail, headers=headers)
