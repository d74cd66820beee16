"""CAP feeds polled by beat: each new alert of a feed (one CAP alert, or an Atom feed linking to
alerts) becomes a draft of the feed's unit exactly once, however often it is polled; a bad,
oversized, slow or unreachable answer is a Chinese line on the feed, creates nothing, and
stops no other alert or feed. Served by a small web server on 127.0.0.1, not the network."""

import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.orgs.models import Role
from apps.warnings import cap, feeds, services, tasks
from apps.warnings.models import CapFeed, FeedStatus, Level, Status, Warning
from tests.conftest import make_user
from tests.warnings.builders import T0, alert

ATOM = "http://www.w3.org/2005/Atom"
BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>"""
OVERSIZED = alert("urn:big") + b" " * cap.MAX_BYTES  # valid XML, only too long


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    length: bool = True  # send Content-Length (else the end of the connection ends it)
    delay: float = 0  # seconds before answering
    trickle: float = 0  # seconds between pieces of 10 bytes
    location: str = ""


class Site:
    """What the server answers: ``pages`` maps a path to bytes or a ``Page``; others are 404."""

    def __init__(self, port):
        self.port = port
        self.pages = {}

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def site(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # 127.0.0.1 directly, whatever CI sets

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            page = served.pages.get(self.path, Page(status=404))
            page = Page(page) if isinstance(page, bytes) else page
            time.sleep(page.delay)
            self.send_response(page.status)
            if page.location:
                self.send_header("Location", page.location)
            if page.length:
                self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            step = 10 if page.trickle else len(page.body) or 1
            for start in range(0, len(page.body), step):
                self.wfile.write(page.body[start : start + step])
                self.wfile.flush()
                time.sleep(page.trickle)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda request, address: None  # the client hung up: as intended
    served = Site(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_feed(world, site):
    def make(path="/feed.xml", **kwargs):
        kwargs = {"org_unit": world["s1"], "imported_as": world["staff"], **kwargs}
        return CapFeed.objects.create(name=f"订阅{path}", url=site.url(path), **kwargs)

    return make


def atom(*hrefs):
    entries = "".join(
        f"<entry><id>urn:entry:{number}</id><title>预警{number}</title>"
        f"<updated>2026-07-01T08:00:00Z</updated>{href}</entry>"
        for number, href in enumerate(hrefs)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ATOM}"><id>urn:feed</id>'
        f"<title>上海预警</title><updated>2026-07-01T08:00:00Z</updated>{entries}</feed>"
    ).encode()


def link(href, kind="application/cap+xml"):
    return f'<link rel="alternate" type="{kind}" href="{href}"/>'


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_single_alert_feed_creates_the_draft_once_over_two_polls(world, site, make_feed):
    site.pages["/feed.xml"] = alert("urn:one", colour="橙色")
    feed = make_feed()
    first = feeds.poll_cap_feeds(now=T0)
    second = feeds.poll_cap_feeds(now=T0)
    assert first == {"feeds": 1, "imported": 1, "skipped": 0, "errors": 0}
    assert second == {"feeds": 1, "imported": 0, "skipped": 1, "errors": 0}
    warning = Warning.objects.get()
    assert (warning.identifier, warning.status, warning.level) == (
        "urn:one",
        Status.DRAFT,
        Level.ORANGE,
    )
    assert (warning.org_unit, warning.created_by) == (world["s1"], world["staff"])
    feed.refresh_from_db()
    assert (feed.last_polled_at, feed.last_status, feed.last_error) == (T0, FeedStatus.OK, "")


def test_an_atom_feed_imports_the_alert_of_each_entry_through_the_task(world, site, make_feed):
    site.pages["/feed.xml"] = atom(
        link("/moved.xml"),  # relative to the feed, and redirected
        link("text/html", kind="text/html") + link(site.url("/cap/2.xml")),  # the CAP one
    )
    site.pages["/moved.xml"] = Page(status=301, location="/cap/1.xml")
    site.pages["/cap/1.xml"] = alert("urn:a1", colour="黄色")
    site.pages["/cap/2.xml"] = alert("urn:a2", colour="红色", sent="2026-07-01T09:00:00+08:00")
    make_feed()
    assert tasks.poll_cap_feeds.delay().get() == {
        "feeds": 1,
        "imported": 2,
        "skipped": 0,
        "errors": 0,
    }
    assert dict(Warning.objects.values_list("identifier", "level")) == {
        "urn:a1": Level.YELLOW,
        "urn:a2": Level.RED,
    }
    assert tasks.poll_cap_feeds.delay().get()["skipped"] == 2
    assert Warning.objects.count() == 2


@pytest.mark.parametrize(
    "page, message",
    [
        (Page(OVERSIZED), "过大（上限 512 KB）"),
        (Page(OVERSIZED, length=False), "过大（上限 512 KB）"),  # counted while reading
        (Page(status=500), "返回错误 500"),
        (Page(status=302, location="file:///etc/passwd"), "重定向到了 http/https 以外"),
        (Page(b"not xml at all"), "不是有效的 XML"),
        (Page(BOMB), "DTD 或实体"),
        (Page(b"<rss><channel/></rss>"), "既不是 CAP 1.2 预警，也不是 Atom 订阅"),
        (Page(alert(), delay=2), "秒内未返回完整内容"),
        (Page(alert(), trickle=0.1, length=False), "秒内未返回完整内容"),
    ],
)
def test_a_bad_answer_is_refused_with_a_message_and_creates_nothing(
    world, site, make_feed, monkeypatch, page, message
):
    monkeypatch.setattr(feeds, "FETCH_TIMEOUT", 0.5)
    site.pages["/feed.xml"] = page
    feed = make_feed()
    assert feeds.poll_cap_feeds(now=T0)["errors"] == 1
    feed.refresh_from_db()
    assert feed.last_status == FeedStatus.FAILED
    assert message in feed.last_error
    assert not Warning.objects.exists()


def test_a_malformed_alert_among_good_ones_is_reported_and_the_good_ones_imported(
    world, site, make_feed
):
    bad = {
        "/bad/xml.xml": (b"<alert", "不是有效的 XML"),
        "/bad/big.xml": (OVERSIZED, "过大"),
        "/bad/level.xml": (
            alert("urn:purple", colour="紫色").replace(b"Moderate", b"Unknown"),
            "urn:purple：无法从 CAP 文件确定预警级别",
        ),
        "/bad/area.xml": (alert("urn:far", area="丙街道"), "不在甲街道辖区内"),
        "/bad/missing.xml": (None, "返回错误 404"),
    }
    site.pages |= {path: body for path, (body, _message) in bad.items() if body}
    site.pages["/good/1.xml"] = alert("urn:good:1")
    site.pages["/good/2.xml"] = alert("urn:good:2")
    site.pages["/feed.xml"] = atom(
        link("/good/1.xml"),
        *(link(path) for path in bad),
        link("file:///etc/passwd"),
        "",  # an entry without a link
        link("/good/2.xml"),
    )
    feed = make_feed()
    result = feeds.poll_cap_feeds(now=T0)
    assert result == {"feeds": 1, "imported": 2, "skipped": 0, "errors": 7}
    assert set(Warning.objects.values_list("identifier", flat=True)) == {"urn:good:1", "urn:good:2"}
    feed.refresh_from_db()
    assert feed.last_status == FeedStatus.PARTIAL
    for fragment in [
        *(message for _body, message in bad.values()),
        "只能获取 http 或 https 地址：file:///etc/passwd",
        "订阅条目「预警7」没有预警链接",
    ]:
        assert fragment in feed.last_error
    assert feeds.poll_cap_feeds(now=T0)["imported"] == 0
    assert Warning.objects.count() == 2


def test_an_unreachable_feed_records_the_error_and_the_others_are_still_polled(
    world, site, make_feed
):
    down = CapFeed.objects.create(
        name="断开的订阅",
        url=f"http://127.0.0.1:{closed_port()}/feed.xml",
        org_unit=world["s1"],
        imported_as=world["staff"],
    )
    site.pages["/feed.xml"] = alert()
    make_feed()
    assert feeds.poll_cap_feeds(now=T0) == {"feeds": 2, "imported": 1, "skipped": 0, "errors": 1}
    down.refresh_from_db()
    assert down.last_status == FeedStatus.FAILED
    assert down.last_error.startswith(f"无法连接地址 {down.url}")
    assert Warning.objects.count() == 1


def test_a_cancel_in_the_feed_ends_the_warning_once(world, site, make_feed):
    site.pages["/a.xml"] = alert("urn:a")
    site.pages["/feed.xml"] = atom(link("/a.xml"))
    feed = make_feed()
    feeds.poll_cap_feeds(now=T0)
    warning = Warning.objects.get()
    services.approve_warning(world["second"], warning, now=T0)
    services.publish_warning(world["second"], warning, now=T0)
    site.pages["/cancel.xml"] = alert(
        "urn:a:cancel",
        msg_type="Cancel",
        references="met@example.gov.cn,urn:a,2026-07-01T08:00:00+08:00",
        sent="2026-07-01T09:00:00+08:00",
    )
    site.pages["/feed.xml"] = atom(link("/cancel.xml"), link("/a.xml"))  # newest first
    assert feeds.poll_cap_feeds(now=T0)["imported"] == 1
    warning.refresh_from_db()
    assert warning.status == Status.CANCELLED
    assert feeds.poll_cap_feeds(now=T0) == {"feeds": 1, "imported": 0, "skipped": 2, "errors": 0}
    feed.refresh_from_db()
    assert (feed.last_status, feed.last_error) == (FeedStatus.OK, "")


def test_an_expired_alert_is_skipped_and_an_inactive_feed_not_polled(world, site, make_feed):
    site.pages["/feed.xml"] = alert(expires="2026-07-01T09:00:00+08:00")  # before T0
    site.pages["/other.xml"] = alert("urn:other")
    make_feed()
    make_feed("/other.xml", is_active=False)
    assert feeds.poll_cap_feeds(now=T0) == {"feeds": 1, "imported": 0, "skipped": 1, "errors": 0}
    assert not Warning.objects.exists()


def test_an_account_that_may_no_longer_issue_imports_nothing(world, site, make_feed):
    site.pages["/feed.xml"] = alert()
    clerk = make_user(world["s1"], username="clerk")
    feed = make_feed(imported_as=clerk)
    clerk.is_active = False
    clerk.save()
    feeds.poll_cap_feeds(now=T0)
    feed.refresh_from_db()
    assert feed.last_status == FeedStatus.PARTIAL
    assert "您无权以该单位名义发布预警" in feed.last_error
    assert not Warning.objects.exists()


def test_a_feed_address_is_http_or_https_and_added_once(world, make_feed):
    feed = make_feed()
    copy = CapFeed(name="副本", url=feed.url, org_unit=world["s1"], imported_as=world["staff"])
    with pytest.raises(ValidationError, match="该订阅地址已添加"):
        copy.full_clean()
    copy.url = "ftp://met.example.gov.cn/cap.xml"
    with pytest.raises(ValidationError, match="须为 http 或 https"):
        copy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        CapFeed.objects.filter(pk=feed.pk).update(url="file:///etc/passwd")
    with pytest.raises(ValidationError, match="只能获取 http 或 https"):
        feeds.fetch("file:///etc/passwd")


@pytest.mark.parametrize(
    "unit, user, message",
    [
        ("s1", "staff", None),
        ("c1", "staff", "预警由区或街镇发布"),
        ("s3", "staff", "该账号不能以丙街道名义发布预警"),
        ("s1", "viewer", "该账号不能以甲街道名义发布预警"),
    ],
)
def test_the_admin_adds_a_feed_only_with_an_account_that_may_issue_for_its_unit(
    world, admin_client, unit, user, message
):
    world["viewer"] = make_user(world["s1"], role=Role.CITY_VIEWER, username="viewer")
    response = admin_client.post(
        reverse("admin:warnings_capfeed_add"),
        {
            "name": "市气象台预警",
            "url": "http://cap.example.gov.cn/feed.xml",
            "org_unit": world[unit].pk,
            "imported_as": world[user].pk,
            "is_active": "on",
        },
    )
    if message is None:
        assert response.status_code == 302
        assert CapFeed.objects.get().created_by.username == "admin"
    else:
        assert message in response.content.decode()
        assert not CapFeed.objects.exists()


def test_the_admin_action_polls_the_chosen_feeds_now_even_before_they_are_on(
    world, site, make_feed, admin_client, django_capture_on_commit_callbacks
):
    site.pages["/feed.xml"] = alert()
    site.pages["/other.xml"] = alert("urn:other")
    trial = make_feed(is_active=False)
    other = make_feed("/other.xml")
    changelist = reverse("admin:warnings_capfeed_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "poll_now", "_selected_action": [trial.pk]})
    trial.refresh_from_db()
    other.refresh_from_db()
    assert (trial.last_status, other.last_status) == (FeedStatus.OK, "")
    assert Warning.objects.get().identifier == "urn:test:1"
    assert "获取结果" in admin_client.get(changelist).content.decode()


def test_beat_polls_the_feeds():
    entry = settings.CELERY_BEAT_SCHEDULE["cap-feed-poll"]
    assert entry["task"] == tasks.poll_cap_feeds.name
    assert entry["schedule"].total_seconds() > 0  # CAP_FEED_POLL_MINUTES, 2 by default
