"""Accuracy of ``kg ask`` on the written question sets, per split and per kind of question.

    python -m benchmarks.ask_eval [--split dev|test|both] [--misses]

Builds the project's own data into a temporary store, asks every question of ``tests/data/questions/`` and
prints, for each split, how many answers are right, how many negative cases were answered with confidence
(they must be none), the figures per kind, and with ``--misses`` the questions missed. The lexicon is tuned on
the dev split only; the test split is the honest figure.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions"


def main(argv: list[str] | None = None) -> int:
    """Build, ask, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--misses", action="store_true", help="list the questions missed")
    args = parser.parse_args(argv)

    from kg.asking.answer import ask, data_date
    from kg.asking.scoring import evaluate, format_report, load_items
    from kg.backend import build
    from kg.names.index import load_entities
    from kg.paths import make_paths
    from kg.query.catalogue import load_catalogue
    from kg.store.generations import open_store

    with tempfile.TemporaryDirectory() as tmp:
        paths = make_paths(ROOT, Path(tmp) / "store")
        build(paths)
        store = open_store(paths.store)
        index = load_entities(store)
        catalogue = load_catalogue(paths.queries)
        now = data_date(store)
        splits = ["dev", "test"] if args.split == "both" else [args.split]
        for split in splits:
            items = load_items(QUESTIONS / f"{split}.jsonl")
            report = evaluate(split, items, lambda q: ask(store, catalogue, q, index, now=now))
            print(format_report(report, failures=args.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
