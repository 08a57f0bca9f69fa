"""``kg merge DRAFT.ttl``: validate a reviewed draft with the project's shapes and merge it, all or nothing.

The files (``data/sources/<id>.txt`` when new, ``data/facts/<id>.ingested.ttl``) are written and the store
rebuilt; the build checks the new generation (SHACL and the quote check) before it points ``CURRENT`` at it, and
when anything fails (a shape, a quote, a write) the files written are removed again and the live store is as it
was. The build is incremental (:mod:`kg.store.build`): it starts from a checkpoint of the live generation, loads
the new source's graph, and validates the new statements' entities, what points at them and what they point at
(the focus nodes the change can affect), which finds what a check of the whole staged data finds (tested in
``tests/test_merge_incremental.py``). A build to a remote endpoint writes as it goes, so there the draft is first
checked with the whole data on a staged copy (:func:`kg.store.build.check`), as before.
"""

from __future__ import annotations

import glob
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from kg.backend import build
from kg.errors import InputError, QuoteMismatch, ValidationError
from kg.files import decode_utf8, read_bytes
from kg.ingest.duplicates import find_duplicates
from kg.ingest.existing import existing_about
from kg.ingest.run import SOURCE_LINE
from kg.ingest.text import read_article
from kg.namespaces import PROV, SCHEMA, source_iri
from kg.paths import Paths, make_paths
from kg.shacl.report import ValidationResult
from kg.store.build import BuildReport, check
from kg.store.export import write_atomic, write_error
from kg.store.rdfio import parse_file, to_rdflib


@dataclass(frozen=True)
class MergeReport:
    """The files a merge wrote and the build that followed."""

    written: list[Path]
    build: BuildReport


@dataclass(frozen=True)
class SourceLine:
    """One ``# kg-ingest-source:`` line of a draft: the source id, the article read, and the sha256 of its bytes."""

    id: str
    path: Path
    sha256: str


#: The index of the articles' fingerprints, kept in the store folder (:func:`kg.ingest.duplicates.known_sources`).
DUPLICATES_INDEX = "sources.fingerprints.sqlite"

#: A source id as :func:`kg.ingest.text.source_id` makes it: it becomes a file name in data/sources/ and
#: data/facts/, so Latin letters, digits, '.', '_' and '-' only, never a leading dot or '..'.
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def source_lines(text: str) -> list[SourceLine]:
    """Every ``# kg-ingest-source:`` line of a draft (the sha256 is '' on drafts written before it was recorded)."""
    out = []
    for line in text.splitlines():
        if line.startswith(SOURCE_LINE):
            parts = line[len(SOURCE_LINE):].strip().split("\t")
            if len(parts) >= 2:
                out.append(SourceLine(parts[0], Path(parts[1]), parts[3] if len(parts) >= 4 else ""))
    return out


def draft_sources(text: str) -> list[tuple[str, Path]]:
    """The (source id, article path) pairs a draft's header names."""
    return [(s.id, s.path) for s in source_lines(text)]


def _untrusted_header(paths: Paths, draft: Path, sources: list[SourceLine]) -> list[str]:
    """What is wrong with the header lines of *draft*: ids that would write outside data/, missing or wrong hashes.

    The header is text anyone can edit: it must not choose where files go nor which file is copied. The id must
    be a plain file name, and the article is copied only when its bytes still have the sha256 ``kg ingest``
    recorded when it read them (a draft edited to name another file, ``/some/secret.txt``, is refused).
    """
    problems = []
    for src in sources:
        if not _SAFE_ID.match(src.id) or ".." in src.id:
            problems.append(f"{src.id!r} is not a source id (a plain file name without '/', '..' or a leading dot); "
                            "the draft header was edited. Ingest the article again.")
            continue
        for folder, name in ((paths.sources, f"{src.id}.txt"), (paths.facts, f"{src.id}.ingested.ttl")):
            if (folder / name).resolve().parent != folder.resolve():
                problems.append(f"{src.id}: {folder / name} would lie outside {folder}; ingest the article again.")
        if not _SHA256.match(src.sha256):
            problems.append(f"{src.id}: the draft does not record the checksum of {src.path}; it was written by an "
                            "older kg ingest or edited. Run `kg ingest` on the article again.")
        elif src.path.is_file() and _sha256(src.path) != src.sha256:
            problems.append(f"{src.id}: {src.path} is not the file kg ingest read (its checksum differs); "
                            "ingest it again if it changed.")
    return problems


