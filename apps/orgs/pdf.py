"""HTML → PDF with WeasyPrint, offline: the only resources a report may load are the project's
own static files (fonts, CSS) and ``data:`` URLs; any other URL is refused, so rendering never
touches the network and a report cannot be made to fetch internal addresses or read files
outside ``static/``. A ``file:`` URL is normalised *before* that check — percent-decoded,
``..`` collapsed, symlinks followed — and only the normalised path is ever opened.

Shared by the reports' task and any page that answers with a PDF itself (the warnings' 叫应记录),
so a domain app renders one without importing the reports hub."""

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR, "static").resolve()


class RemoteResourceRefused(Exception):
    pass


def static_path(url):
    """The file under ``STATIC_DIR`` that a ``file:`` URL names, or None. The path is
    percent-decoded first (``%2e%2e``, ``%2f`` are what urllib would open), then resolved
    (``..`` segments and symlinks), and only then compared with ``STATIC_DIR``: checking the raw
    string let ``static/%2e%2e/%2e%2e/etc/passwd`` through."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc:
        return None
    try:
        path = Path(url2pathname(parts.path)).resolve()
    except (OSError, ValueError):  # NUL bytes, symlink loops
        return None
    return path if path.is_relative_to(STATIC_DIR) else None


def local_url_fetcher(url, *args, **kwargs):
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    path = static_path(url)
    if path is None:
        raise RemoteResourceRefused(f"Refused to fetch {url!r} while rendering a report")
    # Open the path that was checked, not the URL as given.
    return default_url_fetcher(path.as_uri(), *args, **kwargs)


def render_pdf(template_name, context):
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "static_root": STATIC_DIR.as_uri()})
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_url_fetcher
    ).write_pdf()
