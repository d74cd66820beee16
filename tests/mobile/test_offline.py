"""What makes the phone pages work offline and installable: the service worker served from
/m/ with the shell it keeps, the web app manifest with its icons, and a page weight under
300 KB before photos (HTML + the CSS and JS it loads)."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from apps.mobile.views import shell_urls

PAGE_BUDGET = 300 * 1024


def static_file(url):
    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, url
    return path


def test_the_service_worker_controls_the_phone_pages_and_keeps_the_shell(client):
    response = client.get(reverse("mobile:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"  # a new worker is found at once
    assert reverse("mobile:service_worker").startswith(reverse("mobile:home"))
    source = response.content.decode()
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", source).group(1))
    assert shell == shell_urls()
    assert reverse("mobile:report") in shell and reverse("mobile:home") in shell
    for url in shell:
        if url.startswith(settings.STATIC_URL):
            static_file(url)


def test_the_manifest_installs_the_phone_pages(client):
    response = client.get(reverse("mobile:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == manifest["scope"] == reverse("mobile:home")
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        with Image.open(static_file(icon["src"])) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_report_page_weighs_under_300_kb_before_photos(client, phone):
    client.force_login(phone["grid_worker"])
    html = client.get(reverse("mobile:report")).content
    assets = re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', html)
    assert len(assets) == 5  # bootstrap, portal and phone CSS; the outbox and report scripts
    weight = len(html) + sum(Path(static_file(url.decode())).stat().st_size for url in assets)
    print(f"phone report page: {weight / 1024:.1f} KB")
    assert weight < PAGE_BUDGET
