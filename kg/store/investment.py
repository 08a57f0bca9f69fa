"""Investment per region, measure and period, added up so that an analyst can quote it: a lower bound, never twice.

The sources report money in several measures (签约资金, 项目总投资, 到位资金 …, ``zs:MoneyMeasures``) for
totals of a region (``zs:SigningTotal``) and for single projects (``zs:InvestmentProject``). For every region
(its sub-regions, zones and ports included), measure, currency and period, the build adds one observation of the
data set ``zs:InvestmentRollups`` to the derived graph, which ``queries/investment_by_region.rq`` reads with one
index lookup per row. It is computed here, in Python, because the rule is recursive over the place hierarchy,
which SPARQL cannot express:

- **Never across measures, currencies or periods**: each (measure, currency, period) is added up on its own. A
  total's period is its ``zs:refPeriod``, read as a year when it starts and ends in the same year (2023年), else
  kept as the period itself (2023年以来); a project's is the year of its earliest dated milestone
  (``zs:ProjectMilestone``); without either, the period is "not stated", a cell of its own.
- **Totals that may overlap are never added**: the totals of one ``zs:OverlapGroup`` count as one, by their
  largest member (at the deepest place that holds them all).
- **A figure reported by several sources counts once**, and a subject whose sources disagree counts once, at the
  lowest value reported, its observations saying so (``skos:editorialNote``): :mod:`kg.store.figures`.
- **Places that contain each other are never added**: what is reported for a place may include what is reported
  for the places inside it (a city's total and its county's), and a project may be one of the projects of a total
  reported for its place. So, bottom-up over the places that have figures, a place counts the larger of its own
  figures and the sum of the places inside it; its own figures are the totals (one per overlap group) added
  together, or its projects added together, whichever is larger. Different places that do not contain each
  other are added.

So ``amountAtLeast`` is a lower bound of the money of that measure, and ``projectsAtLeast`` (computed by the
same rule from ``zs:projectCount``, one per project) a lower bound of the projects; ``counted`` says how many
totals and projects the amount adds and ``zs:rollupOf`` names them, ``items`` how many there are in all,
``sources`` from how many articles, and the first of their sentences (``zs:quote``) with how many there are.

Economic regions (长江经济带) contain provinces and cities without being part of the administrative tree: a
place with figures is nested under its deepest containing place with figures, so that every figure is counted
once; two economic regions that share members and both have figures of their own are taken as apart.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from kg.namespaces import IRIS, OA, PROV, QB, SCHEMA, ZS
from kg.store.derive import DERIVED_GRAPH, WITHIN_REGION
from kg.store.figures import FigureGroup, counting, decimal_of, figure_groups, figures, group_figures, text_of

#: The data set of the observations (declared in the ontology).
ROLLUPS = ox.NamedNode(f"{ZS}InvestmentRollups")
ROLLUP_PREFIX = f"{IRIS['ZR']}rollup/"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_P = {name: ox.NamedNode(f"{ZS}{name}") for name in (
    "rollupArea", "rollupMeasure", "rollupPeriod", "rollupYear", "amountAtLeast", "projectsAtLeast",
    "countedItems", "itemCount", "sourceCount", "sentenceCount", "rollupOf", "quote")}
_DATASET = ox.NamedNode(f"{QB}dataSet")
_DECIMAL, _INTEGER, _GYEAR = (ox.NamedNode(f"{_XSD}{t}") for t in ("decimal", "integer", "gYear"))
_CURRENCY = ox.NamedNode(f"{SCHEMA}currency")
_NOTE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")

# The totals and projects with money, and what the rule needs of them; one row per item and amount (the shapes
# give each one place, each amount one value, currency and measure, a total one amount and at most one period and
# group; a project merged across sources has one amount per source, counted once through kg.store.figures).
_ITEMS = f"""
SELECT DISTINCT ?item ?money ?kind ?area ?value ?currency ?measure ?count ?group ?period ?start ?end ?stageDate WHERE {{
  {{ ?item a <{ZS}SigningTotal> ; <{ZS}refArea> ?area . BIND ("total" AS ?kind)
     OPTIONAL {{ ?item <{ZS}projectCount> ?count }}
     OPTIONAL {{ ?item <{ZS}inOverlapGroup> ?group }}
     OPTIONAL {{ ?item <{ZS}refPeriod> ?period .
                OPTIONAL {{ ?period <{ZS}periodStart> ?start }} OPTIONAL {{ ?period <{ZS}periodEnd> ?end }} }} }}
  UNION
  {{ ?item a <{ZS}InvestmentProject> ; <{SCHEMA}location> ?area . BIND ("project" AS ?kind)
     OPTIONAL {{ SELECT ?item (MIN(STR(?d)) AS ?stageDate) WHERE {{
                  ?milestone <{ZS}project> ?item ; <{ZS}stageDate> ?d }} GROUP BY ?item }} }}
  ?item <{ZS}investment> ?money .
  ?money <{SCHEMA}value> ?value ; <{SCHEMA}currency> ?currency ; <{ZS}measure> ?measure .
}}
"""
_DERIVED_FROM, _HAS_SOURCE = ox.NamedNode(f"{PROV}wasDerivedFrom"), ox.NamedNode(f"{OA}hasSource")
_HAS_SELECTOR, _EXACT = ox.NamedNode(f"{OA}hasSelector"), ox.NamedNode(f"{OA}exact")


@dataclass
class _Unit:
    """What may be added as one: a project, a total alone, or the totals of one overlap group."""

    kind: str
    area: ox.NamedNode
    value: Decimal
    projects: int
    items: list[ox.NamedNode]  #: the item whose value counts (the largest of a group)


@dataclass
class _Cell:
    """The items of one (measure, currency, period)."""

    units: list[_Unit] = field(default_factory=list)
    items: dict[ox.NamedNode, ox.NamedNode] = field(default_factory=dict)  #: every item and its own place


def investment_rollups(store: ox.Store, closure: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The observations of ``zs:InvestmentRollups`` for the data of *store*, in the derived graph.

    *closure* is the place closure of :func:`kg.store.derive.derive_store` (``?place zs:withinRegion ?region``),
    computed from the same data; the store itself may or may not hold it.
    """
    # the same figure from two sources counts once; figures that conflict count once, at the lowest (figures.py)
    return _observations(store, _up(closure), _select(store, _ITEMS), figure_groups(store))


