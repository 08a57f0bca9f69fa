"""One figure reported by several sources, and figures that disagree: found in the store, never resolved silently.

An amount of money is a *figure* of a subject: a project (``zs:InvestmentProject``, by its IRI once the project
is one entity across articles: the figure's item is then the amount, each source's own, see
:mod:`kg.corpus.consolidate`), or a region's total (``zs:SigningTotal``) for a stated period. Two figures have
the same subject when they agree on

- the project, measure and currency, for a project;
- the region (``zs:refArea``), measure, currency, period (``zs:refPeriod``) and project count (``zs:projectCount``,
  or both without one), for a total. A total without a period is never compared: 签约引进18个产业项目 and
  签约引进临港产业项目9个 are cuts of one county's work, not two reports of one number.

Figures are compared only across sources: the totals of one article are its own cuts (``zs:OverlapGroup``). Two
figures from different sources are **one figure** (a repeat) when their values agree within their qualifiers
(:func:`agree`); otherwise they are a **conflict**. The tolerance, decided here and documented in
``docs/corpus.md``:

- exact (确数) and reached (达): within 0.5% (rounding: 109.8亿 and 109.80亿 or 110亿 read to two digits);
- approximate (约, 近, 左右): within 10% of the approximate value;
- lower bound (余, 多, 超, 以上) *L*: any value from *L* up to 1.2·*L* (逾100亿 is not 150亿); two lower bounds
  within 10% of each other;
- upper bound (最高, 可达) *U*: any value from 0.8·*U* up to *U*.

How the rollups count them (:func:`counting`): a repeat is counted once, at the lowest of its values (an exact
or reached value when it has one); a subject whose figures conflict is counted once, at the lowest value any
source gives, and is listed by ``kg conflicts`` until a decision removes the wrong one. Never added twice, never
summed, never resolved without a decision.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph as ox

from kg.namespaces import OA, PROV, SCHEMA, ZS

# The money patterns sit inside each branch: joined after the UNION (where ?item of a project comes from a BIND),
# Oxigraph evaluated them once per branch solution — 16 s at 100k statements, against 0.08 s this way.
_FIGURES = f"""
SELECT ?item ?kind ?subject ?value ?currency ?measure ?qualifier ?period ?count WHERE {{
  {{ ?item a <{ZS}SigningTotal> ; <{ZS}refArea> ?subject ; <{ZS}refPeriod> ?period ; <{ZS}investment> ?money .
     ?money <{SCHEMA}value> ?value ; <{SCHEMA}currency> ?currency ; <{ZS}measure> ?measure .
     OPTIONAL {{ ?item <{ZS}projectCount> ?count }} OPTIONAL {{ ?money <{ZS}qualifier> ?qualifier }}
     BIND ("total" AS ?kind) }}
  UNION
  {{ ?subject a <{ZS}InvestmentProject> ; <{ZS}investment> ?money .
     ?money <{SCHEMA}value> ?value ; <{SCHEMA}currency> ?currency ; <{ZS}measure> ?measure .
     OPTIONAL {{ ?money <{ZS}qualifier> ?qualifier }}
     BIND (?money AS ?item) BIND ("project" AS ?kind) }}
}}
"""
_DERIVED_FROM, _HAS_SOURCE = ox.NamedNode(f"{PROV}wasDerivedFrom"), ox.NamedNode(f"{OA}hasSource")
_HAS_SELECTOR, _EXACT = ox.NamedNode(f"{OA}hasSelector"), ox.NamedNode(f"{OA}exact")
_APPROX, _MORE, _UPTO = f"{ZS}Approximately", f"{ZS}MoreThan", f"{ZS}UpTo"


@dataclass(frozen=True)
class Figure:
    """One amount as reported: its item, value, qualifier, and the source and sentences it comes from."""

    item: ox.NamedNode
    key: tuple[str, ...]  #: (kind, subject, measure, currency, period, count)
    value: Decimal
    qualifier: str  #: the qualifier's IRI ('' when none is recorded: read as exact)
    sources: frozenset[str]
    sentences: tuple[str, ...]


@dataclass
class FigureGroup:
    """The figures of one subject from two or more sources: ``repeat`` when they agree, else ``conflict``."""

    key: tuple[str, ...]
    kind: str
    figures: list[Figure] = field(default_factory=list)
    clusters: list[list[Figure]] = field(default_factory=list)  #: figures that agree with each other

    @property
    def sources(self) -> list[str]:
        return sorted({s for f in self.figures for s in f.sources})


def agree(a: Figure, b: Figure) -> bool:
    """True when *a* and *b* can be one figure given their qualifiers (the tolerance of the module)."""
    return _within(a, b) and _within(b, a)


def _within(a: Figure, b: Figure) -> bool:
    """Is *b*'s value possible for what *a* says?"""
    x, y = a.value, b.value
    if a.qualifier == _MORE:
        return x * Decimal("0.9") <= y <= x * Decimal("1.2") if b.qualifier == _MORE else x <= y <= x * Decimal("1.2")
    if a.qualifier == _UPTO:
        return x * Decimal("0.8") <= y <= x * Decimal("1.1") if b.qualifier == _UPTO else x * Decimal("0.8") <= y <= x
    if a.qualifier == _APPROX:
        return abs(y - x) <= x * Decimal("0.1")
    if b.qualifier in (_APPROX, _MORE, _UPTO):
        return True  # an exact value is judged by the other's qualifier
    return abs(y - x) <= max(x, y) * Decimal("0.005")


