"""The period of a drafted total (kg.ingest.periods): read from its clause, else its sentence, resolved against the
article's date, never taken from a day, a name or a comparison; written as ``zs:refPeriod`` with the period
described in each draft, so that totals from several new articles are compared: a repeat counts once, a
different value is a conflict.

The articles are invented for these tests, in the style of local news; none is copied from a publication."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest.decisions import apply, decisions_template, read_decisions
from kg.ingest.periods import find_periods, months, period_at
from kg.ingest.review import load_review
from kg.ingest.run import ingest
from kg.namespaces import ZS
from kg.paths import Paths
from kg.query.catalogue import select
from kg.store.generations import open_store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2024, 7, 10)
PERIOD = "https://w3id.org/zhaoshang-kg/id/period/"


@pytest.mark.parametrize(("text", "surface", "key"), [
    ("2023年,全市新签约项目32个,签约资金86.5亿元。", "2023年", "2023"),
    ("2023年长沙市新签约项目20个。", "2023年", "2023"),
    ("2023年度,全县引进项目9个。", "2023年度", "2023"),
    ("去年,株洲市新签约项目40个。", "去年", "2023"),
    ("今年全年签约项目", "今年全年", "2024"),
    ("今年上半年,长沙市签约项目85个。", "今年上半年", "2024-H1"),
    ("2023年下半年,全市签约", "2023年下半年", "2023-H2"),
    ("2024年1—6月,全县签约项目12个。", "2024年1—6月", "2024-H1"),  # one IRI for one span, however written
    ("一季度,签约资金30亿元", "一季度", "2024-Q1"),
    ("去年四季度签约项目", "去年四季度", "2023-Q4"),
    ("前三季度,全市签约", "前三季度", "2024-01-to-09"),
    ("1至5月,签约资金20亿元", "1至5月", "2024-01-to-05"),
    ("今年前5个月,全市签约", "今年前5个月", "2024-01-to-05"),
    ("2024年4-6月,新签约", "2024年4-6月", "2024-Q2"),
    ("自2023年以来,累计签约项目60个", "自2023年以来", "since-2023"),
    ("今年以来,全市签约", "今年以来", "since-2024"),
    ("2023年3月以来,全市签约", "2023年3月以来", "since-2023-03"),
    ("“十四五”以来,全市累计签约", "“十四五”以来", "since-2021"),
    ("截至2024年6月底,累计签约", "截至2024年6月底", "until-2024-06"),
    ("截至2023年底,累计签约", "截至2023年底", "until-2023-12"),
    ("截至6月30日,累计签约", "截至6月30日", "until-2024-06-30"),
])
def test_the_forms_of_a_period(text: str, surface: str, key: str) -> None:
    found = find_periods(text, TODAY)
    assert [(s.surface, s.period.key if s.period else None) for s in found] == [(surface, key)]


@pytest.mark.parametrize("text", [
    "3月18日,长沙市举行签约仪式,签约资金50亿元。",  # the day of an event
    "2024年3月18日,签约资金50亿元。",
    "今年3月,某项目签约。",  # a single month: a signing in March, not the total of March
    "2024年重点项目集中签约,签约资金50亿元。",  # a year in a name
    "《2023年招商引资奖励办法》规定",  # a year in a title
    "签约资金比2023年增长20%",  # a comparison
    "较去年同期增长15%",
    "2023年底,项目建成投产",
])
def test_what_is_not_a_reporting_period(text: str) -> None:
    assert [s.surface for s in find_periods(text, TODAY) if s.period] == []


def test_a_year_inside_a_name_the_extractor_found_is_not_a_period() -> None:
    text = "2024年全市重点项目集中签约活动上,签约资金50亿元。"
    assert [s.surface for s in find_periods(text, TODAY)] == ["2024年"]  # read alone, 2024年全市 reports
    name = (0, text.index("上"))  # the extractor found the event 2024年全市重点项目集中签约活动
    assert find_periods(text, TODAY, [name]) == []
    assert find_periods("2024年新春招商大会上,签约资金50亿元。", TODAY) == []  # 新春 is no reporting word


def test_relative_periods_need_the_article_date_and_a_bare_one_must_have_begun() -> None:
    assert next(s.why for s in find_periods("今年一季度签约", None)).startswith("'今年一季度' is relative")
    late = find_periods("四季度签约项目", TODAY)  # not begun by 2024-07-10: a plan, or last year's
    assert late[0].period is None and "has not begun" in late[0].why
    bare = find_periods("全年签约项目120个", TODAY)
    assert bare[0].period is None and "全年 without its year" in bare[0].why


def test_the_nearest_period_before_a_figure_is_its_own() -> None:
    t = "2023年,全市签约资金500亿元;今年一季度,签约资金80亿元,项目将于2025年投产。"
    stated = find_periods(t, TODAY)
    first, second = t.index("500"), t.index("80亿")
    assert period_at(t, first, stated).period.key == "2023"  # type: ignore[union-attr]
    assert period_at(t, second, stated).period.key == "2024-Q1"  # type: ignore[union-attr]
    assert period_at("签约资金80亿元,2025年投产", 4, find_periods("签约资金80亿元,2025年投产", TODAY)) is None


def test_equal_spans_share_one_name_and_their_bounds() -> None:
    assert months(2024, 1, 3).key == "2024-Q1" and months(2024, 7, 12).key == "2024-H2"
    assert months(2024, 1, 12).key == "2024" and months(2024, 1, 12).start == ("2024", "gYear")
    p = months(2024, 1, 5)
    assert (p.key, p.start, p.end) == ("2024-01-to-05", ("2024-01", "gYearMonth"), ("2024-05", "gYearMonth"))


def test_a_period_without_its_year_takes_the_one_stated_before_it() -> None:
    found = find_periods("2023年,全市签约资金500亿元;四季度,签约资金120亿元。", date(2024, 1, 15))
    assert [s.period.key for s in found if s.period] == ["2023", "2023-Q4"]  # not unresolved, not 2024's
    assert [s.period.key for s in find_periods("其中,四季度签约", date(2025, 1, 15), context=2024)
            if s.period] == ["2024-Q4"]


def test_the_name_of_a_batch_signing_is_no_period() -> None:
    for text in ("4月1日,湘东片区一季度重点项目集中签约活动举行。",
                 "株洲市2024年第二批重大项目集中开工,总投资265亿元。"):
        assert find_periods(text, TODAY) == [], text


# -- drafts ----------------------------------------------------------------------------------------------------

PERIODS_ARTICLE = """标题: 湘潭市上半年招商引资综述
日期: 2024-07-12

