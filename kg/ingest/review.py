"""``kg review DRAFT.ttl``: what a draft proposes, as a reviewer reads it.

The candidates are the draft's facts grouped by type, each with its sentence, its places and organisations by
name (never by code), and the rule and confidence that made it (the ``#@`` comments); the open review items
are the header's numbered ``[rN]`` lines. :func:`format_review` prints them as a plain table, and
:mod:`kg.ingest.reviewpage` as an offline page that saves a decisions file (:mod:`kg.ingest.decisions`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS

from kg.files import decode_utf8, read_bytes
from kg.ingest.gazetteer import division_table
from kg.ingest.run import SOURCE_LINE
from kg.ingest.turtle import GROUPS, read_meta_comments
from kg.namespaces import OA, PROV, SCHEMA, ZR, ZS
from kg.store.rdfio import parse_file, to_rdflib

if TYPE_CHECKING:  # kg/corpus/ is a layer above kg/ingest/: imported where it is used
    from kg.corpus.consolidate import Candidate as MergeCandidate

#: Fact types a reviewer decides on, in the order the review lists them.
FACT_TYPES = [g for g in GROUPS if g not in (
    "NewsArticle", "MonetaryAmount", "Indicator", "CountyLevelDivision", "PrefectureLevelDivision",
    "ProvinceLevelDivision", "Country", "Geometry", "Dataset", "DataSet", "Sentence", "TextQuoteSelector")]
_REVIEW_LINE = re.compile(r"^#   - \[(?P<id>r[0-9]+)\] (?P<source>\S+) (?:s(?P<s>[0-9]+)|meta): (?P<note>.*)$")
_SKIP = {str(RDF.type), str(RDFS.label), str(PROV.wasDerivedFrom)}
#: The relations a reviewer checks first.
_FIRST = {p: i for i, p in enumerate(["refArea", "location", "hostRegion", "originRegion", "unitOf", "establishedBy",
                                      "stationedIn", "targetRegion", "member", "role", "organization", "investment",
                                      "projectCount", "indicator", "value", "unit", "governs"])}


@dataclass(frozen=True)
class Candidate:
    """One fact of the draft, as the reviewer sees it."""

    id: str  #: the fact's IRI: what a decision names
    type: str  #: the local name of its class
    label: str
    details: tuple[tuple[str, str], ...]  #: (property, value by name)
    source: str
    sentence_index: int
    sentence: str
    rule: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class ReviewItem:
    """An open review item: a finding left out, or a value to confirm."""

    id: str
    source: str
    sentence_index: int | None
    note: str
    sentence: str = ""


@dataclass
class Review:
    """A draft's candidates and open items."""

    draft: Path
    sha256: str
    candidates: list[Candidate] = field(default_factory=list)
    items: list[ReviewItem] = field(default_factory=list)
    sentences: dict[str, str] = field(default_factory=dict)  #: sentence IRI → text
    merges: list[MergeCandidate] = field(default_factory=list)  #: candidate merges (kg.corpus.consolidate)

    def by_id(self) -> dict[str, Candidate]:
        """The candidates by fact IRI."""
        return {c.id: c for c in self.candidates}


def _names(text: str) -> dict[str, str]:
    """IRI → name, from the draft's ``# name`` comments beside objects and its prefixes."""
    prefixes = dict(re.findall(r"^@prefix (\w*): <([^>]+)> \.$", text, re.MULTILINE))
    out = {}
    for obj, name in re.findall(r"^    \S+ (\S+) [;.]  # (.+)$", text, re.MULTILINE):
        p, _, local = obj.partition(":")
        iri = obj[1:-1] if obj.startswith("<") else prefixes.get(p, "") + local
        out[iri] = name
    return out


def load_review(draft: Path) -> Review:
    """Read *draft* (as ``kg ingest`` wrote it) into candidates and open items."""
    data = read_bytes(draft)
    text, _ = decode_utf8(data, str(draft))
    g = to_rdflib(parse_file(draft))
    review = Review(draft, hashlib.sha256(data).hexdigest())
    names = _names(text)
    codes = {f"{ZR}region/{row[0]}": row[1] for row in division_table()}
    for s, o in g.subject_objects(OA.exact):
        review.sentences[str(s).removesuffix("-selector")] = str(o)
    meta = {str(m["fact"]): m for m in read_meta_comments(text) if "fact" in m}

    def name(node: rdflib.term.Node) -> str:
        if isinstance(node, rdflib.Literal):
            return str(node)
        iri = str(node)
        label = g.value(node, RDFS.label)
        if isinstance(node, rdflib.URIRef) and (node, RDF.type, SCHEMA.MonetaryAmount) in g:
            measure = g.value(node, ZS.measure)
            kind = f" ({str(measure).rsplit('#', 1)[-1]})" if measure is not None else ""
            return f"{g.value(node, ZS.surfaceForm) or label}{kind}"
        return str(label) if label is not None else names.get(iri) or codes.get(iri) or iri.rsplit("/", 1)[-1]

    for s in sorted(set(g.subjects(RDF.type, None)), key=str):
        types = {str(t).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in g.objects(s, RDF.type)}
        kind = next((t for t in FACT_TYPES if t in types), None)
        derived = sorted(str(o) for o in g.objects(s, PROV.wasDerivedFrom))
        sent = next((d for d in derived if d in review.sentences), None)
        if kind is None or sent is None:
            continue
        details = tuple(sorted(((_short(str(p)), name(o)) for p, o in g.predicate_objects(s) if str(p) not in _SKIP),
                               key=lambda pv: (_FIRST.get(pv[0], 99), pv)))
        m = meta.get(str(s), {})
        conf = m.get("confidence")
        review.candidates.append(Candidate(
            str(s), kind, str(g.value(s, RDFS.label) or ""), details, sent.rsplit("/", 2)[-2],
            int(sent.rsplit("/s", 1)[-1]), review.sentences[sent], str(m.get("rule", "")),
            float(conf) if isinstance(conf, int | float) else None))
    rank = {t: i for i, t in enumerate(FACT_TYPES)}
    review.candidates.sort(key=lambda c: (rank[c.type], c.source, c.sentence_index, c.id))
    in_draft = {c.source for c in review.candidates} | {ln.split()[2] for ln in text.splitlines()
                                                      if ln.startswith(SOURCE_LINE) and len(ln.split()) > 2}
    for line in text.splitlines():
        m2 = _REVIEW_LINE.match(line)
        if m2 and m2["source"] in in_draft:
            idx = int(m2["s"]) if m2["s"] else None
            sent_text = review.sentences.get(f"{ZR}source/{m2['source']}/s{idx:03d}", "") if idx is not None else ""
            review.items.append(ReviewItem(m2["id"], m2["source"], idx, m2["note"], sent_text))
    from kg.corpus.consolidate import read_merges

    review.merges = read_merges(text)
    for i, mc in enumerate(review.merges, 1):  # open until decided: kg merge needs decisions (or --accept-all)
        src, idx, sent_text = mc.sentences[0] if mc.sentences else ("draft", None, "")
        review.items.append(ReviewItem(f"m{i}", src, idx, f"possible merge of {mc.cls} {mc.names[0]} into the "
                                       f"existing {mc.names[1]} ({mc.rule}); decide it in \"merges\"", sent_text))
    return review


