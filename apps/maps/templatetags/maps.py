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

Without a tile server (``MAP_TILE_URL`` empty, as on most intranets) the map draws the offline
base layer under the records: the 16 district outlines of ``static/maps/shanghai-districts.geojson``
(built by ``scripts/build_shanghai_map.py``, WGS-84) with their names, and the names of the streets
the user can see at their centres (``street_labels=False`` where the points are the streets
themselves, whose dots then carry their names: ``point_labels=True``). Only admins are told that
no online base map is configured. Every map has a list of its points beside it (a table filled by
``map.js``), for keyboards and screen readers.

Pages include ``maps/_head.html`` in ``extra_head`` and ``maps/_scripts.html`` in ``extra_js``.
"""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static

from apps.orgs.models import OrgKind, OrgUnit, Role

register = template.Library()

BASE_LAYER = "maps/shanghai-districts.geojson"


def _street_labels(user):
    """Name and centre of every street ``user`` can see (one query; none for anonymous)."""
    streets = (
        OrgUnit.objects.visible_to(user)
        .filter(kind=OrgKind.STREET, latitude__isnull=False, longitude__isnull=False)
        .order_by("path")
        .values_list("name", "latitude", "longitude")
    )
    return [[name, float(lat), float(lng)] for name, lat, lng in streets]


@register.inclusion_tag("maps/_map.html", takes_context=True)
def map_panel(
    context,
    data_url,
    color_property="level",
    size="lg",
    label="",
    bounded=False,
    street_labels=True,
    point_labels=False,
):
    center = list(settings.MAP_CENTER)[:2] or [31.2304, 121.4737]
    user = getattr(context.get("request"), "user", None) or context.get("user")
    offline = not settings.MAP_TILE_URL
    is_admin = bool(
        user
        and user.is_authenticated
        and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)
    )
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
        "base_url": static(BASE_LAYER) if offline else "",
        "streets": json.dumps(_street_labels(user), ensure_ascii=False)
        if offline and street_labels
        else "",
        "point_labels": point_labels,
        "show_offline_note": offline and is_admin,
    }
