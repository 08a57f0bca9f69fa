"""kg ingest → kg eval → kg merge, end to end, on the founding article and on a new one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest.evaluate import evaluate, format_scores
from kg.ingest.run import ingest
from kg.paths import Paths, make_paths
from kg.query.catalogue import select
from kg.store.generations import open_store

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "sources" / "rednet-2024-03-13-sanzhangpai.txt"
GOLD = ROOT / "tests" / "data" / "gold" / "rednet-2024-03-13-sanzhangpai.gold.json"
NEW_ARTICLE = """标题: 衡阳招商引资新进展
日期: 2024-04-02
来源: 测试日报

当前位置:
图片
去年5月,衡阳市印发《衡阳市招商引资奖励办法》,最高奖励可达500万元。
衡阳市聘任12名衡阳籍企业家为招商大使,北京衡阳商会、广东湖南商会积极参与。
今年3月,衡阳市在深圳举办招商推介会,签约引进8个项目,签约资金达56.7亿元,走访企业120余家。
阅读下一篇
"""


@pytest.fixture
def bare(tmp_path: Path) -> Paths:
    """A project with the ontology and the gazetteer only: the article's own facts cannot leak into resolution."""
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    (tmp_path / "data" / "facts").mkdir(parents=True)
    (tmp_path / "data" / "sources").mkdir()
    shutil.copy(ROOT / "data" / "facts" / "gazetteer.ttl", tmp_path / "data" / "facts")
    return make_paths(tmp_path, tmp_path / "store")


def test_founding_article_recall(bare: Paths, tmp_path: Path) -> None:
    draft = tmp_path / "draft.ttl"
    ingest(bare, [SOURCE], draft)
    scores = {s.type: s for s in evaluate(draft, GOLD)}
    print("\n" + format_scores(list(scores.values())))  # the recall table, with precision, in -s output
    for kind in ("regions", "organisations", "amounts", "metrics"):
        assert scores[kind].recall >= 0.8, format_scores(list(scores.values()))
        assert scores[kind].precision >= 0.5


def test_cli_ingest_eval_and_review_summary(runner: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "draft.ttl"
    res = runner.invoke(cli, ["ingest", str(SOURCE), "-o", str(draft)])
    assert res.exit_code == 0, res.output
    assert "Found, by type:" in res.output and "organisation" in res.output and "UTF-8" in res.output
    res = runner.invoke(cli, ["eval", str(draft), str(GOLD)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].split() == ["type", "gold", "found", "matched", "precision", "recall"]


def test_nothing_is_written_when_one_article_fails(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (folder / "b-empty.txt").write_bytes(b"")
    out = tmp_path / "draft.ttl"
    res = runner.invoke(cli, ["ingest", str(folder), "-o", str(out)])
    assert res.exit_code == 1 and "Error:" in res.output and "is empty" in res.output
    assert not out.exists()


def test_missing_date_is_a_review_item_not_a_refusal(runner: CliRunner, tmp_path: Path) -> None:
    p = tmp_path / "nodate.txt"
    p.write_text("衡阳市签约资金达56.7亿元。\n", encoding="utf-8")
    res = runner.invoke(cli, ["ingest", str(p), "-o", str(tmp_path / "d.ttl")])
    assert res.exit_code == 0, res.output
    assert "no publication date" in res.output and "--date" in res.output
    assert "datePublished" not in (tmp_path / "d.ttl").read_text(encoding="utf-8")
    res = runner.invoke(cli, ["ingest", str(p), "-o", str(tmp_path / "d.ttl"), "--date", "2024-04-02",
                              "--title", "衡阳"])
    assert res.exit_code == 0, res.output
    assert "no publication date" not in res.output
    assert '"2024-04-02"^^xsd:date' in (tmp_path / "d.ttl").read_text(encoding="utf-8")


def test_merge_new_article_shows_up_in_queries(project: Paths, runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "hengyang-2024-04-02.txt"
    src.write_text(NEW_ARTICLE, encoding="gb18030")
    draft = tmp_path / "draft.ttl"
    args = ["--project", str(project.project), "--store", str(project.store)]
    res = runner.invoke(cli, [*args, "ingest", str(src), "-o", str(draft)])
    assert res.exit_code == 0, res.output
    assert "GB18030" in res.output
    res = runner.invoke(cli, [*args, "merge", str(draft)])
    assert res.exit_code == 0, res.output
    assert (project.sources / "hengyang-2024-04-02.txt").read_text(encoding="utf-8") == NEW_ARTICLE
    table = select(open_store(project.store), """
        SELECT ?label ?value WHERE {
          ?c a zs:ChamberOfCommerce ; rdfs:label ?label ; zs:hostRegion/zs:adminCode ?host .
          OPTIONAL { ?t a zs:SigningTotal ; zs:investment/schema:value ?value }
        }""")
    labels = {r["label"].value for r in table.rows}
    assert {"北京衡阳商会", "广东湖南商会"} <= labels
    assert any(r["value"] is not None and r["value"].value == "5670000000" for r in table.rows)
    res = runner.invoke(cli, [*args, "ask", "哪些商会把哪些地区联系在一起"])
    assert res.exit_code == 0, res.output
    assert "北京衡阳商会" in res.output and "衡阳市" in res.output
    # ... and in both views
    for command, page in (("viz", tmp_path / "viz.html"), ("map", tmp_path / "map.html")):
        res = runner.invoke(cli, [*args, command, "-o", str(page)])
        assert res.exit_code == 0, res.output
        assert "北京衡阳商会" in page.read_text(encoding="utf-8")
    # A second merge of the same article is refused, and changes nothing.
    res = runner.invoke(cli, [*args, "merge", str(draft)])
    assert res.exit_code == 1 and "already has facts" in res.output


def test_merge_of_a_violating_draft_merges_nothing(project: Paths, runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "hengyang-2024-04-02.txt"
    src.write_text(NEW_ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    ingest(project, [src], draft)
    text = draft.read_text(encoding="utf-8")
    # Break two shapes: money as a float, and a chamber without its host region.
    text = text.replace('"5670000000"^^xsd:decimal', '"5.67e9"^^xsd:double')
    text = text.replace("zs:hostRegion", "zs:unknownProperty")
    draft.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in project.facts.iterdir()), sorted(p.name for p in project.sources.iterdir())
    res = CliRunner().invoke(cli, ["--project", str(project.project), "--store", str(project.store), "merge",
                                   str(draft)])
    assert res.exit_code == 1
    assert "nothing was merged" in res.output
    assert "xsd:decimal" in res.output and "host region" in res.output
    after = sorted(p.name for p in project.facts.iterdir()), sorted(p.name for p in project.sources.iterdir())
    assert before == after


def test_many_articles_in_parallel_make_one_valid_draft(bare: Paths, tmp_path: Path) -> None:
    from kg.ingest.merge import draft_sources
    from kg.store.rdfio import parse_file

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(17):
        (folder / f"n-{i:02d}.txt").write_text(NEW_ARTICLE.replace("衡阳", ["长沙", "岳阳", "怀化"][i % 3]),
                                               encoding="utf-8")
    draft = tmp_path / "many.ttl"
    report = ingest(bare, [folder], draft, workers=2)
    assert len(report.articles) == 17 and report.counts["amount"] >= 17
    assert [sid for sid, _ in draft_sources(draft.read_text(encoding="utf-8"))] == [f"n-{i:02d}" for i in range(17)]
    assert len(parse_file(draft)) > 17 * 50