Cell = tuple[str, str, str]
Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]


def cell_of(row: Row) -> Cell | None:
    """The (measure, currency, period) a row of the items belongs to, or None for a row the rollups skip; a
    period is a year ("2023"), a period node (``<IRI>``) or "" (not stated)."""
    item, area, kind = row["item"], row["area"], text_of(row["kind"])
    if not isinstance(item, ox.NamedNode) or not isinstance(area, ox.NamedNode) or decimal_of(row["value"]) is None:
        return None
    period = _period_key(kind, row)
    node = row["period"]
    if not period and kind == "total" and isinstance(node, ox.NamedNode):
        period = f"<{node.value}>"
    return (text_of(row["measure"]), text_of(row["currency"]), period)


def item_rows(store: ox.Store, item: ox.NamedNode) -> list[Row]:
    """The rows :data:`_ITEMS` gives one item (its place, money, count, group and period), found by index lookups
    (the query with *item* bound costs about a millisecond, most of it reading the query; a cell of a million
    statements has thousands of items). The rows the query gives, once each (it is SELECT DISTINCT: a statement
    stated in two graphs matches twice in the union default graph, and a period described by two articles would
    otherwise count a total twice)."""
    def objects(node: Term | None, predicate: ox.NamedNode) -> list[Term]:
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return []
        return [q.object for q in store.quads_for_pattern(node, predicate, None)]

    def optional(terms: list[Term]) -> list[Term | None]:
        return list(terms) if terms else [None]

    types = objects(item, _TYPE)
    heads: list[dict[str, Term | None]] = []
    none = dict.fromkeys(("count", "group", "period", "start", "end", "stageDate"))
    for _ in range(min(1, types.count(_TOTAL))):
        for area in objects(item, _Q["refArea"]):
            for count in optional(objects(item, _Q["projectCount"])):
                for group in optional(objects(item, _Q["inOverlapGroup"])):
                    periods: list[tuple[Term | None, Term | None, Term | None]] = [
                        (p, start, end) for p in objects(item, _Q["refPeriod"])
                        for start in optional(objects(p, _Q["periodStart"]))
                        for end in optional(objects(p, _Q["periodEnd"]))] or [(None, None, None)]
                    for period, start, end in periods:
                        heads.append({**none, "item": item, "kind": ox.Literal("total"), "area": area,
                                      "count": count, "group": group, "period": period, "start": start, "end": end})
    if _PROJECT in types:
        dates = [d for q in store.quads_for_pattern(None, _Q["project"], item)
                 for d in objects(q.subject, _Q["stageDate"]) if isinstance(d, ox.Literal)]
        earliest = ox.Literal(min(d.value for d in dates)) if dates else None  # MIN(STR(?d)) of the query
        for area in objects(item, _LOCATION):
            heads.append({**none, "item": item, "kind": ox.Literal("project"), "area": area, "stageDate": earliest})
    rows: list[Row] = []
    seen: set[tuple[tuple[str, Term | None], ...]] = set()
    for head in heads:
        for money in objects(item, _Q["investment"]):
            for value in objects(money, _VALUE):
                for currency in objects(money, _CURRENCY):
                    for measure in objects(money, _Q["measure"]):
                        row = {**head, "money": money, "value": value, "currency": currency, "measure": measure}
                        key = tuple(sorted(row.items(), key=lambda kv: kv[0]))
                        if key not in seen:  # SELECT DISTINCT: a statement stated in two graphs is one row
                            seen.add(key)
                            rows.append(row)  # type: ignore[arg-type]
    return rows


