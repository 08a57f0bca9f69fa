"""``kg merge`` without a full check: the incremental build finds every problem a check of the whole data finds,
the gate looks up only what the draft names, and the derived graph it updates equals a full recompute."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from benchmarks.corpus import MERGE_ARTICLE, plant_figures
from kg.backend import build
from kg.cli import cli
from kg.errors import QuoteMismatch, ValidationError
from kg.ingest.existing import existing_about
from kg.ingest.merge import identity_changes
from kg.paths import Paths, make_paths
from kg.shacl.report import ValidationResult
from kg.store.build import check, derived_statements
from kg.store.derive import DERIVED_GRAPH
from kg.store.figures import figure_groups
from kg.store.generations import current_generation, open_store
from tests.conftest import ROOT

ID = "https://w3id.org/zhaoshang-kg/id/"
PREFIXES = """@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix region: <https://w3id.org/zhaoshang-kg/id/region/> .
@prefix agent: <https://w3id.org/zhaoshang-kg/id/agent/> .
@prefix src: <https://w3id.org/zhaoshang-kg/id/source/rednet-2024-03-13-sanzhangpai/> .
"""
#: New statements that break a shape only through an entity the graph already has (or a new one linked to it).
CASES = {
    # sh:maxCount on an existing chamber: a second host region
    "second-host-region": "agent:chamber-beijing-chenxi zs:hostRegion region:430100 .",
    # sh:targetObjectsOf geo:hasCentroid: an existing region becomes a centroid, without a WKT point
    "objects-target": "region:431223 geo:hasCentroid region:430100 .",
    # sh:targetClass: an existing region typed as a chamber lacks what a chamber needs
    "new-class": "region:430100 a zs:ChamberOfCommerce .",
    # sh:node: an existing selector gets a second exact text; its sentence (which points at it) fails
    "nested-node": 'src:s001-selector oa:exact "另一句话" .',
    # a SPARQL constraint over the place hierarchy: a code that does not share its parent's prefix
    "code-hierarchy": 'region:990101 a zs:CountyLevelDivision ; rdfs:label "某某县"@zh ; zs:adminCode "990101" ; '
                      "schema:containedInPlace region:430100 .",
    # the dangling-reference check: an existing chamber pointing at an entity nobody describes
    "dangling": "agent:chamber-beijing-chenxi zs:originRegion region:nowhere .",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A built copy of the project; each case adds a file, is refused, and takes it away again."""
    folder = tmp_path_factory.mktemp("merge-incremental")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    paths = make_paths(folder, folder / "store")
    build(paths)
    return paths


def _violations(result: ValidationResult) -> set[str]:
    return {str(v) for v in result.violations}


@pytest.mark.parametrize("case", sorted(CASES))
def test_incremental_check_finds_what_the_full_check_finds(base: Paths, case: str) -> None:
    live = current_generation(base.store)
    extra = base.facts / f"zz-{case}.ttl"
    extra.write_text(PREFIXES + CASES[case] + "\n", encoding="utf-8")
    try:
        full = check(base)  # every statement of the data, loaded afresh
        assert not full.validation.conforms, case
        with pytest.raises(ValidationError) as caught:
            build(base)  # incremental: a checkpoint of the live store, the new graph, its focus nodes only
        assert isinstance(caught.value.report, ValidationResult)
        assert _violations(caught.value.report) == _violations(full.validation), case
    finally:
        extra.unlink()
    assert current_generation(base.store) == live  # the live store stayed


def test_a_wrong_quote_on_an_existing_article_is_refused_as_by_the_full_check(base: Paths) -> None:
    extra = base.facts / "zz-quote.ttl"
    extra.write_text(PREFIXES + """
src:s999 a zs:Sentence ; oa:hasSource <https://w3id.org/zhaoshang-kg/id/source/rednet-2024-03-13-sanzhangpai> ;
    oa:hasSelector src:s999-selector .
src:s999-selector a oa:TextPositionSelector, oa:TextQuoteSelector ;
    oa:exact "不在原文里的一句" ; oa:start 0 ; oa:end 8 .
""", encoding="utf-8")
    try:
        full = check(base)
        assert full.quote_problems
        with pytest.raises(QuoteMismatch) as caught:
            build(base)
        for problem in full.quote_problems:
            assert str(problem) in str(caught.value)
    finally:
        extra.unlink()


