"""Counts that describe a store: entities per class and facts per source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import PREFIXES

if TYPE_CHECKING:  # the store layer never imports the remote one at run time
    from kg.remote.endpoint import RemoteStore

_ENTITIES = """
SELECT ?class (SAMPLE(?zh) AS ?label) (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class . }
  FILTER (?g != <https://w3id.org/zhaoshang-kg/graph/ontology>)
  OPTIONAL { GRAPH <https://w3id.org/zhaoshang-kg/graph/ontology> {
    ?class rdfs:label ?zh . FILTER (LANG(?zh) = "zh") } }
}
GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_GRAPHS = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""

_FACTS = """
SELECT ?source (COUNT(DISTINCT ?fact) AS ?facts) (COUNT(DISTINCT ?sentence) AS ?sentences) WHERE {
  { ?fact prov:wasDerivedFrom ?sentence . ?sentence oa:hasSource ?source . }
  UNION
  { ?fact prov:wasDerivedFrom ?source . ?source a schema:Dataset . }
}
GROUP BY ?source ORDER BY ?source
"""


@dataclass(frozen=True)
class Stats:
    """Counts of a store."""

    triples: int
    graphs: dict[str, int]
    classes: list[tuple[str, str, int]]
    facts_per_source: list[tuple[str, int, int]]


def compute_stats(store: ox.Store | RemoteStore) -> Stats:
    """Entities per class (ontology excluded), triples per named graph, facts and cited sentences per source."""
    def rows(q: str) -> list[ox.QuerySolution]:
        res = store.query(q, prefixes=PREFIXES, use_default_graph_as_union=True)
        assert isinstance(res, ox.QuerySolutions)
        return list(res)

    classes = [
        (_compact(str(r["class"].value)), str(r["label"].value) if r["label"] else "", int(r["n"].value))
        for r in rows(_ENTITIES)
    ]
    graphs = {str(r["g"].value): int(r["n"].value) for r in rows(_GRAPHS)}
    facts = [
        (str(r["source"].value), int(r["facts"].value), int(r["sentences"].value)) for r in rows(_FACTS)
    ]
    return Stats(triples=len(store), graphs=graphs, classes=classes, facts_per_source=facts)


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
