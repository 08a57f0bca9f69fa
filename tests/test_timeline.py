"""A project's stages across articles: milestones in the model, read from stage sentences, listed by ``kg timeline``
with the projects seen signed and never seen started."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest.extract import extract
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.paths import Paths, make_paths
from kg.store.generations import open_store
from kg.store.stages import current_stages

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/zhaoshang-kg/id/"
ZS = "https://w3id.org/zhaoshang-kg/def#"

# Invented for these tests, in the style of county news reports; not copied from any publication.
FIRST = """标题: 醴陵市重点项目集中签约
日期: 2024-03-22

3月20日,醴陵市举行重点项目集中签约仪式,共签约项目6个,签约资金38.5亿元。
在签约仪式上,醴陵市青岚锂电隔膜项目、醴陵市瓷谷文创街区项目现场签约。
青岚锂电隔膜项目总投资15亿元,由湖南青岚新材料有限公司投资建设。
"""
SECOND = """标题: 青岚锂电隔膜项目建成投产
日期: 2024-12-20

青岚锂电隔膜项目5月8日正式开工。
青岚锂电隔膜项目(一期)已建成投产,累计到位资金6亿元。
醴陵市溪岸康养小镇项目将于明年开工。
"""


@pytest.fixture(scope="module")
def known() -> KnownGraph:
    return load_known(make_paths(ROOT, ROOT / ".kg" / "no-store-here"))


def _stages(tmp_path: Path, known: KnownGraph, body: str, date: str = "2024-05-10") -> list[tuple[str, str, str]]:
    p = tmp_path / "news-1.txt"
    p.write_text(f"标题: 测试\n日期: {date}\n\n{body}\n", encoding="utf-8")
    x = extract(read_article(p), known)
    out = []
    for f in x.findings:
        if f.kind == "stage":
            when = f.attrs["date"]
            out.append((str(f.attrs["short"]), str(f.attrs["stage"]), getattr(when, "value", "")))
    return out


@pytest.mark.parametrize(("body", "expected"), [
    ("鸿泰锂电池正极材料项目于2024年3月签约。", [("鸿泰锂电池正极材料项目", "Signed", "2024-03")]),
    ("鸿泰锂电池正极材料项目3月18日正式开工。", [("鸿泰锂电池正极材料项目", "UnderConstruction", "2024-03-18")]),
    ("醴陵市鸿泰锂电池正极材料项目(一期)已建成投产。", [("鸿泰锂电池正极材料项目", "InProduction", "")]),
    ("鸿泰锂电池正极材料项目去年12月竣工验收。", [("鸿泰锂电池正极材料项目", "Completed", "2023-12")]),
    ("在签约仪式上,星河陶瓷智造项目、鸿泰锂电池正极材料项目等5个项目现场签约。",
     [("星河陶瓷智造项目", "Signed", ""), ("鸿泰锂电池正极材料项目", "Signed", "")]),
    ("会议通报,去年3月签约的鸿泰锂电池正极材料项目已于今年2月竣工。",
     [("鸿泰锂电池正极材料项目", "Completed", "2024-02"), ("鸿泰锂电池正极材料项目", "Signed", "2023-03")]),
    # a dateline's date is the article's, not the stage's; a bracket ends a name
    ("样例日报5月8日讯(记者 向晓岚)湘澜高纯氧化铝项目已建成投产。", [("湘澜高纯氧化铝项目", "InProduction", "")]),
    # said twice (a headline, then the text): one milestone, with the date
    ("湘澜高纯氧化铝项目一期投产。1月8日,湘澜高纯氧化铝项目(一期)已建成投产。",
     [("湘澜高纯氧化铝项目", "InProduction", "2024-01-08")]),
    # categories counted after a signing are no projects; an intent agreement is no signing
    ("上半年签约项目36个。其中,先进制造业项目21个,现代服务业项目9个。", []),
    ("现场集中签约项目11个。其中,湘澜公司与醴陵市签订高纯氧化铝项目投资意向协议。", []),
    # plans, hopes and denials are no milestones; nor are projects in general
    ("星河陶瓷智造项目将于6月开工,预计年底投产。", []),
    ("湘瓷文创产业园项目仍未开工。", []),
    ("全市重点项目集中开工,推动项目早投产。", []),
])
def test_stage_sentences(tmp_path: Path, known: KnownGraph, body: str, expected: list[tuple[str, str, str]]) -> None:
    assert sorted(_stages(tmp_path, known, body)) == sorted(expected)


def test_funds_in_place_need_the_money_and_the_group_sentence_dates_the_next(tmp_path: Path, known: KnownGraph) -> None:
    found = _stages(tmp_path, known, "鸿泰锂电池正极材料项目累计到位资金8亿元。鸿泰锂电池正极材料项目资金到位。")
    assert found == [("鸿泰锂电池正极材料项目", "FundsArrived", "")]  # the second names no amount
    found = _stages(tmp_path, known, "4月24日,宁乡市3个重大项目集中开工。其中,星辰食品产业园项目投资7.5亿元。")
    assert found == [("星辰食品产业园项目", "UnderConstruction", "2024-04-24")]


def test_founding_article_milestones_give_the_current_stage(store: ox.Store) -> None:
    derived = {(q.subject.value, q.predicate.value.rsplit("#", 1)[-1]): q.object.value
               for q in current_stages(store) if isinstance(q.subject, ox.NamedNode)}
    zhongwei = ID + "project/zhongwei-powder-materials-park"
    assert derived[(zhongwei, "stage")] == ZS + "UnderConstruction" and derived[(zhongwei, "stageDate")] == "2023-07"
    assert derived[(ID + "project/yuhu-cold-chain-changsha", "stage")] == ZS + "Landed"
    assert (ID + "project/yuhu-cold-chain-changsha", "stageDate") not in derived  # no date is made up
    # every project that had a stage has its milestone, with the sentence it comes from
    rows = store.query(f"""SELECT ?m ?s WHERE {{ ?m a <{ZS}ProjectMilestone> ; <{ZS}project> ?p ;
        <http://www.w3.org/ns/prov#wasDerivedFrom> ?s }}""", use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    assert len({r["m"] for r in rows}) == 11


def test_a_milestone_without_its_project_is_refused(project: Paths) -> None:
    bad = project.facts / "bad-milestone.ttl"
    bad.write_text(f"""@prefix zs: <{ZS}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}milestone/x> a zs:ProjectMilestone ; rdfs:label "某项目 开工"@zh ; zs:stage zs:UnderConstruction ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> <{ID}source/rednet-2024-03-13-sanzhangpai/s023> .
""", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--project", str(project.project), "--store", str(project.store), "build"])
    assert res.exit_code != 0
    assert "A milestone is about one investment project" in res.output


def _kg(paths: Paths, *args: str) -> str:
    res = CliRunner().invoke(cli, ["--project", str(paths.project), "--store", str(paths.store), *args])
    assert res.exit_code == 0, res.output
    return res.output


def test_timeline_across_two_merged_articles(project: Paths, tmp_path: Path) -> None:
    for name, text in (("liling-a", FIRST), ("liling-b", SECOND)):
        article = tmp_path / f"{name}.txt"
        article.write_text(text, encoding="utf-8")
        draft = tmp_path / f"{name}.ttl"
        _kg(project, "ingest", str(article), "-o", str(draft))
        _kg(project, "merge", "--accept-all", str(draft))
    out = _kg(project, "timeline", "青岚锂电隔膜项目", "--format", "json")
    t = json.loads(out)
    assert t["kind"] == "project"
    steps = [(m["date"], m["stage"]) for m in t["milestones"]]
    assert steps == [("2024-03-20", "Signed"), ("2024-05-08", "UnderConstruction"), ("", "InProduction"),
                     ("", "FundsArrived")]  # the second article's project is the first's: one project
    funds = t["milestones"][-1]
    assert funds["amount"] == "6亿元 (到位资金)" and "累计到位资金6亿元" in funds["sentence"]
    assert {m["source"].rsplit("/", 1)[-1] for m in t["milestones"]} == {"liling-a", "liling-b"}
    # the region: 株洲市 includes 醴陵市; the cultural quarter was signed in March and never seen started
    text = _kg(project, "timeline", "株洲市", "--stalled-after", "6")
    assert "瓷谷文创街区项目: signed 2024-03-20, 9 months" in text
    assert "counted to 2024-12-20, the newest article date in the graph" in text
    assert "青岚锂电隔膜项目: signed" not in text and "溪岸康养" not in text  # started; only planned
    assert "瓷谷文创街区项目: signed" not in _kg(project, "timeline", "株洲市", "--stalled-after", "12")


def test_unknown_and_wrong_kinds_of_names_are_clear_errors(built: Paths) -> None:
    res = CliRunner().invoke(cli, ["--project", str(built.project), "--store", str(built.store),
                                   "timeline", "不存在的项目名称"])
    assert res.exit_code != 0 and "不存在的项目名称" in res.output
    res = CliRunner().invoke(cli, ["--project", str(built.project), "--store", str(built.store),
                                   "timeline", "张锦州"])
    assert res.exit_code != 0 and "neither a region nor an investment project" in res.output
    out = CliRunner().invoke(cli, ["--project", str(built.project), "--store", str(built.store),
                                   "timeline", "长沙市"]).output
    assert "中伟先进功能型粉体材料产业园 · 宁乡经开区" in out
    assert out.index("2023-07") < out.index("(2024-03-13)")  # a dated stage before those dated by their article
    assert "(2024-03-13) 落地   中国长城科技总部 · 长沙市\n" in out  # no amount given, none shown
    assert "玉湖冷链(长沙)交易中心 · 长沙自贸临空区 · 50亿元 (项目总投资)" in out


def test_a_milestone_is_never_what_a_name_stands_for(built: Paths) -> None:
    """A milestone's label names its project (玉湖冷链(长沙)交易中心 落地): the project's name finds the project."""
    from kg.names.index import find, find_mentions, load_entities

    store = open_store(built.store)
    index = load_entities(store)
    assert not [e for e in index.entities.values() if "zs:ProjectMilestone" in e.classes]
    project = f"{ID}project/yuhu-cold-chain-changsha"
    assert find(store, "玉湖冷链(长沙)交易中心").iri == project
    named = {i for m in find_mentions(index, "玉湖冷链(长沙)交易中心落地在哪里?") for i in m.iris}
    assert named == {project}