def figures(store: ox.Store, subject: ox.NamedNode | None = None, *, alone: bool = True) -> list[Figure]:
    """Every figure of the store that has a subject to compare (a project, or a total with a period), or only
    those of *subject* (bound as a parameter: one index lookup). Without *alone*, the figures that are the only
    one of their subject are returned without their sources and sentences (nothing to compare them with; the
    lookups are most of the time at a million statements)."""
    rows: Iterable[Mapping[str, Term | None]] | list[ox.QuerySolution] = (
        subject_rows(store, subject) if subject is not None else _rows(store, None))
    out: dict[ox.NamedNode, Figure] = {}
    for r in rows:
        item, value = r["item"], decimal_of(r["value"])
        if not isinstance(item, ox.NamedNode) or value is None or item in out:
            continue
        period = text_of(r["period"])  # a period is one IRI for every source (period:2023), drafts included
        key = (text_of(r["kind"]), text_of(r["subject"]), text_of(r["measure"]), text_of(r["currency"]), period,
               text_of(r["count"]))
        out[item] = Figure(item, key, value, text_of(r["qualifier"]), frozenset(), ())
    per_key = Counter(f.key for f in out.values())
    return sorted((replace(f, sources=p[0], sentences=p[1]) if alone or per_key[f.key] > 1 else f
                   for f in out.values() for p in [_provenance(store, f.item) if alone or per_key[f.key] > 1
                                                   else (frozenset(), ())]),
                  key=lambda f: f.item.value)


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_P = {name: ox.NamedNode(f"{ZS}{name}") for name in ("refArea", "refPeriod", "projectCount", "investment",
                                                       "measure", "qualifier", "SigningTotal", "InvestmentProject")}
_VALUE, _CURRENCY = ox.NamedNode(f"{SCHEMA}value"), ox.NamedNode(f"{SCHEMA}currency")


def _rows(store: ox.Store, subject: ox.NamedNode | None) -> list[ox.QuerySolution]:
    """The rows of :data:`_FIGURES` (for *subject* bound as a parameter, or all)."""
    bound: dict[ox.Variable, Term] = {ox.Variable("subject"): subject} if subject is not None else {}
    result = store.query(_FIGURES, use_default_graph_as_union=True, substitutions=bound)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def subject_rows(store: ox.Store, subject: ox.NamedNode) -> list[dict[str, Term | None]]:
    """The rows :data:`_FIGURES` gives for one bound *subject*, found by index lookups (a bound subject does not
    lead the query's join: 50 ms a subject at a million statements, against a fraction of a millisecond here).

    As many rows as the query gives: a statement stated in two graphs matches twice in the union default graph.
    """
    def objects(node: Term | None, predicate: ox.NamedNode) -> list[Term]:
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return []
        return [q.object for q in store.quads_for_pattern(node, predicate, None)]

    heads: list[dict[str, Term | None]] = []
    for q in store.quads_for_pattern(None, _P["refArea"], subject):
        item = q.subject
        if isinstance(item, ox.Triple):
            continue
        for _ in range(objects(item, _TYPE).count(_P["SigningTotal"])):
            for period in objects(item, _P["refPeriod"]):
                for count in _or_none(objects(item, _P["projectCount"])):
                    heads.append({"item": item, "kind": ox.Literal("total"), "subject": subject, "period": period,
                                  "count": count})
    for _ in range(objects(subject, _TYPE).count(_P["InvestmentProject"])):
        heads.append({"item": subject, "kind": ox.Literal("project"), "subject": subject, "period": None,
                      "count": None})
    out: list[dict[str, Term | None]] = []
    for head in heads:
        project = text_of(head["kind"]) == "project"
        for money in objects(head["item"], _P["investment"]):
            # a project's figures are its amounts, one per source (the query's BIND (?money AS ?item))
            figure = {**head, "item": money} if project else head
            for value in objects(money, _VALUE):
                for currency in objects(money, _CURRENCY):
                    for measure in objects(money, _P["measure"]):
                        for qualifier in _or_none(objects(money, _P["qualifier"])):
                            out.append({**figure, "value": value, "currency": currency, "measure": measure,
                                        "qualifier": qualifier})
    return out


def _or_none(terms: list[Term]) -> list[Term | None]:
    """An OPTIONAL's matches: each of *terms*, or one unbound (None) when there is none."""
    return list(terms) if terms else [None]