def _sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks (a draft may name any file, however large)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def plan(paths: Paths, draft: Path) -> dict[Path, bytes]:
    """The files a merge of *draft* would write, relative to the project; raises on any problem."""
    text, _ = decode_utf8(read_bytes(draft), str(draft))
    quads = parse_file(draft)  # a syntax error names the line and column
    lines = source_lines(text)
    sources = [(s.id, s.path) for s in lines]
    if not sources:
        raise InputError(f"{draft}: names no source article (no '{SOURCE_LINE}' line); was it written by kg ingest?")
    untrusted = _untrusted_header(paths, draft, lines)
    if untrusted:
        raise InputError(f"{draft}: nothing was merged:\n" + "\n".join(f"  - {p}" for p in untrusted))
    files: dict[Path, bytes] = {}
    problems = []
    articles = []
    for sid, path in sources:
        existing = sorted(p.name for p in paths.facts.glob(f"{glob.escape(sid)}.*")
                          if p.name != f"{sid}.sentences.ttl")
        if existing:
            problems.append(f"{sid} already has facts in data/facts/ ({', '.join(existing)}); remove them first "
                            "or ingest the article under another file name.")
        target = paths.sources / f"{sid}.txt"
        if not path.is_file() and not target.is_file():
            problems.append(f"{sid}: the article {path} is gone; put it back or copy it to {target}.")
            continue
        article = read_article(path if path.is_file() else target)
        articles.append((sid, article))
        if target.is_file():
            current, _ = decode_utf8(read_bytes(target), str(target))
            if current != article.text:
                problems.append(f"{sid}: data/sources/{sid}.txt differs from {path}; the offsets would not match.")
        else:
            files[Path("data/sources") / f"{sid}.txt"] = article.text.encode("utf-8")
    # an article merged twice (or reposted) would count every figure it reports twice: refused, naming the first
    problems += [f"{d.describe()}; its facts are already in the graph. Nothing of it is merged again."
                 for d in find_duplicates(articles, paths.sources, paths.store / DUPLICATES_INDEX)]
    if problems:
        raise InputError("Nothing was merged:\n" + "\n".join(f"  - {p}" for p in problems))
    graph = to_rdflib(quads)
    for sid, part in _partition(graph, [s for s, _ in sources]).items():
        header = f"# Merged by `kg merge {draft.name}`: facts of {sid} found by `kg ingest` and reviewed.\n"
        body = text if len(sources) == 1 else part.serialize(format="turtle")
        files[Path("data/facts") / f"{sid}.ingested.ttl"] = (header + body).encode("utf-8")
    return files


#: Predicates that name an entity: a draft may add aliases, but a second name of one of these changes what
#: every answer calls an entity the graph already has.
_NAME_PREDICATES = (RDFS.label, SKOS.prefLabel, SCHEMA.name)


