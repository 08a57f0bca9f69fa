"""Statements the build derives from the data, so that questions stay simple and fast on every engine.

``zs:withinRegion`` is the place hierarchy made explicit: ``?x zs:withinRegion ?r`` holds when ``?x`` is the
place ``?r`` itself, lies inside it by a chain of ``schema:containedInPlace`` (辰溪县 → 怀化市 → 湖南省 →
中国), or lies inside a member of an economic region that lists its members with ``schema:containsPlace``
(长沙市 → 湖南省 → 长江经济带). Questions ask ``?place zs:withinRegion ?region`` instead of the property path
``schema:containedInPlace*``: a path with a bound end is evaluated differently by different servers
(Virtuoso returned too few rows, or planned a 2-hop union for minutes), a plain triple pattern is not.

The closure lives in its own named graph, :data:`DERIVED_GRAPH`, which every build (embedded or remote,
full or incremental) recomputes from all the data whenever anything changed: it holds a few statements per
place, so this costs little even for a whole country's divisions.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from kg.errors import InputError
from kg.namespaces import GEO, GRAPH, SCHEMA, ZS

#: The named graph of derived statements (never written by hand, never a source's graph).
DERIVED_GRAPH = f"{GRAPH}derived"
WITHIN_REGION = ox.NamedNode(f"{ZS}withinRegion")

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_CONTAINED_IN = ox.NamedNode(f"{SCHEMA}containedInPlace")
_CONTAINS = ox.NamedNode(f"{SCHEMA}containsPlace")
_FEATURE = ox.NamedNode(f"{GEO}Feature")


def check_graph_name(graph: str, file: object) -> None:
    """Refuse a data file whose statements would land in the derived graph (``data/facts/derived.ttl``)."""
    if graph == DERIVED_GRAPH:
        raise InputError(
            f"{file}: the graph {DERIVED_GRAPH} is reserved for statements the build derives. "
            "Rename the file (its name before the first dot names its graph)."
        )


def derive_store(store: ox.Store) -> list[ox.Quad]:
    """The derived statements for the data of *store* (every graph but the derived one), in :data:`DERIVED_GRAPH`.

    It reads only the place hierarchy, the class hierarchy and the instances of place classes, through the
    store's indexes: a few thousand lookups, whatever the size of the rest of the data.
    """
    graph = ox.NamedNode(DERIVED_GRAPH)

    def pairs(predicate: ox.NamedNode, obj: ox.NamedNode | None = None) -> Iterator[tuple[ox.NamedNode, ox.NamedNode]]:
        for q in store.quads_for_pattern(None, predicate, obj):
            if q.graph_name != graph and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                yield q.subject, q.object

    parents: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    places: set[ox.NamedNode] = set()
    for s, o in pairs(_CONTAINED_IN):
        parents.setdefault(s, set()).add(o)
        places.update((s, o))
    for s, o in pairs(_CONTAINS):
        parents.setdefault(o, set()).add(s)
        places.update((s, o))
    subclass: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for s, o in pairs(_SUBCLASS):
        subclass.setdefault(s, set()).add(o)
    place_classes = {c for c in subclass if _FEATURE in _ancestors(c, subclass)} | {_FEATURE}
    for cls in place_classes:
        places.update(s for s, _ in pairs(_TYPE, cls))
    out: list[ox.Quad] = []
    for place in sorted(places, key=lambda n: n.value):
        for region in sorted(_ancestors(place, parents) | {place}, key=lambda n: n.value):
            out.append(ox.Quad(place, WITHIN_REGION, region, graph))
    return out


def _ancestors(node: ox.NamedNode, up: dict[ox.NamedNode, set[ox.NamedNode]]) -> set[ox.NamedNode]:
    """Every node reachable from *node* by one or more steps of *up* (cycles are harmless)."""
    seen: set[ox.NamedNode] = set()
    stack = list(up.get(node, ()))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(up.get(n, ()))
    return seen
