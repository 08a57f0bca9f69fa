"""Turn ``ontology/`` and ``data/`` into a store: parse strictly, check quotes, validate, load all or nothing."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, QuoteMismatch, ValidationError
from kg.namespaces import GRAPH, source_graph
from kg.paths import Paths
from kg.rdfio import FORMATS, parse_file, to_rdflib
from kg.sources import Source, load_sources
from kg.store import write_store
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
    generation: Path
    triples: int
    graphs: dict[str, int]
    files: list[Path]
    seconds: float


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
    return ox.NamedNode(source_graph(path.name.split(".", 1)[0]))


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


def build(paths: Paths) -> BuildReport:
    """Parse, check and load the project's data into a fresh store generation; nothing is loaded on error."""
    started = time.perf_counter()
    collected = collect(paths)
    report = check(paths, collected)
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
    quads = list(dict.fromkeys(collected.all_quads()))
    graphs: dict[str, int] = {}
    for q in quads:
        key = str(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else ""
        graphs[key] = graphs.get(key, 0) + 1
    manifest = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quads": len(quads),
        "graphs": graphs,
        "files": {
            str(p.relative_to(paths.project)): {"sha256": _sha256(p), "statements": len(qs)}
            for p, qs in collected.quads.items()
        },
    }
    generation = write_store(paths.store, quads, manifest)
    return BuildReport(
        store=paths.store,
        generation=generation,
        triples=len(quads),
        graphs=graphs,
        files=list(collected.quads),
        seconds=time.perf_counter() - started,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
