"""Every question of the catalogue runs on the founding article's graph and gives the rows it should."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError
from kg.paths import Paths
from kg.query.catalogue import Table, load_catalogue, parse_question, select, term_text

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
R = "https://w3id.org/zhaoshang-kg/id/region/"
A = "https://w3id.org/zhaoshang-kg/id/agent/"

BINDINGS: dict[str, dict[str, ox.NamedNode]] = {
    "projects_in_region": {"region": ox.NamedNode(R + "431200")},  # 怀化市
    "region_metrics": {"region": ox.NamedNode(R + "431223")},  # 辰溪县
    "connections_between_regions": {"a": ox.NamedNode(R + "431223"), "b": ox.NamedNode(R + "110000")},
    "entity_facts": {"entity": ox.NamedNode(A + "chamber-beijing-chenxi")},
    "investment_by_region": {"region": ox.NamedNode(R + "430000")},  # 湖南省
    "project_timeline": {"region": ox.NamedNode(R + "430100")},  # 长沙市
}


def rows(store: ox.Store, name: str, **bind: ox.NamedNode) -> list[dict[str, str]]:
    table: Table = select(store, CATALOGUE[name].sparql, bind or BINDINGS.get(name))
    return [{k: term_text(v) for k, v in r.items()} for r in table.rows]


def column(found: list[dict[str, str]], name: str) -> list[str]:
    return [r[name] for r in found]


def test_catalogue_has_the_questions_of_the_issue() -> None:
    assert len(CATALOGUE) >= 12
    for q in CATALOGUE.values():
        assert q.title_zh and q.title_en and q.description, q.name
        assert all(p.description for p in q.params), q.name


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_question_runs_and_cites_sentences(store: ox.Store, name: str) -> None:
    found = rows(store, name)
    assert found, f"{name} returned no rows"
    if "quote" in found[0]:
        assert any(r["quote"] for r in found), f"{name} cites no sentence"
    q = CATALOGUE[name]
    for p in q.params:
        assert p.name in select(store, q.sparql, BINDINGS[name]).variables  # bound variables are projected
    for f in q.filters:
        assert f in select(store, q.sparql, BINDINGS.get(name)).variables, f"filter column {f} missing in {name}"


def test_chambers(store: ox.Store) -> None:
    found = rows(store, "chambers_linking_regions")
    assert {(r["chamberLabel"], r["hostLabel"], r["originLabel"]) for r in found} == {
        ("北京辰溪商会", "北京市", "辰溪县"), ("浙江湖南商会", "浙江省", "湖南省"),
        ("上海怀化商会", "上海市", "怀化市"), ("深圳辰溪商会", "深圳市", "辰溪县"),
    }
    assert set(column(found, "governmentLabel")) == {"辰溪县人民政府"}
    assert set(column(found, "governmentCount")) == {"1"}
    beijing = next(r for r in found if r["chamberLabel"] == "北京辰溪商会")
    assert beijing["sentences"] == "1" and "北京辰溪商会" in beijing["quote"]


def test_task_forces(store: ox.Store) -> None:
    found = rows(store, "task_forces")
    assert len({r["taskForce"] for r in found}) == 7
    beijing = [r for r in found if r["taskForceLabel"] == "长沙市政府驻北京招引工作专班"]
    assert beijing[0]["ownerLabel"] == "长沙市人民政府" and beijing[0]["stationLabel"] == "北京市"
    assert beijing[0]["targetLabel"] == "京津冀"
    # One name, the first in character-code order, and how many: five projects brought in to Changsha
    brought = ["中公教育第二总部", "中国黄金电商总部", "中国能建易普力项目", "中国长城科技总部",
               "卓伯根中欧企业联合创新中心"]
    assert beijing[0]["broughtIn"] == min(brought) and beijing[0]["broughtInCount"] == "5"
    shenzhen = next(r for r in found if r["taskForceLabel"] == "长沙市政府驻深圳招引工作专班")
    assert shenzhen["broughtIn"] == min("长沙驻深圳招引专班创业训练营", "初步达成落户长沙意向的5家初创高科技企业")
    assert shenzhen["broughtInCount"] == "2"
    shanghai = next(r for r in found if r["taskForceLabel"] == "长沙市政府驻上海招引工作专班")
    assert (shanghai["broughtIn"], shanghai["broughtInCount"]) == ("", "0")


def test_projects_in_a_region_include_sub_regions(store: ox.Store) -> None:
    huaihua = rows(store, "projects_in_region")
    assert set(column(huaihua, "projectLabel")) == {"湘中石油临港产业项目", "智慧市场临港产业项目"}
    assert set(column(huaihua, "placeLabel")) == {"辰溪县"}
    hunan = rows(store, "projects_in_region", region=ox.NamedNode(R + "430000"))
    assert {"湘中石油临港产业项目", "玉湖冷链(长沙)交易中心", "巴陵石化己内酰胺产业链搬迁与升级转型发展项目"} <= set(
        column(hunan, "projectLabel"))
    yuhu = next(r for r in hunan if r["projectLabel"] == "玉湖冷链(长沙)交易中心")
    assert (yuhu["amount"], yuhu["qualifierLabel"], yuhu["stageLabel"]) == ("5000000000", "约", "落地")
    assert yuhu["currency"] == "CNY"
    assert yuhu["placeLabel"] == "长沙自贸临空区" and yuhu["facilitatorLabel"] == "张锦州"
    changsha_county = rows(store, "projects_in_region", region=ox.NamedNode(R + "430121"))
    assert column(changsha_county, "projectLabel") == ["玉湖冷链(长沙)交易中心"]


def _cells(store: ox.Store, region: str) -> dict[tuple[str, str], dict[str, str]]:
    """investment_by_region for one region, by (measure, year or period)."""
    found = rows(store, "investment_by_region", region=ox.NamedNode(R + region))
    cells = {(r["measure"].rsplit("#", 1)[-1], r["year"] or r["periodLabel"]): r for r in found}
    assert len(cells) == len(found), "one row per measure and period"
    return cells


def test_investment_by_region_never_adds_across_measures(store: ox.Store) -> None:
    hunan = _cells(store, "430000")
    # Before: 540.45亿 "signed" for 湖南省, 云溪区's 项目总投资 added to 辰溪县's 签约资金. Now one row per measure.
    assert {k: Decimal(r["amountAtLeast"]) for k, r in hunan.items()} == {
        ("TotalInvestment", "2023"): Decimal("43065000000"),  # 云溪区: 59 projects, 项目总投资
        ("TotalInvestment", ""): Decimal("5000000000"),  # 玉湖冷链, no date
        ("SignedInvestment", "2023"): Decimal("10980000000"),  # 辰溪县, the largest of its 2023 totals
        ("SignedInvestment", ""): Decimal("6240000000"),  # 辰溪县, the largest of its totals without a period
        ("InvestmentAmount", "2023"): Decimal("15000000000"),  # 中伟, 投资约150亿元: the kind is not stated
    }
    assert all(Decimal(r["amountAtLeast"]) != Decimal("54045000000") for r in hunan.values())
    yunxi = hunan[("TotalInvestment", "2023")]
    assert (yunxi["measureLabel"], yunxi["projectsAtLeast"], yunxi["currency"]) == ("项目总投资", "59", "CNY")
    assert "项目总投资430.65亿元" in yunxi["quote"] and (yunxi["sources"], yunxi["sentences"]) == ("1", "1")


def test_investment_by_region_counts_an_overlap_group_once(store: ox.Store) -> None:
    chenxi = _cells(store, "431223")
    signed = chenxi[("SignedInvestment", "2023")]
    # 109.8亿 (7 projects) and 33.21亿 (12 enterprises) may count the same projects: the larger of each, never 143.01亿
    assert Decimal(signed["amountAtLeast"]) == Decimal("10980000000") and signed["projectsAtLeast"] == "12"
    assert (signed["counted"], signed["items"], signed["sources"], signed["sentences"]) == ("1", "2", "1", "2")
    assert "签约资金达109.8亿元" in signed["quote"]
    undated = chenxi[("SignedInvestment", "")]
    assert Decimal(undated["amountAtLeast"]) == Decimal("6240000000") and undated["projectsAtLeast"] == "18"
    assert _cells(store, "431200").keys() == chenxi.keys()  # 怀化市: only 辰溪县's figures


def test_investment_by_region_has_the_projects_of_changsha(store: ox.Store) -> None:
    changsha = _cells(store, "430100")
    assert set(changsha) == {("TotalInvestment", ""), ("InvestmentAmount", "2023")}
    yuhu, zhongwei = changsha[("TotalInvestment", "")], changsha[("InvestmentAmount", "2023")]
    assert Decimal(yuhu["amountAtLeast"]) == Decimal("5000000000") and "玉湖冷链" in yuhu["quote"]
    assert Decimal(zhongwei["amountAtLeast"]) == Decimal("15000000000") and "中伟" in zhongwei["quote"]
    assert (yuhu["projectsAtLeast"], zhongwei["projectsAtLeast"]) == ("1", "1")


def test_investment_by_region_without_a_region_lists_every_region(store: ox.Store) -> None:
    table = select(store, CATALOGUE["investment_by_region"].sparql)  # the region left out
    found = [{k: term_text(v) for k, v in r.items()} for r in table.rows]
    assert {"湖南省", "长沙市", "辰溪县", "云溪区", "中国"} <= {r["regionLabel"] for r in found}
    china = [r for r in found if r["regionLabel"] == "中国"]
    hunan = _cells(store, "430000")
    assert {(r["measure"], r["year"], r["amountAtLeast"]) for r in china} == {
        (r["measure"], r["year"], r["amountAtLeast"]) for r in hunan.values()}


def test_ambassadors_and_advisers(store: ox.Store) -> None:
    found = {r["memberLabel"]: r for r in rows(store, "ambassadors_and_advisers")}
    zhang = found["张锦州"]
    assert (zhang["roleLabel"], zhang["organizationLabel"], zhang["batch"]) == ("招商顾问", "长沙市人民政府", "首批")
    assert zhang["policyLabel"] == "长沙市招商大使、招商顾问、招商专员聘用办法"
    assert (zhang["brokered"], zhang["brokeredCount"]) == ("玉湖冷链(长沙)交易中心", "1")
    chenxi = next(r for name, r in found.items() if name.startswith("辰溪县9名"))
    assert (chenxi["roleLabel"], chenxi["count"], chenxi["regionLabel"]) == ("招商大使", "9", "辰溪县")


def test_events_in_date_order(store: ox.Store) -> None:
    found = rows(store, "events")
    assert found[0]["eventLabel"] == "辰溪(上海)长三角地区招商引资推介会"
    first = found[0]
    assert (first["date"], first["placeLabel"], first["organizerLabel"]) == ("2024-03-08", "上海市", "辰溪县人民政府")
    camp = next(r for r in found if r["eventLabel"] == "长沙驻深圳招引专班创业训练营")
    assert camp["placeLabel"] == "深圳市" and camp["organizerCount"] == "2"
    assert camp["organizerLabel"] == min("长沙市政府驻深圳招引工作专班", "香港城市大学深圳研究院")
    assert len(found) == 14


def test_initiatives_by_region(store: ox.Store) -> None:
    found = rows(store, "initiatives_by_region")
    kinds = {(r["regionLabel"], r["kindLabel"]) for r in found}
    assert {("岳阳市", "改革"), ("岳阳市", "服务举措"), ("辰溪县", "改革"), ("长沙市", "政策文件")} <= kinds
    cleanup = next(r for r in found if r["initiativeLabel"] == "岳阳全面清理各县市区招商引资优惠政策")
    assert cleanup["policyLabel"] == "关于进一步规范和加强招商引资工作的通知"


def test_region_metrics(store: ox.Store) -> None:
    found = rows(store, "region_metrics")
    by_text = {r["surfaceForm"]: r for r in found}
    trips = by_text["前往长三角及粤港澳等地区招商考察17次"]
    assert (trips["value"], trips["unit"], trips["qualifierLabel"]) == ("17", "次", "确数")
    assert trips["periodLabel"] == "2023年"
    assert by_text["对接洽谈企业200余家"]["qualifierLabel"] == "余"
    huaihua = rows(store, "region_metrics", region=ox.NamedNode(R + "431200"))
    assert len(huaihua) == len(found)  # 辰溪县's metrics count for 怀化市


def test_three_cards(store: ox.Store) -> None:
    found = rows(store, "three_cards")
    assert column(found, "cardLabel")[0] == "主动牌"
    cards = {r["cardLabel"] for r in found}
    assert cards == {"主动牌", "精准牌", "感情牌"}
    precise = {r["filedUnderLabel"] for r in found if r["cardLabel"] == "精准牌"}
    assert {"招商目的地的精准", "自身禀赋契合度的精准", "产业链成长方向取舍的精准"} == precise
    proactive = {(r["regionLabel"], r["practiceLabel"]) for r in found if r["cardLabel"] == "主动牌"}
    assert ("长沙市", "长沙招商顾问张锦州促成玉湖冷链项目落地") in proactive


def test_industry_chains(store: ox.Store) -> None:
    found = rows(store, "industry_chains")
    port = {r["itemLabel"] for r in found if r["chainLabel"] == "临港产业"}
    assert port == {"湘中石油临港产业项目", "智慧市场临港产业项目", "辰溪县签约引进临港产业项目9个,签约资金达62.4亿元"}
    petro = next(r for r in found if r["chainLabel"] == "现代石化" and r["itemLabel"])
    assert petro["kind"] == "signing total" and petro["regionLabel"] == "云溪区"
    assert next(r for r in found if r["chainLabel"] == "己内酰胺产业链")["broaderLabel"] == "现代石化"


def test_connections_between_regions(store: ox.Store) -> None:
    found = rows(store, "connections_between_regions")
    assert [(r["viaLabel"], r["howB"], r["placeBLabel"]) for r in found] == [("北京辰溪商会", "所在地区", "北京市")]
    changsha_shenzhen = rows(store, "connections_between_regions",
                             a=ox.NamedNode(R + "430100"), b=ox.NamedNode(R + "440300"))
    vias = {r["viaLabel"] for r in changsha_shenzhen}
    assert {"长沙市政府驻深圳招引工作专班", "长沙驻深圳招引专班创业训练营"} <= vias
    assert all(r["quote"] for r in changsha_shenzhen)


def test_entity_facts_with_sources(store: ox.Store) -> None:
    found = rows(store, "entity_facts")
    facts = {(r["direction"], r["propertyLabel"], r["valueLabel"]) for r in found}
    assert {("out", "所在地区", "北京市"), ("out", "籍贯地区", "辰溪县"), ("in", "合作对象", "辰溪县人民政府")} <= facts
    host = next(r for r in found if r["propertyLabel"] == "所在地区")
    assert "北京辰溪商会" in host["quote"]
    place = rows(store, "entity_facts", entity=ox.NamedNode(R + "431223"))
    parent: dict[str, Any] = next(r for r in place if r["property"].endswith("containedInPlace"))
    assert parent["valueLabel"] == "怀化市" and parent["source"].startswith("行政区划与地名表")


def test_a_province_s_investment_is_kept_ahead_after_a_build(project: Paths, runner: CliRunner) -> None:
    from kg.query.runner import DEFAULT_LIMIT, evaluate_on, run_query
    from kg.store.generations import open_store

    q = CATALOGUE["investment_by_region"]
    assert q.keep == [("region", "https://w3id.org/zhaoshang-kg/def#ProvinceLevelDivision")]
    args = ["--project", str(project.project), "--store", str(project.store)]
    result = runner.invoke(cli, [*args, "build", "--warm"])
    assert result.exit_code == 0, result.output
    provinces = select(open_store(project.store), "SELECT ?p WHERE { ?p a zs:ProvinceLevelDivision }").rows
    assert f"Answers kept ahead for {len(provinces)} values of investment_by_region" in result.output
    hunan = {"region": ox.NamedNode(R + "430000")}
    kept = run_query(project.store, q.sparql, bindings=hunan)  # as kg query --param region=湖南省 asks it
    fresh = evaluate_on(open_store(project.store), q.sparql, "select", hunan, DEFAULT_LIMIT)
    assert kept.cached and (kept.variables, kept.rows) == (fresh.variables, fresh.rows) and len(kept.rows) == 5


def test_a_keep_header_must_name_a_class(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# title@en: x\n# keep: region ProvinceLevelDivision\nSELECT * WHERE { ?s ?p ?o }\n",
                   encoding="utf-8")
    with pytest.raises(QueryError, match="keep: PARAM"):
        parse_question(bad)


def test_project_timeline_lists_milestones_in_date_order(store: ox.Store) -> None:
    found = rows(store, "project_timeline")
    assert len(found) == 9 and len({r["milestone"] for r in found}) == 9  # 长沙市 and the zones inside it
    first = found[0]
    assert (first["projectLabel"], first["stageLabel"], first["date"]) == (
        "中伟先进功能型粉体材料产业园", "开工", "2023-07")
    assert "去年7月" in first["quote"] and first["published"].startswith("2024-03-13")
    assert [r["date"] for r in found[:2]] == ["2023-07", "2024-02"] and not any(r["date"] for r in found[2:])
    assert not any(r["amount"] for r in found)  # no milestone of the article names money of its own
