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
