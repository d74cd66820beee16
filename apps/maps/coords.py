"""Coordinate conventions shared by every map of the portal.

The portal stores WGS-84 (what phone GPS and Tianditu/CGCS2000 tiles use). Points picked on a
Gaode (高德) or Tencent (腾讯) map are in GCJ-02, the obfuscated "Mars" datum mandated for
published maps in mainland China, which is offset from WGS-84 by 100–700 m. Convert them on the
way in with :func:`gcj02_to_wgs84`.

GCJ-02 is defined only by its forward transform (WGS-84 → GCJ-02, a published approximation of
the obfuscation on the Krasovsky ellipsoid). The inverse has no closed form: we iterate the
forward transform until it reproduces the input (converges to well under a millimetre in a few
steps). Outside mainland China the datum is WGS-84 itself and points are returned unchanged.
"""

import math
from decimal import Decimal

KRASOVSKY_A = 6378245.0  # semi-major axis used by GCJ-02
KRASOVSKY_EE = 0.00669342162296594323  # eccentricity squared

WGS84 = "wgs84"
GCJ02 = "gcj02"


def out_of_china(lat, lng):
    """Rough bounding box of mainland China; GCJ-02 is not applied outside it."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(x, y):
    """Offsets (metres-ish, before scaling) of the GCJ-02 obfuscation at x = lng-105, y = lat-35."""
    sx = math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlat += common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    dlng += common
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    return dlat, dlng


def _delta(lat, lng):
    dlat, dlng = _shift(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat, lng):
    """WGS-84 → GCJ-02 as ``(lat, lng)`` floats (the defining forward transform)."""
    lat, lng = float(lat), float(lng)
    if out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _delta(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat, lng, *, tolerance=1e-9, max_iterations=30):
    """GCJ-02 → WGS-84 as ``(lat, lng)`` floats.

    Fixed-point iteration on the forward transform: start from the GCJ point, move by the
    difference between the forward image of the guess and the target. Each step shrinks the
    error by two orders of magnitude, so a handful of steps reach ``tolerance`` degrees
    (1e-9° ≈ 0.1 mm)."""
    lat, lng = float(lat), float(lng)
    if out_of_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _ in range(max_iterations):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        d_lat, d_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - d_lat, w_lng - d_lng
        if abs(d_lat) < tolerance and abs(d_lng) < tolerance:
            break
    return w_lat, w_lng


def to_wgs84(lat, lng, system=WGS84):
    """Normalise a point entered in ``system`` (``"wgs84"`` or ``"gcj02"``) to WGS-84, as
    ``Decimal`` values rounded to 6 places (≈ 0.1 m) for the ``latitude``/``longitude``
    DecimalFields; ``(None, None)`` when either coordinate is missing."""
    if lat in (None, "") or lng in (None, ""):
        return None, None
    if system == GCJ02:
        lat, lng = gcj02_to_wgs84(lat, lng)
    q = Decimal("0.000001")
    return Decimal(str(float(lat))).quantize(q), Decimal(str(float(lng))).quantize(q)
