"""Rankings of the entity graph: which entities are the most central, by degree, PageRank or betweenness."""

from __future__ import annotations

import networkx as nx

from kg.errors import QueryError
from kg.graph.network import simple_graph
from kg.names.index import compact_iri

#: Measures ``kg rank`` knows.
MEASURES = ("degree", "pagerank", "betweenness")


def rank(g: nx.MultiDiGraph, measure: str = "degree", *, cls: str | None = None, top: int = 20
         ) -> list[tuple[str, str, str, float]]:
    """The *top* entities by *measure* (degree, pagerank, betweenness), optionally only of class *cls*.

    The measures run on the undirected simple graph of the entities (parallel relations count once).
    Returns (node, label, class label, score) tuples.
    """
    simple = simple_graph(g)
    if measure == "degree":
        scores = nx.degree_centrality(simple)
    elif measure == "pagerank":
        scores = pagerank(simple)
    elif measure == "betweenness":
        scores = nx.betweenness_centrality(simple)
    else:
        raise QueryError(f"Unknown measure {measure!r}. Use one of: {', '.join(MEASURES)}.")
    wanted = None if cls is None else class_filter(g, cls)
    rows = [(n, g.nodes[n]["label"], g.nodes[n]["class_label"], score) for n, score in scores.items()
            if wanted is None or wanted in g.nodes[n]["classes"]]
    rows.sort(key=lambda r: (-r[3], r[1]))
    return rows[:top]


def pagerank(g: nx.Graph, alpha: float = 0.85, tol: float = 1.0e-10, max_iter: int = 200) -> dict[str, float]:
    """PageRank by power iteration, in pure Python (networkx's own needs SciPy); dangling nodes spread evenly."""
    nodes = list(g)
    n = len(nodes)
    if n == 0:
        return {}
    rank_ = dict.fromkeys(nodes, 1.0 / n)
    degree = {v: g.degree(v) for v in nodes}
    for _ in range(max_iter):
        dangling = alpha * sum(rank_[v] for v in nodes if degree[v] == 0) / n
        new = {v: (1.0 - alpha) / n + dangling for v in nodes}
        for v in nodes:
            if degree[v]:
                share = alpha * rank_[v] / degree[v]
                for w in g[v]:
                    new[w] += share
        if sum(abs(new[v] - rank_[v]) for v in nodes) < n * tol:
            return new
        rank_ = new
    return rank_


def class_filter(g: nx.MultiDiGraph, cls: str) -> str:
    """The prefixed name of the class *cls* names: ``zs:ChamberOfCommerce``, its IRI, ``ChamberOfCommerce``,
    or its label (商会, chamber of commerce)."""
    used = {c for _, d in g.nodes(data=True) for c in d["classes"]}
    names: dict[str, str] = {}
    for c in used:
        names[c.lower()] = c
        names.setdefault(c.split(":")[-1].lower(), c)
        for label in g.graph["class_labels"].get(c, ()):
            names.setdefault(label.lower(), c)
    key = cls.strip().lower()
    found = names.get(key) or names.get(compact_iri(cls.strip()).lower())
    if found:
        return found
    own = sorted(c for c in used if c.startswith("zs:"))
    raise QueryError(f"No entity has class {cls!r}. Classes in the graph include: {', '.join(own)}.")
