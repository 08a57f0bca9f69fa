"""Conflicts on the review page, in a real headless Chromium: a draft fact whose figure disagrees with the
graph's is shown with both values, their sources and sentences, starts undecided, and blocks saving until
the reviewer decides it; ``kg merge`` refuses the draft until then."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import Browser

from kg.cli import cli
from kg.ingest.review import draft_conflicts, load_review
from kg.paths import Paths
from tests.test_browser import open_file, save_decisions
from tests.test_figures import _draft, _merge


def test_a_conflict_is_shown_beside_its_fact_and_must_be_decided(browser: Browser, project: Paths,
                                                                  tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--project", str(project.project), "--store", str(project.store)]
    _merge(project, runner, tmp_path, "yiyang-a")  # the graph has 86.5亿元
    draft = _draft(project, tmp_path, "yiyang-c")  # this draft says 96.5亿元 for the same subject
    conflicts = draft_conflicts(project.store, draft)
    assert [c.id for c in conflicts] == ["c1"]
    fact = conflicts[0].fact
    assert fact in load_review(draft).by_id()

    page_path = tmp_path / "review.html"
    res = runner.invoke(cli, [*args, "review", str(draft), "-o", str(page_path)])
    assert res.exit_code == 0, res.output
    assert "1 conflict(s) with the graph to decide" in res.output
    o = open_file(browser, page_path, "kgReview")
    page = o.page
    box = page.locator(f'.kg-fact[data-id="{fact}"]')
    assert box.get_attribute("data-decision") == "open"
    assert box.locator("input[type=radio]:checked").count() == 0
    panel = box.locator(".kg-conflict").inner_text()
    # both values, their sources and sentences, next to the fact
    assert "96.5亿元" in panel and "this draft: yiyang-c" in panel
    assert "86.5亿元" in panel and "in the graph: yiyang-a" in panel
    assert "合同引资86.5亿元。" in panel and "合同引资96.5亿元。" in panel
    assert "益阳市 · 合同引资" in panel
    item = page.locator('.kg-item[data-conflict="c1"]')
    assert "[c1] conflict" in item.inner_text()

    # an undecided conflict blocks saving; "accept all" does not decide it
    page.locator("#kg-accept-all").click()
    assert box.get_attribute("data-decision") == "open"
    page.locator("#kg-save").click()
    assert page.locator("#kg-status").inner_text() == "decide the conflicting facts first: c1"
    assert "1 of 1 conflicts to decide" in page.locator("#kg-summary").inner_text()

    box.locator("input[value=reject]").check()
    assert item.get_attribute("data-decided") == "reject"
    assert "0 of 1 conflicts to decide" in page.locator("#kg-summary").inner_text()
    saved = save_decisions(o, tmp_path)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert {f["id"]: f["decision"] for f in data["facts"]}[fact] == "reject"

    # kg merge: the conflict is an open review item until a decision names its fact
    res = runner.invoke(cli, [*args, "merge", str(draft)])
    assert res.exit_code != 0 and "open review item(s)" in res.output and "c1" in res.output, res.output
    undecided = dict(data, facts=[f for f in data["facts"] if f["id"] != fact])
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(undecided), encoding="utf-8")
    res = runner.invoke(cli, [*args, "merge", str(draft), "--decisions", str(partial)])
    assert res.exit_code != 0 and "c1:" in res.output and "decide it" in res.output
    res = runner.invoke(cli, [*args, "conflicts"])
    assert "No conflicting figures" in res.output  # nothing was merged
    res = runner.invoke(cli, [*args, "merge", str(draft), "--decisions", str(saved)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, [*args, "conflicts"])
    assert res.exit_code == 0 and "No conflicting figures" in res.output  # the wrong figure was rejected
