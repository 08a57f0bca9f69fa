"""Indicator terms extended through review: proposed on the review page (real headless Chromium) for a figure no
term fits or a metric read with the wrong indicator, checked on read, merged by ``kg merge --decisions`` into
the project's ``data/vocab/indicators.ttl`` and used by the next ``kg ingest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from playwright.sync_api import Browser

from kg.cli import cli
from kg.ingest.review import load_review
from kg.ingest.vocabulary import ReviewedTerm, load_terms, match, vocab_file
from kg.namespaces import SKOS, ZS
from kg.paths import Paths
from tests.test_browser import open_file, save_decisions

# Invented for the tests.
FIRST = """标题: 湘潭招商培训
日期: 2024-05-06

湘潭市今年开展招商业务培训,培训招商干部320人次。
湘潭市开展线上推介活动12场次,签约项目6个,签约资金12.5亿元。
"""
NEXT = """标题: 株洲招商培训
日期: 2024-06-10

株洲市举办招商业务培训班,培训招商干部150人次。
株洲市开展线上推介活动8场次。
"""
TRAINED = ReviewedTerm("培训招商干部人次", "investment staff trained", "培训", "人次")
ONLINE = ReviewedTerm("线上推介活动场次", "online promotion events held", "线上推介", "场次")



def _ingest(runner: CliRunner, project: Paths, tmp_path: Path, name: str, text: str) -> Path:
    src = tmp_path / f"{name}.txt"
    src.write_text(text, encoding="utf-8")
    draft = tmp_path / f"{name}.ttl"
    res = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store), "ingest", str(src),
                              "-o", str(draft)])
    assert res.exit_code == 0, res.output
    return draft


def test_a_term_proposed_on_the_page_is_merged_and_used_by_the_next_ingest(browser: Browser, project: Paths,
                                                                           tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--project", str(project.project), "--store", str(project.store)]
    draft = _ingest(runner, project, tmp_path, "xiangtan-training", FIRST)
    review = load_review(draft)
    figure = next(i for i in review.items if "320人次" in i.note)  # no term fits 培训招商干部320人次
    online = next(c for c in review.candidates if c.type == "Metric" and "12场次" in c.label)
    assert dict(online.details)["indicator"] == "招商活动场次"  # read with a term the reviewer finds too wide

    page_path = tmp_path / "review.html"
    assert runner.invoke(cli, [*args, "review", str(draft), "-o", str(page_path)]).exit_code == 0
    o = open_file(browser, page_path, "kgReview")
    page = o.page
    for target, term in ((figure.id, TRAINED), (online.id, ONLINE)):
        form = page.locator(f'.kg-indicator[data-for="{target}"]')
        form.locator("summary").click()
        assert form.locator("input[name=unit]").input_value() == term.unit  # the figure's unit, filled in
        form.locator("input[name=zh]").fill(term.zh)
        form.locator("input[name=en]").fill(term.en)
        form.locator("input[name=cue]").fill(term.cue)
    saved = save_decisions(o, tmp_path)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert {p["for"]: (p["zh"], p["en"], p["cue"], p["unit"]) for p in data["indicators"]} == {
        figure.id: ("培训招商干部人次", "investment staff trained", "培训", "人次"),
        online.id: ("线上推介活动场次", "online promotion events held", "线上推介", "场次")}

    res = runner.invoke(cli, [*args, "merge", str(draft), "--decisions", str(saved)])
    assert res.exit_code == 0, res.output
    assert load_terms(project) == (TRAINED, ONLINE)  # in label order
    g = rdflib.Graph().parse(vocab_file(project), format="turtle")
    concept = rdflib.URIRef(TRAINED.iri)
    assert (concept, rdflib.RDF.type, ZS.Indicator) in g
    assert {str(o) for o in g.objects(concept, SKOS.prefLabel)} == {"培训招商干部人次", "investment staff trained"}
    # the metric the reviewer corrected was merged with its new indicator
    merged = rdflib.Graph()
    for f in project.facts.glob("xiangtan-training*.ttl"):
        merged.parse(f, format="turtle")
    assert (rdflib.URIRef(online.id), ZS.indicator, rdflib.URIRef(ONLINE.iri)) in merged
    assert str(merged.value(rdflib.URIRef(online.id), rdflib.RDFS.label)).startswith("线上推介活动场次")

    # the next ingest reads both figures with the new terms (reviewed terms first)
    text = _ingest(runner, project, tmp_path, "zhuzhou-training", NEXT).read_text(encoding="utf-8")
    assert "figure '150人次'" not in text
    assert '"rule": "indicator:培训招商干部人次"' in text and '"rule": "indicator:线上推介活动场次"' in text
    assert f"<{TRAINED.iri}>" in text or "indicator:" + TRAINED.iri.rsplit("/", 1)[-1] in text


@pytest.mark.parametrize(("change", "why"), [
    ({"zh": "签约项目数"}, "already a term of the vocabulary"),
    ({"en": "Projects signed"}, "already a term of the vocabulary"),
    ({"zh": "培训<b>人次"}, "2 to 16 Chinese characters"),
    ({"zh": "培" * 17}, "2 to 16 Chinese characters"),
    ({"cue": "考察"}, "is not in the figure's sentence"),
    ({"unit": "家"}, "is not in the figure's sentence"),
    ({"en": "x"}, "3 to 60 characters"),
    ({"for": "r99"}, "neither a metric of the draft nor a figure left for review"),
])
def test_a_bad_term_is_refused_and_nothing_is_written(project: Paths, tmp_path: Path, change: dict[str, str],
                                                      why: str) -> None:
    runner = CliRunner()
    draft = _ingest(runner, project, tmp_path, "xiangtan-training", FIRST)
    review = load_review(draft)
    figure = next(i for i in review.items if "320人次" in i.note)
    proposal = {"for": figure.id, "zh": TRAINED.zh, "en": TRAINED.en, "cue": TRAINED.cue, "unit": TRAINED.unit,
                **change}
    decisions = {"format": "zhaoshang-kg decisions 1", "draft_sha256": review.sha256,
                 "facts": [{"id": c.id, "decision": "accept"} for c in review.candidates], "indicators": [proposal]}
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps(decisions, ensure_ascii=False), encoding="utf-8")
    before = sorted(p.name for p in project.facts.iterdir())
    vocab = vocab_file(project).read_bytes()
    res = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store), "merge", str(draft),
                              "--decisions", str(path)])
    assert res.exit_code != 0 and why in res.output and "nothing was merged" in res.output, res.output
    assert vocab_file(project).read_bytes() == vocab and load_terms(project) == ()
    assert sorted(p.name for p in project.facts.iterdir()) == before


def test_the_longest_cue_of_the_figure_unit_wins() -> None:
    terms = (ReviewedTerm("推介活动场次", "promotion events held", "推介", "场次"), ONLINE)
    assert match(terms, "湘潭市开展线上推介活动", "场次") == ONLINE
    assert match(terms, "湘潭市开展推介活动", "场次") == terms[0]
    assert match(terms, "湘潭市开展线上推介活动", "个") is None
