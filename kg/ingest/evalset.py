"""The evaluation set: invented articles with gold readings, split into dev (rules are tuned on it) and test
(set aside: no rule is tuned on it). ``kg eval --set DIR --split dev|test`` and ``python -m
benchmarks.extract_eval`` print its scores.

Each article is ingested on its own, so that one refused article counts as finding nothing (its gold still
counts) instead of stopping the run; the refusal is reported.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from kg.errors import KGError
from kg.ingest.evaluate import Score, add_scores, context_graph, evaluate_graph, read_gold
from kg.ingest.facts.base_writer import MIN_CONFIDENCE
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.run import ingest
from kg.paths import Paths
from kg.store.rdfio import FORMATS, parse_file, to_rdflib

SPLITS = ("dev", "test")


@dataclass
class SetResult:
    """Summed scores of one split, and the articles that were refused."""

    split: str
    articles: int = 0
    scores: list[Score] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def by_type(self) -> dict[str, Score]:
        """The scores by type name."""
        return {s.type: s for s in self.scores}


def gold_files(gold_dir: Path, split: str) -> list[tuple[Path, dict[str, object]]]:
    """The gold files of *split* (gold format 2 names its split), in name order."""
    if split not in SPLITS:
        raise KGError(f"Unknown split {split!r}; use one of {', '.join(SPLITS)}.")
    out = []
    for p in sorted(gold_dir.glob("*.gold.json")):
        gold = read_gold(p)
        if gold.get("split") == split:
            out.append((p, gold))
    return out


def evaluate_set(paths: Paths, articles: Path, gold_dir: Path, split: str,
                 known: KnownGraph | None = None, min_confidence: float = MIN_CONFIDENCE) -> SetResult:
    """Ingest every article of *split* (candidates below *min_confidence* go to review) and score it against
    its gold reading."""
    known = known or load_known(paths)
    facts = [p for p in sorted(paths.facts.iterdir()) if p.suffix.lower() in FORMATS] if paths.facts.is_dir() else []
    context = context_graph(facts)
    result = SetResult(split)
    scores: list[Score] = []
    with tempfile.TemporaryDirectory(prefix="kg-evalset-") as tmp:
        for gold_path, gold in gold_files(gold_dir, split):
            article = articles / f"{gold['source']}.txt"
            draft = Path(tmp) / f"{gold['source']}.ttl"
            result.articles += 1
            try:
                ingest(paths, [article], draft, known=known, workers=1, min_confidence=min_confidence)
                g = to_rdflib(parse_file(draft))
            except KGError as exc:
                result.refused.append(f"{article.name}: {str(exc).splitlines()[0]}")
                g = rdflib.Graph()
            scores += evaluate_graph(g, gold, context)
            del gold_path
    result.scores = add_scores(scores)
    return result


def format_set(result: SetResult) -> str:
    """A table of one split's scores, mentions then relations, and the refused articles."""
    from kg.ingest.evaluate import format_scores

    lines = [f"split {result.split}: {result.articles} articles", format_scores(result.scores)]
    lines += [f"refused: {r}" for r in result.refused]
    return "\n".join(lines)
