"""The small map on a region's profile: its outline and those of the divisions inside it, as static SVG.

Outlines come from :mod:`kg.views.boundaries` (the ``maps`` extra); without them, or for a code with no
outline (a new district), the region and its divisions are points at their centroids on a graticule.
"""

from __future__ import annotations

import html
import math

from kg.backend import AnyStore
from kg.query.catalogue import select
from kg.views import boundaries
from kg.views.mappage import parse_point
from kg.views.regions import Places, _values

WIDTH, HEIGHT = 320, 240


def centroids(store: AnyStore | None, iris: list[str]) -> dict[str, tuple[float, float]]:
    """(lon, lat) of each place that has a ``geo:hasCentroid`` point."""
    if store is None or not iris:
        return {}
    out: dict[str, tuple[float, float]] = {}
    for r in select(store, f"""SELECT ?p ?w WHERE {{ VALUES ?p {{ {_values(sorted(iris))} }}
            ?p geo:hasCentroid/geo:asWKT ?w }}""").rows:
        point = parse_point(str(r["w"].value) if r["w"] else "")
        if point and r["p"] is not None:
            out.setdefault(str(r["p"].value), point)
    return out


def small_map(store: AnyStore | None, places: Places, region: str, outlines: bool = True) -> str:
    """An SVG of *region*: outline (or point), the divisions inside it, their names."""
    children = sorted(c for c in places.children.get(region, ()) if c in places.regions)
    points = centroids(store, [region, *children])
    shapes: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {}
    if outlines and boundaries.available():
        code = places.regions[region].code
        found = boundaries.outline(code, 0.005) if code else None
        if found:
            shapes[region] = found
        for c in children:
            child = boundaries.outline(places.regions[c].code, 0.005) if places.regions[c].code else None
            if child:
                shapes[c] = child
    xs = [x for rings in shapes.values() for ring in rings for x, _ in ring] + [p[0] for p in points.values()]
    ys = [y for rings in shapes.values() for ring in rings for _, y in ring] + [p[1] for p in points.values()]
    if not xs:
        return '<p class="kg-note">—</p>'
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    pad = max(0.05, (x1 - x0) * 0.08, (y1 - y0) * 0.08)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    cos = math.cos(math.radians((y0 + y1) / 2))
    scale = min(WIDTH / ((x1 - x0) * cos), HEIGHT / (y1 - y0))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - x0) * cos * scale, 1), round((y1 - lat) * scale, 1)

    parts = [f'<svg class="kg-smallmap" role="img" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" data-outlines="{len(shapes)}">']
    if not shapes:  # the fallback: a graticule every degree (or five), so the points have a frame
        step = 1 if x1 - x0 < 12 else 5
        for lon in range(math.ceil(x0 / step) * step, math.floor(x1) + 1, step):
            a, b = xy(lon, y0), xy(lon, y1)
            parts.append(f'<line class="kg-grat" x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}"/>')
        for lat in range(math.ceil(y0 / step) * step, math.floor(y1) + 1, step):
            a, b = xy(x0, lat), xy(x1, lat)
            parts.append(f'<line class="kg-grat" x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}"/>')
    for iri in [region, *children]:
        for ring in shapes.get(iri, ()):
            d = "M" + "L".join(f"{p[0]},{p[1]}" for p in (xy(x, y) for x, y in ring)) + "Z"
            kind = "region" if iri == region else "child"
            parts.append(f'<path class="kg-outline kg-outline-{kind}" data-outline="{kind}" d="{d}"/>')
    for iri in [region, *children]:
        if iri in points and iri not in shapes:
            px, py = xy(*points[iri])
            parts.append(f'<circle class="kg-point" data-point="{"region" if iri == region else "child"}" '
                         f'cx="{px}" cy="{py}" r="{5 if iri == region else 3}"/>')
    for iri in children[:40]:
        if iri in points:
            px, py = xy(*points[iri])
            parts.append(f'<text class="kg-map-label" x="{px}" y="{py - 5}" text-anchor="middle" font-size="10">'
                         f"{html.escape(places.regions[iri].label)}</text>")
    if region in points:
        px, py = xy(*points[region])
        parts.append(f'<text class="kg-map-label" x="{px}" y="{py + 16}" text-anchor="middle" font-size="12" '
                     f'font-weight="600">{html.escape(places.regions[region].label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
