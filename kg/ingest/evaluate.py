"""``kg eval DRAFT.ttl GOLD.json``: precision and recall per fact type against a gold reading.

The gold format is documented in ``docs/gold-format.md``. :func:`gold_from_graph` derives a gold file
from a hand-curated graph (that is how ``tests/data/gold/*.gold.json`` were made).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, RDFS, URIRef

from kg.errors import InputError
from kg.files import decode_utf8, read_bytes
from kg.ingest.resolve import norm
from kg.namespaces import DCTERMS, PROV, SCHEMA, SKOS, ZR, ZS, source_iri
from kg.store.rdfio import parse_file, to_rdflib

#: Fact types compared, and the classes that make them.
TYPES: dict[str, tuple[str, ...]] = {
    "regions": (),
    "organisations": ("Government", "GovernmentUnit", "TaskForce", "ServiceCentre", "ChamberOfCommerce",
                      "LiaisonStation", "Enterprise", "University", "ResearchInstitute", "MediaOrganization"),
    "people": (),
    "amounts": ("MonetaryAmount",),
    "metrics": ("Metric",),
    "policies": ("PolicyDocument", "PlanningDocument"),
    "events": ("PromotionEvent",),
    "projects": ("InvestmentProject",),
}


@dataclass(frozen=True)
class Score:
    """Counts and rates for one fact type."""

    type: str
    gold: int
    found: int
    matched: int

    @property
    def precision(self) -> float:
        """Matched / found (1.0 when nothing was found and nothing was expected)."""
        return self.matched / self.found if self.found else float(self.gold == 0)

    @property
    def recall(self) -> float:
        """Matched / gold."""
        return self.matched / self.gold if self.gold else 1.0


def _cls(local: str) -> URIRef:
    return SCHEMA[local] if local in ("MonetaryAmount",) else ZS[local]


def _names(g: rdflib.Graph, s: rdflib.term.Node) -> list[str]:
    out = [str(o) for p in (RDFS.label, SKOS.altLabel, DCTERMS.title, SCHEMA.name) for o in g.objects(s, p)
           if isinstance(o, rdflib.Literal) and (o.language or "zh").startswith("zh")]
    return sorted(set(out))


def _items(g: rdflib.Graph, source_id: str) -> dict[str, list[dict[str, Any]]]:
    """What a graph says about one source, in the gold format."""
    base = source_iri(source_id)

    def of_source(s: rdflib.term.Node) -> bool:
        return any(str(o).startswith(base + "/") for o in g.objects(s, PROV.wasDerivedFrom))

    def subjects(*locals_: str) -> list[rdflib.term.Node]:
        found: set[rdflib.term.Node] = set()
        for c in locals_:
            found.update(s for s in g.subjects(RDF.type, _cls(c)) if of_source(s))
        return sorted(found, key=str)

    out: dict[str, list[dict[str, Any]]] = {}
    facts = [s for s in set(g.subjects()) if of_source(s)] + [URIRef(base)]
    codes: dict[str, str] = {}
    for s in facts:
        for o in g.objects(s):
            code = g.value(o, ZS.adminCode)
            if code is None and str(o).startswith(f"{ZR}region/"):
                code = rdflib.Literal(str(o).rsplit("/", 1)[-1])
            if code is not None:
                codes[str(code)] = next(iter(_names(g, o)), "")
    out["regions"] = [{"code": c, "label": lb} for c, lb in sorted(codes.items())]
    out["organisations"] = [{"iri": str(s), "class": str(g.value(s, RDF.type)).rsplit("#", 1)[-1],
                             "names": _names(g, s)} for s in subjects(*TYPES["organisations"])]
    people = {s for s in g.subjects(RDF.type, SCHEMA.Person) if of_source(s)}
    out["people"] = [{"iri": str(s), "names": _names(g, s)} for s in sorted(people, key=str)]
    out["amounts"] = [{"value": str(g.value(s, SCHEMA.value)),
                       "qualifier": str(g.value(s, ZS.qualifier)).rsplit("#", 1)[-1],
                       "surface": str(g.value(s, ZS.surfaceForm) or "")} for s in subjects("MonetaryAmount")]
    out["metrics"] = [{"value": str(g.value(s, ZS.value)), "unit": str(g.value(s, ZS.unit) or ""),
                       "label": next(iter(_names(g, s)), "")} for s in subjects("Metric")]
    for key in ("policies", "events", "projects"):
        out[key] = [{"iri": str(s), "names": _names(g, s)} for s in subjects(*TYPES[key])]
    return out


def gold_from_graph(facts: list[Path], source_id: str) -> dict[str, Any]:
    """A gold reading of *source_id* derived from hand-curated fact files."""
    g = to_rdflib([q for p in facts for q in parse_file(p)])
    return {"format": "zhaoshang-kg gold 1", "source": source_id, "facts": _items(g, source_id)}


def _num(v: object) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _match(kind: str) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    if kind == "regions":
        return lambda d, g: bool(d["code"] == g["code"])
    if kind == "amounts":
        return lambda d, g: _num(d["value"]) == _num(g["value"])
    if kind == "metrics":
        return lambda d, g: _num(d["value"]) == _num(g["value"]) and (
            not g.get("unit") or not d.get("unit") or norm(d["unit"]) == norm(g["unit"]))
    if kind in ("events", "projects"):
        def fuzzy(d: dict[str, Any], g: dict[str, Any]) -> bool:
            dn = {norm(n) for n in d["names"]}
            gn = {norm(n) for n in g["names"]}
            return bool(dn & gn) or any(a in b or b in a for a in dn for b in gn if min(len(a), len(b)) >= 4)
        return fuzzy
    return lambda d, g: bool(d.get("iri") and d.get("iri") == g.get("iri")) or bool(
        {norm(n) for n in d["names"]} & {norm(n) for n in g["names"]})


def score(draft_items: dict[str, list[dict[str, Any]]], gold: dict[str, list[dict[str, Any]]]) -> list[Score]:
    """Precision and recall per type; each gold item matches at most one found item and vice versa."""
    out = []
    for kind in TYPES:
        found, expected = draft_items.get(kind, []), gold.get(kind, [])
        same = _match(kind)
        used: set[int] = set()
        matched = 0
        for g_item in expected:
            for i, d_item in enumerate(found):
                if i not in used and same(d_item, g_item):
                    used.add(i)
                    matched += 1
                    break
        out.append(Score(kind, len(expected), len(found), matched))
    return out


def evaluate(draft: Path, gold_path: Path) -> list[Score]:
    """Score *draft* against the gold reading in *gold_path*."""
    text, _ = decode_utf8(read_bytes(gold_path), str(gold_path))
    try:
        gold = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{gold_path}: is not valid JSON ({exc}). See docs/gold-format.md.") from None
    if not isinstance(gold, dict) or not isinstance(gold.get("facts"), dict) or not isinstance(gold.get("source"), str):
        raise InputError(f"{gold_path}: needs an object with 'source' and 'facts'. See docs/gold-format.md.")
    g = to_rdflib(parse_file(draft))
    return score(_items(g, gold["source"]), gold["facts"])


def format_scores(scores: list[Score]) -> str:
    """A table: type, gold, found, matched, precision, recall."""
    lines = [f"{'type':<14}{'gold':>6}{'found':>7}{'matched':>9}{'precision':>11}{'recall':>8}"]
    for s in scores:
        lines.append(f"{s.type:<14}{s.gold:>6}{s.found:>7}{s.matched:>9}{s.precision:>11.2f}{s.recall:>8.2f}")
    return "\n".join(lines)
