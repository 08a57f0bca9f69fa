"""``benchmarks/run.py`` end to end on a small corpus: every backend it names, the JSON shape the issue fixes.

The numbers themselves are not asserted (targets are read off the benchmark tables, never timed in tests);
what is asserted is that each backend answers every catalogue question and reports what the table needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.query.catalogue import load_catalogue
from kg.remote.virtuoso import available

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    if not available():
        pytest.fail("Virtuoso is not installed: run `apt-get install -y virtuoso-opensource` (.ci/run does).")
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "report.json"
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--triples", "10k", "--backends", "embedded,virtuoso", "--runs", "2",
         "--corpora", str(folder / "corpora"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_the_json_has_the_shape_other_tools_read(report: tuple[dict, str]) -> None:
    data, _ = report
    assert 9_000 <= data["triples"] <= 11_000
    questions = set(load_catalogue(ROOT / "queries"))
    for name in ("embedded", "virtuoso"):
        backend = data["backends"][name]
        assert backend["raw_load_s"] > 0
        assert backend["peak_rss_mb"] > 0
        assert set(backend["questions"]) == questions
        for q, stats in backend["questions"].items():
            assert "error" not in stats, (name, q, stats)
            assert 0 < stats["p50_ms"] <= stats["p95_ms"], (name, q, stats)
        assert backend["neighbors_ms"] > 0 and backend["path_ms"] > 0
        assert backend["reference_sum_ms"]["rows"] > 0
    embedded = data["backends"]["embedded"]
    assert embedded["build_s"] >= embedded["load_s"] > 0
    assert {"compact_s", "validate_s", "derive_s"} <= set(embedded)
    assert embedded["loader_only_s"] > 0
    assert embedded["rebuild_full"] is False and len(embedded["rebuild_changed"]) == 1  # one article, incremental
    assert embedded["rebuild_s"] > embedded["rebuild_load_s"] > 0
    assert embedded["view_bytes"] > 0
    for q, stats in embedded["questions"].items():  # as kg query answers: a worker, then the kept answer
        assert "again_error" not in stats, (q, stats)
        assert 0 < stats["again_p50_ms"] <= stats["again_p95_ms"], (q, stats)
        assert stats["first_ask_ms"] > 0, (q, stats)
    catalogue = load_catalogue(ROOT / "queries")
    assert embedded["warm_s"] > 0 and embedded["warm_state"] == "done"
    assert embedded["ask_cold_ms"] > 0 and embedded["ask_ms"] > 0
    for q, stats in embedded["questions"].items():  # after the background warmer, kept unless it needs parameters
        needs = any(p.required for p in catalogue[q].params)
        assert stats["after_warm_kept"] is (not needs), (q, stats)
    assert not any("again_p50_ms" in s for s in data["backends"]["virtuoso"]["questions"].values())
    # the questions about one region, about regions never asked before: a worker per query, and kept workers
    about_a_region = {q for q, question in catalogue.items() if [p.kind for p in question.params] == ["region"]}
    assert about_a_region == {q for q, s in embedded["questions"].items() if "new_region_ms" in s}
    assert about_a_region
    for q in about_a_region:
        assert embedded["questions"][q]["new_region_ms"] > 0 and embedded["questions"][q]["new_region_kept_ms"] > 0


def test_both_backends_answer_with_the_same_number_of_rows(report: tuple[dict, str]) -> None:
    data, _ = report
    embedded, virtuoso = data["backends"]["embedded"], data["backends"]["virtuoso"]
    assert embedded["parameters"] == virtuoso["parameters"]
    for q, stats in embedded["questions"].items():
        assert stats["rows"] == virtuoso["questions"][q]["rows"], q
    assert embedded["reference_sum_ms"]["rows"] == virtuoso["reference_sum_ms"]["rows"]


def test_the_table_is_printed(report: tuple[dict, str]) -> None:
    _, stdout = report
    assert "build / raw load" in stdout
    assert "rebuild, one article changed (s)" in stdout
    assert "reference sum" in stdout
    assert "machine factor" not in stdout  # the reference figure is for 1M statements, not 10k
    for name in load_catalogue(ROOT / "queries"):
        assert f"{name} p50/p95 (ms)" in stdout
        assert f"{name}, kg query: cold / again p50 / after build (ms)" in stdout
    assert "answers kept after build, in background (s)" in stdout
    assert "kg ask, a list: first / after build (ms)" in stdout
