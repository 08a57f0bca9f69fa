"""What ``kg timeline`` prints: a project's (or a region's projects') milestones in date order, with their sources,
and the projects seen signed and never seen started.

The milestones are ``zs:ProjectMilestone`` nodes (``docs/data-model.md``), one per report, so a project followed
across articles shows every stage each source gave. The name is resolved through the names index as ``kg
neighbors`` resolves it (an unknown or ambiguous name is an error listing the candidates); a region includes its
sub-regions, zones and ports (``zs:withinRegion``). The SPARQL is fixed text: the entity is bound as a parameter.

A project is **stalled** after N months when the graph has a 签约 milestone for it, no 开工, 竣工 or 投产 milestone,
and N whole months or more lie between the signing and the newest article date in the graph (the date up to which
the graph could have seen it start). Months are counted between calendar months; a signing known only by its year
counts from December of that year, so that a project is never called stalled earlier than the text allows.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import QueryError
from kg.names.index import find
from kg.namespaces import ZS
from kg.query.catalogue import select, term_text
from kg.store.stages import LIFECYCLE

#: Stages that mean the project has started.
STARTED = frozenset({"UnderConstruction", "Completed", "InProduction"})

_MILESTONES = """
SELECT ?m ?project ?projectLabel ?stage ?stageLabel ?date ?place ?placeLabel ?amount ?currency ?measureLabel
       ?pAmount ?pCurrency ?pMeasureLabel
       ?source ?sourceLabel ?published ?text ?region WHERE {
  ?m a zs:ProjectMilestone ; zs:project ?project ; zs:stage ?stage ; prov:wasDerivedFrom ?sentence .
  ?project schema:location ?place .
  %s
  OPTIONAL { ?project rdfs:label ?projectLabel . FILTER (LANG(?projectLabel) = "zh") }
  OPTIONAL { ?stage skos:prefLabel ?stageLabel . FILTER (LANG(?stageLabel) = "zh") }
  OPTIONAL { ?place rdfs:label ?placeLabel . FILTER (LANG(?placeLabel) = "zh") }
  OPTIONAL { ?m zs:stageDate ?date }
  OPTIONAL { ?m zs:investment ?money . ?money schema:value ?amount ; schema:currency ?currency .
             OPTIONAL { ?money zs:measure/skos:prefLabel ?measureLabel . FILTER (LANG(?measureLabel) = "zh") } }
  OPTIONAL { ?project zs:investment ?pMoney . ?pMoney schema:value ?pAmount ; schema:currency ?pCurrency .
             OPTIONAL { ?pMoney zs:measure/skos:prefLabel ?pMeasureLabel . FILTER (LANG(?pMeasureLabel) = "zh") } }
  OPTIONAL { ?sentence oa:hasSource ?source .
             OPTIONAL { ?source rdfs:label ?sourceLabel }
             OPTIONAL { ?source schema:datePublished ?published } }
  OPTIONAL { ?sentence oa:hasSelector/oa:exact ?text }
}"""
_IN_REGION = "?place zs:withinRegion ?region ."
_NEWEST = "SELECT (MAX(STR(?d)) AS ?newest) WHERE { ?a a schema:NewsArticle ; schema:datePublished ?d }"


@dataclass(frozen=True)
class Row:
    """One milestone as the timeline lists it."""

    date: str  #: the milestone's own date, at the text's precision ("" when the text gives none)
    reported: str  #: the publication date of its article
    stage: str  #: local name of the stage (Signed)
    stage_label: str
    project: str
    project_label: str
    place: str
    amount: str  #: 8亿元 (到位资金): the milestone's own money, else the project's; "" when neither is given
    source: str
    source_label: str
    sentence: str

    def key(self) -> tuple[str, int, str]:
        """Date order: the own date (a month sorts before its days), else the article's; then the life cycle."""
        step = LIFECYCLE.index(self.stage) if self.stage in LIFECYCLE else len(LIFECYCLE)
        return self.date or self.reported[:10], step, self.project_label


@dataclass(frozen=True)
class Stalled:
    """A project seen signed and never seen started."""

    project: str
    project_label: str
    signed: str
    months: int


@dataclass
class Timeline:
    """The milestones of a project or of a region's projects, and the stalled projects among them."""

    entity: str
    label: str
    kind: str  #: "project" or "region"
    rows: list[Row]
    newest: str  #: the newest article date in the graph ("" when no article is dated)
    stalled_after: int | None
    stalled: list[Stalled]


def _money(value: str, currency: str, measure: str) -> str:
    try:
        v = Decimal(value)
    except (InvalidOperation, ValueError):
        return ""
    if currency == "CNY" and v >= 10 ** 8:
        text = f"{format((v / 10 ** 8).normalize(), 'f')}亿元"
    elif currency == "CNY" and v >= 10 ** 4:
        text = f"{format((v / 10 ** 4).normalize(), 'f')}万元"
    else:
        text = f"{format(v.normalize(), 'f')} {currency}"
    return f"{text} ({measure})" if measure else text


