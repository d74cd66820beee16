"""A PDF report may load only the project's own static files (fonts, CSS) and ``data:`` URLs.

The URL is normalised before the check — percent-decoded (``%2e%2e``, ``%2f``), ``..``
segments collapsed, symlinks followed with ``resolve()`` — so the path that is checked is the
path that is opened; anything outside ``static/``, on another host or on the network is
refused with ``RemoteResourceRefused``."""

import pytest

from apps.orgs import pdf
from apps.orgs.pdf import STATIC_DIR, RemoteResourceRefused, local_url_fetcher

FONT = "fonts/NotoSerifSC-Regular.otf"
# Enough "up one level" steps to climb from static/ to the file system's root.
UP = len(STATIC_DIR.parts)


def fetched_bytes(result):
    if "string" in result:
        return result["string"]
    with result["file_obj"] as fh:
        return fh.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://10.0.0.1/x.css",
        "ftp://10.0.0.1/x.css",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://intranet-host/etc/passwd",
        f"{STATIC_DIR.as_uri()}/{'%2e%2e/' * UP}etc/passwd",
        f"{STATIC_DIR.as_uri()}/{'%2E%2E/' * UP}etc/passwd",
        f"{STATIC_DIR.as_uri()}/{'..%2f' * UP}etc/passwd",
        f"{STATIC_DIR.as_uri()}/fonts/{'%2e%2e/' * (UP + 1)}etc/passwd",
        f"{STATIC_DIR.as_uri()}/{'../' * UP}etc/passwd",
        f"{STATIC_DIR.as_uri()}%2f%2e%2e/manage.py",
        f"{STATIC_DIR.as_uri()}/fonts/%00",
    ],
)
def test_rendering_never_fetches_outside_the_static_files(url):
    with pytest.raises(RemoteResourceRefused):
        local_url_fetcher(url)


def test_a_symlink_inside_static_that_points_outside_is_refused_even_when_percent_encoded(
    tmp_path, monkeypatch
):
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("居民名单")
    (static / "link.css").symlink_to(tmp_path / "secret.txt")
    monkeypatch.setattr(pdf, "STATIC_DIR", static.resolve())
    for name in ("link.css", "l%69nk.css", "%6c%69%6e%6b%2e%63%73%73"):
        with pytest.raises(RemoteResourceRefused):
            local_url_fetcher(f"{static.resolve().as_uri()}/{name}")


def test_the_report_fonts_are_fetched():
    expected = (STATIC_DIR / FONT).read_bytes()
    assert fetched_bytes(local_url_fetcher(f"{STATIC_DIR.as_uri()}/{FONT}")) == expected


def test_dots_that_stay_inside_static_are_normalised_and_fetched():
    expected = (STATIC_DIR / FONT).read_bytes()
    url = f"{STATIC_DIR.as_uri()}/css/%2e%2e/fonts/./NotoSerifSC%2DRegular.otf"
    assert fetched_bytes(local_url_fetcher(url)) == expected


def test_data_urls_are_fetched():
    assert fetched_bytes(local_url_fetcher("data:text/css,p%7Bcolor:red%7D")) == b"p{color:red}"
