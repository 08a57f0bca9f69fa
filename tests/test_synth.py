"""The synthetic corpus of the scale benchmarks: valid, quoted exactly, on target, deterministic."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.synth import generate, iter_files, parse_size
from kg.paths import make_paths
from kg.store.build import check, data_files

TARGET = 10_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "project"
    generate(folder, TARGET, seed=11)
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in iter_files(folder)}


def test_the_corpus_conforms_to_the_shapes_and_every_quote_matches(corpus: Path) -> None:
    report = check(make_paths(corpus, corpus / "store"))
    assert report.validation.conforms, report.validation.summary()
    assert report.quote_problems == []


def test_the_statement_count_hits_the_target(corpus: Path) -> None:
    paths = make_paths(corpus, corpus / "store")
    quads = {q for f in data_files(paths) for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)}
    assert abs(len(quads) - TARGET) <= TARGET * 0.05


def test_every_article_is_its_own_source_with_facts_and_provenance(corpus: Path) -> None:
    sources = sorted((corpus / "data" / "sources").glob("synth-*.txt"))
    assert len(sources) >= 3
    for txt in sources:
        facts = corpus / "data" / "facts" / f"{txt.stem}.ttl"
        assert facts.is_file() and txt.with_suffix(".meta.json").is_file()
        g = ox.Store()
        g.bulk_load(path=str(facts), format=ox.RdfFormat.TURTLE)
        zs = "https://w3id.org/zhaoshang-kg/def#"
        # every typed fact node other than the article, its sentences and selectors cites a sentence
        result = g.query(f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
            ?s a ?c . FILTER NOT EXISTS {{ ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?x }}
            FILTER (?c NOT IN (<{zs}Sentence>, <https://schema.org/NewsArticle>, <http://www.w3.org/ns/prov#Entity>,
                <http://www.w3.org/ns/oa#TextQuoteSelector>, <http://www.w3.org/ns/oa#TextPositionSelector>))
        }}""")
        assert isinstance(result, ox.QuerySolutions)
        assert int(next(iter(result))["n"].value) == 0
        assert list(g.quads_for_pattern(None, ox.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(zs + "InvestmentProject")))


def test_shared_entities_are_described_once_and_cited_by_every_article(corpus: Path) -> None:
    # Described in every source graph, a government would be stored once per graph and every join through
    # it would multiply; so its description lives in the register, and the articles only cite it.
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    zs = "https://w3id.org/zhaoshang-kg/def#"
    register = ox.Store()
    register.bulk_load(path=str(corpus / "data" / "facts" / "synth-registry.ttl"), format=ox.RdfFormat.TURTLE)
    shared = {q.subject for cls in ("Government", "ChamberOfCommerce", "Period")
              for q in register.quads_for_pattern(None, rdf_type, ox.NamedNode(zs + cls))}
    assert len(shared) >= 5
    cited: set[ox.NamedNode | ox.BlankNode] = set()
    for facts in sorted((corpus / "data" / "facts").glob("synth-0*.ttl")):
        article = list(ox.parse(path=str(facts), format=ox.RdfFormat.TURTLE))
        assert not [q for q in article if q.subject in shared and q.predicate == rdf_type]
        cited |= {q.subject for q in article if q.subject in shared
                  and q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom"}
    assert cited == shared


def test_generated_counties_have_valid_codes_under_real_prefectures(corpus: Path) -> None:
    text = (corpus / "data" / "facts" / "synth-regions.ttl").read_text(encoding="utf-8")
    store = ox.Store()
    store.bulk_load(path=str(corpus / "data" / "facts" / "synth-regions.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query("""SELECT ?code ?parent WHERE {
        ?r <https://w3id.org/zhaoshang-kg/def#adminCode> ?code ; <https://schema.org/containedInPlace> ?parent }""")
    assert isinstance(rows, ox.QuerySolutions)
    pairs = [(r["code"].value, r["parent"].value.rsplit("/", 1)[1]) for r in rows]
    assert pairs and "CountyLevelDivision" in text
    for code, parent in pairs:
        assert len(code) == 6 and code[:4] == parent[:4] and parent.endswith("00") and code[4:] != "00"


def test_the_same_seed_gives_identical_files(corpus: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", TARGET, seed=11)
    assert _digest(tmp_path / "again") == _digest(corpus)
    generate(tmp_path / "other", TARGET, seed=12)
    assert _digest(tmp_path / "other") != _digest(corpus)


def test_sizes_parse() -> None:
    assert [parse_size(s) for s in ("10k", "1M", "5m", "2500")] == [10_000, 1_000_000, 5_000_000, 2500]
