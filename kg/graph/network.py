"""The entity graph as networkx sees it: entities are nodes, literals become their attributes.

A node is an entity as :mod:`kg.graph.kinds` defines it, the same as the views draw (a region, an organisation,
a person, a project, a practice, an event, an article, a linked card, chain or role …). Sentences, monetary
amounts, periods, qualifiers, stages, indicators and geometries are not nodes: they become attributes of the
node that points to them (``investment = 约50亿元``). Every edge keeps its relation, the relation's zh and en
labels, and the sentences of the fact it comes from, so that a path can be explained hop by hop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.errors import QueryError, UnknownEntity
from kg.graph.kinds import ONTOLOGY_KINDS, STANDARD_LABELS, is_concept, is_entity, unlinked_concepts
from kg.names.index import EntityIndex, compact_iri, resolve
from kg.namespaces import PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
_ZS, _SKOS, _RDFS = PREFIXES["zs"], PREFIXES["skos"], PREFIXES["rdfs"]

_SKIP_PREDICATES = {PREFIXES["prov"] + "wasDerivedFrom", _SKOS + "inScheme", _SKOS + "topConceptOf",
                    PREFIXES["qb"] + "structure",
                    PREFIXES["zs"] + "withinRegion",  # derived closure (kg.store.derive), not a stated relation
                    PREFIXES["zs"] + "quote"}  # derived shortcut to the sentence's words (kg.store.rollups)
_LABEL_PREDICATES = {_RDFS + "label", _SKOS + "prefLabel"}

@dataclass(frozen=True)
class Hop:
    """One step of a path: *source* and *target* are linked by *relation*, as *sentence* says."""

    source: str
    source_label: str
    target: str
    target_label: str
    relation: str
    label_zh: str
    label_en: str
    forward: bool
    sentence: str
    sentence_iri: str

    def explain(self) -> str:
        """``北京辰溪商会 —所在地区 (host region)→ 北京市``, in the direction of the fact."""
        rel = f"{self.label_zh} ({self.label_en})" if self.label_en else self.label_zh
        if self.forward:
            return f"{self.source_label} —{rel}→ {self.target_label}"
        return f"{self.source_label} ←{rel}— {self.target_label}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view."""
        return {"from": self.source, "from_label": self.source_label, "to": self.target,
                "to_label": self.target_label, "relation": self.relation, "label_zh": self.label_zh,
                "label_en": self.label_en, "forward": self.forward, "sentence": self.sentence,
                "sentence_iri": self.sentence_iri, "explanation": self.explain()}


Statement = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


def is_link(predicate: str) -> bool:
    """Whether a statement with this predicate links two entities (when its object is one)."""
    return not (predicate in _SKIP_PREDICATES or predicate == RDF_TYPE or predicate in _LABEL_PREDICATES)


def entity_graph(store: ox.Store) -> nx.MultiDiGraph:
    """Build the entity graph of *store* (every named graph merged)."""
    return assemble({(q.subject, q.predicate, q.object) for q in store})


def _order(t: Statement) -> tuple[str, str, str]:
    return str(t[0]), str(t[1]), str(t[2])


