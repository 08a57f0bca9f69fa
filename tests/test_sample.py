"""`kg run --sample`: the invented sample corpus merged beside the founding article by the real path (ingest, the
review gate with the shipped decisions, merge), into a folder of its own; and a sample source is never shown
without its mark."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef

from kg.cli import cli
from kg.paths import make_paths
from kg.pipeline import SAMPLE_DIR, sample_articles
from kg.query.catalogue import select
from kg.sources.articles import SAMPLE_PREFIX, is_invented_sample, load_source, sentences_graph
from kg.store.build import check
from kg.store.generations import open_store
from kg.views.graphpage import graph_page, viz_view
from kg.views.profile import profile_page
from tests.conftest import ROOT, SOURCE_ID

REPOST = "sample-2024-03-14-liling-xianglan-repost"
INVENTED = "<https://w3id.org/zhaoshang-kg/def#InventedSample>"


@dataclass(frozen=True)
class Sampled:
    """The sample project `kg run --sample` wrote, what it printed, and the default project's state before."""

    out: Path
    output: str
    before: dict[str, str]


def _state(project: Path) -> dict[str, str]:
    """Every file of the project's data/ and default store, with its sha256 (what the sample must not touch)."""
    files = [*sorted((project / "data").rglob("*")), *sorted((project / ".kg").rglob("*"))]
    return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def _run(runner: CliRunner, out: Path) -> str:
    res = runner.invoke(cli, ["--project", str(ROOT), "run", "--sample", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return res.output


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> Sampled:
    before = _state(ROOT)
    out = tmp_path_factory.mktemp("sample") / "sample"
    return Sampled(out, _run(CliRunner(), out), before)


def _kg(runner: CliRunner, s: Sampled, *args: str) -> str:
    res = runner.invoke(cli, ["--project", str(s.out), *args])
    assert res.exit_code == 0, res.output
    return res.output


def _sample_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for _, p in sample_articles(ROOT)}


def test_the_articles_are_labelled_invented_in_their_text_and_metadata() -> None:
    texts = _sample_texts()
    assert 8 <= len(texts) <= 10
    for sid, text in texts.items():
        first = text.splitlines()[0]
        assert first.startswith(SAMPLE_PREFIX) and "虚构" in first, sid
        assert 400 <= len(text) <= 1500, (sid, len(text))
        meta = json.loads((ROOT / SAMPLE_DIR / f"{sid}.meta.json").read_text(encoding="utf-8"))
        assert meta["title"].startswith(SAMPLE_PREFIX) and meta["sample"] is True, sid
    years = {p.stem[len("sample-"):][:4] for _, p in sample_articles(ROOT)}
    assert years == {"2023", "2024", "2025"}


def test_the_mark_comes_from_the_text() -> None:
    assert is_invented_sample("\ufeff\n【样例】本文为虚构样例。\n正文")
    assert not is_invented_sample("正文\n【样例】")  # only the first line marks an article
    path = next(p for _, p in sample_articles(ROOT))
    g = sentences_graph(load_source(path))  # what `kg segment` writes for it
    assert len(list(g.triples((None, None, None)))) > 0
    assert any(str(o).endswith("#InventedSample") for o in g.objects())
    founding = sentences_graph(load_source(ROOT / "data" / "sources" / f"{SOURCE_ID}.txt"))
    assert not any(str(o).endswith("#InventedSample") for o in founding.objects())


def test_the_repost_is_refused_and_the_rest_merged_in_date_order(sampled: Sampled) -> None:
    merged = re.findall(r"^  merged   (\d{4}-\d\d-\d\d)  (\S+)$", sampled.output, re.M)
    assert len(merged) == len(_sample_texts()) - 1 and REPOST not in {sid for _, sid in merged}
    assert [d for d, _ in merged] == sorted(d for d, _ in merged)
    assert f"refused  {REPOST}:" in sampled.output
    assert "is a near-duplicate repost" in sampled.output
    assert "of the earlier source sample-2024-03-12-liling-xianglan-signing" in sampled.output
    assert not (sampled.out / "data" / "sources" / f"{REPOST}.txt").exists()
    assert (sampled.out / "data" / "facts" / f"{SOURCE_ID}.ttl").is_file()  # beside the founding article
    for _, sid in merged:
        assert (sampled.out / "data" / "facts" / f"{sid}.ingested.ttl").is_file()
    assert "Figures repeated by several sources (counted once): 1" in sampled.output
    assert "Conflicts (never summed, never resolved silently): 1" in sampled.output


def test_the_decisions_were_applied(sampled: Sampled) -> None:
    facts = (sampled.out / "data" / "facts" / "sample-2024-03-12-liling-xianglan-signing.ingested.ttl")
    text = facts.read_text(encoding="utf-8")
    assert "湘澜高纯氧化铝项目" in text
    assert '"产品包括电子"@zh' not in text  # rejected in its decisions file: not an organisation


def test_the_repeated_figure_counts_once(sampled: Sampled) -> None:
    store = open_store(sampled.out / ".kg" / "store")
    sparql = (ROOT / "queries" / "investment_by_region.rq").read_text(encoding="utf-8")
    rows = [r for r in select(store, sparql, {"region": ox.NamedNode(
        "https://w3id.org/zhaoshang-kg/id/region/430200")}).rows
        if r["measureLabel"].value == "签约资金" and r["year"] is not None and r["year"].value == "2023"]
    assert len(rows) == 1
    assert Decimal(rows[0]["amountAtLeast"].value) == Decimal("32640000000")  # 326.4亿, not 326.4 + 约326
    assert rows[0]["counted"].value == "1" and rows[0]["sources"].value == "2"


def test_the_conflict_is_listed_with_its_sources_marked(sampled: Sampled) -> None:
    runner = CliRunner()
    out = _kg(runner, sampled, "conflicts")
    assert "CONFLICT 1: 衡阳市 · 合同引资 · 2024年上半年 · 36 projects  (2 sources)" in out
    assert "158.6亿元  (counted)  source sample-2024-07-16-hengyang-halfyear (sample)" in out
    assert "185.6亿元  source sample-2024-07-25-hengyang-wire (sample)" in out
    groups = json.loads(_kg(runner, sampled, "conflicts", "--repeats", "--format", "json"))
    assert len(groups) == 2
    assert all(g["sampleSources"] == g["sources"] for g in groups)


def test_every_sample_source_is_marked_in_the_graph(sampled: Sampled) -> None:
    store = open_store(sampled.out / ".kg" / "store")
    rows = select(store, f"""SELECT ?a ?file (EXISTS {{ ?a dcterms:type {INVENTED} }} AS ?sample) WHERE {{
        ?a a schema:NewsArticle ; zs:sourceFile ?file }}""").rows
    marked = {r["file"].value: r["sample"].value == "true" for r in rows}
    assert len(marked) == len(_sample_texts())  # the founding article and every merged sample
    for file, sample in marked.items():
        assert sample is file.startswith("sample-"), file
    assert check(make_paths(sampled.out, sampled.out / ".kg" / "store")).ok


def test_answers_mark_sample_sentences(sampled: Sampled) -> None:
    runner = CliRunner()
    out = _kg(runner, sampled, "ask", "株洲市的招商大使有哪些")
    assert "「推介会上,株洲市聘任周立衡、谭慧敏、贺明川等8人为株洲市招商大使。」 (sample)" in out
    answer = json.loads(_kg(runner, sampled, "ask", "哪些商会连接了湖南和深圳", "--format", "json"))
    samples = set(_sentences_of_samples(sampled))
    assert answer["sampleSources"] and set(answer["sampleSources"]) <= samples
    assert any(s not in samples for s in answer["sources"])  # the founding article's sentences stay unmarked
    text = _kg(runner, sampled, "ask", "哪些商会连接了湖南和深圳")
    for line in text.splitlines():
        if line.startswith("  「"):
            assert line.endswith(" (sample)") is (line.strip()[1:line.strip().rindex("」")] in samples), line
    csv = _kg(runner, sampled, "query", "-q", "investment_by_region", "--param", "region=衡阳市", "--format", "csv")
    assert "2024年上半年,衡阳市新签约项目36个,合同引资158.6亿元。 (sample)" in csv
    founding = _kg(runner, sampled, "query", "-q", "investment_by_region", "--param", "region=怀化市",
                   "--format", "csv")
    assert "辰溪" in founding and "(sample)" not in founding


def _sentences_of_samples(s: Sampled) -> list[str]:
    store = open_store(s.out / ".kg" / "store")
    return [r["x"].value for r in select(store, f"""SELECT ?x WHERE {{ ?a dcterms:type {INVENTED} .
        ?s oa:hasSource ?a ; oa:hasSelector/oa:exact ?x }}""").rows]


def test_views_never_show_a_sample_sentence_without_its_mark(sampled: Sampled) -> None:
    store = open_store(sampled.out / ".kg" / "store")
    samples = set(_sentences_of_samples(sampled))
    page = profile_page(store, "株洲市")
    quotes = re.findall(r'<blockquote class="kg-quote">([^<]*)</blockquote>', page)
    assert quotes
    for q in quotes:
        plain = q.removesuffix(" (sample)")
        assert plain not in samples or q.endswith(" (sample)"), q
    assert any(q.endswith(" (sample)") for q in quotes)
    for view in (viz_view(store, focus="https://w3id.org/zhaoshang-kg/id/region/430200", hops=2),
                 viz_view(store, whole=True, max_nodes=5000)):
        quotes = [q for node in view.nodes.values() for q in node.quotes]
        assert any(q.endswith(" (sample)") for q in quotes)
        for q in quotes:
            assert q.removesuffix(" (sample)") not in samples or q.endswith(" (sample)"), q
    page = graph_page(store, whole=True, max_nodes=5000)
    assert "(sample)" in page


def test_the_default_project_is_untouched_and_a_second_run_gives_the_same_store(
        sampled: Sampled, tmp_path: Path) -> None:
    assert _state(ROOT) == sampled.before
    again = tmp_path / "again"
    output = _run(CliRunner(), again)
    assert output.replace(str(again), "OUT") == sampled.output.replace(str(sampled.out), "OUT")
    for f in sorted((sampled.out / "data").rglob("*.ttl")):
        assert f.read_bytes() == (again / f.relative_to(sampled.out)).read_bytes(), f

    def named(folder: Path) -> set[ox.Quad]:  # blank nodes are named afresh by every load
        return {q for q in open_store(folder / ".kg" / "store")
                if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert named(again) == named(sampled.out)
    rerun = _run(CliRunner(), again)  # over its own folder: replaced whole
    assert rerun == output and named(again) == named(sampled.out)
    assert not any(p.name.startswith(".again.") for p in tmp_path.iterdir())
    assert _state(ROOT) == sampled.before


def test_a_folder_it_did_not_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(cli, ["--project", str(ROOT), "run", "--sample", "--out", str(tmp_path / "mine")])
    assert res.exit_code == 1 and "was not made by kg run --sample" in res.output
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    res = runner.invoke(cli, ["--project", str(ROOT), "run", "--sample", "--out", str(ROOT / "data" / "x")])
    assert res.exit_code == 1 and "writes a project folder of its own" in res.output
    res = runner.invoke(cli, ["--project", str(ROOT), "run", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--out goes with --sample" in res.output


def test_the_shapes_refuse_a_sample_that_lost_its_mark(tmp_path: Path) -> None:
    """A sample article ingested under a hand-made graph without dcterms:type still starts with 【样例】: refused."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("sample"))
    path = next(p for _, p in sample_articles(ROOT))
    source = load_source(path)
    g = sentences_graph(source)
    g.remove((None, None, URIRef("https://w3id.org/zhaoshang-kg/def#InventedSample")))
    shutil.copy(path, tmp_path / "data" / "sources" / path.name)
    (tmp_path / "data" / "facts" / f"{path.stem}.sentences.ttl").write_text(g.serialize(format="turtle"),
                                                                           encoding="utf-8")
    report = check(make_paths(tmp_path, tmp_path / "store"))
    assert not report.ok
    assert "is an invented sample (its text starts with 【样例】) but is not typed" in report.summary()



def test_consolidation_and_the_followed_project_show_out_of_the_box(sampled: Sampled) -> None:
    # the shipped decision merges 深圳市湖南商会 into 深圳湖南商会: one chamber, found by either name
    store = open_store(sampled.out / ".kg" / "store")
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    chambers = {q.subject for q in store.quads_for_pattern(None, label, ox.Literal("深圳湖南商会", language="zh"))}
    assert len(chambers) == 1
    chamber = next(iter(chambers))
    names = {q.object for q in store.quads_for_pattern(chamber, alt, None)}
    assert ox.Literal("深圳市湖南商会", language="zh") in names
    assert not list(store.quads_for_pattern(None, label, ox.Literal("深圳市湖南商会", language="zh")))
    # the followed project's stages, across four articles, in date order, in the summary and from kg timeline
    stages = re.findall(r"^  \S+\s+(签约|开工|投产|到资) · 醴陵市", sampled.output, re.M)
    assert stages == ["签约", "开工", "投产", "到资"], sampled.output
    out = _kg(CliRunner(), sampled, "timeline", "湘澜高纯氧化铝项目", "--format", "json")
    rows = json.loads(out)["milestones"]
    assert {r["source"].rsplit("/", 1)[-1] for r in rows} == {
        "sample-2024-03-12-liling-xianglan-signing", "sample-2024-03-20-liling-xianglan-start",
        "sample-2025-01-08-liling-xianglan-production"}
