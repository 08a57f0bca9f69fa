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
from kg.ingest.facts.base_writer import MIN_CONFIDENCE
from kg.ingest.model import KINDS
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.namespaces import source_iri
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
    head: str  #: the source line and the @prefix lines
    #: (Turtle text, triples, shared) in the draft's order: a shared block (a region, an entity) may be one an
    #: earlier article wrote word for word; the article's own blocks are joined
    blocks: list[tuple[str, int, bool]]
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


_STATE: tuple[KnownGraph, dict[str, str], float] | None = None
#: One writer per process, so that a region or a dataset is described once per process, not per article.
_WRITER: DraftWriter | None = None


def _one(path: Path) -> Chunk:
    """Read, extract, resolve and draft one article (in a worker, or in this process)."""
    global _WRITER
    assert _STATE is not None
    known, meta, min_confidence = _STATE
    article = read_article(path, meta)
    if _WRITER is None:
        _WRITER = DraftWriter(known, min_confidence)
    writer = _WRITER
    before = len(writer.g)
    writer.start_article()  # the article's draft depends on it alone, not on what this process drafted before
    writer.add(extract(article, known))
    from kg.corpus.consolidate import plain_triples, read_plain

    entities = read_plain(plain_triples(writer.g.by_subject)).slim()
    info = ArticleInfo(article.id, article.encoding, len(article.text), len(article.body),
                       len(article.sentences) - len(article.body), article.meta.get("date", ""))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()  # kg merge copies this file only if it still has it
    (_, prefixes, _), *blocks = writer.take_blocks()
    head = f"{SOURCE_LINE} {article.id}\t{path.resolve()}\t{article.encoding}\t{sha}\n" + prefixes
    chunk = Chunk(info, head, _compact(blocks, article.id), dict(writer.counts), writer.reviews,
                  len(writer.g) - before, entities)
    writer.counts.clear()
    writer.reviews = []
    return chunk


def _compact(blocks: list[tuple[str, str, int]], article_id: str) -> list[tuple[str, int, bool]]:
    """The blocks as (text, triples, shared): the runs of blocks only this article can write (the article, its
    sentences, the facts minted from them: ``…/total/ID-s001-0012``) joined into one, and every other block
    (a region, an entity another article may describe alike) kept apart for :func:`assemble`. Which is which
    only decides what is compared, never what is written."""
    source = source_iri(article_id)
    scoped = f"/{article_id}-s"
    out: list[tuple[str, int, bool]] = []
    run: list[str] = []
    count = 0
    for s, text, n in blocks:
        if s == source or s.startswith(source + "/") or scoped in s:
            run.append(text)
            count += n
            continue
        if run:
            out.append(("\n".join(run), count, False))
            run, count = [], 0
        out.append((text, n, True))
    if run:
        out.append(("\n".join(run), count, False))
    return out


def _chunks(files: list[Path], workers: int) -> Iterator[Chunk]:
    if workers <= 1 or len(files) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_one, files)
        return
    # fork: the workers inherit the gazetteer and the known graph instead of unpickling them.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_one, files, chunksize=8)


def assemble(chunks: list[Chunk]) -> tuple[list[str], int]:
    """The chunks' Turtle texts in article order (to be joined by newlines), each shared block that an earlier
    article wrote word for word left out (a region, a dataset, an entity described alike), and the number of
    triples written.

    Every chunk depends on its article alone (:meth:`DraftWriter.start_article`) and the choice is made here,
    in input order, so the draft's bytes do not depend on how many workers drafted the articles."""
    seen: set[bytes] = set()
    texts: list[str] = []
    triples = 0
    for c in chunks:
        texts.append(c.head)
        for text, n, shared in c.blocks:
            if shared:
                key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
                if key in seen:
                    continue
                seen.add(key)
            texts.append(text)
            triples += n
    return texts, triples


def ingest(
    paths: Paths,
    inputs: Iterable[Path],
    output: Path,
    meta: dict[str, str] | None = None,
    progress: Callable[[Iterator[Chunk], int], Iterator[Chunk]] | None = None,
    known: KnownGraph | None = None,
    workers: int | None = None,
    min_confidence: float = MIN_CONFIDENCE,
) -> IngestReport:
    """Read, extract, resolve and write a draft for every article; nothing is written if any one fails.

    Articles are processed in *workers* processes (default: one per CPU) when there are many; every
    article's draft is a self-contained Turtle chunk (entity IRIs are deterministic, so chunks agree).
    A candidate below *min_confidence* is a review item, not a fact.
    """
    global _STATE, _WRITER
    started = time.perf_counter()
    files = article_files(inputs)
    _STATE = (known or load_known(paths), meta or {}, min_confidence)
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
    merges = merge_candidates(paths, [c.entities for c in chunks if c.entities is not None])
    header += merges
    texts, triples = assemble(chunks)
    write_atomic(output, "\n".join(["\n".join(header) + "\n", *texts]).encode("utf-8"))  # one copy, not three
    del texts
    return IngestReport(
        output=output,
        articles=[c.info for c in chunks],
        counts=counts,
        reviews=reviews,
        triples=triples,
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
