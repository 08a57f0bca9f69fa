"""The evaluation set and the targets on its test split, so that they cannot silently regress.

The test split (a third of the articles) is never used to tune a rule; the dev split's figures are printed
beside it (``pytest -s``), as ``python -m benchmarks.extract_eval`` prints them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest.evalset import SetResult, evaluate_set, format_set, gold_files
from kg.ingest.resolve import load_known
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def results() -> dict[str, SetResult]:
    paths = make_paths(ROOT, ROOT / ".kg" / "no-store-here")
    known = load_known(paths)
    return {split: evaluate_set(paths, DATA / "articles", DATA / "gold", split, known) for split in ("dev", "test")}


def test_the_set_has_thirty_articles_and_a_third_set_aside() -> None:
    dev, test = gold_files(DATA / "gold", "dev"), gold_files(DATA / "gold", "test")
    assert len(dev) + len(test) >= 30 and len(test) * 3 >= len(dev) + len(test) - 1
    for _, gold in dev + test:
        assert (DATA / "articles" / f"{gold['source']}.txt").is_file()
        assert gold["format"] == "zhaoshang-kg gold 2" and isinstance(gold["relations"], dict)
    relations = {k for _, g in test for k, v in g["relations"].items() if v}  # type: ignore[attr-defined]
    assert {"amount_place", "amount_measure", "amount_count", "chamber", "appointment", "taskforce_station",
            "taskforce_target"} <= relations


def test_test_split_meets_the_targets(results: dict[str, SetResult]) -> None:
    for r in results.values():
        print("\n" + format_set(r))
    s = results["test"].by_type()
    table = format_set(results["test"])
    assert s["amount_place"].recall >= 0.9 and s["amount_place"].precision >= 0.95, table
    assert s["chamber"].recall >= 0.9 and s["chamber"].precision >= 0.9, table
    assert s["appointment"].recall >= 0.9 and s["appointment"].precision >= 0.9, table
    for kind in ("taskforce_station", "taskforce_target"):
        assert s[kind].recall >= 0.8 and s[kind].precision >= 0.8, table
    assert not results["test"].refused and not results["dev"].refused


def test_a_refused_article_counts_as_finding_nothing(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles" / "test-01-empty.txt").write_bytes(b"")
    gold = {"format": "zhaoshang-kg gold 2", "source": "test-01-empty", "split": "test", "facts": {},
            "relations": {"amount_place": [{"value": "100000000", "place": "430100"}]}}
    (tmp_path / "gold" / "test-01-empty.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    r = evaluate_set(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), tmp_path / "articles", tmp_path / "gold",
                     "test")
    assert r.refused and "is empty" in r.refused[0]
    assert r.by_type()["amount_place"].recall == 0.0
