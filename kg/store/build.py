"""Turn ``ontology/`` and ``data/`` into a store: parse strictly, load, check quotes, validate, swap all or nothing.

A build streams every file (parsed strictly: file, line and column on error) into a new store generation,
one named graph per source, and then checks that generation where it lies: the provenance quotes against the
source texts (:mod:`kg.store.quotes`), and the SHACL shapes compiled to SPARQL and run inside Oxigraph
(:mod:`kg.shacl`). Only when both pass does it add the derived graph (:mod:`kg.store.derive`) and point
``CURRENT`` at the new generation; otherwise the generation is deleted and the live store stays as it was.
Nothing holds the whole data in Python, so memory stays flat from one article to millions of statements.

Builds are incremental. The manifest of the live store records the sha256 of every file it was built from;
the next build copies the live generation (hard links), drops the named graphs whose files (or source text)
changed or went away, loads their new contents, and validates only what the change can affect: every entity
the changed graphs describe now or described before, and the entities that point at those (SHACL's focus
nodes; the checks still see the whole store, so ``sh:class`` finds types stated by other sources), and what
the new statements point at (``sh:targetObjectsOf``). A build that only adds graphs (``kg merge``) keeps the
derived graph and updates it where the new statements reach (:mod:`kg.store.rederive`). A change to the
ontology or the shapes, or ``full=True``, rebuilds and revalidates everything.

This module builds the embedded store at ``paths.store`` and holds what every build shares: the files and the
graph each feeds, their fingerprint and plan, the load, the checks and :class:`BuildReport`. A build to a remote
SPARQL endpoint (``paths.endpoint``) is :mod:`kg.remote.build`, which uses them; :func:`build` lets
:func:`kg.backend.backend_for` choose between the two, once.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QuoteMismatch, StoreError, ValidationError
from kg.namespaces import GRAPH, source_graph
from kg.paths import Paths
from kg.shacl.compile import compile_shapes
from kg.shacl.report import QuoteProblem, ValidationResult
from kg.shacl.run import ShapeProgram
from kg.store.derive import DERIVED_GRAPH, check_graph_name, derive_store
from kg.store.export import write_error
from kg.store.generations import (
    CURRENT,
    current_generation,
    new_generation,
    read_manifest,
    sweep,
    verify_generation,
    write_lock,
)
from kg.store.investment import investment_rollups
from kg.store.loader import LoadStats, Subject, graph_subjects, load_graphs, nquads, referrers
from kg.store.quotes import QuoteChecker
from kg.store.rdfio import FORMATS, parse_file
from kg.store.rederive import update_derived
from kg.store.references import SHAPE, ReferenceTracker, focus_rows
from kg.store.references import applies as answers_references
from kg.store.rollups import rollups
from kg.store.stages import current_stages

ONTOLOGY_GRAPH = f"{GRAPH}ontology"


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
    #: Seconds per step: ``load`` (parse and load), ``quotes``, ``validate``, ``derive``, ``commit``.
    timings: dict[str, float] = field(default_factory=dict)
    #: When a build that only added sources updated the derived graph in place (:mod:`kg.store.rederive`): which
    #: investment rollups it recomputed, "all" or "N cell(s)"; "" when the derived graph was computed afresh.
    rederived: str = ""

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
    # resolve() costs a system call per path: only for a file named as the ontology is (a thousand files a build)
    if path.name == paths.ontology.name and path.resolve() == paths.ontology.resolve():
        return ox.NamedNode(ONTOLOGY_GRAPH)
    graph = source_graph(path.name.split(".", 1)[0])
    check_graph_name(graph, path)
    return ox.NamedNode(graph)


def files_by_graph(paths: Paths, graphs: Iterable[str] | None = None) -> dict[str, list[Path]]:
    """The files of every named graph (or of *graphs* only), in build order."""
    wanted = None if graphs is None else set(graphs)
    out: dict[str, list[Path]] = {}
    for path in data_files(paths):
        g = str(graph_for(path, paths).value)
        if wanted is None or g in wanted:
            out.setdefault(g, []).append(path)
    return out


def shape_program(paths: Paths) -> ShapeProgram:
    """The project's shapes, compiled to the SPARQL checks that run inside the store."""
    return compile_shapes(parse_file(paths.shapes))


