"""The review page in a real headless Chromium: offline, hostile text stays text, and the decisions a reviewer
makes (accept, reject, edit) are saved as a decisions file that ``kg merge --decisions`` accepts."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser
from rdflib import URIRef

from kg.ingest.decisions import apply, read_decisions, to_graph
from kg.ingest.review import load_review
from kg.ingest.reviewpage import write_review_page
from kg.ingest.run import ingest
from kg.paths import make_paths
from tests.test_browser import open_file, save_decisions

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = """标题: 湘潭招商新进展
日期: 2024-04-02

湘潭市签约项目6个,签约资金12.5亿元;湘乡市签约项目2个,签约资金3亿元。
湘潭市聘请“招商顾问”<img src=x onerror=alert(1)>王海、李江。
"""



def test_review_page_saves_decisions_that_merge_accepts(browser: Browser, tmp_path: Path) -> None:
    src = tmp_path / "xiangtan-2024-04-02.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    ingest(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), [src], draft, workers=1)
    review = load_review(draft)
    page_path = write_review_page(review, tmp_path / "review.html")
    o = open_file(browser, page_path, "kgReview")
    page = o.page
    # hostile text from the article is shown as text, never run or parsed as markup
    assert page.locator("img").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("#kg-facts").inner_text()
    # grouped by type, places by name, the sentence marked
    ids = {c.label: c.id for c in review.candidates}
    totals = page.locator(f'.kg-fact[data-id="{ids["签约资金12.5亿元"]}"]')
    assert "湘潭市" in totals.inner_text() and "430300" not in totals.inner_text()
    assert totals.locator("mark").inner_text() == "签约资金12.5亿元"
    # reject one total, edit the other's label, save
    other = page.locator(f'.kg-fact[data-id="{ids["签约资金3亿元"]}"]')
    totals.locator("input[value=reject]").check()
    other.locator("input[value=edit]").check()
    other.locator("input.kg-edit").fill("湘乡市签约资金3亿元")
    saved = save_decisions(o, tmp_path)
    data = json.loads(saved.read_text(encoding="utf-8"))
    by_label = {c.id: c.label for c in review.candidates}
    decided = {by_label[f["id"]]: (f["decision"], f.get("label")) for f in data["facts"]}
    assert decided["签约资金12.5亿元"] == ("reject", None)
    assert decided["签约资金3亿元"] == ("edit", "湘乡市签约资金3亿元")
    assert {d for d, _ in decided.values()} == {"accept", "reject", "edit"}
    # the file is accepted for this draft and removes exactly what was rejected
    text, dropped = apply(draft, review, read_decisions(saved, review))
    assert ids["签约资金12.5亿元"] in dropped and ids["签约资金3亿元"] not in dropped
    g = to_graph(text)
    assert (URIRef(ids["签约资金12.5亿元"]), None, None) not in g and "1250000000" not in text  # and its amount
    assert "湘乡市签约资金3亿元" in text and "300000000" in text
