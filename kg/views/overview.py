"""The overview ``kg viz`` draws with no focus: the region network.

Regions linked through the chambers of commerce (host region → chamber → origin region) and the task forces
(home region → task force → station), with the regions that contain them and the amounts stated for each
region on its card: "which chambers of commerce link which regions" as a picture. Every label is a name (a
region's, a chamber's, a task force's); the sentences stay in the cards.

The whole entity graph, for checking provenance, is ``kg viz --all``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from kg.backend import AnyStore
from kg.namespaces import ZS
from kg.query.catalogue import select
from kg.views.dating import date_view
from kg.views.model import (
    CONTAINED_IN,
    ViewClass,
    ViewEdge,
    ViewGraph,
    ViewNode,
    _update_degrees,
    extract,
    read_ontology,
)
from kg.views.regions import Figure, Places, _v, read_figures, read_places, total

CHAMBER, TASK_FORCE = str(ZS.ChamberOfCommerce), str(ZS.TaskForce)
HOST, ORIGIN, STATIONED = str(ZS.hostRegion), str(ZS.originRegion), str(ZS.stationedIn)
#: The edge from a task force's home region to it: the region its government governs.
HOME = str(ZS.governs)


def build_overview(store: AnyStore, lang: str = "zh") -> ViewGraph:
    """The region network of *store*, as a :class:`ViewGraph` the graph page draws."""
    graph = extract(store, lang)
    places = read_places(store, lang)
    figures = read_figures(store, places, lang)
    prop_labels, _, _ = read_ontology(store)

    def rel(prop: str, zh: str, en: str) -> str:
        found = prop_labels.get(prop, {})
        return found.get(lang) or (zh if lang == "zh" else en)

    links: list[tuple[str, str, str, str]] = []  # (region, agent, predicate, direction: "in" region→agent)
    for row in select(store, """SELECT DISTINCT ?c ?host ?origin WHERE {
            ?c a zs:ChamberOfCommerce ; zs:hostRegion ?host ; zs:originRegion ?origin }""").rows:
        c = _v(row["c"])
        links.append((_v(row["host"]), c, HOST, "in"))
        links.append((_v(row["origin"]), c, ORIGIN, "out"))
    for row in select(store, """SELECT DISTINCT ?t ?home ?station WHERE {
            ?t a zs:TaskForce ; zs:stationedIn ?station ; org:unitOf+ ?government .
            ?government zs:governs ?home }""").rows:
        t = _v(row["t"])
        links.append((_v(row["home"]), t, HOME, "in"))
        links.append((_v(row["station"]), t, STATIONED, "out"))

    nodes: dict[str, ViewNode] = {}
    edges: list[ViewEdge] = []
    seen: set[tuple[str, str, str]] = set()
    labels = {HOST: rel(HOST, "所在地", "host region"), ORIGIN: rel(ORIGIN, "籍贯地", "origin region"),
              HOME: "派出" if lang == "zh" else "sends", STATIONED: rel(STATIONED, "驻点", "stationed in")}
    for region, agent, prop, direction in links:
        if agent not in graph.nodes or region not in places.regions:
            continue
        nodes.setdefault(agent, _copy(graph.nodes[agent]))
        nodes.setdefault(region, _region_node(places, region, graph))
        src, dst = (region, agent) if direction == "in" else (agent, region)
        if (src, dst, prop) not in seen:
            seen.add((src, dst, prop))
            edges.append(ViewEdge(src, dst, prop, labels[prop]))
    # Regions with amounts stated for them join the picture, so that the money is where the links are.
    for fig in figures:
        for region in places.ancestors(fig.place)[:1]:
            nodes.setdefault(region, _region_node(places, region, graph))
    # Each region's containing regions, up to the province, so that a county sits in its city and province.
    for region in [n for n in list(nodes) if n in places.regions]:
        for parent in places.ancestors(region)[1:]:
            nodes.setdefault(parent, _region_node(places, parent, graph))
    for region in [n for n in nodes if n in places.regions]:
        for parent in places.regions[region].parents:
            if parent in nodes and (region, parent, CONTAINED_IN) not in seen:
                seen.add((region, parent, CONTAINED_IN))
                edges.append(ViewEdge(region, parent, CONTAINED_IN, "位于" if lang == "zh" else "in"))
    for region in [n for n in nodes if n in places.regions]:
        _add_amounts(nodes[region], [f for f in figures if f.place in places.within(region)], lang)

    classes: dict[str, ViewClass] = {}
    for node in nodes.values():
        label = graph.classes[node.cls].label if node.cls in graph.classes else _class_label(places, node.cls)
        classes.setdefault(node.cls, ViewClass(node.cls, label)).count += 1
    view = ViewGraph(nodes=nodes, edges=edges, classes=classes, lang=lang, kind="overview",
                     regions={r: places.regions[r].label for r in nodes if r in places.regions})
    for node in nodes.values():
        node.regions = [r for r in places.ancestors(node.id) if r in nodes] if node.id in places.regions else \
            sorted({e.target if e.source == node.id else e.source for e in edges
                    if node.id in (e.source, e.target)})
    _update_degrees(view)
    date_view(store, view)
    view.title = ("地区网络:异地商会与驻点专班" if lang == "zh"
                  else "Region network: chambers of commerce and task forces")
    return view


def _copy(node: ViewNode) -> ViewNode:
    return ViewNode(id=node.id, label=node.label, cls=node.cls, aliases=list(node.aliases), facts=list(node.facts),
                    quotes=list(node.quotes), more_quotes=node.more_quotes, amount=node.amount)


def _region_node(places: Places, region: str, graph: ViewGraph) -> ViewNode:
    if region in graph.nodes:
        node = _copy(graph.nodes[region])
        node.facts = [f for f in node.facts if f[0] not in ("行政区划代码", "administrative division code")][:4]
        node.amount = None
        return node
    r = places.regions[region]
    return ViewNode(id=region, label=r.label, cls=r.kind, aliases=list(r.aliases))


def _class_label(places: Places, cls: str) -> str:
    return cls.rsplit("#", 1)[-1]


def _add_amounts(node: ViewNode, figures: list[Figure], lang: str) -> None:
    """The region's amounts on its card, one line per measure and year; its size from the largest figure."""
    by: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        by[(f.measure, f.year)].append(f)
    lines: list[tuple[str, str]] = []
    for (measure, year), group in sorted(by.items()):
        head = f"{measure} {year}".strip()
        summed = total(group)
        if len(group) == 1:
            lines.append((head, group[0].text))
        elif summed is not None:
            n = len(group)
            lines.append((head, f"{format_cny(summed, lang)} ({n} 项合计)" if lang == "zh" else
                          f"{format_cny(summed, lang)} (sum of {n})"))
        else:
            joined = "; ".join(f.text for f in group)
            lines.append((head, f"{joined}(可能重叠,不相加)" if lang == "zh" else f"{joined} (may overlap; not added)"))
    node.facts = lines + node.facts
    values = [f.value for f in figures]
    node.amount = max(values) if values else None


def format_cny(value: Decimal, lang: str = "zh") -> str:
    """An amount in CNY as a reader says it: 亿元 / 万元 in Chinese, billions / millions in English."""
    if lang == "zh":
        if value >= Decimal(10) ** 8:
            return f"{(value / Decimal(10) ** 8).normalize():f}亿元"
        if value >= Decimal(10) ** 4:
            return f"{(value / Decimal(10) ** 4).normalize():f}万元"
        return f"{value.normalize():f}元"
    if value >= Decimal(10) ** 9:
        return f"CNY {(value / Decimal(10) ** 9).normalize():f} billion"
    if value >= Decimal(10) ** 6:
        return f"CNY {(value / Decimal(10) ** 6).normalize():f} million"
    return f"CNY {value.normalize():f}"
