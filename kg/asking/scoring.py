"""Score ``kg ask`` on a written set of questions with their expected answers (``tests/data/questions/``).

Each line of a set is a JSON object: ``q`` (the question), ``kind`` (fact, figure, year, threshold, compare,
catalogue, negative), ``status`` (``answered``, or ``not_in_graph`` for a question whose honest answer is that
the graph does not hold it), ``expect`` (values every right answer shows), ``absent`` (values it must not show)
and ``max_rows`` (a right answer is no longer: a long list that happens to hold the value is not an answer).

A value is found in the rows when a cell holds it as text, or, for a number (``59``, ``430.65亿``, ``1100万``),
when a cell holds the same number. An answer to a negative question is *confidently wrong* when it is given as
an answer with rows; saying "not in the graph", or that nothing matches, is right.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.asking.answer import Answer
from kg.query.params import parse_number
from kg.query.results import term_cell

#: Statuses that say honestly that there is no answer.
HONEST_NONE = ("not_in_graph", "no_match")


@dataclass(frozen=True)
class Item:
    """One written question with its expected answer."""

    id: str
    q: str
    kind: str
    status: str
    expect: list[str]
    absent: list[str]
    max_rows: int
    catalogue: bool
    lang: str


@dataclass
class Verdict:
    """How one answer fared: right or not, confidently wrong or not, and why."""

    item: Item
    right: bool
    confident_wrong: bool
    why: str = ""
    status: str = ""


@dataclass
class Report:
    """Verdicts of one set, with totals per kind."""

    name: str
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of right answers."""
        return sum(v.right for v in self.verdicts) / len(self.verdicts) if self.verdicts else 0.0

    @property
    def confident_wrong_negatives(self) -> int:
        """Negative questions answered as if the graph held the answer."""
        return sum(1 for v in self.verdicts if v.confident_wrong and v.item.status != "answered")

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """Right and total per kind of question."""
        out: dict[str, tuple[int, int]] = {}
        for v in self.verdicts:
            right, total = out.get(v.item.kind, (0, 0))
            out[v.item.kind] = (right + v.right, total + 1)
        return dict(sorted(out.items()))


def load_items(path: Path) -> list[Item]:
    """The questions of a set file."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d: dict[str, Any] = json.loads(line)
            items.append(Item(id=d["id"], q=d["q"], kind=d["kind"], status=d["status"], expect=list(d["expect"]),
                              absent=list(d["absent"]), max_rows=int(d["max_rows"]), catalogue=bool(d["catalogue"]),
                              lang=d["lang"]))
    return items


def cells(answer: Answer) -> list[str]:
    """Every cell of the answer's rows as text."""
    if answer.table is None:
        return []
    return [term_cell(t) for row in answer.table.rows for t in row.values() if t is not None]


def found(value: str, texts: list[str]) -> bool:
    """True when *value* is in one of *texts*, as text or as the same number."""
    if any(value in t for t in texts):
        return True
    number = parse_number(value)
    if number is None:
        return False
    for t in texts:
        try:
            if Decimal(t) == number:
                return True
        except (InvalidOperation, ValueError):
            continue
    return False


def judge(item: Item, answer: Answer) -> Verdict:
    """Whether *answer* is right for *item*."""
    texts = cells(answer)
    rows = len(answer.table.rows) if answer.table is not None else 0
    answered = answer.status == "answered" and rows > 0
    if item.status != "answered":
        if answered:
            return Verdict(item, False, True, f"answered with {rows} rows", answer.status)
        wrong_values = [a for a in item.absent if found(a, texts)]
        if answer.status in HONEST_NONE or (answer.status == "answered" and not rows):
            return Verdict(item, not wrong_values, bool(wrong_values), "shows " + ", ".join(wrong_values)
                           if wrong_values else "", answer.status)
        return Verdict(item, False, False, f"status {answer.status}", answer.status)
    if not answered:
        return Verdict(item, False, False, f"status {answer.status}: {answer.message[:80]}", answer.status)
    missing = [e for e in item.expect if not found(e, texts)]
    extra = [a for a in item.absent if found(a, texts)]
    if missing or extra:
        why = "; ".join(x for x in (f"missing {missing}" if missing else "", f"shows {extra}" if extra else "") if x)
        return Verdict(item, False, True, why, answer.status)
    if rows > item.max_rows:
        return Verdict(item, False, False, f"{rows} rows (at most {item.max_rows})", answer.status)
    return Verdict(item, True, False, "", answer.status)


def evaluate(name: str, items: Iterable[Item], asker: Callable[[str], Answer]) -> Report:
    """Ask every item with *asker* and judge the answers."""
    report = Report(name)
    for item in items:
        report.verdicts.append(judge(item, asker(item.q)))
    return report


def format_report(report: Report, failures: bool = True) -> str:
    """A report as text: accuracy, confident wrong answers on negatives, per kind, and the misses."""
    lines = [f"{report.name}: {sum(v.right for v in report.verdicts)}/{len(report.verdicts)} right "
             f"({report.accuracy:.1%}); confidently wrong on negative cases: {report.confident_wrong_negatives}"]
    for kind, (right, total) in report.by_kind().items():
        lines.append(f"  {kind:<10} {right:>3}/{total:<3} ({right / total:.0%})")
    if failures:
        for v in report.verdicts:
            if not v.right:
                lines.append(f"  MISS {v.item.id} [{v.item.kind}] {v.item.q} -> {v.status}: {v.why}")
    return "\n".join(lines)