def identity_changes(paths: Paths, draft_quads: list[ox.Quad]) -> list[str]:
    """What *draft_quads* would change about entities the project already has: a second label (in a language the
    entity already has a different one in), or ``owl:sameAs`` between two of them. Empty when nothing.

    Only the draft's named subjects and ``owl:sameAs`` ends are looked up (:func:`kg.ingest.existing.existing_about`:
    the store's subject index and the fact files it does not hold yet), not every fact file."""
    names = {ox.NamedNode(str(p)) for p in _NAME_PREDICATES}
    same_as = ox.NamedNode(str(OWL.sameAs))
    rdf_type = ox.NamedNode(str(RDF.type))
    nodes: set[ox.NamedNode | ox.BlankNode] = set()
    for q in draft_quads:
        if q.predicate in names and not isinstance(q.subject, ox.Triple):
            nodes.add(q.subject)
        elif q.predicate == same_as:
            nodes |= {t for t in (q.subject, q.object) if isinstance(t, ox.NamedNode | ox.BlankNode)}
    known = existing_about(paths, nodes)
    out = []
    for q in draft_quads:
        if q.predicate in names and isinstance(q.object, ox.Literal) and not isinstance(q.subject, ox.Triple):
            labels = {o for o in known.objects(q.subject, q.predicate) if isinstance(o, ox.Literal)}
            same_lang = sorted((k for k in labels if k.language == q.object.language), key=lambda k: k.value)
            if same_lang and q.object not in labels:
                out.append(f"{q.subject} already has the label {same_lang[0].value!r}; the draft gives it a second "
                           f"one, {q.object.value!r}")
        elif q.predicate == same_as and isinstance(q.subject, ox.NamedNode | ox.BlankNode) \
                and isinstance(q.object, ox.NamedNode | ox.BlankNode) and q.subject != q.object \
                and known.objects(q.subject, rdf_type) and known.objects(q.object, rdf_type):
            out.append(f"the draft says {q.subject} and {q.object}, two entities the graph already has, are the same "
                       "(owl:sameAs)")
    return out


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


def merge(paths: Paths, draft: Path, *, confirm: bool = False) -> MergeReport:
    """Validate *draft* against the project's shapes and sources, then merge it and rebuild the store.

    A draft that renames an entity the graph already has, or declares two of them the same, is refused unless
    *confirm* (``kg merge --confirm``): such a change alters answers about facts that were already reviewed.
    """
    try:
        files = plan(paths, draft)
        if not confirm:
            changes = identity_changes(paths, parse_file(draft))
            if changes:
                raise InputError(f"{draft}: nothing was merged; it changes entities the graph already has:\n"
                                 + "\n".join(f"  - {c}" for c in changes)
                                 + "\nIf that is meant, run `kg merge --confirm` on the draft; otherwise remove "
                                 "those statements from it.")
        return _merge(paths, draft, files)
    except OSError as exc:  # a name too long, a full disk: nothing was merged, the store is as it was
        raise write_error(Path(exc.filename or paths.project), exc, "Cannot merge: cannot write") from None


def _merge(paths: Paths, draft: Path, files: dict[Path, bytes]) -> MergeReport:
    """Write *files* and build; on any failure remove them again (the store's CURRENT never moved)."""
    if paths.endpoint:
        _staged_check(paths, draft, files)  # a remote build writes as it goes: check everything first
    written: list[Path] = []
    try:
        for rel, data in files.items():
            target = paths.project / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
            written.append(target)
        try:
            report = build(paths)
        except ValidationError as exc:
            if not isinstance(exc.report, ValidationResult):
                raise
            raise _refused(draft, exc.report) from None
        except QuoteMismatch as exc:
            raise QuoteMismatch(f"{draft}: some quotes differ from their source; nothing was merged.\n"
                                + str(exc).split("\n", 1)[-1]) from None
        return MergeReport(written=written, build=report)
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise


def _staged_check(paths: Paths, draft: Path, files: dict[Path, bytes]) -> None:
    """Check the project's data with *files* added on a staged copy, in full (the shapes and the quotes); raise
    on any problem. Used before a build to a remote endpoint; the embedded build checks before it swaps."""
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
    if report.validation.violations:
        raise _refused(draft, report.validation)
    if report.quote_problems:
        raise QuoteMismatch(f"{draft}: some quotes differ from their source; nothing was merged.\n"
                            + "\n".join(f"  - {p}" for p in report.quote_problems))


def _refused(draft: Path, validation: ValidationResult) -> ValidationError:
    problems = [f"  - {v}" for v in validation.violations]
    return ValidationError(f"{draft}: does not conform to the shapes; nothing was merged. "
                           f"Fix these {len(problems)} problem(s) in the draft:\n" + "\n".join(problems), validation)


__all__ = ["MergeReport", "SourceLine", "URIRef", "draft_sources", "identity_changes", "merge", "plan",
           "source_lines"]