def _month(date: str, *, year_end: bool) -> int | None:
    """A date as a count of months (year × 12 + month); a year alone is its December or January."""
    try:
        year = int(date[:4])
        month = int(date[5:7]) if len(date) >= 7 else (12 if year_end else 1)
    except ValueError:
        return None
    return year * 12 + month


def timeline(store: AnyStore, name: str, stalled_after: int | None = None) -> Timeline:
    """The timeline of the project or region *name* (a name, alias or IRI)."""
    if stalled_after is not None and stalled_after < 1:
        raise QueryError("--stalled-after is a number of months, 1 or more.")
    entity = find(store, name)
    bindings: dict[str, ox.NamedNode | ox.Literal]
    if "zs:InvestmentProject" in entity.classes or f"{ZS}InvestmentProject" in entity.classes:
        kind, bindings, where = "project", {"project": ox.NamedNode(entity.iri)}, ""
    elif entity.is_place:
        kind, bindings, where = "region", {"region": ox.NamedNode(entity.iri)}, _IN_REGION
    else:
        raise QueryError(f"{entity.describe()} is neither a region nor an investment project; give a place "
                         "(省, 市, 县, a zone) or a project's name.")
    seen: dict[str, Row] = {}
    for r in select(store, _MILESTONES % where, bindings).rows:
        row = Row(
            date=term_text(r["date"]), reported=term_text(r["published"]),
            stage=term_text(r["stage"]).rsplit("#", 1)[-1],
            stage_label=term_text(r["stageLabel"]), project=term_text(r["project"]),
            project_label=term_text(r["projectLabel"]) or term_text(r["project"]), place=term_text(r["placeLabel"]),
            amount=_money(term_text(r["amount"]), term_text(r["currency"]), term_text(r["measureLabel"]))
            or _money(term_text(r["pAmount"]), term_text(r["pCurrency"]), term_text(r["pMeasureLabel"])),
            source=term_text(r["source"]), source_label=term_text(r["sourceLabel"]), sentence=term_text(r["text"]))
        milestone = term_text(r["m"])
        if milestone not in seen or row.sentence < seen[milestone].sentence:
            seen[milestone] = row  # one row per milestone: the first of its sentences, in code order
    rows = sorted(seen.values(), key=Row.key)
    newest = term_text(select(store, _NEWEST).rows[0]["newest"]) if rows else ""
    stalled = _stalled(rows, newest, stalled_after) if stalled_after is not None else []
    return Timeline(entity.iri, entity.label, kind, rows, newest[:10], stalled_after, stalled)


def _stalled(rows: list[Row], newest: str, months: int) -> list[Stalled]:
    """Projects with a 签约 milestone, none of :data:`STARTED`, signed *months* or more before *newest*."""
    now = _month(newest, year_end=False)
    if now is None:
        return []
    out = []
    for project in sorted({r.project for r in rows}):
        mine = [r for r in rows if r.project == project]
        if any(r.stage in STARTED for r in mine):
            continue
        signed = [r for r in mine if r.stage == "Signed"]
        if not signed:
            continue
        first = signed[0]
        when = first.date or first.reported[:10]
        at = _month(when, year_end=True)
        if at is not None and now - at >= months:
            out.append(Stalled(project, first.project_label, when, now - at))
    return out


def format_timeline(t: Timeline) -> str:
    """The timeline as text: a table of milestones, then the stalled projects and what they are counted to."""
    scope = "project" if t.kind == "project" else "region, sub-regions included"
    projects = len({r.project for r in t.rows})
    lines = [f"Timeline of {t.label} ({scope}): {len(t.rows)} milestones of {projects} projects"]
    for r in t.rows:
        date = r.date or (f"({r.reported[:10]})" if r.reported else "(no date)")
        lines.append(f"{date:<12} {r.stage_label:<4} {r.project_label} · {r.place}"
                     + (f" · {r.amount}" if r.amount else ""))
        lines.append(f"    {r.source_label or r.source}: {r.sentence}")
    if not t.rows:
        lines.append("No milestones in the graph.")
    else:
        lines.append("(a date in brackets is the article's: the text gives none for the stage)")
    if t.stalled_after is not None:
        lines.append(f"Stalled: signed and not seen started after {t.stalled_after} months, counted to "
                     f"{t.newest or 'no dated article'}, the newest article date in the graph:")
        lines += [f"  {s.project_label}: signed {s.signed}, {s.months} months" for s in t.stalled] or ["  none"]
    return "\n".join(lines) + "\n"


def timeline_json(t: Timeline) -> str:
    """The timeline as JSON: the entity, the milestones in order, and (with --stalled-after) the stalled projects."""
    out: dict[str, Any] = {"entity": t.entity, "label": t.label, "kind": t.kind,
                           "milestones": [asdict(r) for r in t.rows]}
    if t.stalled_after is not None:
        out["stalled"] = {"after_months": t.stalled_after, "counted_to": t.newest,
                          "projects": [asdict(s) for s in t.stalled]}
    return json.dumps(out, ensure_ascii=False, indent=2)