def item_rows_queried(store: ox.Store, item: ox.NamedNode) -> list[Row]:
    """:func:`item_rows` as the query gives them (what the tests compare it with)."""
    return _select(store, _ITEMS, {ox.Variable("item"): item})


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_Q = {name: ox.NamedNode(f"{ZS}{name}") for name in (
    "refArea", "projectCount", "inOverlapGroup", "refPeriod", "periodStart", "periodEnd", "stageDate", "investment",
    "measure", "project")}
_TOTAL, _PROJECT = ox.NamedNode(f"{ZS}SigningTotal"), ox.NamedNode(f"{ZS}InvestmentProject")
_LOCATION, _VALUE = ox.NamedNode(f"{SCHEMA}location"), ox.NamedNode(f"{SCHEMA}value")


def rollups_of_cells(store: ox.Store, closure: Iterable[ox.Quad], rows: list[Row]) -> list[ox.Quad]:
    """The observations :func:`investment_rollups` gives the cells of *rows*, which must be every row of the
    store in those cells (:func:`item_rows` of every item in them): what a merge that adds a few items
    recomputes, reading only the figures of their subjects rather than every figure of the store."""
    subjects = {r["area"] if text_of(r["kind"]) == "total" else r["item"] for r in rows}
    found = [f for s in sorted((s for s in subjects if isinstance(s, ox.NamedNode)), key=lambda n: n.value)
             for f in figures(store, s, alone=False)]
    return _observations(store, _up(closure), rows, group_figures(found))


