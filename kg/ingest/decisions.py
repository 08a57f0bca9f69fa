"""Decisions on a draft's facts (accept, reject, edit), checked against the draft, and the reviewed merge.

A decisions file is JSON, written by the review page (:mod:`kg.ingest.reviewpage`) or by hand::

    {"format": "zhaoshang-kg decisions 1", "draft_sha256": "…",
     "facts": [{"id": "<fact IRI>", "decision": "accept" | "reject" | "edit", "label": "…",
                "sentence": "<the sentence the reviewer saw>"}],
     "indicators": [{"for": "<metric fact IRI> | r12", "zh": "…", "en": "…", "cue": "…", "unit": "…"}]}

``indicators`` (optional) proposes a new indicator term for a metric whose indicator is wrong or for a figure no
term fits (a review item): checked on read (:func:`kg.ingest.vocabulary.problems_of`), merged into the
project's vocabulary file and used by the next ``kg ingest``; the metric, if kept, takes the new indicator.

It is refused when it does not match its draft: an unknown fact id, a sentence that is not the draft's, an
unknown decision, an edit without a label. Only accepted and edited facts are merged; a fact that depends on a
fact that is not merged (a task force on a rejected government) is dropped with it, and so is an amount no
merged fact measures. ``kg merge`` refuses a draft with open review items unless it is given decisions or
``--accept-all`` (for scripts).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef

from kg.errors import InputError
from kg.files import decode_utf8, read_bytes
from kg.ingest.merge import MergeReport, merge
from kg.ingest.review import Conflict, Review, ReviewItem, draft_conflicts, load_review
from kg.ingest.run import SOURCE_LINE
from kg.ingest.vocabulary import ReviewedTerm, add_terms, load_terms, problems_of
from kg.namespaces import DCTERMS, SCHEMA, SKOS, ZS
from kg.paths import Paths
from kg.store.rdfio import parse_file, to_rdflib

if TYPE_CHECKING:  # kg/corpus/ is a layer above kg/ingest/: imported where it is used
    from kg.corpus.consolidate import MergeDecision

FORMAT = "zhaoshang-kg decisions 1"
DECISIONS = ("accept", "reject", "edit")
#: Largest decisions file read (bytes): a draft of a thousand articles has a few hundred thousand facts.
MAX_DECISIONS_BYTES = 64 * 1024 * 1024
#: Most indicator terms one decisions file may propose.
MAX_PROPOSALS = 200
#: Longest label an edit may set.
MAX_LABEL = 200
#: Facts that only describe another fact and go when it goes.
_DEPENDENT = (SCHEMA.MonetaryAmount, ZS.Period)


@dataclass(frozen=True)
class Decision:
    """One decision on one fact."""

    id: str
    decision: str
    label: str = ""


@dataclass(frozen=True)
class IndicatorProposal:
    """A new indicator term a reviewer proposes for one metric fact or one figure left for review."""

    target: str  #: the metric's IRI, or the review item's id (r12)
    term: ReviewedTerm


@dataclass
class Decisions:
    """A decisions file, checked against its draft."""

    path: Path
    items: dict[str, Decision] = field(default_factory=dict)
    merges: list[MergeDecision] = field(default_factory=list)  #: on candidate merges (kg.corpus.consolidate)
    indicators: list[IndicatorProposal] = field(default_factory=list)


def read_decisions(path: Path, review: Review, conflicts: list[Conflict] | None = None,
                   vocabulary: list[tuple[str, str]] | None = None) -> Decisions:
    """Read and check *path* against *review*'s draft; raise :class:`InputError` naming what does not match.

    Every fact of *conflicts* (its figure disagrees with the graph's) must be decided: left out, it would be
    resolved without a decision. A proposed indicator term must not repeat a term of *vocabulary* ((zh, en)
    pairs; default: the built-in terms)."""
    text, _ = decode_utf8(read_bytes(path, max_bytes=MAX_DECISIONS_BYTES), str(path))
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: is not valid JSON ({exc}); save the decisions again from the review page.") \
            from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("facts"), list):
        raise InputError(f"{path}: is not a decisions file (it needs \"format\": \"{FORMAT}\" and a \"facts\" list).")
    sha = data.get("draft_sha256")
    if sha is not None and sha != review.sha256:
        raise InputError(f"{path}: was made for another version of {review.draft.name} (its sha256 differs); "
                         "review the draft again.")
    facts = review.by_id()
    out = Decisions(path)
    problems = []
    for i, item in enumerate(data["facts"]):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"facts[{i}]: needs an \"id\"")
            continue
        fid, decision = item["id"], item.get("decision")
        cand = facts.get(fid)
        if cand is None:
            problems.append(f"facts[{i}]: {fid} is not a fact of {review.draft.name}")
            continue
        if decision not in DECISIONS:
            problems.append(f"facts[{i}]: decision {decision!r} is not one of {', '.join(DECISIONS)}")
            continue
        if "sentence" in item and item["sentence"] != cand.sentence:
            problems.append(f"facts[{i}]: the sentence of {fid} differs from the draft's (was it edited?)")
            continue
        label = item.get("label", "")
        if decision == "edit" and (not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL):
            problems.append(f"facts[{i}]: an edit needs a label of 1 to {MAX_LABEL} characters")
            continue
        if fid in out.items:
            problems.append(f"facts[{i}]: a second decision on {fid}")
            continue
        out.items[fid] = Decision(fid, decision, label.strip() if isinstance(label, str) else "")
    from kg.corpus.consolidate import read_merge_decisions

    out.merges, merge_problems = read_merge_decisions(data.get("merges"), set(facts))
    problems += merge_problems
    problems += _read_indicators(data.get("indicators", []), review, out, vocabulary)
    problems += [f"{c.id}: {c.fact} conflicts with the graph ({c.subject}); decide it (accept, reject or edit)"
                 for c in conflicts or [] if c.fact not in out.items]
    if problems:
        raise InputError(f"{path}: does not match {review.draft}; nothing was merged:\n"
                         + "\n".join(f"  - {p}" for p in problems[:50]))
    return out


def _read_indicators(raw: object, review: Review, out: Decisions,
                     vocabulary: list[tuple[str, str]] | None) -> list[str]:
    """Check the proposed indicator terms into *out*; the problems found."""
    from kg.ingest.facts.metrics import vocabulary as built_in

    if not isinstance(raw, list):
        return ["indicators: must be a list"]
    if len(raw) > MAX_PROPOSALS:
        return [f"indicators: {len(raw)} proposals, more than {MAX_PROPOSALS}"]
    existing = list(vocabulary) if vocabulary is not None else [(t.zh, t.en) for t in built_in()]
    facts, items = review.by_id(), {i.id: i for i in review.items}
    problems: list[str] = []
    for i, item in enumerate(raw):
        fields = ("for", "zh", "en", "cue", "unit")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            problems.append(f"indicators[{i}]: needs the strings {', '.join(fields)}")
            continue
        target = item["for"]
        cand, it = facts.get(target), items.get(target)
        if cand is not None and cand.type == "Metric":
            sentence = cand.sentence
        elif it is not None and it.note.startswith("figure "):
            sentence = it.sentence
        else:
            problems.append(f"indicators[{i}]: {target} is neither a metric of the draft nor a figure left for "
                            "review")
            continue
        if any(p.target == target for p in out.indicators):
            problems.append(f"indicators[{i}]: a second term for {target}")
            continue
        term = ReviewedTerm(*(item[k].strip() for k in ("zh", "en", "cue", "unit")))
        again = any(q.term == term for q in out.indicators)  # one new term for two figures of its kind
        bad = problems_of(term, sentence, [] if again else existing)
        if bad:
            problems += [f"indicators[{i}]: {b}" for b in bad]
            continue
        if not again:
            existing.append((term.zh, term.en))
        out.indicators.append(IndicatorProposal(target, term))
    return problems


def apply(draft: Path, review: Review, decisions: Decisions) -> tuple[str, list[str]]:
    """The draft's text with only the accepted and edited facts (and what they need); the facts dropped."""
    g = to_rdflib(parse_file(draft))
    candidates = review.by_id()
    keep = {fid for fid, d in decisions.items.items() if d.decision in ("accept", "edit")}
    drop = {URIRef(fid) for fid in candidates if fid not in keep}
    changed = True
    while changed:  # what refers to a dropped fact goes too
        changed = False
        for fid in keep:
            node = URIRef(fid)
            if node not in drop and any(o in drop for o in g.objects(node)):
                drop.add(node)
                changed = True
    for node in drop:
        g.remove((node, None, None))
        g.remove((None, None, node))
    for amount in [n for t in _DEPENDENT for n in g.subjects(RDF.type, t)]:
        if (None, None, amount) not in g:
            g.remove((amount, None, None))  # an amount that no kept fact measures, a period none is about
    for fid, d in decisions.items.items():
        if d.decision == "edit" and URIRef(fid) not in drop:
            node = URIRef(fid)
            for p in (RDFS.label, DCTERMS.title, SCHEMA.name):
                if (node, p, None) in g:
                    g.set((node, p, Literal(d.label, lang="zh")))
            old = candidates[fid].label
            if old and old != d.label:
                g.add((node, SKOS.altLabel, Literal(old, lang="zh")))
    _new_indicators(g, review, decisions, drop)
    from kg.corpus.consolidate import apply_merges

    apply_merges(g, decisions.merges)  # accepted merges: the draft's entity becomes the known one
    text, _ = decode_utf8(read_bytes(draft), str(draft))
    sources = [ln for ln in text.splitlines() if ln.startswith(SOURCE_LINE)]
    header = [f"# Reviewed draft of {draft.name}: {len(keep)} fact(s) accepted, {len(drop)} left out."]
    body = g.serialize(format="turtle")
    return "\n".join(header + sources) + "\n" + body, sorted(str(d) for d in drop)


def _new_indicators(g: rdflib.Graph, review: Review, decisions: Decisions, drop: set[URIRef]) -> None:
    """Give every kept metric with a proposed term that term (described as a concept of zs:Indicators), and
    the label that names it."""
    candidates = review.by_id()
    for p in decisions.indicators:
        node = URIRef(p.target)
        if p.target not in candidates or node in drop or (node, None, None) not in g:
            continue
        concept = URIRef(p.term.iri)
        g.add((concept, RDF.type, ZS.Indicator))
        g.add((concept, SKOS.inScheme, ZS.Indicators))
        g.add((concept, SKOS.prefLabel, Literal(p.term.zh, lang="zh")))
        g.add((concept, SKOS.prefLabel, Literal(p.term.en, lang="en")))
        g.add((concept, RDFS.label, Literal(p.term.zh, lang="zh")))
        g.set((node, ZS.indicator, concept))
        old = dict(candidates[p.target].details).get("indicator", "")
        label = g.value(node, RDFS.label)
        if old and label is not None and str(label).startswith(old):
            g.set((node, RDFS.label, Literal(p.term.zh + str(label)[len(old):], lang="zh")))


def gate(review: Review, decisions: Path | None, accept_all: bool) -> None:
    """Refuse a draft with open review items unless decisions or ``--accept-all`` are given."""
    if review.items and decisions is None and not accept_all:
        raise InputError(
            f"{review.draft}: has {len(review.items)} open review item(s) ({', '.join(i.id for i in review.items[:5])}"
            f"{' …' if len(review.items) > 5 else ''}); review it with `kg review {review.draft}` and merge with "
            "--decisions FILE, or pass --accept-all to merge every fact as it is.")
    if decisions is not None and accept_all:
        raise InputError("Give either --decisions or --accept-all, not both.")


def changes_to_known(paths: Paths, draft: Path, review: Review) -> list[ReviewItem]:
    """Review items for what a draft would change about entities the graph already has: a new label, or an
    ``owl:sameAs`` between two of them (a hand-edited draft can say either; nothing existing changes silently).

    Only the draft's named subjects and ``owl:sameAs`` ends are looked up in the graph
    (:func:`kg.ingest.existing.existing_about`), not every name it holds."""
    from kg.ingest.existing import existing_about

    g = to_rdflib(parse_file(draft))
    names = (RDFS.label, SKOS.altLabel, SKOS.prefLabel)
    nodes = {t for s, o in g.subject_objects(OWL.sameAs) for t in (s, o) if isinstance(t, URIRef)}
    nodes |= {s for p in names for s in g.subjects(p) if isinstance(s, URIRef)}
    known = existing_about(paths, [ox.NamedNode(str(n)) for n in nodes])

    def has(node: object) -> bool:
        return isinstance(node, URIRef) and known.has(ox.NamedNode(str(node)))

    def alt(node: URIRef) -> set[str]:
        found = known.all_objects(ox.NamedNode(str(node)), [ox.NamedNode(str(p)) for p in names])
        return {o.value for o in found if isinstance(o, ox.Literal) and (o.language or "").startswith("zh")}

    out: list[ReviewItem] = []
    for s, o in g.subject_objects(OWL.sameAs):
        if has(s) and has(o):
            out.append(ReviewItem(f"k{len(out) + 1}", "graph", None, f"owl:sameAs between the existing {s} and {o}"))
    for s, p, o in g.triples((None, None, None)):
        if p in names and isinstance(o, Literal) and has(s) \
                and (o.language or "").startswith("zh") and str(o) not in alt(URIRef(str(s))):
            out.append(ReviewItem(f"k{len(out) + 1}", "graph", None, f"new name {o!s} for the existing {s}"))
    return out


def merge_reviewed(paths: Paths, draft: Path, decisions: Path | None = None,
                   accept_all: bool = False, *, confirm: bool = False) -> MergeReport:
    """``kg merge``: the gate, then the accepted facts (or all of them) merged and the store rebuilt.

    A draft that renames entities the graph has, or declares two of them the same, is merged only when a
    reviewer accepted those facts in a decisions file (they are review items there) or *confirm* is given.
    """
    review = load_review(draft)
    review.items += changes_to_known(paths, draft, review)
    conflicts = draft_conflicts(paths.store, draft)  # open review items until decided
    review.items += [ReviewItem(c.id, "graph", None, f"conflict: {c.note}") for c in conflicts]
    gate(review, decisions, accept_all)
    if decisions is None:
        return merge(paths, draft, confirm=confirm)
    from kg.corpus.consolidate import accepted_merges
    from kg.ingest.facts.metrics import vocabulary

    known_terms = [(t.zh, t.en) for t in vocabulary()] + [(t.zh, t.en) for t in load_terms(paths)]
    checked = read_decisions(decisions, review, conflicts, known_terms)
    checked.merges = accepted_merges(paths, draft, checked.merges)  # refused across classes or out of the graph
    text, _ = apply(draft, review, checked)
    with tempfile.TemporaryDirectory(prefix="kg-reviewed-") as tmp:
        reviewed = Path(tmp) / draft.name
        reviewed.write_text(text, encoding="utf-8")
        report = merge(paths, reviewed, confirm=True)  # the reviewer accepted every fact that is merged
    if checked.indicators:  # only once the facts are in: the next kg ingest uses them
        add_terms(paths, [p.term for p in checked.indicators])
    return report


def decisions_template(review: Review, decision: str = "accept") -> dict[str, Any]:
    """A decisions file taking *decision* on every fact (what the page starts from)."""
    return {"format": FORMAT, "draft": review.draft.name, "draft_sha256": review.sha256,
            "facts": [{"id": c.id, "decision": decision, "sentence": c.sentence} for c in review.candidates],
            "merges": [{"id": m.id, "into": m.into, "decision": "reject"} for m in review.merges]}


def to_graph(text: str) -> rdflib.Graph:
    """Parse a reviewed draft's text (for tests and checks)."""
    return rdflib.Graph().parse(data=text, format="turtle")
