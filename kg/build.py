"""Turn ``ontology/`` and ``data/`` into a store: parse strictly, check quotes, validate, load all or nothing.

Builds are incremental. The manifest of the live store records the sha256 of every file it was built from;
the next build reloads only the named graphs whose files (or source text) changed, added or went away. It
validates the changed graphs together with what they touch in the rest of the store: every entity they
describe or used to describe, the entities of other sources that point at those, and two hops around them
(so ``sh:class`` and the code-hierarchy constraints see the types and codes they need). A change to the
ontology or the shapes, or ``full=True``, rebuilds and revalidates everything.

Every build also recomputes the derived graph (see :mod:`kg.derive`: ``zs:withinRegion``, the place
hierarchy closure) from the whole data whenever anything changed.

The target is the embedded store at ``paths.store`` or, when ``paths.endpoint`` is set, a remote SPARQL
endpoint (see :mod:`kg.remote`): the same checks run first, then each changed graph is replaced there.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.derive import DERIVED_GRAPH, check_graph_name, derive
from kg.errors import InputError, QuoteMismatch, StoreError, ValidationError
from kg.namespaces import GRAPH, source_graph
from kg.paths import Paths
from kg.rdfio import FORMATS, parse_file, to_rdflib
from kg.remote import RemoteStore
from kg.sources import Source, load_sources
from kg.store import CURRENT, current_generation, read_manifest, write_generation, write_lock
from kg.validate import QuoteProblem, ValidationResult, check_quotes, validate_graph

ONTOLOGY_GRAPH = f"{GRAPH}ontology"


@dataclass
class Collected:
    """Everything a build reads: quads by file, and the source texts."""

    quads: dict[Path, list[ox.Quad]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    def all_quads(self) -> list[ox.Quad]:
        """Every quad, in file order."""
        return [q for qs in self.quads.values() for q in qs]


@dataclass(frozen=True)
class CheckReport:
    """The result of checking the data without loading it."""

    validation: ValidationResult
    quote_problems: list[QuoteProblem]
    triples: int
    files: list[Path]

    @property
    def ok(self) -> bool:
        """True when the data conforms and every quote matches its source."""
        return self.validation.conforms and not self.quote_problems

    def summary(self) -> str:
        """A human-readable report."""
        lines = [self.validation.summary()]
        if self.quote_problems:
            lines.append(f"{len(self.quote_problems)} quote(s) differ from their source text:")
            lines += [f"  - {p}" for p in self.quote_problems]
        else:
            lines.append("Quotes: every sentence equals its slice of the source file.")
        return "\n".join(lines)


@dataclass(frozen=True)
class BuildReport:
    """What a build loaded, where, and how long it took."""

    store: Path
    generation: Path | None
    triples: int
    graphs: dict[str, int]
    files: list[Path]
    seconds: float
    #: Named graphs (re)loaded by this build, and graphs removed because their files are gone.
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Where the data went: the store folder or the endpoint URL.
    target: str = ""
    #: Whether the build checked and loaded everything (False: only what changed).
    full: bool = True
    #: Whether a remote server wrote a checkpoint after the load (None: embedded store).
    checkpointed: bool | None = None

    @property
    def up_to_date(self) -> bool:
        """True when nothing had changed, so nothing was loaded."""
        return not self.changed and not self.removed and not self.full


def data_files(paths: Paths) -> list[Path]:
    """The RDF files a build reads: the ontology, then every fact file in ``data/facts/``, sorted."""
    if not paths.facts.is_dir():
        raise InputError(f"{paths.facts}: no such folder. Is {paths.project} a zhaoshang-kg project?")
    facts = sorted(p for p in paths.facts.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
    return [paths.ontology, *facts]


def graph_for(path: Path, paths: Paths) -> ox.NamedNode:
    """The named graph a file goes into: the ontology graph, or the graph of the source it belongs to.

    ``data/facts/<source>.ttl`` and ``data/facts/<source>.<part>.ttl`` both go into ``graph/<source>``, so
    that a source can be reloaded or removed alone.
    """
    if path.resolve() == paths.ontology.resolve():
        return ox.NamedNode(ONTOLOGY_GRAPH)
    graph = source_graph(path.name.split(".", 1)[0])
    check_graph_name(graph, path)
    return ox.NamedNode(graph)


def collect(paths: Paths) -> Collected:
    """Parse every file strictly (stopping at the first error) and load the source texts."""
    out = Collected()
    for path in data_files(paths):
        out.quads[path] = parse_file(path, graph_for(path, paths))
    out.sources = load_sources(paths.sources) if paths.sources.is_dir() else {}
    return out


def check(paths: Paths, collected: Collected | None = None) -> CheckReport:
    """Validate the data against the shapes and the quotes against the sources, without loading."""
    collected = collected or collect(paths)
    data = to_rdflib(collected.all_quads())
    shapes = to_rdflib(parse_file(paths.shapes))
    return CheckReport(
        validation=validate_graph(data, shapes),  # data already holds the ontology
        quote_problems=check_quotes(data, collected.sources),
        triples=len(data),
        files=list(collected.quads),
    )


def build(paths: Paths, *, full: bool = False) -> BuildReport:
    """Parse, check and load the project's data; nothing is loaded on error.

    Only the graphs whose files changed since the last build are checked and reloaded, unless *full*.
    With ``paths.endpoint`` set the data goes to that SPARQL endpoint instead of the embedded store.
    """
    if paths.endpoint:
        from kg.backend import remote_store

        return _build_remote(paths, remote_store(paths), full=full)
    with write_lock(paths.store):
        return _build_embedded(paths, full=full)


def _raise_if_bad(report: CheckReport) -> None:
    if not report.validation.conforms:
        raise ValidationError(
            "The data does not conform to ontology/shapes.ttl; nothing was loaded.\n"
            + "\n".join(f"  - {v}" for v in report.validation.violations),
            report.validation,
        )
    if report.quote_problems:
        raise QuoteMismatch(
            "Some provenance quotes differ from their source files; nothing was loaded.\n"
            + "\n".join(f"  - {p}" for p in report.quote_problems)
        )


# ---------------------------------------------------------------------------- what changed


@dataclass(frozen=True)
class Fingerprint:
    """The sha256 of everything a build reads, grouped by the named graph it feeds."""

    files: dict[str, dict[str, Any]]
    sources: dict[str, str]
    shapes: str
    ontology: str

    def graph_keys(self) -> dict[str, list[str]]:
        """For each named graph, the checksums it depends on (its files and its source text)."""
        keys: dict[str, list[str]] = {}
        for rel, info in sorted(self.files.items()):
            keys.setdefault(info["graph"], []).append(f"{rel}:{info['sha256']}")
        for sid, sha in sorted(self.sources.items()):
            g = source_graph(sid)
            if g in keys:
                keys[g].append(f"source:{sha}")
        return keys


def fingerprint(paths: Paths) -> Fingerprint:
    """Checksums of the ontology, shapes, fact files and source texts."""
    files = {
        _rel(p, paths): {"sha256": _sha256(p), "graph": str(graph_for(p, paths).value)} for p in data_files(paths)
    }
    sources: dict[str, str] = {}
    if paths.sources.is_dir():
        for p in sorted(paths.sources.iterdir()):
            if p.suffix == ".txt" or p.name.endswith(".meta.json"):
                sid = p.name.split(".", 1)[0]
                sources[sid] = hashlib.sha256((sources.get(sid, "") + _sha256(p)).encode()).hexdigest()
    return Fingerprint(files=files, sources=sources, shapes=_sha256(paths.shapes), ontology=_sha256(paths.ontology))


def _plan(new: Fingerprint, old: dict[str, Any] | None, full: bool) -> tuple[bool, list[str], list[str]]:
    """(full rebuild?, graphs to reload, graphs to remove) from the new fingerprint and the old manifest."""
    if full or not old or old.get("format") != MANIFEST_FORMAT:
        return True, sorted(new.graph_keys()), []
    if old.get("shapes") != new.shapes or old.get("ontology") != new.ontology:
        return True, sorted(new.graph_keys()), []
    before: dict[str, list[str]] = old.get("graph_keys", {})
    after = new.graph_keys()
    changed = sorted(g for g in after if before.get(g) != after[g])
    removed = sorted(g for g in before if g not in after)
    return False, changed, removed


#: Version of the manifest layout; an older manifest means a full build.
MANIFEST_FORMAT = 2


def _manifest(fp: Fingerprint, graphs: dict[str, int], statements: dict[str, int]) -> dict[str, Any]:
    files = {rel: {**info, "statements": statements.get(rel, info.get("statements", 0))}
             for rel, info in fp.files.items()}
    return {
        "format": MANIFEST_FORMAT,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quads": sum(graphs.values()),
        "graphs": dict(sorted(graphs.items())),
        "files": files,
        "graph_keys": fp.graph_keys(),
        "shapes": fp.shapes,
        "ontology": fp.ontology,
        "sources": fp.sources,
    }


# ---------------------------------------------------------------------------- incremental checks


def check_changed(
    paths: Paths,
    changed: dict[str, list[ox.Quad]],
    others: Iterable[ox.Quad],
    old_subjects: Iterable[ox.NamedNode | ox.BlankNode] = (),
) -> CheckReport:
    """Validate the graphs in *changed* (graph IRI → its new quads) against the rest of the data.

    *others* are the statements of every graph that does not change, as parsed from their files (not read
    back from a store: stores may rewrite literals, Oxigraph turns xsd:nonNegativeInteger into xsd:integer);
    *old_subjects* are the subjects the changed or removed graphs had before. The SHACL data is the ontology,
    the new quads, and the part of the other graphs the change can affect: the entities described in the
    change or before it, the entities that point at them, and two hops around those. Violations are
    reported for the nodes that part is about.
    """
    by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]] = {}
    by_object: dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]] = {}
    for q in others:
        if isinstance(q.subject, ox.Triple):
            continue
        by_subject.setdefault(q.subject, []).append(q)
        if isinstance(q.object, ox.NamedNode | ox.BlankNode):
            by_object.setdefault(q.object, []).append(q)
    touched: set[ox.NamedNode | ox.BlankNode] = set(old_subjects)
    for qs in changed.values():
        for q in qs:
            if not isinstance(q.subject, ox.Triple):
                by_subject.setdefault(q.subject, []).append(q)
                touched.add(q.subject)
    focus = set(touched)
    for node in touched:
        focus.update(q.subject for q in by_object.get(node, ()) if not isinstance(q.subject, ox.Triple))
    data: set[ox.Quad] = set()
    frontier = set(focus)
    for hop in range(3):
        next_frontier: set[ox.NamedNode | ox.BlankNode] = set()
        for node in frontier:
            for q in by_subject.get(node, ()):
                if hop == 2 and q.predicate not in _LAST_HOP:  # the last hop only needs types and codes
                    continue
                if q not in data:
                    data.add(q)
                    if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                        next_frontier.add(q.object)
        frontier = next_frontier - focus
    ontology = parse_file(paths.ontology, ox.NamedNode(ONTOLOGY_GRAPH))
    graph = to_rdflib([*ontology, *data])
    shapes = to_rdflib(parse_file(paths.shapes))
    result = validate_graph(graph, shapes)
    keep = {_short_node(n) for n in focus}
    violations = [v for v in result.violations if v.focus in keep]
    validation = ValidationResult(
        conforms=not any(v.severity.endswith("Violation") for v in violations), violations=violations
    )
    sources = load_sources(paths.sources) if paths.sources.is_dir() else {}
    quotes = check_quotes(to_rdflib(q for qs in changed.values() for q in qs), sources)
    return CheckReport(
        validation=validation,
        quote_problems=quotes,
        triples=sum(len(qs) for qs in changed.values()),
        files=[],
    )


_LAST_HOP = {
    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    ox.NamedNode("https://w3id.org/zhaoshang-kg/def#adminCode"),
    ox.NamedNode("https://schema.org/containedInPlace"),
}


def _short_node(node: ox.NamedNode | ox.BlankNode) -> str:
    """The focus-node text :class:`~kg.validate.Violation` uses for *node*."""
    import rdflib

    from kg.validate import _short

    term = rdflib.URIRef(node.value) if isinstance(node, ox.NamedNode) else rdflib.BNode(node.value)
    return _short(term)


# ---------------------------------------------------------------------------- embedded store


def _build_embedded(paths: Paths, *, full: bool) -> BuildReport:
    started = time.perf_counter()
    fp = fingerprint(paths)
    old: dict[str, Any] | None = None
    base: Path | None = None
    if (paths.store / CURRENT).is_file():
        try:
            base = current_generation(paths.store)
            old = read_manifest(paths.store)
        except StoreError:
            base, old = None, None
    is_full, changed, removed = _plan(fp, old, full or base is None)
    if is_full:
        collected = collect(paths)
        report = check(paths, collected)
        _raise_if_bad(report)
        quads: list[ox.Quad] = list(dict.fromkeys(collected.all_quads()))
        quads += derive(quads)
        graphs = _count_graphs(quads)
        statements = {_rel(p, paths): len(qs) for p, qs in collected.quads.items()}
        generation = write_generation(paths.store, quads, _manifest(fp, graphs, statements))
        files = list(collected.quads)
    elif not changed and not removed:
        assert base is not None and old is not None
        return BuildReport(store=paths.store, generation=base, triples=int(old.get("quads", 0)),
                           graphs=dict(old.get("graphs", {})), files=[], seconds=time.perf_counter() - started,
                           target=str(paths.store), full=False)
    else:
        assert base is not None and old is not None
        new_quads, statements, files = _parse_graphs(paths, changed)
        others, _, _ = _parse_graphs(paths, [g for g in fp.graph_keys() if g not in new_quads])
        live = ox.Store.read_only(str(base))
        old_subjects = {
            q.subject
            for g in [*changed, *removed]
            for q in live.quads_for_pattern(None, None, None, ox.NamedNode(g))
            if not isinstance(q.subject, ox.Triple)
        }
        del live
        report = check_changed(paths, new_quads, (q for qs in others.values() for q in qs), old_subjects)
        _raise_if_bad(report)
        # the derived graph depends on every source: recompute it from the whole new data
        derived = derive(q for part in (others, new_quads) for qs in part.values() for q in qs)
        graphs = {g: n for g, n in old.get("graphs", {}).items() if g not in changed and g not in removed}
        for g, qs in new_quads.items():
            graphs[g] = len(qs)
        graphs[DERIVED_GRAPH] = len(derived)
        all_statements = {rel: int(info.get("statements", 0)) for rel, info in old.get("files", {}).items()}
        all_statements.update(statements)
        generation = write_generation(
            paths.store,
            [*(q for qs in new_quads.values() for q in qs), *derived],
            _manifest(fp, graphs, all_statements),
            base=base,
            drop_graphs=[ox.NamedNode(g) for g in [*changed, *removed, DERIVED_GRAPH]],
        )
    return BuildReport(
        store=paths.store,
        generation=generation,
        triples=sum(graphs.values()),
        graphs=graphs,
        files=files,
        seconds=time.perf_counter() - started,
        changed=changed,
        removed=removed,
        target=str(paths.store),
        full=is_full,
    )


def _parse_graphs(paths: Paths, graphs: list[str]) -> tuple[dict[str, list[ox.Quad]], dict[str, int], list[Path]]:
    """Parse the files of *graphs*: quads per graph (duplicates dropped), statements per file, the files."""
    wanted = set(graphs)
    out: dict[str, list[ox.Quad]] = {g: [] for g in graphs}
    statements: dict[str, int] = {}
    files = []
    for p in data_files(paths):
        g = str(graph_for(p, paths).value)
        if g in wanted:
            qs = parse_file(p, ox.NamedNode(g))
            out[g].extend(qs)
            statements[_rel(p, paths)] = len(qs)
            files.append(p)
    return {g: list(dict.fromkeys(qs)) for g, qs in out.items()}, statements, files


def _count_graphs(quads: Iterable[ox.Quad]) -> dict[str, int]:
    graphs: dict[str, int] = {}
    for q in quads:
        key = str(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else ""
        graphs[key] = graphs.get(key, 0) + 1
    return graphs


# ---------------------------------------------------------------------------- remote endpoint

#: The graph where a remote build keeps its manifest; outside the project's graphs, so queries never see it.
MANIFEST_GRAPH = "https://w3id.org/zhaoshang-kg/meta/manifest"
_MANIFEST_NODE = ox.NamedNode(MANIFEST_GRAPH)
_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


def read_remote_manifest(remote: RemoteStore) -> dict[str, Any] | None:
    """The manifest a previous build left on the endpoint, if any."""
    quads = remote.graph_quads(MANIFEST_GRAPH)
    for q in quads:
        if q.predicate == _COMMENT and isinstance(q.object, ox.Literal):
            try:
                loaded: dict[str, Any] = json.loads(q.object.value)
            except json.JSONDecodeError:
                return None
            return loaded
    return None


def _write_remote_manifest(remote: RemoteStore, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    remote.replace_graph(MANIFEST_GRAPH, [ox.Triple(_MANIFEST_NODE, _COMMENT, ox.Literal(text))])


def _build_remote(paths: Paths, remote: RemoteStore, *, full: bool) -> BuildReport:
    started = time.perf_counter()
    fp = fingerprint(paths)
    old = read_remote_manifest(remote)
    is_full, changed, removed = _plan(fp, old, full)
    collected = collect(paths)
    by_graph: dict[str, list[ox.Quad]] = {}
    for p, qs in collected.quads.items():
        by_graph.setdefault(str(graph_for(p, paths).value), []).extend(qs)
    by_graph = {g: list(dict.fromkeys(qs)) for g, qs in by_graph.items()}
    if is_full:
        _raise_if_bad(check(paths, collected))
    elif changed or removed:
        old_subjects = {  # what the graphs held before, to find what pointed at entities that change
            q.subject for g in [*changed, *removed] for q in remote.graph_quads(g)
            if not isinstance(q.subject, ox.Triple)
        }
        others = (q for g, qs in by_graph.items() if g not in changed for q in qs)
        _raise_if_bad(check_changed(paths, {g: by_graph[g] for g in changed}, others, old_subjects))
    statements = {_rel(p, paths): len(qs) for p, qs in collected.quads.items()}
    derived = derive(q for qs in by_graph.values() for q in qs)
    graphs = {g: len(qs) for g, qs in by_graph.items()}
    graphs[DERIVED_GRAPH] = len(derived)
    # The manifest on the server is updated after each graph, so that a load cut short resumes where it was.
    done = dict(old.get("graph_keys", {})) if old and not is_full else {}
    keys = fp.graph_keys()
    manifest = _manifest(fp, graphs, statements)
    if changed or removed:
        # First, from the new data: a load cut short later leaves graphs unmarked, so the retry writes it again.
        remote.replace_graph(DERIVED_GRAPH, derived)
    for g in removed:
        remote.remove_graph(g)
        done.pop(g, None)
        _write_remote_manifest(remote, {**manifest, "graph_keys": done})
    for g in changed:
        remote.replace_graph(g, by_graph[g])
        done[g] = keys[g]
        _write_remote_manifest(remote, {**manifest, "graph_keys": done})
    if is_full:
        for g in remote.project_graphs(refresh=True):
            if g not in by_graph and g != DERIVED_GRAPH:
                remote.remove_graph(g)
                removed.append(g)
    _write_remote_manifest(remote, manifest)
    checkpointed = remote.checkpoint() if changed or removed else None
    return BuildReport(
        store=paths.store,
        generation=None,
        triples=sum(graphs.values()),
        graphs=graphs,
        files=list(collected.quads),
        seconds=time.perf_counter() - started,
        changed=changed,
        removed=removed,
        target=remote.endpoint,
        full=is_full,
        checkpointed=checkpointed,
    )


def _rel(path: Path, paths: Paths) -> str:
    try:
        return str(path.relative_to(paths.project))
    except ValueError:
        return str(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
