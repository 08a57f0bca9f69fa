"""What ``kg conflicts`` prints: the subjects whose sources disagree (and, on request, the figures repeated by
several sources), each with its values, qualifiers, sources and sentences, in words an analyst reads."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.figures import Figure, FigureGroup, counting, draft_groups, figure_groups
from kg.store.generations import open_store
from kg.store.rdfio import parse_file
from kg.store.samples import mark_source, sample_sources

_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_QUALIFIER_ZH = {"Approximately": "约", "MoreThan": "逾", "UpTo": "最高", "Reaching": "达", "Exact": ""}


def load_groups(store_path: Path, *, repeats: bool = False) -> tuple[ox.Store, list[FigureGroup]]:
    """The conflicts of the store at *store_path* (and its repeats when *repeats*), with the open store."""
    store = open_store(store_path)
    groups = [g for g in figure_groups(store) if repeats or g.kind == "conflict"]
    return store, groups


def _label(store: ox.Store, iri: str) -> str:
    """The Chinese label of *iri* (else any label, else the IRI's last segment)."""
    if not iri.startswith(("http://", "https://")):
        return iri
    labels = [q.object for q in store.quads_for_pattern(ox.NamedNode(iri), _LABEL, None)
              if isinstance(q.object, ox.Literal)]
    zh = [lb.value for lb in labels if lb.language == "zh"]
    return (zh or [lb.value for lb in labels] or [iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]])[0]


def amount_text(value: Decimal, currency: str) -> str:
    """109.8亿元 for CNY amounts of 亿 and more, else the number and currency."""
    if currency == "CNY" and value >= Decimal(10) ** 8:
        return f"{format((value / Decimal(10) ** 8).normalize(), 'f')}亿元"
    if currency == "CNY" and value >= Decimal(10) ** 4:
        return f"{format((value / Decimal(10) ** 4).normalize(), 'f')}万元"
    return f"{format(value.normalize(), 'f')} {currency}"


def qualifier_text(f: Figure) -> str:
    return _QUALIFIER_ZH.get(f.qualifier.rsplit("#", 1)[-1], "")


def describe_subject(store: ox.Store, key: tuple[str, ...]) -> str:
    """辰溪县 · 签约资金 · 2023/2023 · 7 projects: the subject of a group in words."""
    kind, subject, measure, _currency, period, count = key
    parts = [_label(store, subject), _label(store, measure)]
    if kind == "total":
        parts.append(_label(store, period))
        if count:
            parts.append(f"{count} projects")
    return " · ".join(parts)


def draft_section(store_path: Path, draft: Path) -> str:
    """What ``kg review`` adds below a draft's table: the conflicts (and repeats) its figures would make with the
    store's, or '' when none; a note instead when there is no store to compare with."""
    try:
        store = open_store(store_path)
    except StoreError:  # none built yet (the folder may hold only the merge's duplicate-check index)
        return f"\n(No store at {store_path} to compare the draft's figures with; run `kg build` to see conflicts.)"
    groups = draft_groups(store, parse_file(draft))
    if not groups:
        return ""
    conflicts = [g for g in groups if g.kind == "conflict"]
    head = (f"CONFLICTS THIS DRAFT WOULD CREATE ({len(conflicts)}): figures the graph already has from other "
            "sources, with other values. Merged, they are listed by `kg conflicts` and counted at the lowest; "
            "reject the wrong figure in the decisions file instead if you can tell which.")
    if not conflicts:
        head = "FIGURES THE GRAPH ALREADY HAS FROM OTHER SOURCES (they agree; merged, each counts once)"
    return f"\n\n{head}\n" + format_groups(store, conflicts or groups, draft=True)


def format_groups(store: ox.Store, groups: list[FigureGroup], *, draft: bool = False) -> str:
    """The groups as text: one block per subject, every figure with its source and sentence."""
    if not groups:
        return "No conflicting figures: every subject reported by two or more sources has values that agree."
    counted = counting(groups)
    samples = sample_sources(store)  # an invented sample source is never shown without its mark
    lines = []
    for n, g in enumerate(groups, 1):
        lines.append(f"{g.kind.upper()} {n}: {describe_subject(store, g.key)}  ({len(g.sources)} sources)")
        for c, cluster in enumerate(g.clusters, 1):
            if len(g.clusters) > 1:
                lines.append(f"  value {c}:" + (" (these sources agree)" if len(cluster) > 1 else ""))
            for f in sorted(cluster, key=lambda f: (f.value, f.item.value)):
                mark = "  (counted)" if counted.get(f.item) is not None else ""
                where = ", ".join(sorted(mark_source(s.rsplit("/", 1)[-1], s, samples) for s in f.sources))
                lines.append(f"    {qualifier_text(f)}{amount_text(f.value, g.key[3])}{mark}  source {where}")
                lines += [f"      「{s}」" for s in f.sentences]
        if g.kind == "conflict" and not draft:
            low = min(f.value for f in g.figures)
            lowest = amount_text(low, g.key[3])
            lines.append(f"  Rollups count this subject once, at the lowest value ({lowest}), a lower "
                         "bound; remove the wrong figure by a decision (`kg merge --decisions`) to resolve it.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def groups_json(store: ox.Store, groups: list[FigureGroup]) -> str:
    """The groups as JSON, values as strings (exact decimals)."""
    counted = counting(groups)
    samples = sample_sources(store)
    return json.dumps([{
        "kind": g.kind, "subject": g.key[1], "label": describe_subject(store, g.key), "measure": g.key[2],
        "currency": g.key[3], "period": g.key[4], "projectCount": g.key[5], "sources": g.sources,
        "sampleSources": [s for s in g.sources if s in samples],
        "figures": [{"item": f.item.value, "value": str(f.value), "qualifier": f.qualifier,
                     "counted": counted.get(f.item) is not None, "sources": sorted(f.sources),
                     "sentences": list(f.sentences)} for f in g.figures],
    } for g in groups], ensure_ascii=False, indent=2)
