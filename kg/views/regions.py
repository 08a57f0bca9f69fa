"""Regions and what the store says happens in them: the part of the graph the overview and the profiles share.

A fact belongs to a region when its place (``zs:refArea``, ``zs:region``, ``schema:location``) is the region or
lies inside it, climbing ``schema:containedInPlace``: the profile of 怀化市 holds 辰溪县's signing totals.

Amounts are kept apart by *measure*: the class of the fact that states them and the relation that does
(a signing total's ``zs:investment`` is one measure, a project's another, a policy's maximum reward a third).
Figures of different measures are never added; figures of one measure are added only when that cannot count
anything twice (see :func:`total`).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import UnknownEntity
from kg.namespaces import PREFIXES, ZS
from kg.query.catalogue import select
from kg.views.model import curie

SCHEMA = PREFIXES["schema"]
#: The classes of regions a profile is about, from the largest down.
REGION_KINDS = tuple(str(ZS[n]) for n in ("ProvinceLevelDivision", "PrefectureLevelDivision", "CountyLevelDivision"))
#: Links from a fact to where it happens, the first found wins.
PLACE_LINKS = tuple(PREFIXES[p] + n for p, n in (("zs", "refArea"), ("zs", "region"), ("schema", "location"),
                                                   ("zs", "involves")))
#: Characters an IRI read from the store can never hold (RDF forbids them): checked before one is put in a query.
_NOT_IN_IRI = re.compile(r'[\s<>"{}|^`\\]')
#: Qualifiers under which a figure is a bound, not an amount: such figures are shown, never added.
BOUNDS = frozenset(str(ZS[n]) for n in ("MoreThan", "UpTo", "AtLeast", "LessThan", "AtMost"))
_YEAR = re.compile(r"^(\d{4})")


@dataclass
class Region:
    """A province-, prefecture- or county-level division."""

    iri: str
    label: str
    kind: str
    code: str = ""
    parents: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """One amount of money as a fact states it, with what is needed to show it honestly."""

    fact: str
    fact_label: str
    fact_class: str
    measure: str  # "<class label> · <relation label>": figures of different measures are never added
    value: Decimal
    text: str
    qualifier: str
    year: str  # "" when the fact gives no single year
    place: str
    overlap: str  # the zs:OverlapGroup the fact is in, "" when none
    quotes: list[str] = field(default_factory=list)


@dataclass
class Places:
    """Every region with its parents, and every place's children (for "inside this region")."""

    regions: dict[str, Region]
    children: dict[str, set[str]]
    labels: dict[str, str]

    def within(self, region: str) -> set[str]:
        """*region* and every place inside it."""
        found, todo = {region}, [region]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def ancestors(self, place: str) -> list[str]:
        """The regions that contain *place* (itself first when it is one), nearest first."""
        out: list[str] = []
        todo, seen = [place], set()
        while todo:
            here = todo.pop(0)
            if here in seen:
                continue
            seen.add(here)
            if here in self.regions:
                out.append(here)
            todo.extend(sorted(self.parents_of(here)))
        return out

    def parents_of(self, place: str) -> set[str]:
        return self._parents.get(place, set())

    _parents: dict[str, set[str]] = field(default_factory=dict)


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else str(term.value)


def _label(row_label: ox.NamedNode | ox.BlankNode | ox.Literal | None, fallback: str) -> str:
    return _v(row_label) or fallback


def read_places(store: AnyStore, lang: str = "zh") -> Places:
    """Regions (with labels in *lang*, codes and aliases) and the containment of every place."""
    regions: dict[str, Region] = {}
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select(store, """SELECT DISTINCT ?p ?l WHERE { ?p zs:adminCode ?c ; rdfs:label ?l }""").rows:
        lit = row["l"]
        labels[_v(row["p"])][lit.language or "" if isinstance(lit, ox.Literal) else ""] = _v(lit)
    kinds = " ".join(f"<{k}>" for k in REGION_KINDS)
    for row in select(store, f"""SELECT ?r ?k (SAMPLE(?c) AS ?code) WHERE {{
            VALUES ?k {{ {kinds} }} ?r a ?k . OPTIONAL {{ ?r zs:adminCode ?c }} }} GROUP BY ?r ?k""").rows:
        iri = _v(row["r"])
        kind = _v(row["k"])
        if iri in regions and REGION_KINDS.index(regions[iri].kind) <= REGION_KINDS.index(kind):
            continue
        regions[iri] = Region(iri, "", kind, _v(row["code"]))
    aliases: dict[str, set[str]] = defaultdict(set)
    # One query per property: with VALUES over the property the engine scans every label in the store.
    for iri, found in labels.items():
        aliases[iri].update(found.values())
    for prop in ("skos:altLabel", "skos:prefLabel"):
        for row in select(store, f"SELECT DISTINCT ?r ?l WHERE {{ ?r zs:adminCode ?c ; {prop} ?l }}").rows:
            aliases[_v(row["r"])].add(_v(row["l"]))
    parents: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    for row in select(store, "SELECT DISTINCT ?a ?b WHERE { ?a schema:containedInPlace ?b }").rows:
        a, b = _v(row["a"]), _v(row["b"])
        parents[a].add(b)
        children[b].add(a)
    missing = [r for r in regions if r not in labels]
    for k in range(0, len(missing), 500):
        for row in select(store, f"SELECT ?p ?l WHERE {{ VALUES ?p {{ {_values(missing[k:k + 500])} }} "
                                 "?p rdfs:label ?l }").rows:
            lit = row["l"]
            labels[_v(row["p"])][lit.language or "" if isinstance(lit, ox.Literal) else ""] = _v(lit)
    other = "en" if lang == "zh" else "zh"
    flat = {iri: (found.get(lang) or found.get(other) or found.get("") or curie(iri)) for iri, found in labels.items()}
    for iri, region in regions.items():
        region.label = flat.get(iri, curie(iri))
        region.parents = sorted(p for p in parents.get(iri, ()) if p in regions)
        region.aliases = sorted(aliases.get(iri, set()) | {region.label} | ({region.code} if region.code else set()))
    return Places(regions=regions, children=dict(children), labels=flat, _parents=dict(parents))