def assemble(triples: Collection[Statement], entities: Collection[str] | None = None) -> nx.MultiDiGraph:
    """The entity graph of *triples*: every entity they describe, or only those of *entities*.

    With *entities*, the triples must hold every statement of those entities, the types of what they point
    at, the words of the sentences they cite (sentence, selector, ``oa:exact``), the surface forms and labels
    of their values and the labels of their relations: :mod:`kg.graph.neighbourhood` gathers exactly that.
    Statements are read in a fixed order, so that the first of two labels, and the order of sentences, never
    depend on how the triples were gathered.
    """
    ordered = sorted(triples, key=_order)
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in ordered:
        if not isinstance(s, ox.NamedNode):
            continue
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            types[s.value].add(o.value)
        elif p.value in _LABEL_PREDICATES and isinstance(o, ox.Literal) and o.language in ("zh", "en"):
            labels[s.value].setdefault(o.language, o.value)
    ontology_terms = {s for s, ts in types.items() if ts & ONTOLOGY_KINDS}
    superclasses = _superclasses(triples)
    wanted = None if entities is None else set(entities)

    sentences: dict[str, str] = {}
    sentence_iris = {s for s, ts in types.items() if _ZS + "Sentence" in ts}
    selector_of: dict[str, str] = {}
    exact: dict[str, str] = {}
    for s, p, o in ordered:
        if p.value == PREFIXES["oa"] + "hasSelector" and isinstance(o, ox.NamedNode):
            selector_of[o.value] = s.value
        elif p.value == PREFIXES["oa"] + "exact" and isinstance(o, ox.Literal):
            exact[s.value] = o.value
    for selector, sentence in selector_of.items():
        if sentence in sentence_iris and selector in exact:
            sentences[sentence] = exact[selector]
    # The text a value node (an amount, a period) shows as an attribute: read once, not once per use.
    surface: dict[str, str] = {}
    for s, p, o in ordered:
        if p.value == _ZS + "surfaceForm" and s.value not in surface:
            surface[s.value] = str(o.value)

    class_labels = {compact_iri(c): tuple(labels[c].values()) for c in ontology_terms if labels.get(c)}
    g = nx.MultiDiGraph(sentences=sentences, class_labels=class_labels)
    for iri in sorted(types):
        if is_entity(iri, types[iri]) and (wanted is None or iri in wanted):
            classes = {compact_iri(t) for t in types[iri]}
            classes |= {compact_iri(c) for t in types[iri] for c in superclasses.get(t, ())}
            g.add_node(iri, label=labels[iri].get("zh") or labels[iri].get("en") or compact_iri(iri),
                       label_en=labels[iri].get("en", ""), classes=sorted(classes),
                       class_label=_class_label(types[iri], labels), sentences=[], sources=[])
    for s, p, o in ordered:
        if not isinstance(s, ox.NamedNode) or s.value not in g:
            continue
        node = g.nodes[s.value]
        pred = p.value
        if pred == PREFIXES["prov"] + "wasDerivedFrom" and isinstance(o, ox.NamedNode):
            (node["sentences"] if o.value in sentences else node["sources"]).append(o.value)
            continue
        if not is_link(pred):
            continue
        key = compact_iri(pred)
        if isinstance(o, ox.NamedNode) and o.value in g:
            zh, en = relation_labels(pred, labels)
            g.add_edge(s.value, o.value, key=key, relation=key, label_zh=zh, label_en=en)
        elif isinstance(o, ox.Literal):
            _add_attribute(node, key.split(":")[-1], o.value, o.language)
        elif isinstance(o, ox.NamedNode) and not (o.value in types and is_entity(o.value, types[o.value])):
            value = _value_text(o.value, surface, labels)
            _add_attribute(node, key.split(":")[-1], value, "zh")
    if wanted is None:  # concepts no other entity links to are not nodes (kg.graph.kinds); a part has no say
        concepts = {n for n in g if is_concept(types[n])}
        g.remove_nodes_from(sorted(unlinked_concepts(concepts, g.edges())))
    return g


def _add_attribute(node: dict[str, Any], name: str, value: str, language: str | None) -> None:
    if language == "en" and name in node:
        return  # keep the Chinese text when both are given
    if name in node and name not in ("label", "classes"):
        current = node[name]
        values = current if isinstance(current, list) else [current]
        if value not in values:
            node[name] = [*values, value]
    elif name not in ("label", "classes"):
        node[name] = value


def _value_text(iri: str, surface: dict[str, str], labels: dict[str, dict[str, str]]) -> str:
    if iri in surface:
        return surface[iri]
    return labels.get(iri, {}).get("zh") or labels.get(iri, {}).get("en") or compact_iri(iri)


def _superclasses(triples: Collection[Statement]) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if p.value == _RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
            parents[s.value].add(o.value)
    closure: dict[str, set[str]] = {}
    for cls in list(parents):
        seen: set[str] = set()
        todo = list(parents[cls])
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo += parents.get(c, ())
        closure[cls] = seen
    return closure


def _class_label(ts: set[str], labels: dict[str, dict[str, str]]) -> str:
    for t in sorted(ts):
        if labels.get(t, {}).get("zh"):
            return labels[t]["zh"]
    return compact_iri(sorted(ts)[0]) if ts else ""


