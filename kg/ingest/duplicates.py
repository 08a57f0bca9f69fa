"""Is this article one the project already has? Exact copies and near-duplicate reposts, before anything is merged.

An article reposted by another outlet comes back with other whitespace, full-width or half-width punctuation,
traditional characters, a changed headline or an editor's line added. Merging it again would double every figure
it reports, so :func:`find_duplicates` compares it with every article in ``data/sources/``:

- its **fingerprint**: the sha256 of the body text (page chrome set aside) after simplifying traditional
  characters, folding full-width forms (both as :func:`kg.ingest.text.read_article` does) and dropping every
  whitespace and punctuation character. Equal fingerprints are the same text;
- its **shingles**: the set of 5-character runs of that normalised text. Two articles are near duplicates when
  their Jaccard overlap is at least :data:`NEAR_JACCARD` or one lies at least :data:`NEAR_CONTAINMENT` inside
  the other while at least half its length (a repost cut short or with a paragraph added). Two different
  reports on one event share far less: names, places and figures recur, the sentences around them do not.

Exact sets are compared rather than MinHash sketches (datasketch): a project holds hundreds of articles, a
comparison is a set intersection of a few thousand strings, and an exact figure leaves no false "duplicate".
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.ingest.text import Article, read_article

#: Shingle length in characters: 5 Chinese characters are about two words, rare enough to tell texts apart.
SHINGLE = 5
#: Jaccard overlap of shingles from which two articles are one repost of the other.
NEAR_JACCARD = 0.8
#: Share of the shorter article's shingles found in the longer from which it is taken as a cut or extended repost.
NEAR_CONTAINMENT = 0.9
#: ... provided it keeps at least half of the longer one: a news flash that quotes one sentence of a long report
#: lies inside it, yet is another article (its own facts, another source of the same figure).
NEAR_SIZE = 0.5


@dataclass(frozen=True)
class Fingerprint:
    """What is compared of one article: its normalised text's hash and shingles."""

    id: str
    path: Path
    sha256: str
    shingles: frozenset[str]


@dataclass(frozen=True)
class Duplicate:
    """An article found again: the earlier source, how (``exact`` or ``near``) and the overlap measured."""

    id: str
    earlier: str
    earlier_path: Path
    kind: str
    jaccard: float
    containment: float

    def describe(self) -> str:
        """One line for a refusal message."""
        if self.kind == "exact":
            how = "the same text (after normalising whitespace, punctuation and traditional characters)"
        else:
            how = (f"a near-duplicate repost ({self.jaccard:.0%} of their 5-character runs shared, "
                   f"{self.containment:.0%} of the shorter inside the longer)")
        return f"{self.id} is {how} of the earlier source {self.earlier} ({self.earlier_path})"


def normalise(article: Article) -> str:
    """The body of *article* as compared: simplified, full-width folded, no whitespace or punctuation."""
    match = article.match or article.text
    body = "".join(match[s.start:s.end] for s in article.body)
    return "".join(ch for ch in unicodedata.normalize("NFKC", body)
                   if not unicodedata.category(ch).startswith(("P", "Z", "C", "S")))


def fingerprint(article: Article, sid: str = "") -> Fingerprint:
    """The fingerprint of an article read by :func:`kg.ingest.text.read_article` (*sid*: its source id)."""
    text = normalise(article)
    shingles = frozenset(text[i:i + SHINGLE] for i in range(max(1, len(text) - SHINGLE + 1))) if text else frozenset()
    return Fingerprint(sid or article.id, article.path, hashlib.sha256(text.encode("utf-8")).hexdigest(), shingles)


