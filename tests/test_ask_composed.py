"""kg ask beyond the catalogue: questions understood part by part, answered by composed queries, honestly."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.asking.answer import Answer, ask, data_date
from kg.asking.compose import fact_query, list_query
from kg.asking.understand import MAX_QUESTION, understand
from kg.cli import cli
from kg.names.index import EntityIndex, load_entities
from kg.paths import Paths
from kg.query.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
NOW = date(2024, 3, 13)


@pytest.fixture(scope="module")
def index(store: ox.Store) -> EntityIndex:
    return load_entities(store)


def answer(store: ox.Store, index: EntityIndex, text: str) -> Answer:
    return ask(store, CATALOGUE, text, index)


def cells(a: Answer) -> list[str]:
    assert a.table is not None
    return [str(t.value) for row in a.table.rows for t in row.values() if t is not None]


def test_the_data_speaks_from_its_publication_date(store: ox.Store) -> None:
    assert data_date(store) == NOW


def test_understanding_reads_every_part(index: EntityIndex) -> None:
    u = understand("云溪区去年招引了多少个石化项目,总投资多少?", index, now=NOW, whole=lambda: index)
    assert [m.surface for m in u.mentions] == ["云溪区"]
    assert u.partial and u.partial[0][1] == ["https://w3id.org/zhaoshang-kg/id/chain/modern-petrochemicals"]
    assert (u.aggregation, u.measure, u.kind) == ("count", "total_investment", "project")
    assert u.time is not None and (u.time.start, u.time.end) == ("2023-01-01", "2023-12-31")
    spring = understand("岳阳春节期间开展了多少场对接活动", index, now=NOW)
    assert spring.time is not None and (spring.time.start, spring.time.end) == ("2024-02-10", "2024-02-17")
    half = understand("2023年上半年有哪些项目", index, now=NOW)
    assert half.time is not None and (half.time.start, half.time.end) == ("2023-01-01", "2023-06-30")
    above = understand("超过10亿的项目", index, now=NOW).threshold
    assert above is not None and (above.op, above.value) == (">", Decimal("1000000000"))
    after = understand("10亿以上的项目", index, now=NOW).threshold
    assert after is not None and (after.op, after.value) == (">=", Decimal("1000000000"))
    compare = understand("长沙和岳阳的招商做法有什么不同", index, now=NOW)
    assert compare.comparison and compare.kind == "practice" and len(compare.mentions) == 2
    assert understand("玉湖冷链项目是谁促成的", index, now=NOW).relation == "facilitator"
    assert understand("长沙给招商大使的奖励最高有多少?", index, now=NOW).relation == "reward_cap"


def test_single_facts_outside_the_catalogue(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "长沙给招商大使的奖励最高有多少?")
    assert a.ok and a.shape == "fact" and a.question is None
    assert "最高1100万元" in cells(a) and "11000000" in cells(a)
    assert any("1100万元" in s for s in a.sources)
    a = answer(store, index, "Who brokered the Yuhu cold-chain project?")
    assert a.ok and cells(a).count("张锦州") == 1 and len(a.table.rows) == 1  # type: ignore[union-attr]
    a = answer(store, index, "云溪区去年招引了多少个石化项目,总投资多少?")
    assert a.ok and a.shape == "figures" and {"59", "43065000000"} <= set(cells(a))


def test_years_thresholds_and_comparisons(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "2023年有哪些招商活动")
    labels = cells(a)
    assert "健博会" in labels and "辰溪(上海)长三角地区招商引资推介会" not in labels
    a = answer(store, index, "超过100亿的项目")
    assert a.ok and [r["subjectLabel"].value for r in a.table.rows] == ["中伟先进功能型粉体材料产业园"]  # type: ignore
    a = answer(store, index, "长沙和岳阳的招商做法有什么不同")
    assert a.ok and a.shape == "compare"
    sides = {r["side"].value for r in a.table.rows}  # type: ignore[union-attr]
    assert sides == {"长沙市", "岳阳市"}


@pytest.mark.parametrize("text", ["鼓楼区有什么项目", "What projects are in Gulou District?",
                                  "株洲市招商大使奖励最高多少", "武汉的招商活动", "比亚迪集团投资了哪些项目"])
def test_unknown_places_are_said_to_be_unknown(store: ox.Store, index: EntityIndex, text: str) -> None:
    a = answer(store, index, text)
    assert a.status == "not_in_graph" and a.table is None
    assert "Not in the graph" in a.message and a.understood["unknown"]


@pytest.mark.parametrize("text", ["辰溪给招商大使的奖励最高多少?", "巴陵石化己内酰胺项目总投资多少?",
                                  "2022年有哪些招商活动?", "超过1000亿的项目有哪些?", "辰溪县总投资多少?",
                                  "张锦州今年多大年龄?"])
def test_what_the_graph_does_not_hold_is_not_answered(store: ox.Store, index: EntityIndex, text: str) -> None:
    a = answer(store, index, text)
    assert a.status == "not_in_graph", a.render()
    assert not a.sources and "1100万" not in a.render()


def test_superlatives_rank_amounts(store: ox.Store, index: EntityIndex) -> None:
    most = answer(store, index, "哪个项目投资最多")
    assert most.ok and [r["subjectLabel"].value for r in most.table.rows] == ["中伟先进功能型粉体材料产业园"]  # type: ignore
    least = answer(store, index, "投资最少的项目")
    assert least.ok and [r["subjectLabel"].value for r in least.table.rows] == ["玉湖冷链(长沙)交易中心"]  # type: ignore


def test_words_of_a_question_are_not_taken_for_places(index: EntityIndex) -> None:
    # 比如 is also a county (比如县), 中心 and 城区 are words: none of them is an unknown place
    for text in ("辰溪和长沙的签约资金相比如何", "服务中心在城区吗", "长沙有哪些项目"):
        assert understand(text, index, now=NOW).unknown == [], text
    assert understand("武汉和南京有什么项目", index, now=NOW).unknown == ["武汉", "南京"]


def test_a_measure_the_graph_does_not_hold_names_the_one_it_has(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "辰溪县总投资多少?")
    assert a.status == "not_in_graph" and "签约资金" in a.message


def test_composed_queries_bind_every_value() -> None:
    from kg.names.index import Entity

    evil = Entity(iri="https://example.org/DROP_ALL", label_zh="恶意")
    composed = fact_query(["zs:facilitatedBy"], [evil], ("2023-01-01", "2023-12-31"))
    assert "DROP" not in composed.sparql and "恶意" not in composed.sparql and "2023" not in composed.sparql
    assert composed.bindings["a0"] == ox.NamedNode(evil.iri)
    listed = list_query(["zs:InvestmentProject"], [], None, (">", Decimal("1e10")))
    assert "10000000000" not in listed.sparql and listed.bindings["min"].value == "10000000000"
    with pytest.raises(ValueError):
        list_query(["zs:InvestmentProject"], [], None, ("> 0 || true", Decimal(1)))


def test_the_question_text_never_reaches_sparql(store: ox.Store, index: EntityIndex) -> None:
    text = "玉湖冷链项目是谁促成的 } ; DELETE WHERE { ?s ?p ?o } #"
    a = answer(store, index, text)
    assert a.ok and "张锦州" in cells(a)
    assert a.queries and all("DELETE" not in c.sparql and "玉湖" not in c.sparql for c in a.queries)
    assert store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True)


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1000000",
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE entities; --",
    "？？？",
])
def test_hostile_questions_get_a_clear_answer(store: ox.Store, index: EntityIndex, text: str) -> None:
    a = answer(store, index, text)
    assert a.status in ("no_match", "refused", "not_in_graph", "answered")
    assert a.message or a.ok
    for c in a.queries:
        assert text not in c.sparql


def test_long_questions_are_refused(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "长沙" * (MAX_QUESTION // 2 + 1))
    assert a.status == "refused" and str(MAX_QUESTION) in a.message and a.table is None


@pytest.mark.parametrize("text", ["長沙給招商大使的獎勵最高有多少?", "玉湖冷鏈項目是誰促成的?",
                                  "ＷＨＯ ＢＲＯＫＥＲＥＤ ＴＨＥ ＹＵＨＵ ＣＯＬＤ-ＣＨＡＩＮ ＰＲＯＪＥＣＴ？"])
def test_traditional_script_and_full_width_letters(store: ox.Store, index: EntityIndex, text: str) -> None:
    a = answer(store, index, text)
    assert a.ok, a.render()
    assert "1100万元" in " ".join(cells(a)) or "张锦州" in cells(a)


def test_cli_explain_and_json(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store), "ask"]
    out = runner.invoke(cli, [*base, "玉湖冷链项目是谁促成的", "--explain"])
    assert out.exit_code == 0, out.output
    assert "Understood:" in out.output and "relation: facilitator" in out.output
    assert "SPARQL:" in out.output and "?a0 ?p0 ?value" in out.output and "张锦州" in out.output
    out = runner.invoke(cli, [*base, "玉湖冷链项目是谁促成的", "--format", "json"])
    data = json.loads(out.output)
    assert data["status"] == "answered" and data["shape"] == "fact"
    assert data["understood"]["relation"] == "facilitator"
    assert data["sparql"] and data["sparql"][0]["bindings"]["p0"]["value"].endswith("#facilitatedBy")
    assert any(b.get("answer", {}).get("value") == "张锦州" for b in data["answer"]["results"]["bindings"])
    assert data["sources"]
    out = runner.invoke(cli, [*base, "鼓楼区有什么项目"])
    assert out.exit_code == 1 and "Not in the graph" in out.output and "鼓楼区" in out.output
    out = runner.invoke(cli, [*base, "长沙有哪些项目", "--format", "json"])
    data = json.loads(out.output)
    assert data["matched"]["name"] == "projects_in_region" and data["sparql"][0]["shape"] == "catalogue"
    out = runner.invoke(cli, [*base, "x" * (MAX_QUESTION + 1)])
    assert out.exit_code == 1 and "Traceback" not in out.output and "at most" in out.output