2023年,湘潭市新签约项目45个,签约资金210亿元;今年上半年,湘潭市新签约项目26个,签约资金118亿元。
自2023年以来,湘潭市累计签约项目71个,签约资金328亿元。
2024年重点项目集中签约活动上,湘潭市签约项目8个,签约资金36亿元。
全年湘潭市签约项目60个,签约资金230亿元。
"""


def _totals(draft: Path) -> dict[str, str]:
    """Each drafted total's amount (its surface) → its period's local name ('' when none)."""
    g = rdflib.Graph().parse(draft, format="turtle")
    out = {}
    for t in g.subjects(rdflib.RDF.type, ZS.SigningTotal):
        amount = g.value(t, ZS.investment)
        period = g.value(t, ZS.refPeriod)
        out[str(g.value(amount, ZS.surfaceForm))] = str(period).removeprefix(PERIOD) if period else ""
    return out


def test_every_drafted_total_with_a_stated_period_carries_it(built: Paths, tmp_path: Path) -> None:
    src = tmp_path / "xiangtan-h1.txt"
    src.write_text(PERIODS_ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    report = ingest(built, [src], draft, workers=1)
    assert _totals(draft) == {"210亿元": "2023", "118亿元": "2024-H1", "328亿元": "since-2023",
                              "36亿元": "", "230亿元": ""}
    g = rdflib.Graph().parse(draft, format="turtle")
    h1 = rdflib.URIRef(PERIOD + "2024-H1")
    assert (h1, rdflib.RDF.type, ZS.Period) in g
    assert {str(o) for o in g.objects(h1, rdflib.RDFS.label)} == {"2024年上半年", "first half of 2024"}
    assert g.value(h1, rdflib.SKOS.altLabel) is None  # 今年上半年 names it only from this article's date
    assert (str(g.value(h1, ZS.periodStart)), str(g.value(h1, ZS.periodEnd))) == ("2024-01", "2024-06")
    assert g.value(h1, ZS.periodStart).datatype == rdflib.XSD.gYearMonth  # type: ignore[union-attr]
    since = rdflib.URIRef(PERIOD + "since-2023")
    assert g.value(since, ZS.periodEnd) is None and str(g.value(since, ZS.periodStart)) == "2023"
    assert any("'全年' is not written" in r and "全年 without its year" in r for r in report.reviews)
    metrics = {str(g.value(m, ZS.surfaceForm)): str(g.value(m, ZS.refPeriod) or "").removeprefix(PERIOD)
               for m in g.subjects(rdflib.RDF.type, ZS.Metric)}  # the counts of those sentences: the same periods
    assert metrics == {"湘潭市新签约项目45个": "2023", "湘潭市新签约项目26个": "2024-H1",
                       "湘潭市累计签约项目71个": "since-2023", "湘潭市签约项目8个": "", "全年湘潭市签约项目60个": ""}


CARRIED = """标题: 湘潭市一季度招商引资情况
日期: 2024-04-09

