"""``kg ingest``: articles in, one draft Turtle file out, written only when every article succeeded."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError
from kg.ingest.draft import DraftWriter
from kg.ingest.extract import extract
from kg.ingest.model import KINDS
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.paths import Paths
from kg.store.export import write_atomic

if TYPE_CHECKING:  # kg/corpus/ is a layer above kg/ingest/: imported where it is used
    from kg.corpus.consolidate import Graph

#: Header line naming the file an article was read from (id, path, encoding, sha256 of its bytes), so that
#: ``kg merge`` can copy it to data/sources/ after checking it is still the file that was read.
SOURCE_LINE = "# kg-ingest-source:"


#: Below this many articles, one process does all the work (starting workers costs more than it saves).
PARALLEL_FROM = 16


@dataclass(frozen=True)
class ArticleInfo:
    """What the summary says about one article."""

    id: str
    encoding: str
    characters: int
    sentences: int
    chrome: int
    date: str


@dataclass(frozen=True)
class Chunk:
    """The draft of one article: its Turtle, counts and review items."""

    info: ArticleInfo
    turtle: str
    counts: dict[str, int]
    reviews: list[str]
    triples: int
    entities: Graph | None = None  #: what consolidation compares (kg.corpus.consolidate), read before the take


@dataclass(frozen=True)
class IngestReport:
    """What a run found, by kind, and what needs review."""

    output: Path
    articles: list[ArticleInfo]
    counts: dict[str, int]
    reviews: list[str]
    triples: int
    seconds: float = 0.0
    encodings: dict[str, str] = field(default_factory=dict)
    merges: int = 0  #: candidate merges recorded in the draft (kg.corpus.consolidate)

    def summary(self) -> str:
        """The review summary: one line per kind, then every item left for review."""
        lines = [f"Ingested {len(self.articles)} article(s) in {self.seconds:.2f} s into {self.output} "
                 f"({self.triples} triples)."]
        for a in self.articles:
            lines.append(f"  {a.id}: {a.encoding}, {a.characters} characters, {a.sentences} sentences "
                         f"({a.chrome} chrome lines set aside), date {a.date or '?'}")
        lines.append("Found, by type:")
        for kind in KINDS:
            if self.counts.get(kind):
                lines.append(f"  {kind:<13}{self.counts[kind]:>6}")
        if self.reviews:
            lines.append(f"For review ({len(self.reviews)}), also listed at the top of the draft:")
            lines += [f"  - {r}" for r in self.reviews[:50]]
            if len(self.reviews) > 50:
                lines.append(f"  … and {len(self.reviews) - 50} more in the draft")
        if self.merges:
            lines.append(f"Candidate merges ({self.merges}) of an entity into one the graph has, listed at the top of "
                         "the draft: decide them with `kg review`.")
        return "\n".join(lines)


def article_files(inputs: Iterable[Path]) -> list[Path]:
    """The ``.txt`` files named, or found directly inside the folders named, in order and without repeats."""
    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() == ".txt")
            if not found:
                raise InputError(f"{p}: holds no .txt articles.")
            out += found
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder.")
    if not out:
        raise InputError("No article given: name one or more .txt files or a folder.")
    seen: set[Path] = set()
    unique = []
    for p in out:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    ids = [p.stem for p in unique]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(f"Two articles share the name {', '.join(dupes)}; rename one (the name becomes its IRI).")
    return unique


_STATE: tuple[KnownGraph, dict[str, str]] | None = None
#: One writer per process, so that a region or a dataset is described once per process, not per article.
_WRITER: DraftWriter | None = None


def _one(path: Path) -> Chunk:
    """Read, extract, resolve and draft one article (in a worker, or in this process)."""
    global _WRITER
    assert _STATE is not None
    known, meta = _STATE
    article = read_article(path, meta)
    if _WRITER is None:
        _WRITER = DraftWriter(known)
    writer = _WRITER
    before = len(writer.g)
    writer.add(extract(article, known))
    from kg.corpus.consolidate import plain_triples, read_plain

    entities = read_plain(plain_triples(writer.g.by_subject)).slim()
    info = ArticleInfo(article.id, article.encoding, len(article.text), len(article.body),
                       len(article.sentences) - len(article.body), article.meta.get("date", ""))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()  # kg merge copies this file only if it still has it
    turtle = f"{SOURCE_LINE} {article.id}\t{path.resolve()}\t{article.encoding}\t{sha}\n" + writer.take()
    chunk = Chunk(info, turtle, dict(writer.counts), writer.reviews, len(writer.g) - before, entities)
    writer.counts.clear()
    writer.reviews = []
    return chunk


def _chunks(files: list[Path], workers: int) -> Iterator[Chunk]:
    if workers <= 1 or len(files) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_one, files)
        return
    # fork: the workers inherit the gazetteer and the known graph instead of unpickling them.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_one, files, chunksize=8)


def ingest(
    paths: Paths,
    inputs: Iterable[Path],
    output: Path,
    meta: dict[str, str] | None = None,
    progress: Callable[[Iterator[Chunk], int], Iterator[Chunk]] | None = None,
    known: KnownGraph | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Read, extract, resolve and write a draft for every article; nothing is written if any one fails.

    Articles are processed in *workers* processes (default: one per CPU) when there are many; every
    article's draft is a self-contained Turtle chunk (entity IRIs are deterministic, so chunks agree).
    """
    global _STATE, _WRITER
    started = time.perf_counter()
    files = article_files(inputs)
    _STATE = (known or load_known(paths), meta or {})
    _WRITER = None
    chunks: list[Chunk] = []
    try:
        stream = _chunks(files, workers if workers is not None else (os.cpu_count() or 1))
        chunks = list(progress(stream, len(files)) if progress else stream)
    finally:
        _STATE, _WRITER = None, None
    reviews = [r for c in chunks for r in c.reviews]
    counts: dict[str, int] = {}
    for c in chunks:
        for k, n in c.counts.items():
            counts[k] = counts.get(k, 0) + n
    header = ["# Draft written by `kg ingest`: review it (`kg review DRAFT.ttl [-o REVIEW.html]`), then merge it",
              "# (`kg merge DRAFT.ttl --decisions DECISIONS.json`, or `--accept-all` to take every fact as is).",
              f"# Each article's facts follow its '{SOURCE_LINE}' line, grouped by type, each under its sentence;",
              "# '#@' comments give the rule and the confidence of a fact."]
    if reviews:
        header.append(f"# REVIEW: {len(reviews)} open item(s), findings left out or facts to confirm:")
        header += [f"#   - [r{i}] {r}" for i, r in enumerate(reviews, 1)]
    else:
        header.append("# REVIEW: no open items.")
    body = "\n".join(c.turtle for c in chunks)
    merges = merge_candidates(paths, [c.entities for c in chunks if c.entities is not None])
    header += merges
    text = "\n".join(header) + "\n\n" + body
    write_atomic(output, text.encode("utf-8"))
    return IngestReport(
        output=output,
        articles=[c.info for c in chunks],
        counts=counts,
        reviews=reviews,
        triples=sum(c.triples for c in chunks),
        seconds=time.perf_counter() - started,
        encodings={c.info.id: c.info.encoding for c in chunks},
        merges=sum(1 for line in merges if line.startswith("#   - [m")),
    )


def merge_candidates(paths: Paths, articles: list[Graph]) -> list[str]:
    """The draft's header lines recording its candidate merges (kg.corpus.consolidate): entities the draft
    mints that are probably ones the graph, or another of the draft's articles, already has."""
    from kg.corpus.consolidate import Graph, draft_lines, find_candidates, known_graph
    from kg.store.build import data_files

    draft = Graph()
    for g in articles:
        draft.update(g)
    if not draft.entities or not paths.facts.is_dir():
        return []
    return draft_lines(find_candidates(draft, known_graph(data_files(paths)[1:])))
