"""``kg eval DRAFT.ttl GOLD.json``: precision and recall per fact type against a gold reading.

The gold format is documented in ``docs/gold-format.md``. :func:`gold_from_graph` derives a gold file
from a hand-curated graph (that is how ``tests/data/gold/*.gold.json`` were made).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, RDFS, URIRef

from kg.errors import InputError
from kg.files import decode_utf8, read_bytes
from kg.ingest.facts import RELATIONS, DraftView
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


def _greedy(kind: str, found: list[dict[str, Any]], expected: list[dict[str, Any]],
            same: Callable[[dict[str, Any], dict[str, Any]], bool]) -> Score:
    used: set[int] = set()
    matched = 0
    for g_item in expected:
        for i, d_item in enumerate(found):
            if i not in used and same(d_item, g_item):
                used.add(i)
                matched += 1
                break
    return Score(kind, len(expected), len(found), matched)


def score(draft_items: dict[str, list[dict[str, Any]]], gold: dict[str, list[dict[str, Any]]]) -> list[Score]:
    """Precision and recall per type the gold lists; each gold item matches at most one found item and vice
    versa (a type the gold leaves out is not scored: its gold is unknown, not empty)."""
    return [_greedy(kind, draft_items.get(kind, []), gold[kind], _match(kind)) for kind in TYPES if kind in gold]


def score_relations(view: DraftView, gold: dict[str, list[dict[str, Any]]]) -> list[Score]:
    """Precision and recall per relation type the gold lists (``relations`` of gold format 2)."""
    return [_greedy(r.name, r.read(view), gold[r.name], r.same) for r in RELATIONS if r.name in gold]


def context_graph(files: Iterable[Path]) -> rdflib.Graph:
    """The project's facts, read for the names of the places a draft only refers to."""
    return to_rdflib([q for p in files for q in parse_file(p)])


def read_gold(gold_path: Path) -> dict[str, Any]:
    """A gold file, checked for the keys scoring needs."""
    text, _ = decode_utf8(read_bytes(gold_path), str(gold_path))
    try:
        gold = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{gold_path}: is not valid JSON ({exc}). See docs/gold-format.md.") from None
    if not isinstance(gold, dict) or not isinstance(gold.get("facts"), dict) or not isinstance(gold.get("source"), str):
        raise InputError(f"{gold_path}: needs an object with 'source' and 'facts'. See docs/gold-format.md.")
    if not isinstance(gold.get("relations", {}), dict):
        raise InputError(f"{gold_path}: 'relations' must be an object. See docs/gold-format.md.")
    return gold


def evaluate_graph(g: rdflib.Graph, gold: dict[str, Any], context: rdflib.Graph | None = None) -> list[Score]:
    """Mentions, then relations, of the draft graph *g* scored against one gold reading."""
    view = DraftView(g, context if context is not None else rdflib.Graph(), gold["source"])
    return score(_items(g, gold["source"]), gold["facts"]) + score_relations(view, gold.get("relations", {}))


def evaluate(draft: Path, gold_path: Path, context: Iterable[Path] = ()) -> list[Score]:
    """Score *draft* against the gold reading in *gold_path* (*context*: fact files naming known places)."""
    gold = read_gold(gold_path)
    return evaluate_graph(to_rdflib(parse_file(draft)), gold, context_graph(context))


def add_scores(scores: Iterable[Score]) -> list[Score]:
    """Scores of several articles summed per type, in first-seen order."""
    total: dict[str, list[int]] = {}
    for s in scores:
        t = total.setdefault(s.type, [0, 0, 0])
        t[0] += s.gold
        t[1] += s.found
        t[2] += s.matched
    return [Score(k, *v) for k, v in total.items()]


def format_scores(scores: list[Score]) -> str:
    """A table: type, gold, found, matched, precision, recall."""
    lines = [f"{'type':<18}{'gold':>6}{'found':>7}{'matched':>9}{'precision':>11}{'recall':>8}"]
    for s in scores:
        lines.append(f"{s.type:<18}{s.gold:>6}{s.found:>7}{s.matched:>9}{s.precision:>11.2f}{s.recall:>8.2f}")
    return "\n".join(lines)
