"""``kg review DRAFT.ttl -o REVIEW.html``: the review as one offline page that saves a decisions file.

It follows the views' safety rules (:mod:`kg.views.graphpage`): one file, script and style inline, a
Content-Security-Policy that forbids every fetch, the data as escaped JSON read with ``JSON.parse`` and put on
the page only through ``textContent``; it is written atomically, inside the folder ``-o`` names.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.ingest.decisions import FORMAT
from kg.ingest.review import Candidate, Conflict, Review
from kg.views.graphpage import CSP, fill, json_for_script, write_view

ASSETS = Path(__file__).resolve().parent / "assets"


def _asset(name: str) -> str:
    """A file of ``kg/ingest/assets/``; a script or a stylesheet is checked to be safe to inline."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    if not name.endswith(".html") and ("</script" in text.lower() or "</style" in text.lower() or "<!--" in text):
        raise InputError(f"kg/ingest/assets/{name} contains </script or <!--; it cannot be inlined safely.")
    return text


def _highlight(c: Candidate) -> str:
    """What to mark in the sentence: the fact's label, else the longest of its values the sentence holds."""
    if c.label and c.label in c.sentence:
        return c.label
    values = sorted((v.split(" (")[0] for _, v in c.details), key=len, reverse=True)
    return next((v for v in values if len(v) >= 2 and v in c.sentence), "")


def _figure_unit(note: str) -> str | None:
    """The unit of a figure no indicator fits (its review item: "figure '320人次' in …"), else None: such an
    item, like a metric, may get a new indicator term on the page."""
    m = re.match(r"figure '[0-9.]+(?:余|多)?([^0-9.']{1,4})'", note)
    return m[1] if m else None


def conflict_data(conflicts: list[Conflict]) -> list[dict[str, Any]]:
    """The conflicts the draft would create, each with every value, its sources and sentences."""
    return [{"id": c.id, "fact": c.fact, "subject": c.subject, "note": c.note,
             "figures": [{"fact": f.fact, "value": f.value, "sources": list(f.sources), "sentences": list(f.sentences),
                          "in_draft": f.in_draft} for f in c.figures]} for c in conflicts]


def page_data(review: Review, conflicts: list[Conflict] | None = None) -> dict[str, Any]:
    """The page's data: the open items, the conflicts (their facts start undecided) and the candidates."""
    return {
        "conflicts": conflict_data(conflicts or []),
        "format": FORMAT, "draft": review.draft.name, "sha256": review.sha256,
        "items": [{"id": i.id, "where": f"{i.source} " + (f"s{i.sentence_index:03d}" if i.sentence_index is not None
                                                         else "meta"), "note": i.note, "sentence": i.sentence,
                   "figure_unit": _figure_unit(i.note)}
                  for i in review.items],
        "facts": [{"id": c.id, "type": c.type, "label": c.label, "details": [list(d) for d in c.details],
                   "source": c.source, "sentence_index": c.sentence_index, "sentence": c.sentence,
                   "highlight": _highlight(c), "rule": c.rule, "confidence": c.confidence,
                   "figure_unit": dict(c.details).get("unit") if c.type == "Metric" else None}
                  for c in review.candidates],
        "merges": [{"id": m.id, "into": m.into, "class": m.cls, "names": list(m.names), "rule": m.rule,
                    "shared": [list(x) for x in m.shared], "sentences": [list(x) for x in m.sentences]}
                   for m in review.merges],  # decided apart from the facts: undecided merges stay apart
    }


def render_review(review: Review, conflicts: list[Conflict] | None = None) -> str:
    """The page's HTML."""
    return fill(_asset("review.html"), {
        "CSP": CSP, "TITLE": html.escape(f"Review: {review.draft.name}"), "CSS": _asset("review.css"),
        "DATA": json_for_script(page_data(review, conflicts)), "APP_JS": _asset("review.js")})


def write_review_page(review: Review, out: Path, conflicts: list[Conflict] | None = None) -> Path:
    """Write the page to *out* (atomically, inside the folder it names), with the *conflicts* the draft would
    create (:func:`kg.ingest.review.draft_conflicts`) beside their facts."""
    return write_view(render_review(review, conflicts), out)