def _up(closure: Iterable[ox.Quad]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    up: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for q in closure:
        if q.predicate == WITHIN_REGION and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            up[q.subject].add(q.object)
    return up


def _observations(store: ox.Store, up: dict[ox.NamedNode, set[ox.NamedNode]], rows: list[Row],
                  groups_found: list[FigureGroup]) -> list[ox.Quad]:
    """The observations of the cells of *rows*, counting the repeats and conflicts of *groups_found*."""
    cells: dict[tuple[str, str, str], _Cell] = defaultdict(_Cell)
    groups: dict[tuple[tuple[str, str, str], ox.NamedNode], list[tuple[Decimal, int, ox.NamedNode, ox.NamedNode]]] = (
        defaultdict(list))
    period_nodes: dict[str, ox.NamedNode] = {}
    counted_as = counting(groups_found)
    conflicting = {f.item for g in groups_found if g.kind == "conflict" for f in g.figures}
    for r in rows:
        key = cell_of(r)
        if key is None:
            continue
        item, area, kind, value = r["item"], r["area"], text_of(r["kind"]), decimal_of(r["value"])
        assert isinstance(item, ox.NamedNode) and isinstance(area, ox.NamedNode) and value is not None
        node = r["period"]
        if key[2].startswith("<") and isinstance(node, ox.NamedNode):
            period_nodes[key[2]] = node
        cell = cells[key]
        cell.items[item] = area
        figure = r["money"] if kind == "project" else item  # a project's figures are its amounts (figures.py)
        if isinstance(figure, ox.NamedNode) and figure in counted_as:
            counted_value = counted_as[figure]
            if counted_value is None:
                continue  # another source's report of the same figure is the one counted
            value = counted_value
        count = _int(r["count"]) if kind == "total" else 1
        group = r["group"]
        if isinstance(group, ox.NamedNode):
            groups[(key, group)].append((value, count, area, item))
        else:
            cell.units.append(_Unit(kind, area, value, count, [item]))
    for (key, _group), members in groups.items():
        top = max(members, key=lambda m: (m[0], m[1], m[3].value))
        area = _deepest_common(up, [m[2] for m in members])
        cells[key].units.append(_Unit("total", area, top[0], max(m[1] for m in members), [top[3]]))

    sentences = _sentences(store, {i for cell in cells.values() for i in cell.items})
    derived = ox.NamedNode(DERIVED_GRAPH)
    quads: list[ox.Quad] = []
    for (measure, currency, period), cell in sorted(cells.items()):
        inside: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
        for item, area in cell.items.items():
            for region in up.get(area, set()) | {area}:
                inside[region].append(item)
        for region, (amount, projects, counted) in _by_region(cell, up).items():
            said = {s for i in inside[region] for s in sentences.get(i, ())}
            node = ox.NamedNode(ROLLUP_PREFIX + hashlib.sha256(
                "\x1f".join((region.value, measure, currency, period)).encode()).hexdigest()[:24])
            add: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
                (_DATASET, ROLLUPS), (_P["rollupArea"], region), (_P["rollupMeasure"], ox.NamedNode(measure)),
                (_CURRENCY, ox.Literal(currency)),
                (_P["amountAtLeast"], ox.Literal(_decimal_text(amount), datatype=_DECIMAL)),
                (_P["projectsAtLeast"], _integer(projects)),
                (_P["countedItems"], _integer(len(counted))),
                (_P["itemCount"], _integer(len(inside[region]))),
                (_P["sourceCount"], _integer(len({s[1] for s in said}))),
                (_P["sentenceCount"], _integer(len({s[0] for s in said}))),
            ]
            if period.isdigit():
                add.append((_P["rollupYear"], ox.Literal(period, datatype=_GYEAR)))
            elif period:
                add.append((_P["rollupPeriod"], period_nodes[period]))
            backing = sorted(s[2] for i in counted for s in sentences.get(i, ()))
            if backing:
                add.append((_P["quote"], ox.Literal(backing[0], language="zh")))
            add += [(_P["rollupOf"], i) for i in sorted(set(counted), key=lambda n: n.value)]
            disputed = [i for i in inside[region] if i in conflicting]
            if disputed:
                add.append((_NOTE, ox.Literal(
                    f"{len(disputed)} figure(s) here conflict between sources; each subject counts once, at the "
                    "lowest value reported (`kg conflicts` lists them).", language="en")))
            quads += [ox.Quad(node, p, o, derived) for p, o in add]
    return quads


def _sentences(store: ox.Store, items: set[ox.NamedNode]) -> dict[ox.NamedNode, set[tuple[str, str, str]]]:
    """(sentence, source, text) of every sentence each item is derived from, read by index lookups: a few per item
    (0.5 s at a million statements), where a SPARQL join of the four properties took 5 s."""
    said: dict[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, list[tuple[str, str, str]]] = {}
    out: dict[ox.NamedNode, set[tuple[str, str, str]]] = defaultdict(set)
    for item in items:
        for q in store.quads_for_pattern(item, _DERIVED_FROM, None):
            s = q.object
            if s not in said:  # a sentence has a source and a selector with its words (a data set has neither)
                sources = {text_of(x.object) for x in store.quads_for_pattern(s, _HAS_SOURCE, None)}  # type: ignore[arg-type]
                texts = {text_of(y.object) for x in store.quads_for_pattern(s, _HAS_SELECTOR, None)  # type: ignore[arg-type]
                         for y in store.quads_for_pattern(x.object, _EXACT, None)}  # type: ignore[arg-type]
                said[s] = [(text_of(s), src, t) for src in sources for t in texts]
            out[item].update(said[s])
    return out


