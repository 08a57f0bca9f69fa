"""Appointments in their varied forms, and the sentences that look like one but name no appointee; chambers named
with a city's first character; reward caps named after their amount; thresholds that are no figure."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.ingest.extract import extract
from kg.ingest.facts.base_writer import MIN_CONFIDENCE
from kg.ingest.facts.people import person_name
from kg.ingest.gazetteer import Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import measure_of, scan_amounts
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def known() -> KnownGraph:
    return load_known(make_paths(ROOT, ROOT / ".kg" / "no-store-here"))


def run(tmp_path: Path, known: KnownGraph, body: str, title: str = "") -> Extraction:
    p = tmp_path / "news-1.txt"
    p.write_text((f"标题: {title}\n" if title else "") + f"日期: 2024-05-06\n\n{body}\n", encoding="utf-8")
    return extract(read_article(p), known)


def label(p: object) -> str | None:
    return p.label if isinstance(p, Place) else None


def appointments(x: Extraction) -> set[tuple[str, str, str | None]]:
    out = set()
    for f in x.findings:
        if f.kind == "appointment" and isinstance(f.attrs["member"], Finding) and f.attrs["member"].cls == "Person":
            org = f.attrs["org"]
            assert isinstance(org, Finding)
            out.add((f.attrs["member"].label, str(f.attrs["role"]), label(org.attrs["governs"])))
    return out


AMB, ADV, COM = "InvestmentAmbassador", "InvestmentAdviser", "InvestmentCommissioner"


@pytest.mark.parametrize(("body", "expected"), [
    # a count without 等, a description after the count
    ("益阳市桃江县聘请万志诚、黎佩芸2人为桃江县招商顾问。", {("万志诚", ADV, "桃江县"), ("黎佩芸", ADV, "桃江县")}),
    ("娄底市双峰县聘任谭跃进、葛美玲两位老乡为双峰县招商大使。",
     {("谭跃进", AMB, "双峰县"), ("葛美玲", AMB, "双峰县")}),
    # organisations and titles before each name of a list
    ("长沙市望城区聘请苏州湖南商会副会长欧阳春生、星辰电子有限公司总经理郝岚为望城区招商大使。",
     {("欧阳春生", AMB, "望城区"), ("郝岚", AMB, "望城区")}),
    # several roles under one verb; 担任; a modified title
    ("张家界市慈利县聘任邝云飞为慈利县招商顾问,柏晓东、佘玉洁为慈利县招商专员。",
     {("邝云飞", ADV, "慈利县"), ("柏晓东", COM, "慈利县"), ("佘玉洁", COM, "慈利县")}),
    ("怀化市芷江侗族自治县邀请在外企业家滕建新担任芷江侗族自治县特聘招商顾问。", {("滕建新", ADV, "芷江侗族自治县")}),
    # 授予…称号, in both orders of the title
    ("湘西州龙山县授予彭家兴、向翠兰“荣誉招商大使”称号。", {("彭家兴", AMB, "龙山县"), ("向翠兰", AMB, "龙山县")}),
    ("邵阳市新宁县向在外乡贤代表蒋立夫颁发“招商顾问”聘书。", {("蒋立夫", ADV, "新宁县")}),
    # a station in the title is where the appointee works, not who appoints; 特聘 is an appointing verb
    ("益阳市南县聘任庞志为驻深圳招商联络员。", {("庞志", COM, "南县")}),
    ("益阳市桃江县特聘祝文彬为经济顾问。", {("祝文彬", ADV, "桃江县")}),
    # the title before unquoted names; 分别 pairs names and titles; one person, two titles
    ("永州市宁远县新聘招商顾问柳青山、乐小燕,聘期三年。", {("柳青山", ADV, "宁远县"), ("乐小燕", ADV, "宁远县")}),
    ("永州市道县聘请首批招商大使桂林生、车雯两人。", {("桂林生", AMB, "道县"), ("车雯", AMB, "道县")}),
    ("常德市汉寿县聘任骆明、巫丽华分别为招商大使和招商顾问。", {("骆明", AMB, "汉寿县"), ("巫丽华", ADV, "汉寿县")}),
    ("常德市汉寿县聘任骆明、巫丽华、鲍强分别为招商大使和招商顾问。", set()),  # 3 names, 2 titles: not read
    ("常德市汉寿县聘任骆明、巫丽华为招商大使和招商顾问。", set()),  # who holds which is not said
    ("常德市汉寿县聘请魏东为汉寿县招商大使和招商顾问。", {("魏东", AMB, "汉寿县"), ("魏东", ADV, "汉寿县")}),
])
def test_appointment_forms(tmp_path: Path, known: KnownGraph, body: str,
                           expected: set[tuple[str, str, str | None]]) -> None:
    assert appointments(run(tmp_path, known, body)) == expected


@pytest.mark.parametrize("body", [
    "会上,岳阳市市长李明为汤志勇颁发“招商顾问”聘书。",  # the one who hands over the certificate is no appointee
    "永州市道县聘请招商顾问团团长邓福林出席会议。",  # a group's post, not the role
    "株洲市攸县对受聘为攸县招商顾问的在外攸县籍人士给予支持。",  # nobody named
    "衡阳市衡东县将为招商大使提供服务保障。",  # 为 is a preposition here
    "常德市石门县刘小华被评为优秀招商专员。",  # an award, not an appointment
    "郴州市汝城县聘请5名企业家为汝城县招商顾问。",  # a counted group, no named person
    "岳阳市向在外岳商代表颁发招商大使聘书。",  # a description, no name (商 is also a surname)
])
def test_no_named_appointee(tmp_path: Path, known: KnownGraph, body: str) -> None:
    x = run(tmp_path, known, body)
    assert appointments(x) <= {("汤志勇", ADV, "岳阳市")}
    assert not any(f.kind == "person" and f.label in ("李明", "邓福林", "籍人士", "刘小华", "商代表")
                   for f in x.findings)


def test_the_appointing_body_of_an_earlier_sentence(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "9月3日,怀化市中方县召开招商引资大会。会议期间,还为刘子健颁发了招商大使聘书。",
            title="怀化市招商引资大会召开")
    assert appointments(x) == {("刘子健", AMB, "中方县")}


def test_person_names_need_a_surname() -> None:
    assert person_name("湖南恒丰实业有限公司总经理付丽君") == (13, "付丽君")
    assert person_name("副主任何静") == (3, "何静")
    assert person_name("上官婉清") == (0, "上官婉清")
    assert person_name("在外攸县籍人士") is None and person_name("聘书") is None


def test_chambers_named_with_a_city_initial(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "深圳郴商会、上海岳商会、北京常商会和东莞南商会的负责人出席。", title="郴州市召开恳谈会")
    chambers = {f.label: (label(f.attrs.get("host")), label(f.attrs.get("origin")))
                for f in x.findings if f.cls == "ChamberOfCommerce"}
    # 常 stands for 常德 in a Hunan report (常州 is in Jiangsu); 南 names several Hunan-less cities: left out
    assert chambers == {"深圳郴商会": ("深圳市", "郴州市"), "上海岳商会": ("上海市", "岳阳市"),
                        "北京常商会": ("北京市", "常德市")}


def test_reward_named_after_the_amount_and_thresholds(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "湘潭县对引进投资10亿元以上项目的,给予最高80万元的一次性奖励,最高给予30万元补助。")
    measures = {f.label: str(f.attrs["measure"]) for f in x.findings if f.cls == "MonetaryAmount"}
    assert measures == {"最高80万元": "RewardCap", "30万元": "RewardCap"}
    assert any(f.kind == "review" and f.label == "10亿元以上" and "threshold" in f.note for f in x.findings)


def test_signed_sums_and_bounds_at_the_end_of_a_clause() -> None:
    assert measure_of("新签约项目14个、金额") == ("SignedInvestment", "签约项目14个、金额")
    assert measure_of("签约总金额")[0] == "SignedInvestment"  # type: ignore[index]
    found, refused = scan_amounts("签约资金达56亿元以上,总投资10亿元以上的项目3个")
    assert [str(a.value) for a in found] == ["5600000000"] and found[0].qualifier == "MoreThan"
    assert [r.surface for r in refused] == ["10亿元以上"]


def test_listed_counts_go_to_their_own_places(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "岳阳县、华容县和湘阴县分别引进项目12个、9个和7个,总投资分别为38.6亿元、22亿元和15.4亿元。"
            "汨罗市、临湘市分别新签约项目6个、4个、2个,签约资金分别为9亿元、5亿元、3亿元。")
    metrics = {(f.label, label(f.attrs["topic"])) for f in x.findings if f.kind == "metric"}
    assert metrics == {("引进项目数 12个", "岳阳县"), ("引进项目数 9个", "华容县"), ("引进项目数 7个", "湘阴县")}
    totals = [f for f in x.findings if f.kind == "total"]
    confident = {(f.label, label(f.attrs["place"])) for f in totals
                 if float(f.attrs["confidence"]) >= MIN_CONFIDENCE}  # type: ignore[arg-type]
    assert confident == {("岳阳县总投资38.6亿元", "岳阳县"), ("华容县总投资22亿元", "华容县"),
                         ("湘阴县总投资15.4亿元", "湘阴县")}
    # three counts and amounts for two places: none of them is a fact of 临湘市, each is for review (the counts
    # by the finder; the amounts are marked by their rule and confidence, and the draft writer holds them)
    assert sum(f.kind == "review" and "分别" in f.note for f in x.findings) == 3
    unpaired = [f for f in totals if str(f.attrs["rule"]).endswith("place:respectively-unpaired")]
    assert len(unpaired) == 3 and all(float(f.attrs["confidence"]) < MIN_CONFIDENCE  # type: ignore[arg-type]
                                      for f in unpaired)
    draft = tmp_path / "draft.ttl"
    from kg.ingest.run import ingest
    ingest(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), [tmp_path / "news-1.txt"], draft, workers=1,
           known=known)
    text = draft.read_text(encoding="utf-8")
    assert sum("respectively-unpaired" in line for line in text.splitlines() if line.startswith("#   - [r")) == 3
    labels = {str(o) for o in rdflib.Graph().parse(data=text, format="turtle").objects(None, rdflib.RDFS.label)}
    assert "岳阳县总投资38.6亿元" in labels and not any(lb.startswith("签约资金分别为") for lb in labels)


def test_appointee_counts_keep_their_role(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "衡阳市聘请刘建国、陈美华2人为衡阳市招商顾问,聘任9名企业家为招商大使。")
    indicators = {str(f.attrs["indicator"]) for f in x.findings if f.kind == "metric"}
    assert indicators == {"聘任招商顾问人数", "聘任招商大使人数"}


def test_zone_figures_labels_of_lists_and_indicators(tmp_path: Path, known: KnownGraph) -> None:
    x = run(tmp_path, known, "娄底经济技术开发区今年开工项目14个,计划投资52亿元。"
            "娄底市与两家企业签约,两个项目总投资分别为15亿元和9亿元。18家商协会负责人参加。")
    metrics = {(str(f.attrs["indicator"]), label(f.attrs["topic"])) for f in x.findings if f.kind == "metric"}
    assert metrics == {("开工项目数", "娄底经济技术开发区")}  # the zone's, not 娄底市's; 商协会 are no enterprises
    totals = {f.label for f in x.findings if f.kind == "total"}
    assert {"两个项目总投资分别为15亿元", "两个项目总投资分别为…9亿元"} <= totals
