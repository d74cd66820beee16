"""``{% map_panel data_url %}``: the one way a page puts a map on screen.

Renders ``maps/_map.html`` with the map settings (tile URL, attribution, centre, zoom) as data-*
attributes; ``static/maps/map.js`` reads them, fetches the GeoJSON-ish ``data_url`` and draws
the points. Settings go through this tag because the project has no map context processor.

The data URL answers a FeatureCollection with a ``legend`` member::

    {"type": "FeatureCollection",
     "legend": [{"value": "red", "label": "红色·重大风险", "color": "#d7263d"}, ...],
     "features": [{"type": "Feature",
                   "geometry": {"type": "Point", "coordinates": [lng, lat]},
                   "properties": {"level": "red", "title": "...", "url": "/...",
                                  "lines": ["...", "..."]}}]}

Each point takes the colour of the legend entry whose ``value`` equals its ``color_property``;
a legend entry with ``"ring": true`` draws hollow markers (e.g. open hazards over risk points).

``bounded=True`` is for data that can be large (see apps/maps/grid.py): the map then asks for
the view on screen after every move (``?bbox=west,south,east,north&zoom=z``) and draws the
answer's clusters (``"cluster": true, "count": n, "bounds": [[s, w], [n, e]]`` in a feature's
properties); the answer's ``bbox`` (first load: the extent of the data) is where the map opens
and its ``counts`` (points per legend value) feed the legend.

Pages include ``maps/_head.html`` in ``extra_head`` and ``maps/_scripts.html`` in ``extra_js``.
"""

import json

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("maps/_map.html")
def map_panel(data_url, color_property="level", size="lg", label="", bounded=False):
    center = list(settings.MAP_CENTER)[:2] or [31.2304, 121.4737]
    return {
        "data_url": data_url,
        "color_property": color_property,
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": json.dumps(center),
        "zoom": settings.MAP_ZOOM,
        "size": size if size in ("sm", "lg") else "lg",
        "label": label,
        "bounded": bounded,
    }
