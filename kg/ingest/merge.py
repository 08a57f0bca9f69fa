"""``kg merge DRAFT.ttl``: validate a reviewed draft with the project's shapes and merge it, all or nothing.

The draft and the source texts it cites are staged next to a copy of the project's data and checked there
(SHACL and the quote check of :func:`kg.store.build.check`). Only when everything conforms are the files written
(``data/sources/<id>.txt`` when new, ``data/facts/<id>.ingested.ttl``) and the store rebuilt; if that build
fails, the files written are removed again.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import URIRef

from kg.errors import InputError, QuoteMismatch, ValidationError
from kg.files import decode_utf8, read_bytes
from kg.ingest.run import SOURCE_LINE
from kg.ingest.text import read_article
from kg.namespaces import PROV, source_iri
from kg.paths import Paths, make_paths
from kg.store.build import BuildReport, build, check
from kg.store.export import write_atomic
from kg.store.rdfio import parse_file, to_rdflib


@dataclass(frozen=True)
class MergeReport:
    """The files a merge wrote and the build that followed."""

    written: list[Path]
    build: BuildReport


def draft_sources(text: str) -> list[tuple[str, Path]]:
    """The (source id, article path) pairs a draft's header names."""
    out = []
    for line in text.splitlines():
        if line.startswith(SOURCE_LINE):
            parts = line[len(SOURCE_LINE):].strip().split("\t")
            if len(parts) >= 2:
                out.append((parts[0], Path(parts[1])))
    return out


def plan(paths: Paths, draft: Path) -> dict[Path, bytes]:
    """The files a merge of *draft* would write, relative to the project; raises on any problem."""
    text, _ = decode_utf8(read_bytes(draft), str(draft))
    quads = parse_file(draft)  # a syntax error names the line and column
    sources = draft_sources(text)
    if not sources:
        raise InputError(f"{draft}: names no source article (no '{SOURCE_LINE}' line); was it written by kg ingest?")
    files: dict[Path, bytes] = {}
    problems = []
    for sid, path in sources:
        existing = sorted(p.name for p in paths.facts.glob(f"{sid}.*") if p.name != f"{sid}.sentences.ttl")
        if existing:
            problems.append(f"{sid} already has facts in data/facts/ ({', '.join(existing)}); remove them first "
                            "or ingest the article under another file name.")
        target = paths.sources / f"{sid}.txt"
        if not path.is_file() and not target.is_file():
            problems.append(f"{sid}: the article {path} is gone; put it back or copy it to {target}.")
            continue
        article = read_article(path if path.is_file() else target)
        if target.is_file():
            current, _ = decode_utf8(read_bytes(target), str(target))
            if current != article.text:
                problems.append(f"{sid}: data/sources/{sid}.txt differs from {path}; the offsets would not match.")
        else:
            files[Path("data/sources") / f"{sid}.txt"] = article.text.encode("utf-8")
    if problems:
        raise InputError("Nothing was merged:\n" + "\n".join(f"  - {p}" for p in problems))
    graph = to_rdflib(quads)
    for sid, part in _partition(graph, [s for s, _ in sources]).items():
        header = f"# Merged by `kg merge {draft.name}`: facts of {sid} found by `kg ingest` and reviewed.\n"
        body = text if len(sources) == 1 else part.serialize(format="turtle")
        files[Path("data/facts") / f"{sid}.ingested.ttl"] = (header + body).encode("utf-8")
    return files


def _partition(graph: rdflib.Graph, ids: list[str]) -> dict[str, rdflib.Graph]:
    """Split a draft by source: a subject goes with the source its IRI or its provenance names."""
    owner: dict[rdflib.term.Node, str] = {}
    for s in set(graph.subjects()):
        for sid in ids:
            base = source_iri(sid)
            if str(s) == base or str(s).startswith(base + "/") or any(
                    str(o).startswith(base + "/") for o in graph.objects(s, PROV.wasDerivedFrom)):
                owner[s] = sid
                break
    parts = {sid: rdflib.Graph(namespace_manager=graph.namespace_manager) for sid in ids}
    for s, p, o in graph:
        parts[owner.get(s, ids[0])].add((s, p, o))
    return parts


def merge(paths: Paths, draft: Path) -> MergeReport:
    """Validate *draft* against the project's shapes and sources, then merge it and rebuild the store."""
    files = plan(paths, draft)
    with tempfile.TemporaryDirectory(prefix="kg-merge-") as tmp:
        stage = Path(tmp)
        shutil.copytree(paths.project / "ontology", stage / "ontology")
        shutil.copytree(paths.facts, stage / "data" / "facts")
        if paths.sources.is_dir():
            shutil.copytree(paths.sources, stage / "data" / "sources")
        for rel, data in files.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage / rel).write_bytes(data)
        report = check(make_paths(stage, stage / "store"))
    problems = [f"  - {v}" for v in report.validation.violations]
    if problems:
        raise ValidationError(f"{draft}: does not conform to the shapes; nothing was merged. "
                              f"Fix these {len(problems)} problem(s) in the draft:\n" + "\n".join(problems),
                              report.validation)
    if report.quote_problems:
        raise QuoteMismatch(f"{draft}: some quotes differ from their source; nothing was merged.\n"
                            + "\n".join(f"  - {p}" for p in report.quote_problems))
    written: list[Path] = []
    try:
        for rel, data in files.items():
            target = paths.project / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
            written.append(target)
        return MergeReport(written=written, build=build(paths))
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise


__all__ = ["MergeReport", "URIRef", "draft_sources", "merge", "plan"]
