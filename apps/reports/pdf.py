"""HTML → PDF with WeasyPrint, offline: the only resources a report may load are the project's
own static files (fonts, CSS); any other URL is refused, so rendering never touches the
network and a report cannot be made to fetch internal addresses."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR, "static").resolve()


class RemoteResourceRefused(Exception):
    pass


def local_url_fetcher(url, *args, **kwargs):
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    if url.startswith("file://"):
        path = Path(url[len("file://") :]).resolve()
        if path.is_relative_to(STATIC_DIR):
            return default_url_fetcher(url, *args, **kwargs)
    raise RemoteResourceRefused(f"Refused to fetch {url!r} while rendering a report")


def render_pdf(template_name, context):
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "static_root": STATIC_DIR.as_uri()})
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=local_url_fetcher
    ).write_pdf()
