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


def known_sources(sources: Path) -> list[Fingerprint]:
    """The fingerprints of every article in *sources* (``data/sources/*.txt``), by file name."""
    if not sources.is_dir():
        return []
    return [fingerprint(read_article(p), p.stem) for p in sorted(sources.glob("*.txt"))]


def find_duplicates(new: list[tuple[str, Article]], sources: Path) -> list[Duplicate]:
    """Every (source id, article) of *new* that repeats an article in *sources* or an earlier one of *new*
    (the source of the same id excepted: that one is the article itself)."""
    seen = known_sources(sources)
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
