"""The consolidation benchmark on a small corpus: every planted repeat, conflict and repost is found, nothing
else is taken for one, and one article merges into the built store."""

from __future__ import annotations

from pathlib import Path

from benchmarks.corpus import run


def test_planted_repeats_conflicts_and_reposts_are_all_found(tmp_path: Path) -> None:
    rows = {name: (count, figure) for name, count, figure in run(tmp_path / "c", 20_000, 5, 11)}
    assert rows["planted repeats found"] == ("5/5", "recall 1.000")
    assert rows["planted conflicts found"] == ("5/5", "recall 1.000")
    assert rows["figure groups found"][1].startswith("precision 1.000")
    assert rows["reposts refused"] == ("5/5", "recall 1.000")
    assert rows["articles wrongly taken as duplicates"][0].startswith("0/")
    assert rows["planted chamber variants proposed"][1].startswith("recall 1.000 of those extracted")
    assert not rows["planted chamber variants proposed"][0].endswith("(0 extracted)")
    assert rows["candidate merges right"][1] == "precision 1.000"
    assert rows["kg merge of one article"][0] == "merged"
