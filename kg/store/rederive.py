"""The derived graph of an incremental build that only adds sources (``kg merge``): what changes, not everything.

A full recompute of the derived graph (:func:`kg.store.build.derived_statements`) reads every fact of the store:
seconds at a hundred thousand statements, tens of seconds at a million. When a build only adds named graphs (a
merged article: nothing removed, no graph reloaded, the ontology unchanged), the derived statements of the old
generation stay true except where the new statements reach, so this module computes only those:

- the **place closure** (``zs:withinRegion``, :func:`kg.store.derive.derive_store`) in full: it reads the place
  hierarchy through the indexes, a fraction of a second even at a million statements, and may change anywhere
  when a new statement adds a place or a ``schema:containedInPlace``; the places whose closure changed are
  *moved*;
- the **quotes** (``zs:quote``, :mod:`kg.store.rollups`) of the facts the new statements can give one: a new
  fact, a fact with a new ``prov:wasDerivedFrom``, or one derived from a new sentence, selector or text;
- the **investment rollups** (:mod:`kg.store.investment`) of the cells (measure, currency, period) the new
  statements reach: the cells of the items they describe or give money, a period or a sentence, each computed
  from every item of the cell (:func:`rollup_cells`; a cell's observations depend on nothing outside it), and the
  cells of the items in moved places; in full when a period is added to an item or period the graph had (an
  item could leave its cell), or when a cell is the one of items without a period (found only by reading every
  item).

:func:`update_derived` then writes the difference to the derived graph (removes what no longer holds, adds what
is new), rather than dropping the graph and loading it again. ``tests/test_merge_incremental.py`` checks that
the result equals a full recompute.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import pyoxigraph as ox

from kg.namespaces import OA, PREFIXES, PROV, SCHEMA, ZS
from kg.store.derive import DERIVED_GRAPH, WITHIN_REGION, derive_store
from kg.store.investment import ROLLUPS, Cell, Row, cell_of, investment_rollups, item_rows, rollups_of_cells
from kg.store.loader import Subject
from kg.store.rollups import QUOTE, QUOTED_KINDS
from kg.store.stages import current_stages

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DERIVED_FROM = ox.NamedNode(f"{PROV}wasDerivedFrom")
_HAS_SELECTOR, _EXACT = ox.NamedNode(f"{OA}hasSelector"), ox.NamedNode(f"{OA}exact")
_SENTENCE = ox.NamedNode(f"{ZS}Sentence")
_DATASET = ox.NamedNode("http://purl.org/linked-data/cube#dataSet")
_DERIVED_GRAPH = ox.NamedNode(DERIVED_GRAPH)
_ITEM_CLASSES = {ox.NamedNode(f"{ZS}SigningTotal"), ox.NamedNode(f"{ZS}InvestmentProject")}
_INVESTMENT, _REF_PERIOD = ox.NamedNode(f"{ZS}investment"), ox.NamedNode(f"{ZS}refPeriod")
_STAGE_DATE = ox.NamedNode(f"{ZS}stageDate")
_PROJECT = ox.NamedNode(f"{ZS}project")  # a milestone's project
_STAGE = ox.NamedNode(f"{ZS}stage")
#: The place of a total and of a project.
_PLACE_OF = (ox.NamedNode(f"{ZS}refArea"), ox.NamedNode(f"{SCHEMA}location"))
_PERIOD_START, _PERIOD_END = ox.NamedNode(f"{ZS}periodStart"), ox.NamedNode(f"{ZS}periodEnd")
#: Predicates an item's period is read through, each optional in the rollups' query: a new one on an item or
#: period the graph had before can move that item out of its cell, which only a full recompute sees.
_PERIOD_PREDICATES = {_REF_PERIOD, _STAGE_DATE, _PERIOD_START, _PERIOD_END}
_MEASURE, _CURRENCY = ox.NamedNode(f"{ZS}rollupMeasure"), ox.NamedNode(f"{SCHEMA}currency")
_YEAR, _PERIOD = ox.NamedNode(f"{ZS}rollupYear"), ox.NamedNode(f"{ZS}rollupPeriod")


def quoted_facts(store: ox.Store, subjects: Iterable[Subject]) -> set[Subject]:
    """The facts whose quotes the new statements about *subjects* can change: the subjects themselves, the facts
    derived from one of them (a new sentence), and those derived from a sentence whose selector is one of them."""
    subjects = set(subjects)
    sentences = set(subjects)
    for s in subjects:
        sentences.update(q.subject for q in store.quads_for_pattern(None, _HAS_SELECTOR, s)
                         if not isinstance(q.subject, ox.Triple))
    facts = set(subjects)
    for s in sentences:
        facts.update(q.subject for q in store.quads_for_pattern(None, _DERIVED_FROM, s)
                     if not isinstance(q.subject, ox.Triple))
    return facts


def quotes_for(store: ox.Store, facts: Iterable[Subject]) -> set[ox.Quad]:
    """The ``zs:quote`` statements :func:`kg.store.rollups.rollups` gives *facts*, found by index lookups."""
    kinds = _quoted_classes(store)
    graph = ox.NamedNode(DERIVED_GRAPH)
    out: set[ox.Quad] = set()
    for fact in facts:
        if not isinstance(fact, ox.NamedNode) and not isinstance(fact, ox.BlankNode):
            continue
        if not any(q.object in kinds for q in store.quads_for_pattern(fact, _TYPE, None)):
            continue
        for d in store.quads_for_pattern(fact, _DERIVED_FROM, None):
            sentence = d.object
            if isinstance(sentence, ox.Literal | ox.Triple) or \
                    next(iter(store.quads_for_pattern(sentence, _TYPE, _SENTENCE)), None) is None:
                continue
            for sel in store.quads_for_pattern(sentence, _HAS_SELECTOR, None):
                if isinstance(sel.object, ox.Literal | ox.Triple):
                    continue
                for text in store.quads_for_pattern(sel.object, _EXACT, None):
                    out.add(ox.Quad(fact, QUOTE, text.object, graph))
    return out


def _quoted_classes(store: ox.Store) -> set[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]:
    """Every class that is one of :data:`~kg.store.rollups.QUOTED_KINDS` or a sub-class of one (the ontology's)."""
    values = " ".join(f"<{k}>" for k in QUOTED_KINDS)  # constants of the code, never data
    result = store.query(f"SELECT DISTINCT ?class WHERE {{ VALUES ?kind {{ {values} }} "
                         f"?class <{PREFIXES['rdfs']}subClassOf>* ?kind }}", use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return {row[0] for row in result}


def _existed(store: ox.Store, node: Subject, graphs: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> bool:
    """Whether a graph other than *graphs* (the added ones) and the derived graph says anything of *node*."""
    return any(q.graph_name not in graphs and q.graph_name != _DERIVED_GRAPH
               for q in store.quads_for_pattern(node, None, None))


def rollup_cells(store: ox.Store, added: list[ox.Quad], graphs: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph],
                 moved: Iterable[Subject] = ()) -> list[Row] | None:
    """Every row of the investment items in the cells the *added* statements (the new graphs') can
    change: the cells of the items they describe, give money, a period, a sentence, and of the items in the
    *moved* places (whose ``zs:withinRegion`` changed: the rule reads the hierarchy only through the places of
    the items of a cell and their ancestors); None when only a full recompute is right (a period added to an
    item or period the graph had, an item without a period)."""
    subjects = {q.subject for q in added if not isinstance(q.subject, ox.Triple)}
    joined: set[ox.NamedNode] = set()
    for q in added:
        if q.predicate in _PERIOD_PREDICATES and not isinstance(q.subject, ox.Triple) \
                and _existed(store, q.subject, graphs) and not _stated_before(store, q, graphs):
            return None  # a period given to an item or period the graph had: its rows may move to other cells
        if q.predicate == _PROJECT and isinstance(q.object, ox.NamedNode) and _existed(store, q.object, graphs):
            if _year_moves(store, q.object, graphs):
                return None  # the project's earliest milestone, the year it is filed under, changes
            joined.add(q.object)
    sentences = set(subjects)
    for s in subjects:
        sentences.update(q.subject for q in store.quads_for_pattern(None, _HAS_SELECTOR, s)
                         if not isinstance(q.subject, ox.Triple))
    candidates = set(subjects) | joined
    for s in subjects:
        for predicate in (_INVESTMENT, _REF_PERIOD):
            candidates.update(q.subject for q in store.quads_for_pattern(None, predicate, s)
                              if not isinstance(q.subject, ox.Triple))
    for s in sentences:
        candidates.update(q.subject for q in store.quads_for_pattern(None, _DERIVED_FROM, s)
                          if not isinstance(q.subject, ox.Triple))
    for place in moved:
        for predicate in _PLACE_OF:
            candidates.update(q.subject for q in store.quads_for_pattern(None, predicate, place)
                              if not isinstance(q.subject, ox.Triple))
    cells: set[Cell] = set()
    for item in candidates:
        if isinstance(item, ox.NamedNode) and _is_item(store, item):
            cells.update(c for c in map(cell_of, item_rows(store, item)) if c is not None)
    if any(not period for _, _, period in cells):
        return None  # the items without a period are found only by reading them all
    rows: list[Row] = []
    for item in sorted(_items_in(store, {period for _, _, period in cells}), key=lambda n: n.value):
        rows += [r for r in item_rows(store, item) if cell_of(r) in cells]
    return rows


def _stated_before(store: ox.Store, q: ox.Quad, graphs: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> bool:
    """Whether a graph other than the added ones already states *q* (every article that names 2023 describes
    ``period:2023`` again: that moves nothing)."""
    return any(g.graph_name not in graphs and g.graph_name != _DERIVED_GRAPH
               for g in store.quads_for_pattern(q.subject, q.predicate, q.object))


def _year_moves(store: ox.Store, project: ox.NamedNode,
                graphs: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> bool:
    """Whether the added milestones change the year of *project*'s earliest dated milestone (the year its amount
    is filed under, :data:`kg.store.investment._ITEMS`)."""
    before: list[str] = []
    now: list[str] = []
    for m in store.quads_for_pattern(None, _PROJECT, project):
        for d in store.quads_for_pattern(m.subject, _STAGE_DATE, None):
            if isinstance(d.object, ox.Literal) and d.graph_name != _DERIVED_GRAPH:
                now.append(d.object.value)
                if d.graph_name not in graphs:
                    before.append(d.object.value)
    return bool(before) != bool(now) or (bool(now) and min(before)[:4] != min(now)[:4])


def _is_item(store: ox.Store, node: ox.NamedNode) -> bool:
    return any(q.object in _ITEM_CLASSES for q in store.quads_for_pattern(node, _TYPE, None))


def _items_in(store: ox.Store, periods: set[str]) -> set[ox.NamedNode]:
    """Every item that may have a row in one of *periods* (years, or period nodes written ``<IRI>``): the totals
    of those period nodes or of period nodes that start in one of those years, and the projects with a stage date
    in one of them."""
    nodes = {ox.NamedNode(p[1:-1]) for p in periods if p.startswith("<")}
    years = {p for p in periods if p.isdigit()}
    nodes |= {q.subject for q in store.quads_for_pattern(None, _PERIOD_START, None)
              if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal) and q.object.value in years}
    out = {q.subject for n in nodes for q in store.quads_for_pattern(None, _REF_PERIOD, n)
           if isinstance(q.subject, ox.NamedNode)}
    for year in sorted(years):  # a project is filed under its earliest milestone's year: any of them may be it
        result = store.query(f"SELECT DISTINCT ?item ?year WHERE {{ ?m <{_PROJECT.value}> ?item ; "
                             f"<{_STAGE_DATE.value}> ?date "
                             "FILTER (isLiteral(?date) && SUBSTR(STR(?date), 1, 4) = ?year) }",
                             use_default_graph_as_union=True, substitutions={ox.Variable("year"): ox.Literal(year)})
        assert isinstance(result, ox.QuerySolutions)
        out |= {row[0] for row in result if isinstance(row[0], ox.NamedNode)}
    return out


def _observations_of(store: ox.Store, cells: set[Cell]) -> set[ox.Quad]:
    """The statements of the derived graph's observations of *cells*."""
    out: set[ox.Quad] = set()
    for measure in {c[0] for c in cells}:
        for q in store.quads_for_pattern(None, _MEASURE, ox.NamedNode(measure), _DERIVED_GRAPH):
            obs = list(store.quads_for_pattern(q.subject, None, None, _DERIVED_GRAPH))
            currency = next((_text(o.object) for o in obs if o.predicate == _CURRENCY), "")
            year = next((_text(o.object) for o in obs if o.predicate == _YEAR), "")
            node = next((f"<{_text(o.object)}>" for o in obs if o.predicate == _PERIOD), "")
            if (measure, currency, year or node) in cells:
                out.update(obs)
    return out


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return "" if isinstance(term, ox.Triple) else term.value


def update_derived(store: ox.Store, new: list[ox.Quad], timings: dict[str, float], size: int | None = None
                   ) -> tuple[int, str]:
    """Bring the derived graph of *store* (an old generation's, plus the graphs of *new* statements, nothing
    removed) up to date by computing what *new* can change and writing the difference; return its size and
    what was recomputed of the investment rollups ("all", or "N cell(s)"). *size*: the derived graph's size
    before, as the old manifest records it (counting it reads every statement of it, seconds at a million)."""
    started = time.perf_counter()
    graphs = {q.graph_name for q in new}
    added = new  # a statement a source repeats counts too: the union default graph answers it once per copy
    subjects = {q.subject for q in added if not isinstance(q.subject, ox.Triple)}
    old_closure = set(store.quads_for_pattern(None, WITHIN_REGION, None, _DERIVED_GRAPH))
    closure = derive_store(store)
    remove = old_closure - set(closure)
    add = set(closure) - old_closure
    moved = {q.subject for q in remove | add if not isinstance(q.subject, ox.Triple)}
    rows = rollup_cells(store, added, graphs, moved)
    add |= quotes_for(store, quoted_facts(store, subjects))
    if rows is None:  # a period moved, or items without one: every observation again
        observations = {q.subject for q in store.quads_for_pattern(None, _DATASET, ROLLUPS, _DERIVED_GRAPH)}
        old = {q for o in observations for q in store.quads_for_pattern(o, None, None, _DERIVED_GRAPH)}
        fresh = set(investment_rollups(store, closure))
        scope = "all"
    else:
        cells = {c for c in map(cell_of, rows) if c is not None}
        old = _observations_of(store, cells)
        fresh = set(rollups_of_cells(store, closure, rows)) if rows else set()
        scope = f"{len(cells)} cell(s)"
    remove |= old - fresh
    add |= fresh - old
    # only a project a new milestone names can change its latest one (nothing is removed by such a build)
    staged = {q.object for q in added if q.predicate == _PROJECT and isinstance(q.object, ox.NamedNode)}
    old_stages = {q for project in staged for p in (_STAGE, _STAGE_DATE)
                  for q in store.quads_for_pattern(project, p, None, _DERIVED_GRAPH)}
    stages = set(current_stages(store, staged))
    remove |= old_stages - stages
    add |= stages - old_stages
    if size is None:
        size = sum(1 for _ in store.quads_for_pattern(None, None, None, _DERIVED_GRAPH))
    for q in remove:
        store.remove(q)
    fresh_add = [q for q in add if q not in store]
    store.extend(fresh_add)
    timings["derive"] = time.perf_counter() - started
    return size - len(remove) + len(fresh_add), scope