def resolve_region(places: Places, mention: str) -> str:
    """The region a user means (a name, an alias, a GB/T 2260 code or an IRI); else an error with suggestions."""
    text = mention.strip()
    if text in places.regions:
        return text
    exact = sorted(iri for iri, r in places.regions.items() if text in r.aliases)
    if not exact:
        folded = text.casefold()
        exact = sorted(iri for iri, r in places.regions.items() if any(a.casefold() == folded for a in r.aliases))
    if exact:
        # The largest: 北京市 names the province-level city, not a same-named prefecture under it.
        return min(exact, key=lambda i: (REGION_KINDS.index(places.regions[i].kind), i))
    names = sorted({a for r in places.regions.values() for a in r.aliases})
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.4)
    partial = [a for a in names if text and (text in a or a in text)][:5]
    hint = "、".join(dict.fromkeys([*close, *partial])) or "none"
    raise UnknownEntity(f"No region called {mention!r}. Similar names: {hint}. Give a region's name, alias or "
                        "GB/T 2260 code (kg profile --all lists every region with a profile).")


def read_figures(store: AnyStore, places: Places, lang: str = "zh", of: list[str] | None = None) -> list[Figure]:
    """Every monetary amount a fact states (of the facts *of* only, when given: a profile reads its region's),
    with its measure, year, place, overlap group and quotes."""
    pattern = """?fact ?p ?amount . ?amount a schema:MonetaryAmount ; schema:value ?value .
            ?fact a ?cls . FILTER(STRSTARTS(STR(?cls), STR(zs:)))
            OPTIONAL { ?amount zs:surfaceForm ?surface }
            OPTIONAL { ?amount zs:qualifier ?qual }
            OPTIONAL { ?amount zs:measure ?measure }"""
    head = "SELECT DISTINCT ?fact ?p ?amount ?value ?surface ?qual ?cls ?measure WHERE {"
    if of is None:
        rows = select(store, f"{head} {pattern} }}").rows
    else:
        rows = []
        for k in range(0, len(of), 500):
            rows += select(store, f"{head} VALUES ?fact {{ {_values(of[k:k + 500])} }} {pattern} }}").rows
    facts = sorted({_v(r["fact"]) for r in rows})
    where = _fact_places(store, facts)
    years = _fact_years(store, facts)
    overlap: dict[str, str] = {}
    for k in range(0, len(facts), 500):
        query = f"SELECT ?f ?g WHERE {{ VALUES ?f {{ {_values(facts[k:k + 500])} }} ?f zs:inOverlapGroup ?g }}"
        overlap.update((_v(r["f"]), _v(r["g"])) for r in select(store, query).rows)
    quotes = _quotes(store, facts)
    names = _labels(store, facts + sorted({_v(r["cls"]) for r in rows} | {_v(r["p"]) for r in rows}
                                          | {_v(r["measure"]) for r in rows if r["measure"] is not None}), lang)
    out: list[Figure] = []
    seen: set[tuple[str, str, str]] = set()
    for r in sorted(rows, key=lambda r: (_v(r["fact"]), _v(r["p"]), _v(r["amount"]), _v(r["cls"]))):
        fact, prop, amount = _v(r["fact"]), _v(r["p"]), _v(r["amount"])
        if (fact, prop, amount) in seen or prop == str(ZS.minimumProjectInvestment):
            continue  # a threshold says how big each project is, not how much was invested
        seen.add((fact, prop, amount))
        try:
            value = Decimal(_v(r["value"]))
        except InvalidOperation:
            continue
        cls = _v(r["cls"])
        # the amount's own measure (zs:MoneyMeasures: 签约资金, 项目总投资 …) where the data states it; else the
        # class of the fact and the relation that states the amount
        stated = _v(r["measure"]) if r["measure"] is not None else ""
        measure = (names.get(stated, curie(stated)) if stated
                   else f"{names.get(cls, curie(cls))} · {names.get(prop, curie(prop))}")
        text = _v(r["surface"]) or f"{value} CNY"
        place = (where.get(fact) or [""])[0]
        out.append(Figure(fact, names.get(fact, curie(fact)), cls, measure, value, text, _v(r["qual"]),
                          years.get(fact, ""), place, overlap.get(fact, ""), quotes.get(fact, [])[:2]))
    return out