4月8日,湘潭市通报一季度招商引资情况。
湘乡市签约项目21个,签约资金33亿元。
岳塘区实际到位资金9.1亿元。
去年,湘潭县签约项目40个,签约资金80亿元。
其中,四季度签约项目12个,签约资金25亿元。
5月18日,湘潭县举行签约仪式,签约资金15亿元。
"""


def test_an_announced_period_carries_to_the_figures_after_it_and_a_breakdown_takes_its_sentence(
        built: Paths, tmp_path: Path) -> None:
    src = tmp_path / "xiangtan-q1.txt"
    src.write_text(CARRIED, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    ingest(built, [src], draft, workers=1)
    assert _totals(draft) == {"33亿元": "2024-Q1", "9.1亿元": "2024-Q1",  # 通报一季度…情况: the report's figures
                              "80亿元": "2023", "25亿元": "2023-Q4",  # 其中, a breakdown of last year's
                              "15亿元": ""}  # a signing of one day: the report's period stops there


def test_a_relative_period_without_a_date_is_a_review_item(built: Paths, tmp_path: Path) -> None:
    src = tmp_path / "undated.txt"
    src.write_text("标题: 湘潭招商\n\n今年上半年,湘潭市新签约项目26个,签约资金118亿元。\n", encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    report = ingest(built, [src], draft, workers=1)
    assert _totals(draft) == {"118亿元": ""}
    assert any("'今年上半年' is not written" in r and "date, which is unknown" in r for r in report.reviews)


def test_a_rejected_total_takes_its_period_along(built: Paths, tmp_path: Path) -> None:
    src = tmp_path / "xiangtan.txt"
    src.write_text("标题: 湘潭招商\n日期: 2024-07-12\n\n今年上半年,湘潭市新签约项目26个,签约资金118亿元。\n",
                   encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    ingest(built, [src], draft, workers=1)
    review = load_review(draft)
    template = decisions_template(review, "reject")
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    text, dropped = apply(draft, review, read_decisions(path, review))
    assert any("/total/" in d for d in dropped) and "period/2024-H1" not in text
    kept = {**template, "facts": [{**f, "decision": "accept"} for f in template["facts"]]}
    path.write_text(json.dumps(kept), encoding="utf-8")
    text, _ = apply(draft, review, read_decisions(path, review))
    assert "period/2024-H1" in text and "2024年上半年" in text


# -- across sources --------------------------------------------------------------------------------------------

# A and B report one figure (120.5亿, 约120亿: 2023年 in one, 去年 in the other); C another (135亿) for the same
# city, measure, year and project count.
ARTICLES = {
    "zhuzhou-a": "株洲日报1月9日讯(记者 陈立新)2023年,株洲市新签约项目40个,签约资金120.5亿元。\n"
                 "该市组建8支招商小分队,分赴深圳、苏州开展驻点招商。\n",
    "zhuzhou-b": "湖南经济报道1月16日讯 在全省招商工作会上,株洲市作交流发言。\n"
                 "去年,株洲市新签约项目40个,签约资金约120亿元。\n会议要求各地抓好项目落地。\n",
    "zhuzhou-c": "渌江新闻1月22日讯 记者从市商务局获悉,2023年,株洲市新签约项目40个,签约资金135亿元。\n"
                 "下一步,株洲将聚焦轨道交通装备产业开展精准招商。\n",
}


def _ingest_and_merge(project: Paths, runner: CliRunner, tmp_path: Path, sid: str) -> Path:
    args = ["--project", str(project.project), "--store", str(project.store)]
    src = tmp_path / f"{sid}.txt"
    src.write_text(ARTICLES[sid], encoding="utf-8")
    draft = tmp_path / f"{sid}.ttl"
    res = runner.invoke(cli, [*args, "ingest", str(src), "--year", "2024", "-o", str(draft)])
    assert res.exit_code == 0, res.output
    assert _totals(draft) == {("约120亿元" if sid == "zhuzhou-b" else ARTICLES[sid].split("签约资金")[1]
                               .split("。")[0]): "2023"}
    res = runner.invoke(cli, [*args, "merge", str(draft), "--accept-all"])
    assert res.exit_code == 0, res.output
    return draft


def _zhuzhou(project: Paths) -> list[dict[str, str]]:
    """investment_by_region's rows (as the catalogue runs it) for 株洲市, 签约资金."""
    sparql = (ROOT / "queries" / "investment_by_region.rq").read_text(encoding="utf-8")
    rows = select(open_store(project.store), sparql,
                  {"region": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430200")})
    out = [{k: getattr(r.get(k), "value", "") for k in ("measure", "year", "periodLabel", "amountAtLeast",
                                                          "counted", "sources")} for r in rows.rows]
    return [r for r in out if r["measure"].endswith("SignedInvestment")]


def test_new_articles_with_one_period_are_a_repeat_and_a_conflict(project: Paths, runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    args = ["--project", str(project.project), "--store", str(project.store)]
    assert runner.invoke(cli, [*args, "build"]).exit_code == 0
    _ingest_and_merge(project, runner, tmp_path, "zhuzhou-a")
    _ingest_and_merge(project, runner, tmp_path, "zhuzhou-b")
    # period:2023 is described by the founding file and both drafts: read once, the repeat counted once
    rows = _zhuzhou(project)
    assert [(r["year"], r["counted"], r["sources"]) for r in rows] == [("2023", "1", "2")]
    assert Decimal(rows[0]["amountAtLeast"]) == Decimal("12050000000")  # once (the exact one), never 240.5亿
    res = runner.invoke(cli, [*args, "conflicts", "--repeats", "--format", "json"])
    groups = json.loads(res.output)
    assert [g["kind"] for g in groups] == ["repeat"] and groups[0]["period"] == PERIOD + "2023"

    _ingest_and_merge(project, runner, tmp_path, "zhuzhou-c")
    res = runner.invoke(cli, [*args, "conflicts"])
    assert res.exit_code == 0
    assert "CONFLICT 1: 株洲市 · 签约资金 · 2023年 · 40 projects" in res.output
    assert "135亿元  source zhuzhou-c" in res.output
    rows = _zhuzhou(project)
    assert [(r["year"], r["sources"]) for r in rows] == [("2023", "3")]
    assert Decimal(rows[0]["amountAtLeast"]) == Decimal("12000000000")  # the lowest (约120亿), never 135 + 120.5
    store = open_store(project.store)
    labels = {str(getattr(q.object, "value", "")) for q in store.quads_for_pattern(
        ox.NamedNode(PERIOD + "2023"), ox.NamedNode(str(rdflib.RDFS.label)), None)}
    assert labels == {"2023年", "2023"}  # every file describes it alike
