"""Bounded map data: a map asks for the part of the world on screen and gets at most a fixed
number of markers, whatever the number of points in scope.

The page sends its view, ``?bbox=west,south,east,north&zoom=z`` (Leaflet's
``getBounds().toBBoxString()`` and ``getZoom()``); without one (first load) the view is the extent
of the data (:func:`extent`). When the view holds few enough points they are sent one by one;
otherwise they are grouped in SQL into the cells of a lat/lng grid about :data:`CELL_PX` pixels
wide at that zoom (:func:`clusters`), each cell sent as one marker with its count.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, FloatField, Max, Min, Sum
from django.db.models.functions import Cast, Floor

CELL_PX = 64  # a cluster stands for the points in about 64 × 64 pixels of screen
TILE_PX = 256  # Web Mercator: the world is 256 × 2^zoom pixels wide
MAX_ZOOM = 18
MAX_CELLS_ACROSS = 32  # whatever the box and zoom sent, at most 32 × 32 cells
FIT_PX = 1024  # a view made from an extent shows it about this wide


@dataclass(frozen=True)
class View:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def from_params(cls, params):
        """The view a map sent (``bbox`` and ``zoom``), or None when it sent none that makes
        sense (then the map is loading: use the data's :func:`extent`)."""
        try:
            west, south, east, north = (float(v) for v in params.get("bbox", "").split(","))
            zoom = int(params.get("zoom", ""))
        except ValueError:
            return None
        west, east = max(west, -180.0), min(east, 180.0)
        south, north = max(south, -90.0), min(north, 90.0)
        if not (west < east and south < north):  # also rules out NaN
            return None
        return cls(west, south, east, north, min(max(zoom, 0), MAX_ZOOM))

    @classmethod
    def around(cls, box):
        """The view showing ``box`` (west, south, east, north) about :data:`FIT_PX` wide."""
        west, south, east, north = box
        span = max(east - west, north - south)
        zoom = MAX_ZOOM if span <= 0 else int(math.log2(360 * FIT_PX / TILE_PX / span))
        return cls(west, south, east, north, min(max(zoom, 0), MAX_ZOOM))

    @property
    def bbox(self):
        """GeoJSON's ``bbox`` member: [west, south, east, north]."""
        return [self.west, self.south, self.east, self.north]

    @property
    def cell(self):
        """The grid's cell size in degrees: :data:`CELL_PX` at this zoom, and never so small
        that the box holds more than :data:`MAX_CELLS_ACROSS` cells across."""
        at_zoom = 360 / 2**self.zoom * CELL_PX / TILE_PX
        widest = max(self.east - self.west, self.north - self.south)
        return max(at_zoom, widest / MAX_CELLS_ACROSS)

    def filter(self, queryset, lat="latitude", lng="longitude"):
        return queryset.filter(
            **{
                f"{lat}__gte": self.south,
                f"{lat}__lte": self.north,
                f"{lng}__gte": self.west,
                f"{lng}__lte": self.east,
            }
        )


def extent(*querysets, lat="latitude", lng="longitude"):
    """(west, south, east, north) of the points of all ``querysets`` (one query each), or None
    when they have none."""
    boxes = []
    for queryset in querysets:
        box = queryset.order_by().aggregate(
            west=Min(lng), south=Min(lat), east=Max(lng), north=Max(lat)
        )
        if box["west"] is not None:
            boxes.append([float(box[k]) for k in ("west", "south", "east", "north")])
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass
class Cluster:
    """The points of one grid cell: how many, how many per value of the field that colours
    them, where they are on average, and the cell's corners ([[south, west], [north, east]],
    what a click zooms to)."""

    count: int
    counts: dict
    latitude: float
    longitude: float
    bounds: list


def clusters(queryset, view, value, lat="latitude", lng="longitude"):
    """The points of ``queryset`` (already limited to the view) grouped by grid cell, in one
    SQL query of at most cells × values rows; ``value`` is the field whose values the
    clusters count (e.g. the risk level)."""
    cell = view.cell
    as_float = {"y": Cast(lat, FloatField()), "x": Cast(lng, FloatField())}
    rows = (
        queryset.order_by()
        .annotate(row=Floor(as_float["y"] / cell), col=Floor(as_float["x"] / cell))
        .values("row", "col", value)
        .annotate(n=Count("*"), y=Sum(as_float["y"]), x=Sum(as_float["x"]))
    )
    cells = {}
    for r in rows:
        row, col = int(r["row"]), int(r["col"])
        found = cells.get((row, col))
        if found is None:
            bounds = [[row * cell, col * cell], [(row + 1) * cell, (col + 1) * cell]]
            found = cells[row, col] = Cluster(0, {}, 0.0, 0.0, bounds)
        found.count += r["n"]
        found.counts[r[value]] = r["n"]
        found.latitude += r["y"]
        found.longitude += r["x"]
    for found in cells.values():
        found.latitude /= found.count
        found.longitude /= found.count
    return list(cells.values())
