"""Read the part of a store around a few entities, through its indexes, instead of the whole store.

``kg neighbors``, ``kg path`` and ``kg viz --focus`` need the entities near one or two others. Reading every
statement into Python (:func:`kg.graph.network.entity_graph`) costs seconds and gigabytes per million statements;
:class:`Nearby` reads, for each entity it reaches, its own statements and the statements pointing at it,
so the cost follows the size of the neighbourhood, not of the store. It works on the embedded store (index
lookups, microseconds each) and on a remote endpoint, and remembers what it has read.

On an endpoint every lookup is a round trip (a few milliseconds on loopback, more across a network), so a
search reads each front of entities in a few queries with a ``VALUES`` block of up to :data:`BATCH` entities
(their statements, the statements pointing at them, and the classes of the entities they link to), instead of
three queries an entity: one hop around a government at a million statements on Virtuoso took 1.4 s that way.
An answer the server cuts at its row limit falls back to the entity-by-entity lookups.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable

import networkx as nx
import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import PartialResult, QueryError
from kg.graph.kinds import is_concept, is_entity
from kg.graph.network import RDF_TYPE, Statement, assemble, is_link, simple_graph
from kg.namespaces import PREFIXES
from kg.remote.endpoint import RemoteStore, restore_literal

_TYPE = ox.NamedNode(RDF_TYPE)
_SUBCLASS = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
_SELECTOR = PREFIXES["oa"] + "hasSelector"

#: Entities one search may reach before it gives up (a path search that would read most of the graph).
MAX_REACHED = 200_000
#: Entities read in one query on a remote endpoint.
BATCH = 100


class Nearby:
    """Entities near others in *store*, read a lookup at a time and remembered."""

    def __init__(self, store: AnyStore, *, max_reached: int = MAX_REACHED) -> None:
        self.store = store
        self.max_reached = max_reached
        self._types: dict[str, frozenset[str]] = {}
        self._statements: dict[str, list[Statement]] = {}
        self._links: dict[str, list[tuple[str, str]]] = {}
        self._incoming: dict[str, list[tuple[str, str]]] = {}
        self._subclasses: list[Statement] | None = None
        self._linked_concepts: dict[str, bool] = {}

    # ------------------------------------------------------------------ lookups

    def types(self, iri: str) -> frozenset[str]:
        """The classes *iri* is stated to have (in any graph)."""
        found = self._types.get(iri)
        if found is None:
            found = frozenset(q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(iri), _TYPE, None)
                              if isinstance(q.object, ox.NamedNode))
            self._types[iri] = found
        return found

    def is_entity(self, iri: str) -> bool:
        """Whether *iri* is a node of the entity graph (:mod:`kg.graph.kinds`): an entity, or a concept that an
        entity other than a concept links to or from."""
        types = self.types(iri)
        if not is_entity(iri, types):
            return False
        if not is_concept(types):
            return True
        linked = self._linked_concepts.get(iri)
        if linked is None:
            linked = any(self._plain_entity(other) for other, _ in self._pairs(iri))
            self._linked_concepts[iri] = linked
        return linked

    def _plain_entity(self, iri: str) -> bool:
        types = self.types(iri)
        return is_entity(iri, types) and not is_concept(types)

    def statements(self, iri: str) -> list[Statement]:
        """Every statement whose subject is *iri*, once each however many graphs state it."""
        found = self._statements.get(iri)
        if found is None:
            seen = {_statement(q) for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None)}
            found = sorted(seen, key=lambda t: (str(t[1]), str(t[2])))
            self._statements[iri] = found
            self._types.setdefault(iri, frozenset(o.value for _, p, o in found
                                                  if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)))
        return found

    def incoming(self, iri: str) -> list[tuple[str, str]]:
        """The IRIs that point at *iri* by a relation between entities, with that relation (predicate IRI)."""
        found = self._incoming.get(iri)
        if found is None:
            found = sorted({(q.subject.value, q.predicate.value)
                            for q in self.store.quads_for_pattern(None, None, ox.NamedNode(iri))
                            if isinstance(q.subject, ox.NamedNode) and is_link(q.predicate.value)})
            self._incoming[iri] = found
        return found

    def links(self, iri: str) -> list[tuple[str, str]]:
        """The entities one hop from *iri*, either way, each with the relation (predicate IRI) between them."""
        found = self._links.get(iri)
        if found is None:
            found = sorted((other, p) for other, p in self._pairs(iri) if self.is_entity(other))
            self._links[iri] = found
        return found

    def _pairs(self, iri: str) -> set[tuple[str, str]]:
        """The IRIs one relation from *iri*, either way, with the relation: entities or not."""
        pairs = {(o.value, p.value) for _, p, o in self.statements(iri)
                 if isinstance(o, ox.NamedNode) and is_link(p.value)}
        pairs.update(self.incoming(iri))
        return {(other, p) for other, p in pairs if other != iri}

    # ------------------------------------------------------------------ reading ahead (remote endpoints)

    def prefetch(self, iris: Iterable[str]) -> None:
        """Read what :meth:`links` needs of every entity in *iris* in a few queries per :data:`BATCH` of them.

        Only on a remote endpoint; the embedded store answers each lookup in microseconds. What is already
        known is not asked again; an answer cut at the server's row limit leaves the rest to the lookups.
        """
        if not isinstance(self.store, RemoteStore):
            return
        todo = sorted({i for i in iris if i not in self._links})
        self._ahead(self._read_statements, [i for i in todo if i not in self._statements])
        self._ahead(self._read_incoming, [i for i in todo if i not in self._incoming])
        others = {o.value for i in todo for _, p, o in self._statements.get(i, ())
                  if isinstance(o, ox.NamedNode) and is_link(p.value)}
        others.update(s for i in todo for s, _ in self._incoming.get(i, ()))
        self._ahead(self._read_types, sorted(others - self._types.keys()))

    def _ahead(self, read: Callable[[list[str]], None], iris: list[str]) -> None:
        """*read* the *iris* a :data:`BATCH` at a time, on a remote endpoint; a cut answer is left to the lookups."""
        if not isinstance(self.store, RemoteStore):
            return
        for i in range(0, len(iris), BATCH):
            with contextlib.suppress(PartialResult):
                read(iris[i:i + BATCH])

    def _select(self, sparql: str, var: str, iris: list[str]) -> ox.QuerySolutions:
        """*sparql* with ``VALUES ?var { … }`` of *iris* at the start of its WHERE group (pyoxigraph writes the
        IRIs, which it has checked: no text of ours or the user's becomes SPARQL)."""
        block = f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(i)) for i in iris)} }} "
        head, brace, rest = sparql.partition("{")
        result = self.store.query(head + brace + " " + block + rest)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _read_statements(self, iris: list[str]) -> None:
        if not iris:
            return
        seen: dict[str, set[Statement]] = {i: set() for i in iris}
        for row in self._select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", "s", iris):
            s, p, o = row["s"], row["p"], row["o"]
            if isinstance(o, ox.Literal):
                o = restore_literal(o)  # what Virtuoso did to booleans, durations and WKT, undone
            if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and o is not None:
                seen.setdefault(s.value, set()).add((s, p, o))
        for iri, found in seen.items():
            self._statements[iri] = sorted(found, key=lambda t: (str(t[1]), str(t[2])))
            self._types.setdefault(iri, frozenset(o.value for _, p, o in found
                                                  if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)))

    def _read_incoming(self, iris: list[str]) -> None:
        if not iris:
            return
        seen: dict[str, set[tuple[str, str]]] = {i: set() for i in iris}
        sparql = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isIRI(?s)) }"
        for row in self._select(sparql, "o", iris):
            s, p, o = row["s"], row["p"], row["o"]
            if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and isinstance(o, ox.NamedNode) \
                    and is_link(p.value):
                seen.setdefault(o.value, set()).add((s.value, p.value))
        for iri, found in seen.items():
            self._incoming[iri] = sorted(found)

    def _read_types(self, iris: list[str]) -> None:
        seen: dict[str, set[str]] = {i: set() for i in iris}
        for row in self._select(f"SELECT ?s ?t WHERE {{ GRAPH ?g {{ ?s <{RDF_TYPE}> ?t }} }}", "s", iris):
            s, t = row["s"], row["t"]
            if isinstance(s, ox.NamedNode) and isinstance(t, ox.NamedNode):
                seen.setdefault(s.value, set()).add(t.value)
        for iri, found in seen.items():
            self._types[iri] = frozenset(found)

    # ------------------------------------------------------------------ searches

    def ball(self, seeds: Iterable[str], hops: int) -> dict[str, int]:
        """Every entity within *hops* steps of *seeds*, with its distance (the seeds at 0)."""
        distance = dict.fromkeys(seeds, 0)
        frontier = list(distance)
        for step in range(1, hops + 1):
            reached: list[str] = []
            self.prefetch(frontier)
            for iri in frontier:
                for other, _ in self.links(iri):
                    if other not in distance:
                        distance[other] = step
                        reached.append(other)
            self._check_size(len(distance))
            frontier = reached
        return distance

    def _check_size(self, reached: int) -> None:
        if reached > self.max_reached:
            raise QueryError(f"The search reached more than {self.max_reached:,} entities and stopped. Ask about "
                             "fewer hops, or about entities that are less connected.")

    # ------------------------------------------------------------------ graphs

    def graph(self, entities: Collection[str]) -> nx.MultiDiGraph:
        """The entity graph of *entities* and the links among them, as :func:`kg.graph.network.entity_graph` has it
        (the same node attributes, relation labels and sentences), read around them only."""
        own = set(entities)
        triples: set[Statement] = set()
        pointed: set[str] = set()
        self._ahead(self._read_statements, sorted(own - self._statements.keys()))
        for iri in own:
            for t in self.statements(iri):
                triples.add(t)
                pointed.add(t[1].value)
                if isinstance(t[2], ox.NamedNode):
                    pointed.add(t[2].value)
        # Objects: their types (entity or value), a value's surface form and labels, a sentence's selector;
        # relations and classes: their labels.
        self._ahead(self._read_types, sorted(pointed - own - self._types.keys()))
        values = sorted(i for i in pointed - own if not self.is_entity(i))
        self._ahead(self._read_statements, [i for i in values if i not in self._statements])
        selectors = {o.value for i in values for _, p, o in self._statements.get(i, ())
                     if p.value == _SELECTOR and isinstance(o, ox.NamedNode)}
        self._ahead(self._read_statements, sorted(selectors - self._statements.keys()))
        for iri in sorted(pointed - own):
            if self.is_entity(iri):
                triples.update((ox.NamedNode(iri), _TYPE, ox.NamedNode(t)) for t in self.types(iri))
                continue
            for t in self.statements(iri):
                triples.add(t)
                if t[1].value == _SELECTOR and isinstance(t[2], ox.NamedNode):
                    triples.update(self.statements(t[2].value))
        classes = {o.value for _, p, o in triples if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)}
        self._ahead(self._read_statements, sorted(classes - own - self._statements.keys()))
        for iri in sorted(classes - own):
            triples.update(self.statements(iri))
        triples.update(self._class_tree())
        return assemble(triples, entities)

    def _class_tree(self) -> list[Statement]:
        """Every ``rdfs:subClassOf`` statement: the ontology's, a few hundred."""
        if self._subclasses is None:
            self._subclasses = [_statement(q) for q in self.store.quads_for_pattern(None, _SUBCLASS, None)]
        return self._subclasses

    def shortest_paths(self, source: str, target: str, k: int = 1) -> list[list[str]]:
        """Up to *k* shortest paths from *source* to *target* (lists of entities), as the whole graph has them.

        Two searches grow from the ends, the smaller front first. Once they meet, the paths of at most
        ``r_source + r_target`` hops all lie among the entities they reached (each hop of such a path leaves an
        entity one of the searches has expanded), so the *k* shortest are certain when the k-th is no longer;
        otherwise the searches go on. A search that runs out has read its whole component: then every path is
        there.
        """
        if source == target:
            raise QueryError("Give two different entities.")
        reached: list[dict[str, int]] = [{source: 0}, {target: 0}]
        fronts: list[list[str]] = [[source], [target]]
        radius = [0, 0]
        simple = nx.Graph()
        simple.add_nodes_from([source, target])
        while True:
            complete = not fronts[0] or not fronts[1]
            if complete or reached[0].keys() & reached[1].keys():
                bound = None if complete else radius[0] + radius[1]
                found = _certain_paths(simple, source, target, k, bound)
                if found is not None:
                    return found
            side = 0 if len(fronts[0]) <= len(fronts[1]) else 1
            grown: list[str] = []
            self.prefetch(fronts[side])
            for iri in fronts[side]:
                for other, _ in self.links(iri):
                    simple.add_edge(iri, other)
                    if other not in reached[side]:
                        reached[side][other] = radius[side] + 1
                        grown.append(other)
            radius[side] += 1
            fronts[side] = grown
            self._check_size(len(reached[0]) + len(reached[1]))


def _statement(q: ox.Quad) -> Statement:
    s, o = q.subject, q.object
    assert not isinstance(s, ox.Triple) and not isinstance(o, ox.Triple), "RDF-star is not used"
    return s, q.predicate, o


def _certain_paths(simple: nx.Graph, source: str, target: str, k: int, bound: int | None) -> list[list[str]] | None:
    """The *k* shortest paths of *simple* if each has at most *bound* hops (any, with no bound), or fewer when
    no more exist; None when more searching could find shorter ones."""
    found: list[list[str]] = []
    try:
        for nodes in nx.shortest_simple_paths(simple_graph(simple), source, target):
            if bound is not None and len(nodes) - 1 > bound:
                return None
            found.append(nodes)
            if len(found) >= k:
                return found
    except nx.NetworkXNoPath:
        pass
    return found if bound is None else None