def compare(new: Fingerprint, old: Fingerprint) -> Duplicate | None:
    """*new* as a duplicate of *old*, or None when they are different articles."""
    if not new.shingles or not old.shingles:
        return None
    if new.sha256 == old.sha256:
        return Duplicate(new.id, old.id, old.path, "exact", 1.0, 1.0)
    shared = len(new.shingles & old.shingles)
    jaccard = shared / len(new.shingles | old.shingles)
    containment = shared / min(len(new.shingles), len(old.shingles))
    cut = min(len(new.shingles), len(old.shingles)) >= NEAR_SIZE * max(len(new.shingles), len(old.shingles))
    if jaccard >= NEAR_JACCARD or (containment >= NEAR_CONTAINMENT and cut):
        return Duplicate(new.id, old.id, old.path, "near", jaccard, containment)
    return None


def known_sources(sources: Path, index: Path | None = None) -> list[Fingerprint]:
    """The fingerprints of every article in *sources* (``data/sources/*.txt``), by file name.

    With *index* (a SQLite file, kept beside the store), each fingerprint is kept there under the sha256 of the
    article's bytes and of its ``.meta.json``, and read back while those are unchanged: reading an article
    (simplifying its characters, finding its body) is most of the time of a merge into a thousand articles
    (9 s), reading its kept fingerprint a fraction of a millisecond. A file that changed is read again, one that
    went away is forgotten; an index that cannot be opened or written is ignored, and everything is read.
    """
    if not sources.is_dir():
        return []
    files = sorted(sources.glob("*.txt"))
    if index is None:
        return [fingerprint(read_article(p), p.stem) for p in files]
    try:
        return _indexed(files, index)
    except (sqlite3.Error, OSError):
        return [fingerprint(read_article(p), p.stem) for p in files]


#: Version of what the index keeps: a change to the normalisation or the shingles must read every article again.
INDEX_FORMAT = f"1:{SHINGLE}"


def _indexed(files: list[Path], index: Path) -> list[Fingerprint]:
    index.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(index, timeout=30)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS fingerprint (name TEXT PRIMARY KEY, key TEXT NOT NULL, "
                   "sha256 TEXT NOT NULL, shingles TEXT NOT NULL)")
        kept = {name: (key, sha, shingles) for name, key, sha, shingles in
                db.execute("SELECT name, key, sha256, shingles FROM fingerprint")}
        out: list[Fingerprint] = []
        fresh: list[tuple[str, str, str, str]] = []
        for p in files:
            key = _file_key(p)
            row = kept.get(p.name)
            if row is not None and row[0] == key:
                out.append(Fingerprint(p.stem, p, row[1], frozenset(row[2].split("\n")) if row[2] else frozenset()))
                continue
            fp = fingerprint(read_article(p), p.stem)
            out.append(fp)
            fresh.append((p.name, key, fp.sha256, "\n".join(sorted(fp.shingles))))
        gone = [(name,) for name in kept.keys() - {p.name for p in files}]
        if fresh or gone:
            with db:
                db.executemany("INSERT OR REPLACE INTO fingerprint VALUES (?, ?, ?, ?)", fresh)
                db.executemany("DELETE FROM fingerprint WHERE name = ?", gone)
        return out
    finally:
        db.close()


def _file_key(path: Path) -> str:
    """What a kept fingerprint depends on: the article's bytes, its ``.meta.json`` (title, dates) and the format."""
    digest = hashlib.sha256(INDEX_FORMAT.encode())
    digest.update(hashlib.sha256(path.read_bytes()).digest())
    meta = path.with_name(path.stem + ".meta.json")
    if meta.is_file():
        digest.update(hashlib.sha256(meta.read_bytes()).digest())
    return digest.hexdigest()


def find_duplicates(new: list[tuple[str, Article]], sources: Path, index: Path | None = None) -> list[Duplicate]:
    """Every (source id, article) of *new* that repeats an article in *sources* or an earlier one of *new*
    (the source of the same id excepted: that one is the article itself). *index*: see :func:`known_sources`."""
    seen = known_sources(sources, index)
    out = []
    for sid, article in new:
        fp = fingerprint(article, sid)
        for old in seen:
            if old.id == fp.id:
                continue
            dup = compare(fp, old)
            if dup is not None:
                out.append(dup)
                break
        seen.append(fp)
    return out
