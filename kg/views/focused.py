"""The focused view (``kg viz --focus ENTITY --hops N``) read around its focus, through the store's indexes.

:func:`kg.views.model.extract` reads every statement of the store into Python (39 s at a million statements,
265 s at five million) and :func:`kg.views.model.narrow` then keeps a few dozen nodes of it. Here the same
:class:`~kg.views.model._Raw` is gathered from the entities near the focus only: their own statements, the
statements pointing at them, the classes of what they point to, the attribute nodes folded into their facts
(amounts, periods, stages), their quoted sentences, and the places their regions are climbed through. The
shared :func:`~kg.views.model._assemble` and :func:`~kg.views.model.narrow_to` then turn it into the view, so
both ways draw with the same code, and the cost follows the size of the neighbourhood.

The result is the whole-store view's, field by field. Where being sure of that would need the whole store
(a mention that is not one entity's exact label, alias or IRI; a ``--class`` name that is not a class of a
node; a view over the node cap, whose message names the store's biggest classes; a neighbourhood too big to
be worth reading piecewise), :func:`focused_view` answers None and the caller reads the whole store, as
before: the errors and suggestions are then exactly the whole-store path's.

The order of a node's facts follows the order the whole-store query reads statements in; an entity's
statements are put in that order here (see :meth:`_Local._scan_order`). On a remote endpoint, whose order is
the server's, the facts of a node may come in another order, and literals are read as
:func:`kg.remote.endpoint.restore_literal` gives them back (Virtuoso's 1/0 as true/false).

Each lookup is one index lookup on the embedded store, one query on an endpoint (not batched as
:class:`kg.graph.neighbourhood.Nearby` does).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import InputError, ViewTooLarge
from kg.graph.kinds import CONCEPT_CLASSES
from kg.namespaces import PREFIXES, ZS
from kg.remote.endpoint import RemoteStore
from kg.store.samples import mark_quotes, sample_quotes
from kg.views.model import (
    CONTAINED_IN,
    HIDDEN_LITERALS,
    MAX_NODES,
    ORG_LINKS,
    PLACE_CLASSES,
    REGION_CLASSES,
    REGION_LINKS,
    SKIPPED_LINKS,
    ViewGraph,
    _assemble,
    _node_class,
    _Raw,
    class_label,
    narrow_to,
    parse_class,
    read_ontology,
)

RDF_TYPE = PREFIXES["rdf"] + "type"
DERIVED_FROM = PREFIXES["prov"] + "wasDerivedFrom"
WITHIN_REGION = str(ZS.withinRegion)
LABEL_PROPS = (PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "altLabel")
SELECTOR = PREFIXES["oa"] + "hasSelector"
EXACT = PREFIXES["oa"] + "exact"
SENTENCE_INDEX = str(ZS.sentenceIndex)
#: Links :func:`kg.views.model.read_store` does not read at all.
UNREAD_LINKS = frozenset({RDF_TYPE, DERIVED_FROM, WITHIN_REGION})
#: Links that can be edges of the view.
NOT_EDGES = SKIPPED_LINKS | UNREAD_LINKS
#: Languages a label is looked up in when resolving a mention (the data's: Chinese, English, untagged).
LABEL_LANGUAGES = ("zh", "en", None)
#: Above this many entities within reach, the neighbourhood is read from the whole store instead: it is then
#: a good part of it, and far above any node cap a browser can draw.
MAX_REACHED = 50_000
#: Instances of a ``--class`` tried, at most, to show that the class has a node in the whole graph.
CLASS_PROBES = 50

_TYPE = ox.NamedNode(RDF_TYPE)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _Unsure(Exception):
    """The local view cannot be sure to equal the whole-store one: read the whole store instead."""


def focused_view(
    store: AnyStore,
    focus: str,
    hops: int = 1,
    classes: Iterable[str] = (),
    lang: str = "zh",
    max_nodes: int = MAX_NODES,
) -> ViewGraph | None:
    """The view of :func:`kg.views.model.narrow` (without its title) for *focus*, read around it; None when only
    the whole store can give it for sure (see the module's notes)."""
    if lang not in ("zh", "en"):
        raise InputError(f"Unknown language {lang!r}: use zh or en.")
    if hops < 0:
        raise InputError("--hops must be 0 or more.")
    try:
        return _Local(store).view(focus, hops, list(classes), lang, max_nodes)
    except _Unsure:
        return None


class _Local:
    """A :class:`~kg.views.model._Raw` filled in around entities, a lookup at a time, each lookup once."""

    def __init__(self, store: AnyStore) -> None:
        self.store = store
        prop_labels, class_labels, superclasses = read_ontology(store)
        self.prop_labels = prop_labels
        self.class_labels = class_labels
        self.superclasses = superclasses
        self._graph_rank: dict[str, int] | None = None
        self._out: dict[str, list[tuple[str, Term]]] = {}
        self._types: dict[str, set[str]] = {}
        self._incoming: dict[str, list[tuple[str, str]]] = {}
        self._kept: dict[str, bool] = {}
        # links read from their object's side, whose subject's own statements are not all read
        self._extra_links: dict[tuple[str, str, str], None] = {}
        self._quotes: dict[str, list[tuple[int, str]]] = {}
        self._samples = sample_quotes(store)  # sentences of invented sample articles, shown with their mark

    # ------------------------------------------------------------------ lookups

    def out(self, iri: str) -> list[tuple[str, Term]]:
        """Every (predicate, object) of *iri*, once each, in the order the whole-store query reads them."""
        found = self._out.get(iri)
        if found is None:
            quads = self._scan_order(list(self.store.quads_for_pattern(ox.NamedNode(iri), None, None)))
            pairs: dict[tuple[str, Term], None] = {}
            for q in quads:
                o = q.object
                if isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal):
                    pairs.setdefault((q.predicate.value, o), None)
            found = list(pairs)
            self._out[iri] = found
            self._types[iri] = {o.value for p, o in found if p == RDF_TYPE and isinstance(o, ox.NamedNode)}
        return found

    def _scan_order(self, quads: list[ox.Quad]) -> list[ox.Quad]:
        """A subject's *quads* in the order the whole-store query reads them.

        The store on disk reads a subject's statements in its index order: the default graph's, then the named
        graphs' sorted by predicate, object and graph; its whole scan reads graph by graph (the default graph,
        then the named graphs in the order the store lists them), so statements from several graphs are put in
        that order here, each graph's in index order. The in-memory store reads both in the same order (newest
        first): its statements are left as they come. It shows itself by a predicate that comes in separate
        runs, or a statement repeated in several graphs out of the listed graphs' order, which the index on disk
        never gives; a subject stated in several graphs that shows neither is taken to be on disk.
        """
        if len({_graph_key(q.graph_name) for q in quads}) < 2:
            return quads
        named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
        runs = [p for i, p in enumerate(q.predicate for q in named) if i == 0 or named[i - 1].predicate != p]
        if len(runs) != len(set(runs)):
            return quads
        graph_seen: dict[tuple[str, str], int] = {}
        for q in named:
            key, rank = (str(q.predicate), str(q.object)), self._rank(q.graph_name)
            if graph_seen.get(key, -1) > rank:
                return quads
            graph_seen[key] = rank
        return sorted(quads, key=lambda q: self._rank(q.graph_name))  # stable: index order within a graph

    def _rank(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> int:
        """Where the whole-store scan reads *graph*: the default graph first, then the store's named graphs."""
        if self._graph_rank is None:
            self._graph_rank = {_graph_key(g): i for i, g in enumerate(self.store.named_graphs())}
        if isinstance(graph, ox.DefaultGraph):
            return -1
        return self._graph_rank.get(_graph_key(graph), len(self._graph_rank))

    def types(self, iri: str) -> set[str]:
        """The classes (IRIs) *iri* is stated to have."""
        found = self._types.get(iri)
        if found is None:
            found = {q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(iri), _TYPE, None)
                     if isinstance(q.object, ox.NamedNode)}
            self._types[iri] = found
        return found

    def incoming(self, iri: str) -> Iterator[tuple[str, str]]:
        """(subject, predicate) of the links that point at *iri* and may be edges, read lazily: a concept's
        check stops at the first that shows it is linked."""
        known = self._incoming.get(iri)
        if known is not None:
            yield from known
            return
        found: dict[tuple[str, str], None] = {}
        for q in self.store.quads_for_pattern(None, None, ox.NamedNode(iri)):
            s, p = q.subject, q.predicate.value
            if isinstance(s, ox.NamedNode) and p not in NOT_EDGES and (s.value, p) not in found:
                found[(s.value, p)] = None
                yield s.value, p
        self._incoming[iri] = list(found)

    def node_class(self, iri: str) -> str | None:
        """The class that makes *iri* a node of the graph, before unlinked concepts are dropped."""
        return _node_class(self._probe(iri), iri)

    def _probe(self, iri: str) -> _Raw:
        """A _Raw with the ontology and the types of *iri* (if given): what :func:`~kg.views.model._node_class`
        and :func:`~kg.views.model.class_label` look at."""
        types = {iri: self.types(iri)} if iri else {}
        return _Raw(types, {}, [], {}, {}, self.prop_labels, self.class_labels, self.superclasses)

    def is_view_node(self, iri: str) -> bool:
        """Whether *iri* is a node of the whole-store view: a node, and if a concept, linked to a non-concept."""
        cls = self.node_class(iri)
        if cls is None:
            return False
        if cls not in CONCEPT_CLASSES:
            return True
        kept = self._kept.get(iri)
        if kept is None:
            kept = self._concept_linked(iri)
            self._kept[iri] = kept
        return kept

    def _concept_linked(self, iri: str) -> bool:
        """Whether a non-concept node links to or from the concept *iri* (else the whole view drops it)."""
        for p, o in self.out(iri):
            if isinstance(o, ox.NamedNode) and p not in NOT_EDGES and o.value != iri and self._plain_node(o.value):
                return True
        for s, p in self.incoming(iri):
            if s != iri and self._plain_node(s):
                self._extra_links.setdefault((s, p, iri), None)  # the evidence, for _assemble to see too
                return True
        return False

    def _plain_node(self, iri: str) -> bool:
        cls = self.node_class(iri)
        return cls is not None and cls not in CONCEPT_CLASSES

    def neighbours(self, iri: str) -> set[str]:
        """The view nodes one edge from the view node *iri*, either way (what narrow's search follows)."""
        found: set[str] = set()
        plain = self._plain_node(iri)
        for p, o in self.out(iri):
            if isinstance(o, ox.NamedNode) and p not in NOT_EDGES and o.value != iri \
                    and self._linked_to(o.value, plain):
                found.add(o.value)
        for s, p in self.incoming(iri):
            if s != iri and self._linked_to(s, plain):
                self._extra_links.setdefault((s, p, iri), None)
                found.add(s)
        return found

    def _linked_to(self, other: str, from_plain: bool) -> bool:
        """Whether *other*, linked to a view node (a non-concept one when *from_plain*), is a view node."""
        cls = self.node_class(other)
        if cls is None:
            return False
        # a concept linked to a non-concept is kept by that very link
        return from_plain or cls not in CONCEPT_CLASSES or self.is_view_node(other)

    # ------------------------------------------------------------------ what the view of the nodes needs

    def describe(self, iri: str) -> None:
        """Read what the node *iri* shows: its statements, what they point to, its quotes, its regions."""
        for p, o in self.out(iri):
            if not isinstance(o, ox.NamedNode) or p in UNREAD_LINKS:
                if p == DERIVED_FROM:
                    self._read_quotes(iri, o)
                continue
            if p in SKIPPED_LINKS:
                continue
            if self.node_class(o.value) is None:
                self.out(o.value)  # an amount, a period, a stage: its labels and literals become the fact
        self._regions_of(iri, 0)

    def _read_quotes(self, fact: str, sentence: Term) -> None:
        """The quotes of *fact* from one of its sentences, as read_store's query has them."""
        if isinstance(sentence, ox.Literal):
            return
        if isinstance(sentence, ox.BlankNode) and isinstance(self.store, RemoteStore):
            raise _Unsure  # an endpoint cannot be asked about a blank node
        statements = list(self.store.quads_for_pattern(sentence, None, None))
        indexes: list[int] = [_int(q.object) for q in statements if q.predicate.value == SENTENCE_INDEX]
        for q in statements:
            if q.predicate.value != SELECTOR or isinstance(q.object, ox.Literal | ox.Triple):
                continue
            if isinstance(q.object, ox.BlankNode) and isinstance(self.store, RemoteStore):
                raise _Unsure
            for e in self.store.quads_for_pattern(q.object, ox.NamedNode(EXACT), None):
                if isinstance(e.object, ox.Triple):
                    continue
                for idx in indexes or [1 << 30]:
                    self._quotes.setdefault(fact, []).append((idx, mark_quotes(str(e.object.value), self._samples)))

    def _regions_of(self, iri: str, depth: int) -> None:
        """Read what :func:`~kg.views.model._assign_regions` climbs from *iri*: orgs, places and their parents."""
        if self.types(iri) & PLACE_CLASSES:
            self._climb(iri)
            return
        links = self.out(iri)
        for p, o in links:
            if isinstance(o, ox.NamedNode) and p in REGION_LINKS:
                self._climb(o.value)
        if depth < 2:
            for p, o in links:
                if isinstance(o, ox.NamedNode) and p in ORG_LINKS:
                    self._regions_of(o.value, depth + 1)

    def _climb(self, place: str) -> None:
        todo, seen = [place], set()
        while todo:
            here = todo.pop()
            if here in seen:
                continue
            seen.add(here)
            statements = self.out(here)  # its types, its label (a region's label is shown), its parents
            if any(k in self._types[here] for k in REGION_CLASSES):
                continue
            todo.extend(o.value for p, o in statements if p == CONTAINED_IN and isinstance(o, ox.NamedNode))

    # ------------------------------------------------------------------ the view

    def raw(self) -> _Raw:
        """What has been read, as read_store would have it for these entities."""
        types = {iri: found for iri, found in self._types.items() if found}  # read_store's: IRIs with a class
        labels: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
        links: list[tuple[str, str, str]] = []
        literals: dict[str, list[tuple[str, ox.Literal]]] = defaultdict(list)
        for iri, statements in self._out.items():
            for p, o in statements:
                if isinstance(o, ox.Literal):
                    if p in LABEL_PROPS:
                        labels[iri][(p, o.language or "")].append(o.value)
                    if p not in HIDDEN_LITERALS:
                        literals[iri].append((p, o))
                elif isinstance(o, ox.NamedNode) and p not in UNREAD_LINKS:
                    links.append((iri, p, o.value))
        links += [t for t in self._extra_links if t[0] not in self._out]  # the others are in their subject's
        quotes: dict[str, list[tuple[int, str]]] = defaultdict(list, {k: list(v) for k, v in self._quotes.items()})
        return _Raw(types, labels, links, literals, quotes, self.prop_labels, self.class_labels, self.superclasses)

    def view(self, focus: str, hops: int, classes: list[str], lang: str, max_nodes: int) -> ViewGraph:
        focus_iri = self.resolve(focus)
        distance = {focus_iri: 0}
        frontier = [focus_iri]
        for step in range(1, hops + 1):
            reached: list[str] = []
            for iri in frontier:
                for other in sorted(self.neighbours(iri)):
                    if other not in distance:
                        distance[other] = step
                        reached.append(other)
            if len(distance) > MAX_REACHED:
                raise _Unsure
            frontier = reached
        for iri in distance:
            self.describe(iri)
        wanted = self.resolve_classes(classes, lang) if classes else None
        graph = _assemble(self.raw(), lang)
        if not graph.nodes.keys() >= distance.keys():
            raise _Unsure  # read as view nodes but not assembled as such: a shape of data not foreseen here
        try:
            return narrow_to(graph, focus_iri, hops, wanted, max_nodes)
        except ViewTooLarge:
            raise _Unsure from None  # its advice names the store's biggest classes

    # ------------------------------------------------------------------ resolving names

    def resolve(self, mention: str) -> str:
        """The view node *mention* names, as :func:`kg.views.model.resolve_entity` finds it in the whole view.

        An IRI (or ``prefix:name``) of a view node is that node there too. A name is looked up as the exact
        label or alias of a view node (rdfs:label, skos:prefLabel, skos:altLabel, in Chinese, English or
        untagged); exactly one found is the whole view's answer. Anything else (no match, several, or a match
        only by case) leaves the answer, and the error with its suggestions, to the whole view.
        """
        text = mention.strip()
        for iri in dict.fromkeys([text, parse_class(text) if ":" in text and not text.startswith("http") else text]):
            if _is_iri(iri) and self.is_view_node(iri):
                return iri
        found: set[str] = set()
        for prop in LABEL_PROPS:
            for language in LABEL_LANGUAGES:
                literal = ox.Literal(text, language=language) if language else ox.Literal(text)
                for q in self.store.quads_for_pattern(None, ox.NamedNode(prop), literal):
                    if isinstance(q.subject, ox.NamedNode):
                        found.add(q.subject.value)
        nodes = [i for i in sorted(found) if self.is_view_node(i)]
        if len(nodes) != 1:
            raise _Unsure
        return nodes[0]

    def resolve_classes(self, names: list[str], lang: str) -> set[str]:
        """``--class`` values as :func:`kg.views.model.resolve_classes` reads them against the whole view."""
        chosen: set[str] = set()
        for name in names:
            iri = parse_class(name)
            if self._has_node_of(iri):
                chosen.add(iri)
                continue
            if ":" in name:
                raise _Unsure  # a curie could also be the short name a class without a label shows as
            by_label = [c for c in self.class_labels if class_label(self._probe(""), c, lang).casefold()
                        == name.strip().casefold()]
            present = [c for c in by_label if self._has_node_of(c)]
            if not present:
                raise _Unsure  # the error lists the whole view's classes
            chosen.update(present)
        return chosen

    def _has_node_of(self, cls: str) -> bool:
        """Whether some view node of the whole store has *cls* as its class (a few instances are tried)."""
        if not _is_iri(cls):
            return False
        for n, q in enumerate(self.store.quads_for_pattern(None, _TYPE, ox.NamedNode(cls))):
            if n >= CLASS_PROBES:
                raise _Unsure
            s = q.subject
            if isinstance(s, ox.NamedNode) and self.node_class(s.value) == cls and self.is_view_node(s.value):
                return True
        return False


def _graph_key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


def _int(term: Term | ox.Triple) -> int:
    try:
        return int(str(term.value)) if not isinstance(term, ox.Triple) else 1 << 30
    except ValueError:
        return 1 << 30


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
