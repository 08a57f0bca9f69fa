"""Relations clause by clause: every amount gets its clause's place, measure and count; places are never read
out of names or stations; appointments, task forces and chambers in their common forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest.extract import extract
from kg.ingest.gazetteer import Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import measure_of
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def known() -> KnownGraph:
    return load_known(make_paths(ROOT, ROOT / ".kg" / "no-store-here"))


def run(tmp_path: Path, known: KnownGraph, body: str, title: str = "测试", date: str = "2024-03-13") -> Extraction:
    p = tmp_path / "news-1.txt"
    head = (f"标题: {title}\n" if title else "") + (f"日期: {date}\n" if date else "")
    p.write_text(f"{head}\n{body}\n", encoding="utf-8")
    return extract(read_article(p), known)


def label(p: object) -> str | None:
    return p.label if isinstance(p, Place) else None


def money(x: Extraction) -> dict[str, tuple[str | None, str, object]]:
    """amount surface → (place, measure, count) of its fact."""
    out = {}
    for f in x.findings:
        if f.kind in ("total", "project"):
            a = f.attrs["amount"]
            out[a.surface] = (label(f.attrs.get("place")), str(f.attrs["measure"]), f.attrs.get("count"))  # type: ignore[attr-defined]
    return out


def test_each_clause_its_own_place_measure_and_count(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "株洲市签约项目15个,签约资金56.8亿元;湘潭市签约项目9个,协议资金10.5亿元;"
                            "衡阳市计划投资23亿元。")
    assert money(x) == {"56.8亿元": ("株洲市", "SignedInvestment", 15), "10.5亿元": ("湘潭市", "SignedInvestment", 9),
                        "23亿元": ("衡阳市", "PlannedInvestment", None)}


def test_zone_beats_its_city_and_unknown_zones_are_recognised(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "常德市常德经济技术开发区签约项目11个,协议投资63亿元;浏阳经济技术开发区总投资46亿元。")
    got = money(x)
    assert got["63亿元"][0] == "常德经济技术开发区" and got["46亿元"][0] == "浏阳经开区"


def test_deictic_places_resolve_to_the_article_not_the_last_county(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "岳阳市新引进项目41个,总投资128.6亿元。其中,平江县引进项目5个,投资额8.3亿元。"
                            "全市实际到位资金45.2亿元。全省到位资金900亿元。", title="岳阳招商成绩单")
    got = money(x)
    assert got["45.2亿元"] == ("岳阳市", "FundsInPlace", None)
    assert got["8.3亿元"][0] == "平江县" and got["900亿元"][0] == "湖南省"


def test_no_place_from_company_names_venues_or_idioms(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "娄底市与上海安澜精工科技有限公司、广东粤创新能源(娄底)有限公司签订协议,总投资15亿元。"
                            "怀化市在深圳举办推介会,现场签约项目18个,签约总额72.4亿元。"
                            "该市拿出真金白银支持企业。", title="娄底招商")
    got = money(x)
    assert got["15亿元"][0] == "娄底市" and got["72.4亿元"] == ("怀化市", "SignedInvestment", 18)
    assert not any(f.kind in ("region", "place") and f.label == "白银市" for f in x.findings)


def test_projects_named_before_their_amount(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "宁乡市3个重大项目集中开工,总投资约30亿元。"
                            "其中,湖南恒睿智能装备有限公司智能制造基地项目投资18亿元。")
    projects = {f.label: label(f.attrs["place"]) for f in x.findings if f.kind == "project"}
    assert projects == {"湖南恒睿智能装备有限公司智能制造基地项目": "宁乡市"}
    assert money(x)["约30亿元"] == ("宁乡市", "TotalInvestment", 3)


@pytest.mark.parametrize(("before", "measure"), [
    ("签约资金达", "SignedInvestment"), ("协议投资", "SignedInvestment"), ("合同引资", "ContractedInvestment"),
    ("合同总金额", "ContractedInvestment"), ("签约总额", "SignedInvestment"), ("计划投资", "PlannedInvestment"),
    ("实际到位资金", "FundsInPlace"), ("意向投资额", "InvestmentAmount"), ("投入", "InvestmentAmount"),
    ("项目总投资约", "TotalInvestment"), ("最高奖励", "RewardCap"), ("累计引资", "CumulativeInvestment"),
])
def test_money_phrases_name_their_measure(before: str, measure: str) -> None:
    found = measure_of(before)
    assert found is not None and found[0] == measure


def appointments(x: Extraction) -> set[tuple[str, str, str]]:
    out = set()
    for f in x.findings:
        if f.kind == "appointment":
            member, org = f.attrs["member"], f.attrs["org"]
            assert isinstance(member, Finding) and isinstance(org, Finding)
            out.add((member.label, str(f.attrs["role"]), str(label(org.attrs["governs"]))))
    return out


def test_enumerated_and_titled_appointees(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "郴州资兴市聘任何振宇、钟雅琴等6人为资兴市招商大使。"
                            "张家界市聘请“招商顾问”王启明、赵文博,“荣誉大使”孙立新。", title="")
    assert appointments(x) == {("何振宇", "InvestmentAmbassador", "资兴市"),
                               ("钟雅琴", "InvestmentAmbassador", "资兴市"),
                               ("王启明", "InvestmentAdviser", "张家界市"), ("赵文博", "InvestmentAdviser", "张家界市"),
                               ("孙立新", "InvestmentAmbassador", "张家界市")}
    assert not any(f.kind == "metric" and "何振宇" in str(f.attrs["indicator"]) for f in x.findings)


def test_task_forces_stationed_and_teams_with_targets(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "常德市组建驻上海招引专班和驻长三角小分队。株洲市政府驻深圳招商专班揭牌。"
                            "邵阳市组织6支招商队伍前往上海、重庆、东莞等地开展招商。", title="常德招商")
    stationed = {(label(f.attrs["owner"]), label(f.attrs["station"])) for f in x.findings if f.cls == "TaskForce"}
    assert stationed == {("常德市", "上海市"), ("常德市", "长三角"), ("株洲市", "深圳市")}
    (teams,) = [f for f in x.findings if f.kind == "group"]
    assert teams.attrs["count"] == 6 and label(teams.attrs["owner"]) == "邵阳市"
    assert [p.label for p in teams.attrs["targets"]] == ["上海市", "重庆市", "东莞市"]  # type: ignore[attr-defined]


def test_chamber_forms_and_host_from_context(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "深圳市领导会见了湖南省浙江总商会、长沙市温州青年商会、广东省湖南商会负责人。"
                            "长沙商会会长也到场。", title="深圳市举行商会恳谈会")
    chambers = {f.label: (label(f.attrs.get("host")), label(f.attrs.get("origin")))
                for f in x.findings if f.cls == "ChamberOfCommerce"}
    assert chambers == {"湖南省浙江总商会": ("湖南省", "浙江省"), "长沙市温州青年商会": ("长沙市", "温州市"),
                        "广东省湖南商会": ("广东省", "湖南省"), "长沙商会": ("深圳市", "长沙市")}
    assert any(f.kind == "review" and "长沙商会" in f.note and "confirm" in f.note for f in x.findings)


def test_indicators_come_from_the_vocabulary(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "岳阳市对接洽谈了企业120家,举办专场推介会等活动8场,另有一些数字5个。")
    metrics = {str(f.attrs["indicator"]) for f in x.findings if f.kind == "metric"}
    assert metrics == {"对接洽谈企业数", "招商活动场次"}
    assert any(f.kind == "review" and "5个" in f.note for f in x.findings)


def test_dateline_and_first_line_title_are_inferred_for_review(tmp_path: Path, known: KnownGraph) -> None:
    p = tmp_path / "dateline.txt"
    p.write_text("益阳日报2月21日讯(记者 周明远)2024年以来,益阳市签约资金8亿元。\n", encoding="utf-8")
    a = read_article(p)
    assert a.meta["date"] == "2024-02-21" and "the year the text names" in a.meta["inferred:date"]
    assert a.meta["title"].startswith("2024年以来,益阳市签约资金8亿元") and "inferred:title" in a.meta
    p.write_text("2月21日讯 今年以来,益阳市签约资金8亿元。\n", encoding="utf-8")
    a = read_article(p, {"year": "2023"})
    assert a.meta["date"] == "2023-02-21" and "--year" in a.meta["inferred:date"]
    a = read_article(p)
    assert "date" not in a.meta and "gives no year" in a.meta["inferred:date"]


def test_traditional_script_and_page_chrome(tmp_path: Path, known: KnownGraph) -> None:
    p = tmp_path / "trad.txt"
    p.write_text("首頁 > 新聞中心\n懷化市舉辦招商推介會\n2024-07-09 10:22 来源:怀化新闻网\n"
                 "懷化市現場簽約項目18個,簽約總額達72.4億元。\n責任編輯:劉洋\n【打印】【關閉】\n", encoding="utf-8")
    a = read_article(p)
    assert a.meta["title"] == "懷化市舉辦招商推介會" and a.meta["date"] == "2024-07-09"
    assert len(a.chrome) == 4
    x = extract(a, known)
    assert money(x) == {"达72.4亿元": ("怀化市", "SignedInvestment", 18)}
