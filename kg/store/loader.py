"""Stream parsed RDF files into an Oxigraph store, one named graph per source, in bounded memory.

Each file is parsed strictly (:func:`kg.store.rdfio.parse_file`: file, line and column on error), its statements are
put in the graph the file belongs to, duplicates within a graph are dropped, and the statements go to the store
in batches through Oxigraph's bulk loader. Only one graph's statements and a batch or two are held at a time,
so a 5M-statement project loads in a few hundred MB.

Parsing, the checks that look at each graph as it passes (:mod:`kg.store.quotes`, :mod:`kg.store.references`) and the
writes share the work of two cores: the statements of a batch go to the store as N-Quads text, which
``Store.bulk_load`` parses and writes without holding the GIL, on a writer thread, while this thread parses and
checks the next batch. (``bulk_extend`` of Python quads holds the GIL throughout, so nothing overlapped; and it
needs each parsed triple copied into a new quad of its graph, about 1 µs each.) At a million statements the
load and the checks take about the time of the writes alone.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from kg.store.rdfio import parse_file

#: Statements handed to the bulk loader at once: large enough to amortise its per-call cost (it writes and
#: ingests sorted files), small enough to keep memory flat.
BATCH = 100_000

Subject = ox.NamedNode | ox.BlankNode


@dataclass
class LoadStats:
    """What a load put where: distinct statements per graph, statements per file, and optionally subjects."""

    graphs: dict[str, int] = field(default_factory=dict)
    statements: dict[Path, int] = field(default_factory=dict)
    subjects: set[Subject] = field(default_factory=set)
    #: With the subjects: every node (IRI or blank node) loaded as an object, for shapes that target the objects
    #: of a property (``sh:targetObjectsOf``): a new statement can make an existing node a focus node.
    objects: set[Subject] = field(default_factory=set)


def nquads(quads: Sequence[ox.Quad], graph: ox.NamedNode) -> bytes:
    """*quads* as N-Quads text, those of the default graph put in *graph* (the others keep their own).

    The default-graph statements are written by pyoxigraph's serializer and given their graph by inserting it
    before each line's final `` .``: N-Quads escapes line breaks inside literals, so a line ends there and
    nowhere else (checked: the count of line ends must be the count of statements).
    """
    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)] if len(default) < len(quads) else []
    out = b""
    if default:
        text = ox.serialize(default, format=ox.RdfFormat.N_QUADS) or b""
        if text.count(b" .\n") == len(default) and text.endswith(b" .\n"):
            out = text.replace(b" .\n", b" <" + graph.value.encode("utf-8") + b"> .\n")
        else:  # never seen; the slow and certain way
            out = ox.serialize([ox.Quad(q.subject, q.predicate, q.object, graph) for q in default],
                               format=ox.RdfFormat.N_QUADS) or b""
    if named:
        out += ox.serialize(named, format=ox.RdfFormat.N_QUADS) or b""
    return out


class _Writer:
    """A thread that bulk-loads N-Quads chunks into a store while the caller prepares the next ones.

    At most two chunks wait. An error of the store is raised in the caller at its next :meth:`put` or at the
    end; an error of the caller stops the thread before it is raised (what was written is the caller's to
    discard: a build drops the whole generation).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kg-load", daemon=True)

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is not None:
                continue  # drain what is queued, write nothing more
            try:
                self.store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, chunk: bytes) -> None:
        """Queue *chunk* for writing (waits while two are queued)."""
        self._raise()
        if chunk:
            self.chunks.put(chunk)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is not None and self.error is None:
            self.error = exc  # the caller failed: the queued chunks are not written
        self.chunks.put(None)
        self.thread.join()
        if exc is None:
            self._raise()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while statements are parsed and inspected.

    A load makes millions of objects and keeps many of them (the checks' sets and maps), so the collector runs
    over and over through objects that are all alive: half of the checks' time at a million statements.
    Reference counting still frees everything that is not in a cycle; one collection runs at the end.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect(0)


def load_graphs(
    store: ox.Store,
    files_by_graph: Mapping[str, Sequence[Path]],
    *,
    keep_subjects: bool = False,
    inspect: Callable[[str, list[ox.Quad]], None] | None = None,
    batch: int = BATCH,
) -> LoadStats:
    """Parse the files of every graph and add their statements to *store* (nothing is removed first).

    With *keep_subjects* the stats also hold every subject loaded (what an incremental build validates).
    *inspect* is called with each graph's name and its distinct statements before they are written (the quote
    check reads them); statements of triple files are then in the default graph, not yet in their graph.
    A parse error (or an error of *inspect*) raises before the batch it falls in is written; the caller
    discards the store then.
    """
    stats = LoadStats()
    with _no_cyclic_gc(), _Writer(store) as writer:
        pending: list[bytes] = []
        size = 0
        for graph, files in files_by_graph.items():
            quads: dict[ox.Quad, None] = {}
            for path in files:
                parsed = parse_file(path)
                stats.statements[path] = len(parsed)
                quads.update(dict.fromkeys(parsed))
            unique = list(quads)
            stats.graphs[graph] = len(unique)
            if keep_subjects:
                stats.subjects.update(q.subject for q in unique if not isinstance(q.subject, ox.Triple))
                stats.objects.update(q.object for q in unique if isinstance(q.object, ox.NamedNode | ox.BlankNode))
            if inspect is not None:
                inspect(graph, unique)
            pending.append(nquads(unique, ox.NamedNode(graph)))
            size += len(unique)
            if size >= batch:
                writer.put(b"".join(pending))
                pending, size = [], 0
        writer.put(b"".join(pending))
    return stats


def graph_subjects(store: ox.Store, graphs: Iterable[str]) -> set[Subject]:
    """Every subject of the named *graphs* in *store*."""
    out: set[Subject] = set()
    for g in graphs:
        out.update(q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
                   if not isinstance(q.subject, ox.Triple))
    return out


def referrers(store: ox.Store, nodes: Iterable[Subject]) -> set[Subject]:
    """The subjects of *store* with a statement pointing at any of *nodes*."""
    out: set[Subject] = set()
    for node in nodes:
        out.update(q.subject for q in store.quads_for_pattern(None, None, node)
                   if not isinstance(q.subject, ox.Triple))
    return out
