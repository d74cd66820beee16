"""The district outlines of the offline base layer, read on the server side.

``static/maps/shanghai-districts.geojson`` (WGS-84, built by ``scripts/build_shanghai_map.py``)
is what the maps draw under the records when no tile server is configured; here the same file
answers "is this point in that district" and gives generated data (``seed_city``) positions
inside the right district, so the benchmark city looks like Shanghai on its maps.
"""

import json
from functools import cache
from pathlib import Path

OUTLINES = Path(__file__).resolve().parents[2] / "static" / "maps" / "shanghai-districts.geojson"


@cache
def district_outlines():
    """``{code: {"name", "label": (lat, lng), "polygons": [[ring, hole…], …]}}``, rings as
    ``(lng, lat)`` tuples."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return {
        f["properties"]["code"]: {
            "name": f["properties"]["name"],
            "label": tuple(reversed(f["properties"]["label"])),
            "polygons": [
                [[tuple(p) for p in ring] for ring in poly] for poly in f["geometry"]["coordinates"]
            ],
        }
        for f in data["features"]
    }


def _in_ring(lng, lat, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def contains(code, lat, lng):
    """Whether (``lat``, ``lng``) is inside the district ``code`` (False for an unknown code)."""
    district = district_outlines().get(code)
    if district is None:
        return False
    lat, lng = float(lat), float(lng)
    return any(
        _in_ring(lng, lat, poly[0]) and not any(_in_ring(lng, lat, h) for h in poly[1:])
        for poly in district["polygons"]
    )


def random_point(code, rng, *, tries=200):
    """A random (lat, lng) inside district ``code`` (its largest polygon's box, rejection
    sampling with ``rng``); the district's label point when the dice keep missing."""
    district = district_outlines()[code]
    ring = max((poly[0] for poly in district["polygons"]), key=len)
    west, east = min(p[0] for p in ring), max(p[0] for p in ring)
    south, north = min(p[1] for p in ring), max(p[1] for p in ring)
    for _ in range(tries):
        lat, lng = rng.uniform(south, north), rng.uniform(west, east)
        if contains(code, lat, lng):
            return round(lat, 6), round(lng, 6)
    return district["label"]
