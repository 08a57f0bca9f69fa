"""What the graph already says about the few entities a draft names: targeted lookups, not a read of everything.

``kg merge`` asks two questions of the existing graph before it merges a draft: does the draft rename an entity
the graph has (a new label, a second name in a language it already has one in), and does it declare two known
entities the same (``owl:sameAs``)? Both are about the draft's own subjects and ``owl:sameAs`` ends, a few dozen
nodes. :func:`existing_about` answers them from the live store with one index lookup per node
(``quads_for_pattern`` with a bound subject), plus the fact files that the store does not hold yet (changed or
added since the last build, found by their sha256 against the store's manifest): the same answer as reading
every fact file and the whole store (:func:`kg.ingest.resolve.load_known`, which ``kg ingest`` still uses: it
needs every name), in milliseconds instead of minutes at a million statements.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.paths import Paths
from kg.store.build import data_files, graph_for, relative
from kg.store.derive import DERIVED_GRAPH
from kg.store.generations import open_store, read_manifest
from kg.store.rdfio import parse_file

Node = ox.NamedNode | ox.BlankNode
_DERIVED = ox.NamedNode(DERIVED_GRAPH)


@dataclass
class Existing:
    """The statements the graph has about some nodes, split into the data's own and the build's derived ones."""

    #: node → the statements about it in the data (fact files, as built or still to build), graph names dropped.
    data: dict[Node, set[ox.Triple]] = field(default_factory=dict)
    #: node → statements about it only the store's derived graph holds.
    derived: dict[Node, set[ox.Triple]] = field(default_factory=dict)

    def has(self, node: Node) -> bool:
        """True when the graph (data or derived statements) describes *node*."""
        return bool(self.data.get(node) or self.derived.get(node))

    def objects(self, node: Node, predicate: ox.NamedNode) -> set[ox.Literal | ox.NamedNode | ox.BlankNode]:
        """The objects of *node*'s data statements with *predicate*."""
        out: set[ox.Literal | ox.NamedNode | ox.BlankNode] = set()
        for t in self.data.get(node, ()):
            if t.predicate == predicate and not isinstance(t.object, ox.Triple):
                out.add(t.object)
        return out

    def all_objects(self, node: Node, predicates: Iterable[ox.NamedNode]) -> set[ox.Literal | ox.NamedNode
                                                                                 | ox.BlankNode]:
        """The objects of any statement about *node* (data or derived) with one of *predicates*."""
        wanted = set(predicates)
        out: set[ox.Literal | ox.NamedNode | ox.BlankNode] = set()
        for t in (*self.data.get(node, ()), *self.derived.get(node, ())):
            if t.predicate in wanted and not isinstance(t.object, ox.Triple):
                out.add(t.object)
        return out


def existing_about(paths: Paths, nodes: Iterable[Node]) -> Existing:
    """What the data (the live store and the fact files it does not hold yet) says about *nodes*, as subjects.

    The store is read through its subject index only; a fact file is parsed only when the store does not hold it
    as it is now (no store, a file changed or added since the last build). Statements of graphs whose files
    changed or went away since the build are left out of :attr:`Existing.data`: the files say otherwise now.
    """
    wanted = set(nodes)
    out = Existing()
    store, built = _live(paths)
    pending: list[Path] = []
    stale: set[str] = set()
    present: set[str] = set()
    for path in data_files(paths):
        rel = relative(path, paths)
        present.add(rel)
        info = built.get(rel)
        if info is None or info.get("sha256") != _sha256(path):
            pending.append(path)
            if info is not None:
                stale.add(str(info.get("graph", "")))
    stale |= {str(info.get("graph", "")) for rel, info in built.items() if rel not in present}
    if store is not None:
        for node in wanted:
            for q in store.quads_for_pattern(node, None, None):
                triple = ox.Triple(q.subject, q.predicate, q.object)
                if q.graph_name == _DERIVED:
                    out.derived.setdefault(node, set()).add(triple)
                elif not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in stale):
                    out.data.setdefault(node, set()).add(triple)
    for path in pending:
        graph_for(path, paths)  # a file named like the derived graph is refused, as the build refuses it
        for q in parse_file(path):
            if q.subject in wanted and not isinstance(q.subject, ox.Triple):
                out.data.setdefault(q.subject, set()).add(ox.Triple(q.subject, q.predicate, q.object))
    return out


def _live(paths: Paths) -> tuple[ox.Store | None, dict[str, dict[str, object]]]:
    """The live store and the files its manifest lists (relative path → sha256 and graph), or (None, {})."""
    try:
        store = open_store(paths.store)
        files = read_manifest(paths.store).get("files", {})
    except StoreError:
        return None, {}
    return store, files if isinstance(files, dict) else {}


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
