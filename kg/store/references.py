"""The dangling-reference check of a full build, answered from the statements as they are loaded.

``ontology/shapes.ttl`` forbids IRIs of the project's entity namespace that are referenced but never described
(``zsh:DanglingReferenceShape``: an object IRI in ``https://w3id.org/zhaoshang-kg/id/`` that no statement types).
As a SPARQL query on the store it is the costliest check of all, one pass over every statement with a string
read per IRI (3.7 s of 11 s of validation at a million statements). A full build already holds each graph's
statements in Python while it loads them, so :class:`ReferenceTracker` collects the typed nodes and the
referenced IRIs there, and :meth:`kg.shacl.run.ShapeProgram.validate` takes its rows instead of running the query.

The rows are those the shape's query would give (the same ``?value`` and ``?subject`` pairs), so the messages are
the same. The tracker is used only when the shape's query is exactly :data:`QUERY`: a changed shape is checked
by SPARQL again.

An incremental build checks only the entities it touched (its focus), and keeps the rows whose ``?value`` or
``?subject`` is one of them. The query cannot be asked for those rows alone: its sub-select of every typed node
runs over the whole store whatever ``VALUES`` follow (4.1 s of a 5.4 s validation after one article changed in a
million statements). :func:`focus_rows` gives the same rows by index lookups from the focus nodes instead.
``kg validate`` and remote builds run the query (they validate an in-memory store where it is cheap, or a
server).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.shacl.run import ShapeProgram

#: The shape whose rows the tracker gives (as :class:`kg.shacl.program.Check` names shapes).
SHAPE = "<https://w3id.org/zhaoshang-kg/shapes#DanglingReferenceShape>"
#: The entity namespace the shape checks.
NAMESPACE = PREFIXES["zr"]
#: The shape's query, comments and spacing aside: the tracker answers for this query only.
QUERY = """
SELECT $this ?value ?subject WHERE {
  ?subject ?p ?value .
  FILTER (isIRI(?value))
  OPTIONAL { SELECT DISTINCT ?value (1 AS ?typed) WHERE { ?value a ?anyType } }
  FILTER (!BOUND(?typed) && STRSTARTS(STR(?value), "https://w3id.org/zhaoshang-kg/id/"))
}"""

_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


def normalise(query: str) -> str:
    """A query without its comments and with single spaces, to compare two texts of one query."""
    text = re.sub(r"(?m)#[^\n\"<>]*$", "", query)
    return re.sub(r"\s+", " ", text).strip()


class ReferenceTracker:
    """Typed nodes and referenced entity IRIs of every statement shown to :meth:`see`."""

    def __init__(self) -> None:
        self._typed: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
        # each object IRI of the namespace, with the subjects that reference it
        self._referrers: dict[ox.NamedNode, set[ox.NamedNode | ox.BlankNode | ox.Triple]] = {}
        # object IRIs outside the namespace (classes, concepts of other vocabularies): never reported
        self._foreign: set[ox.NamedNode] = set()

    def see(self, quads: Iterable[ox.Quad]) -> None:
        """Take note of *quads* (any graphs; the check reads their union)."""
        typed, referrers, foreign = self._typed, self._referrers, self._foreign
        for q in quads:
            if q.predicate == _TYPE:
                typed.add(q.subject)
            o = q.object
            if type(o) is not ox.NamedNode or o in foreign:
                continue
            refs = referrers.get(o)
            if refs is not None:
                refs.add(q.subject)
            elif o.value.startswith(NAMESPACE):
                referrers[o] = {q.subject}
            else:
                foreign.add(o)

    def rows(self) -> list[Row]:
        """The rows of :data:`QUERY` (without ``$this``) over everything seen: one per (subject, IRI) pair."""
        out: list[Row] = []
        for value, subjects in self._referrers.items():
            if value in self._typed:
                continue
            for subject in subjects:
                if not isinstance(subject, ox.Triple):
                    out.append({"value": value, "subject": subject})
        return out


def focus_rows(store: ox.Store, focus: Iterable[ox.NamedNode | ox.BlankNode]) -> list[Row]:
    """The rows of :data:`QUERY` (without ``$this``) in *store* whose ``?value`` or ``?subject`` is in *focus*.

    Each focus node is looked up twice through the store's indexes: as a referenced IRI (is it typed, and who
    points at it) and as a subject (which entity IRIs it points at, and are they typed).
    """
    typed: dict[ox.NamedNode, bool] = {}

    def described(iri: ox.NamedNode) -> bool:
        known = typed.get(iri)
        if known is None:
            known = typed[iri] = next(iter(store.quads_for_pattern(iri, _TYPE, None)), None) is not None
        return known

    pairs: set[tuple[ox.NamedNode, ox.NamedNode | ox.BlankNode]] = set()
    for node in focus:
        if type(node) is ox.NamedNode and node.value.startswith(NAMESPACE) and not described(node):
            pairs.update((node, q.subject) for q in store.quads_for_pattern(None, None, node)
                         if not isinstance(q.subject, ox.Triple))
        for q in store.quads_for_pattern(node, None, None):
            o = q.object
            if type(o) is ox.NamedNode and o.value.startswith(NAMESPACE) and not described(o):
                pairs.add((o, node))
    return [{"value": value, "subject": subject} for value, subject in pairs]


def applies(program: ShapeProgram) -> bool:
    """True when *program* checks dangling references with exactly :data:`QUERY` (the tracker's rows)."""
    check = program.check_for(SHAPE)
    return check is not None and check.kind == "sparql" and normalise(check.sparql).endswith(normalise(QUERY))