def check_store(
    store: ox.Store,
    quotes: QuoteChecker,
    *,
    program: ShapeProgram,
    focus: set[Subject] | None = None,
    timings: dict[str, float] | None = None,
    references: ReferenceTracker | None = None,
) -> CheckReport:
    """Check a loaded store: the quotes *quotes* saw during the load, and the shapes (for *focus*, or all).

    *references*: what the load saw of every statement, to answer the dangling-reference shape (full builds);
    with *focus*, that shape is answered by lookups from the focus nodes (:func:`kg.store.references.focus_rows`).
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    problems = quotes.finish(store)
    timings["quotes"] = timings.get("quotes", 0.0) + time.perf_counter() - started
    started = time.perf_counter()
    precomputed = {SHAPE: references.rows()} if references is not None else None
    if focus is not None and answers_references(program):
        precomputed = {SHAPE: focus_rows(store, focus)}
    validation = program.validate(store, focus=focus, precomputed=precomputed)
    timings["validate"] = timings.get("validate", 0.0) + time.perf_counter() - started
    return CheckReport(validation=validation, quote_problems=problems, triples=len(store), files=[])


def load_groups(store: ox.Store, groups: dict[str, list[Path]], quotes: QuoteChecker, timings: dict[str, float],
                keep_subjects: bool = False, quote_graphs: set[str] | None = None,
                references: ReferenceTracker | None = None) -> LoadStats:
    """Load *groups* into *store*, letting *quotes* see each graph (or those in *quote_graphs*), and
    *references* every graph.

    The load, the quote check and the reference tracking (counted as validation) are timed apart.
    """
    spent = [0.0]
    tracked = [0.0]

    def inspect(graph: str, quads: list[ox.Quad]) -> None:
        if references is not None:
            started = time.perf_counter()
            references.see(quads)
            tracked[0] += time.perf_counter() - started
        if not quads or (quote_graphs is not None and graph not in quote_graphs):
            return
        started = time.perf_counter()
        quotes.graph(quads)
        spent[0] += time.perf_counter() - started

    started = time.perf_counter()
    stats = load_graphs(store, groups, keep_subjects=keep_subjects, inspect=inspect)
    timings["load"] = time.perf_counter() - started - spent[0] - tracked[0]
    timings["quotes"] = spent[0]
    if references is not None:
        timings["validate"] = timings.get("validate", 0.0) + tracked[0]
    return stats


def check(paths: Paths) -> CheckReport:
    """Validate the data against the shapes and the quotes against the sources, without touching the store.

    The files are loaded into a temporary in-memory store, where the same checks as a build's run.
    """
    program = shape_program(paths)  # a broken shapes file fails before any data is read
    store = ox.Store()
    groups = files_by_graph(paths)
    quotes = QuoteChecker(paths.sources)
    load_groups(store, groups, quotes, {})
    report = check_store(store, quotes, program=program)
    return CheckReport(validation=report.validation, quote_problems=report.quote_problems,
                       triples=report.triples, files=[f for fs in groups.values() for f in fs])


def build_embedded(paths: Paths, *, full: bool = False) -> BuildReport:
    """:func:`kg.backend.build` into the embedded store at ``paths.store``, under its write lock; first removes
    what killed builds left behind. A write that fails (a full disk, a store path too long, no permission) is an
    error naming the path and its cause; the live store is untouched."""
    try:
        with write_lock(paths.store):
            sweep(paths.store)  # what killed builds left behind
            return _build_embedded(paths, full=full)
    except OSError as exc:
        name = os.path.abspath(exc.filename) if isinstance(exc.filename, str) else ""
        store = str(paths.store.absolute())
        if name and name != store and not name.startswith(store + os.sep):  # one of the files read, not written
            raise InputError(f"{name}: cannot read it ({exc.strerror}); nothing was loaded.") from None
        raise write_error(paths.store, exc, "Cannot write the store") from None


def _compact(store: ox.Store, timings: dict[str, float]) -> None:
    """Compact a freshly bulk-loaded store before it is read.

    A bulk load leaves many overlapping RocksDB files, and every index seek then looks into each of them. At a
    million statements one compaction (about 2 s) makes the lookups of the shapes, the derivation and later
    questions two to three times faster: validation 10.4 s → 6.0 s, the catalogue's lists about a third
    faster. Incremental builds add a few small files to a compacted base and skip it.
    """
    started = time.perf_counter()
    store.optimize()
    timings["compact"] = time.perf_counter() - started


def raise_if_bad(report: CheckReport) -> None:
    """Raise :class:`ValidationError` or :class:`QuoteMismatch` when *report* found a problem."""
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


def derived_statements(store: ox.Store) -> list[ox.Quad]:
    """The derived graph for the data of *store*: the place closure, the question shortcuts, the investment rollups."""
    closure = derive_store(store)
    return [*closure, *rollups(store), *investment_rollups(store, closure), *current_stages(store)]


def _timed(fn: Callable[[ox.Store], list[ox.Quad]], store: ox.Store) -> tuple[list[ox.Quad], float]:
    started = time.perf_counter()
    return fn(store), time.perf_counter() - started


def _add_derived(store: ox.Store, derived: list[ox.Quad], seconds: float, timings: dict[str, float]) -> int:
    """Add *derived* (computed in *seconds*, beside the checks) to *store*; return its size."""
    started = time.perf_counter()
    store.bulk_load(nquads(derived, ox.NamedNode(DERIVED_GRAPH)), format=ox.RdfFormat.N_QUADS)
    timings["derive"] = seconds + time.perf_counter() - started
    return len(derived)


def _derive_into(store: ox.Store, timings: dict[str, float]) -> int:
    """Add the derived graph to *store* (which holds none); return its size."""
    return _add_derived(store, *_timed(derived_statements, store), timings)


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
        relative(p, paths): {"sha256": _sha256(p), "graph": str(graph_for(p, paths).value)} for p in data_files(paths)
    }
    sources: dict[str, str] = {}
    if paths.sources.is_dir():
        for p in sorted(paths.sources.iterdir()):
            if p.suffix == ".txt" or p.name.endswith(".meta.json"):
                sid = p.name.split(".", 1)[0]
                sources[sid] = hashlib.sha256((sources.get(sid, "") + _sha256(p)).encode()).hexdigest()
    return Fingerprint(files=files, sources=sources, shapes=_sha256(paths.shapes), ontology=_sha256(paths.ontology))


def plan(new: Fingerprint, old: dict[str, Any] | None, full: bool) -> tuple[bool, list[str], list[str]]:
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


def manifest(fp: Fingerprint, graphs: dict[str, int], statements: dict[str, int]) -> dict[str, Any]:
    """The manifest of a build: the fingerprint, the statements per graph and per file (:func:`relative` path)."""
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
        if base is not None and verify_generation(base):
            base, old = None, None  # damaged (a file removed or cut short): rebuilt in full, not "up to date"
    is_full, changed, removed = plan(fp, old, full or base is None)
    if not is_full and not changed and not removed:
        assert base is not None and old is not None
        return BuildReport(store=paths.store, generation=base, triples=int(old.get("quads", 0)),
                           graphs=dict(old.get("graphs", {})), files=[], seconds=time.perf_counter() - started,
                           target=str(paths.store), full=False)
    program = shape_program(paths)  # a broken shapes file fails before anything is loaded
    timings: dict[str, float] = {}
    rederived = ""
    groups = files_by_graph(paths, None if is_full else changed)
    if is_full:
        with new_generation(paths.store) as gen:
            quotes = QuoteChecker(paths.sources)
            tracker = ReferenceTracker() if answers_references(program) else None
            stats = load_groups(gen.store, groups, quotes, timings, references=tracker)
            _compact(gen.store, timings)
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-derive") as pool:
                # derived beside the checks, which leave a core idle at times; added once they pass
                derived = pool.submit(_timed, derived_statements, gen.store)
                raise_if_bad(check_store(gen.store, quotes, program=program, timings=timings, references=tracker))
                graphs = dict(stats.graphs)
                graphs[DERIVED_GRAPH] = _add_derived(gen.store, *derived.result(), timings)
            t = time.perf_counter()
            generation = gen.commit(manifest(fp, graphs, {relative(p, paths): n for p, n in stats.statements.items()}))
            timings["commit"] = time.perf_counter() - t
    else:
        assert base is not None and old is not None
        live = ox.Store.read_only(str(base))
        before = graph_subjects(live, [*changed, *removed])
        del live
        # a build that only adds sources (kg merge) updates the derived graph where the new statements reach
        # (kg.store.rederive) instead of dropping it (23 s at a million statements) and recomputing all of it
        additive = not removed and not any(g in old.get("graphs", {}) for g in changed)
        drop = [ox.NamedNode(g) for g in [*changed, *removed, *([] if additive else [DERIVED_GRAPH])]]
        with new_generation(paths.store, base=base, drop_graphs=drop) as gen:
            quotes = QuoteChecker(paths.sources)
            stats = load_groups(gen.store, groups, quotes, timings, keep_subjects=True)
            # the focus: every entity the change describes now or described before, and what points at them;
            # and what the new statements point at (a shape with sh:targetObjectsOf may now target it)
            touched = before | stats.subjects
            focus = touched | referrers(gen.store, touched) | stats.objects
            raise_if_bad(check_store(gen.store, quotes, program=program, focus=focus, timings=timings))
            graphs = {g: n for g, n in old.get("graphs", {}).items() if g not in changed and g not in removed}
            graphs.update(stats.graphs)
            if additive:
                added = [q for g in changed for q in gen.store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
                derived_before = old.get("graphs", {}).get(DERIVED_GRAPH)
                graphs[DERIVED_GRAPH], rederived = update_derived(
                    gen.store, added, timings, derived_before if isinstance(derived_before, int) else None)
            else:
                graphs[DERIVED_GRAPH] = _derive_into(gen.store, timings)
            statements = {rel: int(info.get("statements", 0)) for rel, info in old.get("files", {}).items()}
            statements.update({relative(p, paths): n for p, n in stats.statements.items()})
            t = time.perf_counter()
            generation = gen.commit(manifest(fp, graphs, statements))
            timings["commit"] = time.perf_counter() - t
    return BuildReport(
        store=paths.store,
        generation=generation,
        triples=sum(graphs.values()),
        graphs=graphs,
        files=[f for fs in groups.values() for f in fs],
        seconds=time.perf_counter() - started,
        changed=changed,
        removed=removed,
        target=str(paths.store),
        full=is_full,
        timings={k: round(v, 3) for k, v in timings.items()},
        rederived=rederived,
    )


def relative(path: Path, paths: Paths) -> str:
    """*path* relative to the project folder (as the manifest names files), or whole when outside it."""
    try:
        return str(path.relative_to(paths.project))
    except ValueError:
        return str(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
