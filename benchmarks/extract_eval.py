"""Relation and mention scores of ``kg ingest`` on the evaluation set, both splits.

Run: ``.venv/bin/python -m benchmarks.extract_eval [--split dev|test] [--match GLOB] [--min-confidence X]``;
``--match 'test-3*'`` scores only the articles whose source id matches (to report a batch of new articles apart
from the older ones). The set is ``tests/data/articles/`` with gold readings in ``tests/data/gold/``
(docs/gold-format.md); the known graph is the project's ``data/facts/`` without a store, so that the articles'
own facts never leak into resolution.
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import tempfile
from pathlib import Path

from kg.ingest.evalset import SPLITS, evaluate_set, format_set
from kg.ingest.facts.base_writer import MIN_CONFIDENCE
from kg.ingest.resolve import load_known
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print one table per split."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", choices=SPLITS, action="append", help="Split to score (default: both).")
    ap.add_argument("--match", action="append", metavar="GLOB",
                    help="Score only articles whose source id matches GLOB (repeatable; default: all).")
    ap.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE,
                    help=f"Candidates below it go to review, not into the facts (default {MIN_CONFIDENCE}).")
    args = ap.parse_args()
    paths = make_paths(ROOT, ROOT / ".kg" / "no-store-here")
    known = load_known(paths)
    gold_dir = ROOT / "tests" / "data" / "gold"
    with tempfile.TemporaryDirectory(prefix="kg-extract-eval-") as tmp:
        if args.match:
            # The set's reader takes a folder: copy the matching gold files into one.
            for g in gold_dir.glob("*.gold.json"):
                if any(fnmatch.fnmatchcase(g.name.removesuffix(".gold.json"), pat) for pat in args.match):
                    shutil.copy(g, tmp)
            gold_dir = Path(tmp)
        for split in args.split or SPLITS:
            print(format_set(evaluate_set(paths, ROOT / "tests" / "data" / "articles", gold_dir, split, known,
                                          args.min_confidence)))
            print()


if __name__ == "__main__":
    main()