ARTICLE = """标题: 测试县招商新进展
日期: 2024-05-06
来源: 测试日报

测试市在深圳举办招商推介会,签约引进3个项目,签约资金达12,000万元。
"""


def _invoke(paths: Paths, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--project", str(paths.project), "--store", str(paths.store), *args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.output


def test_kg_merge_refuses_a_draft_breaking_a_shape_through_an_existing_entity(project: Paths, tmp_path: Path) -> None:
    build(project)
    live = current_generation(project.store)
    article = tmp_path / "merge-2024-05-06.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    assert _invoke(project, "ingest", str(article), "-o", str(draft))[0] == 0
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text + f"<{ID}agent/chamber-beijing-chenxi> <https://w3id.org/zhaoshang-kg/def#hostRegion> "
                     f"<{ID}region/430100> .\n", encoding="utf-8")
    code, output = _invoke(project, "merge", "--accept-all", str(draft))
    assert code == 1 and "nothing was merged" in output and "chamber-beijing-chenxi" in output, output
    assert not list(project.facts.glob("merge-2024-05-06.*"))
    assert not (project.sources / "merge-2024-05-06.txt").exists()
    assert current_generation(project.store) == live
    draft.write_text(text, encoding="utf-8")  # the draft as kg ingest wrote it merges
    code, output = _invoke(project, "merge", "--accept-all", str(draft))
    assert code == 0, output
    assert current_generation(project.store) != live


def test_the_gate_reads_the_files_the_store_does_not_hold_yet(project: Paths) -> None:
    build(project)
    chamber = ox.NamedNode(f"{ID}agent/chamber-beijing-chenxi")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    known = existing_about(project, [chamber])
    assert any(o.value == "北京辰溪商会" for o in known.objects(chamber, label) if isinstance(o, ox.Literal))
    draft = [ox.Quad(chamber, label, ox.Literal("北京某某商会", language="zh"))]
    assert "second" in identity_changes(project, draft)[0]
    # a file added after the build, not in the store yet, is read too; one removed is no longer believed
    (project.facts / "zz-new.ttl").write_text(
        f'<{ID}agent/new-chamber> <http://www.w3.org/2000/01/rdf-schema#label> "新商会"@zh .\n', encoding="utf-8")
    new = ox.NamedNode(f"{ID}agent/new-chamber")
    assert existing_about(project, [new]).has(new)
    assert "second" in identity_changes(project, [ox.Quad(new, label, ox.Literal("另一个名字", language="zh"))])[0]
    build(project)
    (project.facts / "zz-new.ttl").unlink()
    assert not existing_about(project, [new]).has(new)
    assert open_store(project.store) is not None


def _derived(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(DERIVED_GRAPH)))


@pytest.fixture
def corpus(synth: Paths, tmp_path: Path) -> Paths:
    """A copy of the generated corpus and its built store, to merge into."""
    shutil.copytree(synth.project, tmp_path / "c", symlinks=True)
    return make_paths(tmp_path / "c", tmp_path / "c" / "store")


def test_merged_articles_update_the_derived_graph_as_a_full_recompute_would(corpus: Paths) -> None:
    # restated totals of existing regions (repeats and conflicts of figures other sources gave, in their cells)
    planted = plant_figures(corpus.project, 2, random.Random(3))
    assert len(planted) == 4
    # and an economic region that now takes in a province: the places in it move, their figures' cells change
    (corpus.facts / "zz-belt.ttl").write_text(
        f"<{ID}place/jing-jin-ji> <https://schema.org/containsPlace> <{ID}region/430000> .\n", encoding="utf-8")
    before = _derived(open_store(corpus.store))
    report = build(corpus)
    assert not report.full and len(report.changed) == 5 and report.rederived.endswith("cell(s)")
    store = open_store(corpus.store)
    after = _derived(store)
    assert after == set(derived_statements(store))  # what a full recompute of the new data gives
    assert after != before and len(after) == report.graphs[DERIVED_GRAPH]
    # the planted figures joined the figure groups of the totals they restate, and the rollups count them once
    assert {f.item.value for g in figure_groups(store) for f in g.figures} >= set(planted)