def figure_groups(store: ox.Store) -> list[FigureGroup]:
    """The repeats and conflicts of the store: subjects with figures from two or more sources."""
    return group_figures(figures(store, alone=False))


def draft_groups(store: ox.Store | None, draft: list[ox.Quad]) -> list[FigureGroup]:
    """The repeats and conflicts the figures of a draft (its quads) would make with those of *store*: what
    ``kg review`` shows before anything is merged. Only the subjects of the draft's figures are read."""
    mem = ox.Store()
    mem.extend(ox.Quad(q.subject, q.predicate, q.object) for q in draft)
    new = figures(mem)
    mine = {f.item for f in new}
    old: dict[ox.NamedNode, Figure] = {}
    if store is not None:
        for subject in sorted({f.key[1] for f in new}):
            for f in figures(store, ox.NamedNode(subject)):
                if f.item not in mine:
                    old[f.item] = f
    return [g for g in group_figures(new + list(old.values())) if any(f.item in mine for f in g.figures)]


def group_figures(found: list[Figure]) -> list[FigureGroup]:
    """*found* grouped by subject: the subjects with figures from two or more sources, as repeats or conflicts."""
    by_key: dict[tuple[str, ...], list[Figure]] = defaultdict(list)
    for f in found:
        by_key[f.key].append(f)
    out = []
    for key, figs in sorted(by_key.items()):
        if len({s for f in figs for s in f.sources}) < 2:
            continue
        clusters = _clusters(figs)
        # clusters that each come from one source and share none are one article's own cuts, not a conflict
        crossing = [c for c in clusters if len({s for f in c for s in f.sources}) > 1]
        if len(clusters) > 1 and _disagree_across_sources(clusters):
            out.append(FigureGroup(key, "conflict", figs, clusters))
        elif crossing:
            out.append(FigureGroup(key, "repeat", figs, clusters))
    return out


def _clusters(figs: list[Figure]) -> list[list[Figure]]:
    """Figures joined when they agree and come from different sources (union-find, small lists)."""
    parent = list(range(len(figs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(figs):
        for j in range(i + 1, len(figs)):
            b = figs[j]
            if not (a.sources & b.sources) and agree(a, b):
                parent[root(j)] = root(i)
    groups: dict[int, list[Figure]] = defaultdict(list)
    for i, f in enumerate(figs):
        groups[root(i)].append(f)
    return sorted(groups.values(), key=lambda c: min(f.value for f in c))


def _disagree_across_sources(clusters: list[list[Figure]]) -> bool:
    """True when two figures of different clusters come from different sources."""
    for i, a in enumerate(clusters):
        for b in clusters[i + 1:]:
            if any(not (x.sources & y.sources) for x in a for y in b):
                return True
    return False


def counting(groups: list[FigureGroup]) -> dict[ox.NamedNode, Decimal | None]:
    """For each item of a repeat or conflict: the value it counts in a rollup, or None when it is not counted.

    One item per group counts: its lowest value (an exact or reached one first, for a repeat), so that a
    repeat is counted once and a conflict at its lowest, a lower bound of what the sources say.
    """
    out: dict[ox.NamedNode, Decimal | None] = {}
    for g in groups:
        firm = [f for f in g.figures if f.qualifier not in (_APPROX, _MORE, _UPTO)]
        pool = firm if g.kind == "repeat" and firm else g.figures
        low = min(pool, key=lambda f: (f.value, f.item.value))
        value = min(f.value for f in g.figures) if g.kind == "conflict" else low.value
        for f in g.figures:
            out[f.item] = value if f is low else None
    return out


def _provenance(store: ox.Store, item: ox.NamedNode) -> tuple[frozenset[str], tuple[str, ...]]:
    """The sources and sentence texts *item* is derived from (index lookups, as the rollups read them)."""
    sources: set[str] = set()
    texts: list[str] = []
    for q in store.quads_for_pattern(item, _DERIVED_FROM, None):
        s = q.object
        if not isinstance(s, ox.NamedNode):
            continue
        sources.update(text_of(x.object) for x in store.quads_for_pattern(s, _HAS_SOURCE, None))
        texts += [text_of(y.object) for x in store.quads_for_pattern(s, _HAS_SELECTOR, None)
                  if isinstance(x.object, ox.NamedNode | ox.BlankNode)
                  for y in store.quads_for_pattern(x.object, _EXACT, None)]
    return frozenset(sources), tuple(sorted(set(texts)))


def decimal_of(term: object) -> Decimal | None:
    """The exact value of a literal, or None when it is not a number."""
    try:
        return Decimal(term.value) if isinstance(term, ox.Literal) else None
    except ArithmeticError:
        return None


def text_of(term: object) -> str:
    """An IRI's or a literal's text; '' for anything else (unbound, a blank node)."""
    return str(term.value) if isinstance(term, ox.NamedNode | ox.Literal) else ""
