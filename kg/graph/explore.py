"""What ``kg neighbors``, ``kg path`` and ``kg rank`` do on a store: neighbourhoods and paths read around the
entities they are given (:mod:`kg.graph.neighbourhood`), rankings over the whole entity graph."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from kg.backend import connect
from kg.errors import QueryError, UnknownEntity
from kg.graph.neighbourhood import Nearby
from kg.graph.network import Hop, entity_graph, explain_hop, neighbors
from kg.graph.ranking import rank
from kg.names.index import find
from kg.paths import Paths


def _entity(near: Nearby, name: str) -> str:
    """The entity of the graph a name (label, alias, prefixed name or IRI) stands for."""
    entity = find(near.store, name)
    if not near.is_entity(entity.iri):
        raise UnknownEntity(f"{entity.describe()} is a value, not an entity of the graph; pick an entity.")
    return entity.iri


def neighbors_of(paths: Paths, entity: str, hops: int = 1) -> list[dict[str, Any]]:
    """What ``kg neighbors`` does: :func:`neighbors_in` the store of *paths*."""
    return neighbors_in(connect(paths), entity, hops)


def neighbors_in(store: Any, entity: str, hops: int = 1) -> list[dict[str, Any]]:
    """The entities near the one named *entity* (a name, alias or IRI), read around it (:mod:`kg.graph.neighbourhood`),
    not from the whole store: what :func:`neighbors` gives on the whole graph."""
    if hops < 1:
        raise QueryError("--hops must be 1 or more.")
    near = Nearby(store)
    node = _entity(near, entity)
    return neighbors(near.graph(near.ball([node], hops)), node, hops)


def paths_between(paths: Paths, source: str, target: str, k: int = 1) -> list[list[Hop]]:
    """What ``kg path`` does: :func:`paths_in` the store of *paths*."""
    return paths_in(connect(paths), source, target, k)


def paths_in(store: Any, source: str, target: str, k: int = 1) -> list[list[Hop]]:
    """Up to *k* shortest explained paths between two named entities, searched from both ends through the
    store (:mod:`kg.graph.neighbourhood`): what :func:`path` gives on the whole graph."""
    near = Nearby(store)
    a, b = _entity(near, source), _entity(near, target)
    if a == b:
        raise QueryError("Give two different entities.")
    found = near.shortest_paths(a, b, k)
    g = near.graph({n for nodes in found for n in nodes} | {a, b})
    if not found:
        raise QueryError(f"No path links {g.nodes[a]['label']} and {g.nodes[b]['label']} in the graph.")
    return [[explain_hop(g, u, v) for u, v in pairwise(nodes)] for nodes in found]


def rank_entities(paths: Paths, measure: str = "degree", cls: str | None = None, top: int = 20
                  ) -> list[tuple[str, str, str, float]]:
    """What ``kg rank`` does: the most central entities of the store of *paths* (no name index needed)."""
    return rank(entity_graph(connect(paths)), measure, cls=cls, top=top)  # type: ignore[arg-type]
