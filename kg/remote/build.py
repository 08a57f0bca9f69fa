"""Build to a remote SPARQL endpoint: the embedded build's checks, then each changed graph replaced on the server.

The data is checked as :mod:`kg.store.build` checks it (the same files, fingerprint, plan, load, quotes and
shapes), on an in-memory store of the whole data; only when everything passes is each changed named graph
replaced on the endpoint (:meth:`kg.remote.endpoint.RemoteStore.replace_graph`: staged, then moved over the old
one), the derived graph with them. The manifest, which records what the server holds, lives on the server too
(:data:`MANIFEST_GRAPH`), so that the next build from any machine reloads only what changed, and a load cut
short resumes about where it stopped.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pyoxigraph as ox

from kg.paths import Paths
from kg.remote.endpoint import RemoteStore
from kg.store.build import (
    BuildReport,
    check_store,
    derived_statements,
    files_by_graph,
    fingerprint,
    load_groups,
    manifest,
    plan,
    raise_if_bad,
    relative,
    shape_program,
)
from kg.store.derive import DERIVED_GRAPH
from kg.store.loader import graph_subjects, referrers
from kg.store.quotes import QuoteChecker
from kg.store.rdfio import parse_file

#: The graph where a remote build keeps its manifest; outside the project's graphs, so queries never see it.
MANIFEST_GRAPH = "https://w3id.org/zhaoshang-kg/meta/manifest"
_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


#: Characters of the manifest's JSON per statement. Virtuoso's Graph Store Protocol rejects a request whose
#: first 64 KB hold no complete statement ("unsupported type text/plain"), which a manifest of a few hundred
#: files passes; 16,000 characters stay under it even as 3-byte UTF-8.
_MANIFEST_PART = 16_000
#: Seconds between the progress manifests of a remote build (and after its last graph).
_PROGRESS_EVERY_S = 2.0


def read_remote_manifest(remote: RemoteStore) -> dict[str, Any] | None:
    """The manifest a previous build left on the endpoint, if any (None when it is missing or unreadable)."""
    parts = sorted(
        (q.subject.value, q.object.value) for q in remote.graph_quads(MANIFEST_GRAPH)
        if q.predicate == _COMMENT and isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode)
    )
    if not parts:
        return None
    try:
        loaded: dict[str, Any] = json.loads("".join(text for _, text in parts))
    except json.JSONDecodeError:
        return None
    return loaded


def write_remote_manifest(remote: RemoteStore, content: dict[str, Any]) -> None:
    """Replace the manifest graph: the JSON text cut into numbered parts (``<manifest#part-000001>``)."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    cuts = range(0, len(text), _MANIFEST_PART)
    remote.replace_graph(MANIFEST_GRAPH, [
        ox.Triple(ox.NamedNode(f"{MANIFEST_GRAPH}#part-{i:06d}"), _COMMENT, ox.Literal(text[at:at + _MANIFEST_PART]))
        for i, at in enumerate(cuts, start=1)
    ])


def build_remote(paths: Paths, remote: RemoteStore, *, full: bool = False) -> BuildReport:
    """Check the project's data and load what changed (everything when *full*) into *remote*; nothing on error."""
    started = time.perf_counter()
    fp = fingerprint(paths)
    old = read_remote_manifest(remote)
    is_full, changed, removed = plan(fp, old, full)
    program = shape_program(paths)
    timings: dict[str, float] = {}
    # The checks run on an in-memory copy of the whole data, as an embedded build would run them.
    staged = ox.Store()
    groups = files_by_graph(paths)
    quotes = QuoteChecker(paths.sources)
    # on an incremental build only the quotes of the graphs that change are checked
    stats = load_groups(staged, groups, quotes, timings, quote_graphs=None if is_full else set(changed))
    if is_full:
        raise_if_bad(check_store(staged, quotes, program=program, timings=timings))
    elif changed or removed:
        before = {  # what the graphs held on the server, to find what pointed at entities that change
            q.subject for g in [*changed, *removed] for q in remote.graph_quads(g)
            if not isinstance(q.subject, ox.Triple)
        }
        touched = before | graph_subjects(staged, changed)
        focus = touched | referrers(staged, touched)
        raise_if_bad(check_store(staged, quotes, program=program, focus=focus, timings=timings))
    graphs = dict(stats.graphs)
    derived = derived_statements(staged)
    graphs[DERIVED_GRAPH] = len(derived)
    statements = {relative(p, paths): n for p, n in stats.statements.items()}
    # The manifest on the server is updated as graphs are written (at most every _PROGRESS_EVERY_S seconds: it
    # names every file, so writing it after each of thousands of graphs would cost more than the graphs), so
    # that a load cut short resumes about where it was.
    done = dict(old.get("graph_keys", {})) if old and not is_full else {}
    keys = fp.graph_keys()
    record = manifest(fp, graphs, statements)
    if changed or removed:
        # First, from the new data: a load cut short later leaves graphs unmarked, so the retry writes it again.
        remote.replace_graph(DERIVED_GRAPH, derived)
    last_progress = time.perf_counter()

    def progress(final: bool = False) -> None:
        nonlocal last_progress
        if final or time.perf_counter() - last_progress >= _PROGRESS_EVERY_S:
            write_remote_manifest(remote, {**record, "graph_keys": done})
            last_progress = time.perf_counter()

    for g in removed:
        remote.remove_graph(g)
        done.pop(g, None)
        progress()
    for g in changed:
        # parsed again rather than read back from the staged store, which normalises literals ("05" of
        # xsd:nonNegativeInteger becomes the xsd:integer 5): the server gets the statements as written
        node = ox.NamedNode(g)
        remote.replace_graph(g, list(dict.fromkeys(q for f in groups[g] for q in parse_file(f, node))))
        done[g] = keys[g]
        progress()
    if changed or removed:
        progress(final=True)
    if is_full:
        for g in remote.project_graphs(refresh=True):
            if g not in graphs and g != DERIVED_GRAPH:
                remote.remove_graph(g)
                removed.append(g)
    write_remote_manifest(remote, record)
    checkpointed = remote.checkpoint() if changed or removed else None
    return BuildReport(
        store=paths.store,
        generation=None,
        triples=sum(graphs.values()),
        graphs=graphs,
        files=[f for fs in groups.values() for f in fs],
        seconds=time.perf_counter() - started,
        changed=changed,
        removed=removed,
        target=remote.endpoint,
        full=is_full,
        checkpointed=checkpointed,
        timings={k: round(v, 3) for k, v in timings.items()},
    )