def _short(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def format_review(review: Review, width: int = 90) -> str:
    """The review as a plain table: open items first, then the candidates grouped by fact type."""
    def cut(s: str, n: int) -> str:
        s = " ".join(s.split())
        return s if len(s) <= n else s[:n - 1] + "…"

    lines = [f"Review of {review.draft} ({len(review.candidates)} candidate facts, {len(review.items)} open items)"]
    if review.items:
        lines.append("")
        lines.append("OPEN REVIEW ITEMS")
        for it in review.items:
            where = f"{it.source} s{it.sentence_index:03d}" if it.sentence_index is not None else f"{it.source} meta"
            lines.append(f"  [{it.id}] {where}: {it.note}")
            if it.sentence:
                lines.append(f"         「{cut(it.sentence, width)}」")
    current = ""
    for c in review.candidates:
        if c.type != current:
            current = c.type
            lines += ["", f"{current}"]
        conf = f"{c.confidence:.2f}" if c.confidence is not None else "  - "
        facts = "; ".join(f"{p}={v}" for p, v in c.details if p not in ("altLabel", "surfaceForm", "qualifier"))
        lines.append(f"  {conf}  {cut(c.label, 28):<28}  {cut(facts, width)}")
        lines.append(f"        s{c.sentence_index:03d} 「{cut(c.sentence, width)}」  {c.id.rsplit('/', 1)[-1]}")
    from kg.corpus.consolidate import format_merges

    lines += format_merges(review.merges, width)
    return "\n".join(lines)


@dataclass(frozen=True)
class ConflictFigure:
    """One value of a conflicting subject, as the reviewer compares it."""

    fact: str  #: the fact that reports it (a total or a project)
    value: str  #: as written: 约87亿元
    sources: tuple[str, ...]
    sentences: tuple[str, ...]
    in_draft: bool  #: this draft's figure, or one the graph already has


@dataclass(frozen=True)
class Conflict:
    """A fact of the draft whose figure disagrees with one the graph has for the same subject: an open review
    item until the reviewer decides the fact (accept keeps both values apart, listed by ``kg conflicts``)."""

    id: str  #: c1, c2 …
    fact: str  #: the draft's fact to decide
    subject: str  #: 益阳市 · 合同引资 · 2023年 · 32 projects
    figures: tuple[ConflictFigure, ...]

    @property
    def note(self) -> str:
        """The conflict in one line, for the open items."""
        mine = [f.value for f in self.figures if f.in_draft]
        theirs = [f"{f.value} ({', '.join(f.sources)})" for f in self.figures if not f.in_draft]
        return (f"{self.subject}: this draft says {'、'.join(mine)}, the graph has {'; '.join(theirs)}; "
                "decide the fact (never summed, never resolved without a decision)")


def draft_conflicts(store_path: Path, draft: Path) -> list[Conflict]:
    """The conflicts *draft*'s figures would make with the store's (what ``kg review`` prints under
    ``CONFLICTS THIS DRAFT WOULD CREATE``), one per fact of the draft; none without a store."""
    from kg.corpus.conflicts import amount_text, describe_subject, qualifier_text
    from kg.errors import StoreError
    from kg.store.figures import draft_groups
    from kg.store.generations import open_store

    try:
        store = open_store(store_path)
    except StoreError:  # no store built yet (the folder may hold only the merge's duplicate-check index)
        return []
    draft_quads = parse_file(draft)
    mine = {str(q.subject.value) for q in draft_quads
            if isinstance(q.subject, ox.NamedNode) and q.predicate.value == str(PROV.wasDerivedFrom)}
    out: list[Conflict] = []
    for g in draft_groups(store, draft_quads):
        if g.kind != "conflict":
            continue
        figs = tuple(ConflictFigure(f.item.value, f"{qualifier_text(f)}{amount_text(f.value, g.key[3])}",
                                    tuple(sorted(s.rsplit("/", 1)[-1] for s in f.sources)), tuple(f.sentences),
                                    f.item.value in mine)
                     for f in sorted(g.figures, key=lambda f: (f.value, f.item.value)))
        for fig in figs:
            if fig.in_draft:
                out.append(Conflict(f"c{len(out) + 1}", fig.fact, describe_subject(store, g.key), figs))
    return out
