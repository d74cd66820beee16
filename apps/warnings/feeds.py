"""CAP 1.2 feeds polled by beat: each active ``CapFeed`` address is fetched and its alerts go
through ``cap.import_cap`` as an upload by the feed's account would, one transaction per
alert. The address returns either one CAP ``<alert>`` or an Atom feed whose entries link to
alerts; both are parsed with defusedxml.

Polling is idempotent: an alert whose CAP identifier is already a warning (or a Cancel whose
warning is already cancelled, or an expired alert) is skipped, so every poll can read the whole
feed again. A bad alert, an unreachable address or an oversized answer is one Chinese line in
the feed's ``last_error`` and stops nothing else; only a transient database or broker error
propagates, for the task's retry.

Fetching uses the standard library only (an intranet address, http/https and nothing else,
redirects included), with a timeout for the whole answer and the upload's size cap
(``cap.MAX_BYTES``), read in chunks so an endless answer is cut off rather than held in memory.
"""

import http.client
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.security.retry import is_transient

from . import cap
from .models import CapFeed, FeedStatus, Status, Warning

logger = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
SCHEMES = {"http", "https"}
# Seconds for the whole answer of one address (connecting and reading), not per read.
FETCH_TIMEOUT = 10
# Entries read from one Atom feed per poll, newest first as feeds list them; a poll of a feed
# with more entries leaves the rest (older ones) for ever unread, which the log says.
MAX_ENTRIES = 50
CHUNK = 64 * 1024
# Lines of last_error kept: the first faults say enough, the log has them all.
MAX_ERROR_LINES = 20


def _messages(exc):
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