def figures_in(figures: Iterable[Figure], places: Places, region: str) -> list[Figure]:
    """The figures whose place lies in *region*."""
    inside = places.within(region)
    return [f for f in figures if f.place and f.place in inside]


def total(figures: list[Figure]) -> Decimal | None:
    """The sum of figures of one measure, or None when adding them could count something twice or say more
    than the figures do: a bound (more than, up to), two figures in one overlap group, or one fact twice."""
    if not figures or len({f.measure for f in figures}) != 1:
        return None
    if len(figures) == 1:
        return figures[0].value
    if any(f.qualifier in BOUNDS for f in figures) or len({f.fact for f in figures}) != len(figures):
        return None
    groups = [f.overlap for f in figures if f.overlap]
    if len(groups) != len(set(groups)):
        return None
    return sum((f.value for f in figures), Decimal(0))


def _values(iris: Iterable[str]) -> str:
    """IRIs read from the store, as the body of a VALUES clause (no user text ever reaches a query this way)."""
    out = []
    for iri in iris:
        if _NOT_IN_IRI.search(iri):
            raise ValueError(f"not an IRI: {iri!r}")
        out.append(f"<{iri}>")
    return " ".join(out)


def _fact_places(store: AnyStore, facts: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if not facts:
        return out
    values = _values(facts)
    links = _values(PLACE_LINKS)
    rank = {p: i for i, p in enumerate(PLACE_LINKS)}
    rows = select(store, f"""SELECT DISTINCT ?f ?p ?place WHERE {{ VALUES ?f {{ {values} }} VALUES ?p {{ {links} }}
            ?f ?p ?place . ?place schema:containedInPlace|^schema:containedInPlace|zs:adminCode ?x }}""").rows
    for r in sorted(rows, key=lambda r: (rank[_v(r["p"])], _v(r["place"]))):
        f, place = _v(r["f"]), _v(r["place"])
        if place not in out[f]:
            out[f].append(place)
    return out


def _fact_years(store: AnyStore, facts: list[str]) -> dict[str, str]:
    """The single year a fact is about: its period's when it starts and ends in one year, else its stage date's."""
    if not facts:
        return {}
    values = _values(facts)
    out: dict[str, str] = {}
    for r in select(store, f"""SELECT ?f ?start ?end ?stage WHERE {{ VALUES ?f {{ {values} }}
            OPTIONAL {{ ?f zs:refPeriod ?period . ?period zs:periodStart ?start .
                        OPTIONAL {{ ?period zs:periodEnd ?end }} }}
            OPTIONAL {{ ?f zs:stageDate ?stage }} }}""").rows:
        start, end, stage = (_YEAR.match(_v(r[k])) for k in ("start", "end", "stage"))
        f = _v(r["f"])
        if start and end and start.group(1) == end.group(1):
            out[f] = start.group(1)
        elif stage and f not in out:
            out[f] = stage.group(1)
    return out


def _quotes(store: AnyStore, facts: list[str]) -> dict[str, list[str]]:
    if not facts:
        return {}
    values = _values(facts)
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in select(store, f"""SELECT DISTINCT ?f ?q ?i WHERE {{ VALUES ?f {{ {values} }}
            ?f prov:wasDerivedFrom ?s . ?s oa:hasSelector/oa:exact ?q .
            OPTIONAL {{ ?s zs:sentenceIndex ?i }} }}""").rows:
        try:
            idx = int(_v(r["i"]))
        except ValueError:
            idx = 1 << 30
        found[_v(r["f"])].append((idx, _v(r["q"])))
    return {f: [q for _, q in sorted(set(v))] for f, v in found.items()}


def _labels(store: AnyStore, iris: list[str], lang: str) -> dict[str, str]:
    if not iris:
        return {}
    values = _values(iris)
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for r in select(store, f"SELECT ?i ?l WHERE {{ VALUES ?i {{ {values} }} ?i rdfs:label|skos:prefLabel ?l }}").rows:
        lit = r["l"]
        found[_v(r["i"])][lit.language or "" if isinstance(lit, ox.Literal) else ""] = _v(lit)
    other = "en" if lang == "zh" else "zh"
    return {i: (d.get(lang) or d.get(other) or d.get("") or curie(i)) for i, d in found.items()}
