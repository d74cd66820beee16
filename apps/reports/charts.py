"""Charts as inline SVG (no JavaScript, no images), drawn natively by WeasyPrint. Labels and
numbers stay in the HTML around the bars, so they use the report's embedded fonts (SVG text
would fall back to system fonts, which servers do not have)."""

from django.utils.safestring import mark_safe


def with_bars(rows, key, *, width=150, height=9, color="#0b4f8a"):
    """Add ``row["bar"]``, an SVG bar proportional to ``row[key]``, to each dict in ``rows``."""
    top = max((row[key] or 0 for row in rows), default=0) or 1
    for row in rows:
        length = round(width * (row[key] or 0) / top, 1)
        row["bar"] = mark_safe(  # noqa: S308 - numbers only
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect x="0" y="0" width="{length}" '
            f'height="{height}" fill="{color}"/></svg>'
        )
    return rows