_Solved = tuple[Decimal, int, list[ox.NamedNode], list[ox.NamedNode]]


def _by_region(cell: _Cell, up: dict[ox.NamedNode, set[ox.NamedNode]]
               ) -> dict[ox.NamedNode, tuple[Decimal, int, list[ox.NamedNode]]]:
    """(amount, projects, items counted) for every region that holds a unit of *cell*: the rule of the module."""
    at: dict[ox.NamedNode, list[_Unit]] = defaultdict(list)
    for u in cell.units:
        at[u.area].append(u)
    areas = set(at)
    parent: dict[ox.NamedNode, ox.NamedNode | None] = {}
    children: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
    for a in sorted(areas, key=lambda n: n.value):
        holders = (up.get(a, set()) - {a}) & areas
        # the deepest place with figures that contains it (ties: the last IRI), so that each has one parent
        parent[a] = max(holders, key=lambda b: (len(up.get(b, ())), b.value)) if holders else None
        if parent[a] is not None:
            children[parent[a]].append(a)  # type: ignore[index]
    best: dict[ox.NamedNode, _Solved] = {}

    def solve(a: ox.NamedNode) -> _Solved:
        """(amount, projects, items counted for each) of the places with figures at or under *a*."""
        if a not in best:
            options: list[_Solved] = []
            for us in ([u for u in at[a] if u.kind == "total"], [u for u in at[a] if u.kind == "project"]):
                if us:
                    items = [i for u in us for i in u.items]
                    options.append((sum((u.value for u in us), Decimal(0)), sum(u.projects for u in us), items, items))
            below = [solve(c) for c in children[a]]
            if below:
                options.append((sum((b[0] for b in below), Decimal(0)), sum(b[1] for b in below),
                                [i for b in below for i in b[2]], [i for b in below for i in b[3]]))
            money = max(options, key=lambda o: o[0])
            count = max(options, key=lambda o: o[1])
            best[a] = (money[0], count[1], money[2], count[3])
        return best[a]

    # The places with figures inside a region whose parent is not inside it lie apart from each other: the
    # region adds them. A place is such a top for the regions that contain it but not its parent.
    tops: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
    for a in sorted(areas, key=lambda n: n.value):
        mine = up.get(a, set()) | {a}
        p = parent[a]
        for region in mine - ((up.get(p, set()) | {p}) if p is not None else set()):
            tops[region].append(a)
    out: dict[ox.NamedNode, tuple[Decimal, int, list[ox.NamedNode]]] = {}
    for region, places in tops.items():
        solved = [solve(a) for a in places]
        out[region] = (sum((s[0] for s in solved), Decimal(0)), sum(s[1] for s in solved),
                       [i for s in solved for i in s[2]])
    return out


def _deepest_common(up: dict[ox.NamedNode, set[ox.NamedNode]], areas: list[ox.NamedNode]) -> ox.NamedNode:
    """The deepest place that is or contains every one of *areas* (the first of them if none does)."""
    common = set.intersection(*(up.get(a, set()) | {a} for a in areas))
    if not common:
        return areas[0]
    return max(common, key=lambda p: (len(up.get(p, ())), p.value))


def _period_key(kind: str, row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]) -> str:
    """The year ("2023") of a project's stage date or of a total's one-year period; "" otherwise."""
    if kind == "project":
        date = row["stageDate"]
        return date.value[:4] if isinstance(date, ox.Literal) and date.value[:4].isdigit() else ""
    start, end = row["start"], row["end"]
    if isinstance(start, ox.Literal) and isinstance(end, ox.Literal) and start.value == end.value \
            and len(start.value) == 4 and start.value.isdigit():
        return start.value
    return ""


def _select(store: ox.Store, sparql: str,
            bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = None
            ) -> list[Row]:
    result = store.query(sparql, use_default_graph_as_union=True, substitutions=bound or {})
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]




def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_INTEGER)


def _int(term: object) -> int:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else 0
    except ValueError:
        return 0


def _decimal_text(d: Decimal) -> str:
    """An xsd:decimal lexical form: no exponent (4.3065E+10 is not one)."""
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
