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


#: The issue's targets on the test split, and floors at where the extractor stands (measured, never above it).
#: Test articles 16-21 were written before the rules for amounts spread over listed places (分别为41亿元、22.5亿元),
#: appointees before 颁发…聘书, units 派驻/设立 in several cities, 郴州市宜章县 and 湘商会 were tuned on dev 26-31,
#: and scored blind after. Appointments stood short of their target (16 of 19 appointees, one wrong); test
#: articles 31-37 were written and scored (appointment recall 0.14) before the appointment, chamber-abbreviation
#: and reward-cap rules were tuned on dev 51-59, then scored blind after: every appointee of both batches.
TARGETS = {"amount_place": (0.9, 0.95), "chamber": (0.9, 0.9), "appointment": (0.9, 0.9)}
FLOORS = {"amount_place": (1.0, 1.0), "chamber": (1.0, 1.0), "appointment": (1.0, 1.0),
          "amount_period": (0.9, 0.9)}  # periods: the test gold was written before the rules were scored on it
TASKFORCE_TARGET, TASKFORCE_FLOOR = 0.8, 1.0


def test_test_split_targets_do_not_regress(results: dict[str, SetResult]) -> None:
    for r in results.values():
        print("\n" + format_set(r))
    s = results["test"].by_type()
    table = format_set(results["test"])
    for kind, (recall, precision) in FLOORS.items():
        assert s[kind].recall >= recall and s[kind].precision >= precision, table
    tf = [s["taskforce_station"], s["taskforce_target"]]
    combined = sum(x.matched for x in tf) / sum(x.gold for x in tf)
    assert combined >= TASKFORCE_FLOOR and all(x.precision >= 0.9 for x in tf), table
    met = {k: s[k].recall >= r and s[k].precision >= p for k, (r, p) in TARGETS.items()}
    met["taskforce"] = combined >= TASKFORCE_TARGET
    print("targets met:", met)
    assert all(met.values())  # what the blind articles meet
    assert not results["test"].refused and not results["dev"].refused


def test_dev_split_is_read_completely(results: dict[str, SetResult]) -> None:
    s = results["dev"].by_type()
    for kind in ("amount_place", "amount_measure", "amount_count", "chamber", "appointment", "taskforce_station",
                 "taskforce_target"):
        assert s[kind].recall == 1.0 and s[kind].precision == 1.0, format_set(results["dev"])
    # a period the text gives only by context (the line after a total, without 其中) is not read: recall below 1
    assert s["amount_period"].precision == 1.0 and s["amount_period"].recall >= 0.9, format_set(results["dev"])


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
