"""Counted figures: an indicator is a noun phrase from the project's vocabulary, never the words before a number.

The vocabulary is ``kg/ingest/data/indicators.tsv`` (zh and en labels, units, and the pattern that recognises the
figure in its clause); a figure no row recognises goes to review, with the sentence, instead of into the facts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.ingest.clauses import Owner, owner_at, spread, unpaired
from kg.ingest.model import Finding

DATA = Path(__file__).resolve().parent.parent / "data" / "indicators.tsv"


@dataclass(frozen=True)
class IndicatorTerm:
    """One row of the vocabulary."""

    zh: str
    en: str
    units: frozenset[str]
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def vocabulary() -> tuple[IndicatorTerm, ...]:
    """The indicator vocabulary, in file order."""
    with DATA.open(encoding="utf-8") as fh:
        rows = csv.reader((ln for ln in fh if ln.strip() and not ln.startswith("#")), delimiter="\t")
        next(rows)
        return tuple(IndicatorTerm(zh, en, frozenset(units.split("|")), re.compile(pattern))
                     for zh, en, units, pattern in rows)


def indicator_of(before: str, after: str, unit: str) -> IndicatorTerm | None:
    """The vocabulary term of a figure with *unit*, given its clause up to it and a few characters after it."""
    window = before + "@" + after
    for term in vocabulary():
        if unit in term.units and term.pattern.search(window):
            return term
    return None


def place_listed(found: list[Finding], t: str, base: int, owners: list[Owner]) -> list[Finding]:
    """Counted figures listed after 分别 (衡南县、衡东县和祁东县分别引进项目12个、9个和7个) go one by one to the
    places listed before it, as amounts do (12个 is 衡南县's, not the clause's last place's); where several
    places are listed but not as many as the figures, each figure is a review item. A figure in a clause a
    development zone acts in is the zone's, not its city's (the other findings take the zone's city)."""
    metrics = sorted((f for f in found if f.kind == "metric"), key=lambda f: f.start)
    starts, ends = [f.start - base for f in metrics], [f.end - base for f in metrics]
    paired = spread(t, starts, ends, owners, base)
    listed = unpaired(t, starts, ends, owners, base)
    out = [f for f in found if f.kind != "metric"]
    for k, f in enumerate(metrics):
        if k in paired:
            f.attrs["topic"], f.attrs["rule"] = paired[k], f"{f.attrs.get('rule', '')} place:respectively"
        elif k in listed:
            out.append(Finding("review", str(f.attrs.get("surface", f.label)), f.sentence, f.start, f.end, key=f.key,
                               note=f"figure {f.label!r} is listed after 分别 but the places before it are not as many "
                               "as the figures; give it its place by hand"))
            continue
        elif (zone := owner_at(t, base, f.start, owners, None)[0]) is not None and not zone.code:
            f.attrs["topic"] = zone  # 郴州高新区安排项目26个: the zone's figure, not its whole city's
        out.append(f)
    return out