# --- fetching ---------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect may only lead to another http/https address."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if urlsplit(target).scheme.lower() not in SCHEMES:
            raise ValidationError(
                _("订阅地址重定向到了 http/https 以外的地址，已拒绝：%(url)s") % {"url": target}
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener():
    """http and https only: no file://, ftp:// or data: handler that a link could reach."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),  # the environment's, as curl (intranet: no_proxy)
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str) -> bytes:
    """The body at ``url``, or a ValidationError saying in Chinese why not: another scheme, no
    connection, an HTTP error, no complete answer within ``FETCH_TIMEOUT`` seconds, or more
    than the upload's size cap."""
    if urlsplit(url).scheme.lower() not in SCHEMES:
        raise ValidationError(_("只能获取 http 或 https 地址：%(url)s") % {"url": url})
    try:
        return _read(url)
    except urllib.error.HTTPError as exc:
        message = _("地址 %(url)s 返回错误 %(code)s。") % {"url": url, "code": exc.code}
        raise ValidationError(message) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # URLError wraps what went wrong underneath: no such host, refused, timed out ...
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            message = _("地址 %(url)s 在 %(seconds)s 秒内未返回完整内容。") % {
                "url": url,
                "seconds": FETCH_TIMEOUT,
            }
        else:
            message = _("无法连接地址 %(url)s：%(reason)s") % {"url": url, "reason": reason}
        raise ValidationError(message) from exc


def _read(url):
    too_big = ValidationError(
        _("地址 %(url)s 返回的内容过大（上限 %(kb)s KB），已拒绝。")
        % {"url": url, "kb": cap.MAX_BYTES // 1024}
    )
    # the socket timeout bounds each wait; the deadline bounds an answer that trickles in
    deadline = time.monotonic() + FETCH_TIMEOUT
    request = urllib.request.Request(  # noqa: S310 - fetch() let only http/https through
        url, headers={"Accept": "application/cap+xml, application/atom+xml, application/xml"}
    )
    with _opener().open(request, timeout=FETCH_TIMEOUT) as response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > cap.MAX_BYTES:
            raise too_big
        body = bytearray()
        # read1: whatever one read of the socket brings, so the deadline is checked as the
        # answer comes in (read() would wait for the whole chunk)
        while chunk := response.read1(CHUNK):
            body += chunk
            if len(body) > cap.MAX_BYTES:
                raise too_big
            if time.monotonic() > deadline:
                raise TimeoutError
    return bytes(body)


# --- reading a feed ---------------------------------------------------------------------------


def _entry_link(entry):
    """The address of the alert an Atom entry stands for: its CAP link, else its alternate."""
    links = [
        link
        for link in entry.findall(f"{{{ATOM_NS}}}link")
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    cap_links = [link for link in links if "cap" in link.get("type", "")]
    return (cap_links or links or [None])[0]


def alert_documents(url: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The CAP documents at ``url`` as (address, bytes), and the faults of entries that could
    not be fetched. The feed itself unreadable is a ValidationError."""
    body = fetch(url)
    try:
        root = fromstring(body)
    except DefusedXmlException as exc:
        raise ValidationError(_("订阅内容含有不允许的 DTD 或实体声明，已拒绝。")) from exc
    except Exception as exc:  # noqa: BLE001 - ParseError and encoding errors alike
        raise ValidationError(_("订阅内容不是有效的 XML，无法读取。")) from exc
    if root.tag == f"{{{cap.CAP_NS}}}alert":
        return [(url, body)], []
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise ValidationError(_("订阅内容既不是 CAP 1.2 预警，也不是 Atom 订阅。"))
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    if len(entries) > MAX_ENTRIES:
        logger.warning(
            "CAP feed %s: %s entries, reading the first %s", url, len(entries), MAX_ENTRIES
        )
    documents, errors = [], []
    for entry in entries[:MAX_ENTRIES]:
        link = _entry_link(entry)
        if link is None:
            title = entry.findtext(f"{{{ATOM_NS}}}title") or entry.findtext(f"{{{ATOM_NS}}}id")
            errors.append(_("订阅条目「%(title)s」没有预警链接。") % {"title": title or "?"})
            continue
        address = urljoin(url, link.get("href").strip())
        try:
            documents.append((address, fetch(address)))
        except ValidationError as exc:
            errors += exc.messages
    return documents, errors


# --- importing --------------------------------------------------------------------------------


def _already_done(alert):
    """Imported before (the identifier is a warning's, as ``import_cap`` stores it), or a
    Cancel whose warnings are all cancelled already: the next poll must not try again."""
    if Warning.objects.filter(identifier=alert["identifier"][:200]).exists():
        return True
    if alert["msgType"] != "Cancel":
        return False
    referenced = Warning.objects.filter(identifier__in=alert["references"])
    return referenced.exists() and not referenced.exclude(status=Status.CANCELLED).exists()


def poll_feed(feed: CapFeed, *, now=None) -> dict:
    """Fetch one feed and import what is new; record the outcome on the feed. Returns the
    counts ``imported``, ``skipped`` and ``errors``."""
    now = now or timezone.now()
    imported = skipped = 0
    try:
        documents, errors = alert_documents(feed.url)
    except ValidationError as exc:
        return _record(feed, now, 0, 0, exc.messages, failed=True)
    alerts = []
    for address, data in documents:
        try:
            alerts.append((cap.parse_alert(data), data))
        except ValidationError as exc:
            errors += [f"{address}：{message}" for message in exc.messages]
    # oldest first: an Update or a Cancel in the same feed comes after the alert it references
    for alert, data in sorted(alerts, key=lambda pair: pair[0]["sent"]):
        if _already_done(alert) or alert["expires"] <= now:
            skipped += 1
            continue
        try:
            # import_cap is one transaction: a refused alert leaves nothing behind
            cap.import_cap(feed.imported_as, data, issuer=feed.org_unit)
        except (ValidationError, PermissionDenied) as exc:
            errors += [f"{alert['identifier']}：{message}" for message in _messages(exc)]
        except IntegrityError:
            if not _already_done(alert):
                raise
            skipped += 1  # a poll running at the same moment imported it first
        except Exception as exc:
            if is_transient(exc):
                raise
            logger.exception("CAP feed %s: alert %s failed", feed.pk, alert["identifier"])
            errors.append(
                _("%(id)s：导入时发生内部错误（已记入日志）。") % {"id": alert["identifier"]}
            )
        else:
            imported += 1
    return _record(feed, now, imported, skipped, errors)


def _record(feed, now, imported, skipped, errors, *, failed=False):
    status = FeedStatus.FAILED if failed else FeedStatus.PARTIAL if errors else FeedStatus.OK
    for error in errors:
        logger.warning("CAP feed %s (%s): %s", feed.pk, feed.url, error)
    if imported:
        logger.info("CAP feed %s: %s alerts imported", feed.pk, imported)
    lines = errors[:MAX_ERROR_LINES]
    if len(errors) > MAX_ERROR_LINES:
        lines.append(
            _("另有 %(count)s 条错误，见日志。") % {"count": len(errors) - MAX_ERROR_LINES}
        )
    # an update of these columns only: an admin changing the feed meanwhile keeps the change
    CapFeed.objects.filter(pk=feed.pk).update(
        last_polled_at=now, last_status=status, last_error="\n".join(lines)
    )
    return {"imported": imported, "skipped": skipped, "errors": len(errors)}


def poll_cap_feeds(*, ids=None, now=None) -> dict:
    """Every active feed, or those of ``ids`` (asked for by name: inactive ones too, so a new
    feed can be tried before it is switched on), one after the other. A feed that fails for
    any reason but a transient one is recorded as failed and the next one is polled."""
    now = now or timezone.now()
    feeds = CapFeed.objects.filter(**({"pk__in": ids} if ids is not None else {"is_active": True}))
    feeds = feeds.select_related("org_unit", "imported_as")
    totals = {"feeds": 0, "imported": 0, "skipped": 0, "errors": 0}
    for feed in feeds.order_by("pk"):
        try:
            counts = poll_feed(feed, now=now)
        except Exception as exc:
            if is_transient(exc):
                raise
            logger.exception("CAP feed %s failed", feed.pk)
            counts = _record(
                feed, now, 0, 0, [_("获取时发生内部错误（已记入日志）。")], failed=True
            )
        totals["feeds"] += 1
        for key, value in counts.items():
            totals[key] += value
    return totals