def test_a_merge_through_kg_merge_updates_the_derived_graph_as_a_full_recompute_would(corpus: Paths,
                                                                                        tmp_path: Path) -> None:
    article = tmp_path / "qingsong-2024-03-02.txt"
    article.write_text(MERGE_ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    assert _invoke(corpus, "ingest", str(article), "-o", str(draft), "--year", "2024")[0] == 0
    code, output = _invoke(corpus, "merge", "--accept-all", str(draft))
    assert code == 0, output
    store = open_store(corpus.store)
    assert _derived(store) == set(derived_statements(store))


def _canonical(rows: list[dict[str, object]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)


def test_rows_by_index_lookups_equal_the_queries(synth: Paths) -> None:
    """item_rows and figures(store, subject) read by lookups give the rows the SPARQL queries give, for every item
    and subject of the corpus, and for a statement stated twice (once per graph in the union default graph)."""
    from kg.store.figures import _rows, subject_rows
    from kg.store.investment import item_rows, item_rows_queried

    store = ox.Store()
    store.extend(open_store(synth.store).quads_for_pattern(None, None, None, None))
    zs = "https://w3id.org/zhaoshang-kg/def#"
    totals = [q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(f"{zs}SigningTotal"))]
    projects = [q.subject for q in store.quads_for_pattern(None, None, ox.NamedNode(f"{zs}InvestmentProject"))]
    assert totals and projects
    # one total and its period restated in another graph: still one row, in both readings (SELECT DISTINCT)
    again = ox.NamedNode("urn:test:again")
    period = next(q.object for q in store.quads_for_pattern(totals[0], ox.NamedNode(f"{zs}refPeriod"), None))
    for s in (totals[0], period):
        assert isinstance(s, ox.NamedNode)
        store.extend([ox.Quad(q.subject, q.predicate, q.object, again) for q in store.quads_for_pattern(s, None, None)
                      if q.graph_name != again])
    for item in totals + projects:
        assert isinstance(item, ox.NamedNode)
        assert _canonical(item_rows(store, item)) == _canonical(item_rows_queried(store, item)), item  # type: ignore[arg-type]
    assert len(item_rows(store, totals[0])) == 1  # type: ignore[arg-type]
    areas = {q.object for t in totals for q in store.quads_for_pattern(t, ox.NamedNode(f"{zs}refArea"), None)}
    for subject in [*areas, *projects]:
        assert isinstance(subject, ox.NamedNode)
        rows = [{k: r[k] for k in ("item", "kind", "subject", "value", "currency", "measure", "qualifier", "period",
                                   "count")} for r in _rows(store, subject)]
        assert _canonical(subject_rows(store, subject)) == _canonical(rows), subject  # type: ignore[arg-type]


def test_a_later_stage_of_a_known_project_updates_its_current_stage_and_rollups_as_a_full_recompute_would(
        project: Paths, tmp_path: Path) -> None:
    """A milestone joining a project the graph has moves its current stage (derived) and may move the year its
    amount is filed under (its earliest milestone's): the incremental build must agree with a full recompute."""
    from tests.test_timeline import FIRST, SECOND

    build(project)
    for name, text in (("liling-signing", FIRST), ("liling-production", SECOND)):
        article = tmp_path / f"{name}.txt"
        article.write_text(text, encoding="utf-8")
        draft = tmp_path / f"{name}.ttl"
        assert _invoke(project, "ingest", str(article), "-o", str(draft))[0] == 0
        code, output = _invoke(project, "merge", "--accept-all", str(draft))
        assert code == 0, output
        store = open_store(project.store)
        assert _derived(store) == set(derived_statements(store)), name
    stage = ox.NamedNode("https://w3id.org/zhaoshang-kg/def#stage")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    project_iri = next(q.subject for q in store.quads_for_pattern(None, label, None)
                       if q.object.value == "青岚锂电隔膜项目")
    current = {q.object.value.rsplit("#", 1)[-1] for q in store.quads_for_pattern(project_iri, stage, None)}
    assert current == {"InProduction"}, current