def relation_labels(predicate: str, labels: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The zh and en labels of a relation: the ontology's, else the table of standard ones, else its name."""
    key = compact_iri(predicate)
    own = labels.get(predicate, {})
    if own:
        return own.get("zh", own.get("en", key)), own.get("en", "")
    if predicate in STANDARD_LABELS:
        return STANDARD_LABELS[predicate]
    return key, ""


def node_id(g: nx.MultiDiGraph, index: EntityIndex, name: str) -> str:
    """The node an entity name (label, alias, prefixed name or IRI) stands for."""
    entity = resolve(index, name)
    if entity.iri not in g:
        raise UnknownEntity(f"{entity.describe()} is a value, not an entity of the graph; pick an entity.")
    return entity.iri


def simple_graph(g: nx.Graph) -> nx.Graph:
    """The undirected simple graph of *g* (parallel relations and directions merged), its nodes and links in
    sorted order: networkx's undirected view lists neighbours in hash order, so that searches among equally
    short ways would choose differently from one run to the next."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(g))
    simple.add_edges_from(sorted({(u, v) if u <= v else (v, u) for u, v in g.edges() if u != v}))
    return simple


def neighbors(g: nx.MultiDiGraph, node: str, hops: int = 1) -> list[dict[str, Any]]:
    """Entities within *hops* steps of *node* (either direction), nearest first, with the relation that
    reaches them from the previous step."""
    if hops < 1:
        raise QueryError("--hops must be 1 or more.")
    paths = nx.single_source_shortest_path(simple_graph(g), node, cutoff=hops)
    out = []
    for target, path in paths.items():
        if target == node:
            continue
        hop = explain_hop(g, path[-2], target)
        out.append({"node": target, "label": g.nodes[target]["label"], "class": g.nodes[target]["class_label"],
                    "hops": len(path) - 1, "via": g.nodes[path[-2]]["label"], "relation": hop.explain(),
                    "sentence": hop.sentence})
    out.sort(key=lambda r: (r["hops"], r["class"], r["label"]))
    return out


def explain_hop(g: nx.MultiDiGraph, u: str, v: str) -> Hop:
    """Why *u* and *v* are linked: the relation between them and the sentence of the fact that says so.

    Of the sentences behind the fact, the one that names the other end is preferred.
    """
    for a, b, forward in ((u, v, True), (v, u, False)):
        data = g.get_edge_data(a, b)
        if not data:
            continue
        key = sorted(data)[0]
        edge = data[key]
        sentence_iri, sentence = _best_sentence(g, a, b)
        return Hop(source=u, source_label=g.nodes[u]["label"], target=v, target_label=g.nodes[v]["label"],
                   relation=edge["relation"], label_zh=edge["label_zh"], label_en=edge["label_en"],
                   forward=forward, sentence=sentence, sentence_iri=sentence_iri)
    raise QueryError(f"{u} and {v} are not linked.")


def _best_sentence(g: nx.MultiDiGraph, subject: str, obj: str) -> tuple[str, str]:
    sentences: dict[str, str] = g.graph["sentences"]
    node = g.nodes[subject]
    full = [n for n in (g.nodes[obj]["label"], g.nodes[obj]["label_en"]) if n]
    short = [n[:-1] for n in full if len(n) > 2 and n[-1] in "市县区省"]
    own = [n for n in (node["label"], node["label_en"]) if n]
    candidates = [(iri, sentences[iri]) for iri in node["sentences"] if iri in sentences]
    if candidates:
        def score(item: tuple[str, str]) -> int:
            text = item[1]
            return (4 * any(n in text for n in full) + 2 * any(n in text for n in short)
                    + any(n in text for n in own))
        return max(candidates, key=score)  # the first of the best, in the order the data lists them
    if node["sources"]:
        return node["sources"][0], f"(from {compact_iri(node['sources'][0])}, not a sentence of an article)"
    return "", ""


def path(g: nx.MultiDiGraph, source: str, target: str, *, paths: int = 1) -> list[list[Hop]]:
    """Up to *paths* shortest ways from *source* to *target*, each as explained hops."""
    simple = simple_graph(g)
    if source == target:
        raise QueryError("Give two different entities.")
    try:
        found = []
        for nodes in nx.shortest_simple_paths(simple, source, target):
            found.append([explain_hop(g, a, b) for a, b in pairwise(nodes)])
            if len(found) >= paths:
                break
    except nx.NetworkXNoPath:
        raise QueryError(
            f"No path links {g.nodes[source]['label']} and {g.nodes[target]['label']} in the graph."
        ) from None
    return found
