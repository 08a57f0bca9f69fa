"""kg.store.rollups: the zs:quote shortcut is exactly the sentence chain it replaces, and the catalogue answers with it.

The store here is made the way the build makes it (every data file in its named graph, then the derived graph
of :func:`kg.store.derive.derive_store`), plus the statements of :func:`kg.store.rollups.rollups`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import tests.test_catalogue as catalogue_tests
from kg.namespaces import OA, PREFIXES, PROV, ZS
from kg.paths import make_paths
from kg.query.catalogue import load_catalogue, select, term_text
from kg.store.build import data_files, graph_for
from kg.store.derive import DERIVED_GRAPH, derive_store
from kg.store.rollups import QUOTE, QUOTED_KINDS, rollups
from tests.conftest import ROOT

CATALOGUE = load_catalogue(ROOT / "queries")
DERIVED = ox.NamedNode(DERIVED_GRAPH)


def _loaded(tmp: Path) -> ox.Store:
    paths = make_paths(ROOT, tmp / "unused")
    store = ox.Store()
    for f in data_files(paths):
        store.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=graph_for(f, paths))
    store.extend(derive_store(store))
    return store


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The project's data and its place closure, without the rollups."""
    return _loaded(tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def rolled(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The project's data, its place closure and the rollups: what ``kg build`` makes once they are wired in."""
    store = _loaded(tmp_path_factory.mktemp("rolled"))
    store.extend(rollups(store))
    return store


def _pairs(store: ox.Store, sparql: str) -> set[tuple[str, str, str]]:
    rows = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return {(term_text(r[0]), term_text(r[1]), _language(r[1])) for r in rows}


def _language(term: object) -> str:
    return (term.language or "") if isinstance(term, ox.Literal) else ""


def test_quotes_are_the_sentence_chain(plain: ox.Store) -> None:
    quads = rollups(plain)
    assert quads, "the founding article has facts with sentences"
    assert all(q.graph_name == DERIVED and q.predicate == QUOTE for q in quads)
    assert len(quads) == len(set(quads)), "no statement twice"
    got = {(term_text(q.subject), term_text(q.object), _language(q.object)) for q in quads}  # type: ignore[arg-type]
    kinds = " ".join(f"<{k}>" for k in QUOTED_KINDS)
    chain = _pairs(plain, f"""SELECT DISTINCT ?fact ?text WHERE {{
        VALUES ?kind {{ {kinds} }} ?fact a/rdfs:subClassOf* ?kind .
        ?fact <{PROV}wasDerivedFrom> ?s . ?s a <{ZS}Sentence> ; <{OA}hasSelector>/<{OA}exact> ?text }}""")
    assert got == chain
    # the very literal of the selector: same text, same language tag
    assert all(lang == "zh" for _, _, lang in got)


def test_a_chamber_quotes_every_sentence_that_names_it(plain: ox.Store) -> None:
    chamber = "https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi"
    quotes = {term_text(q.object) for q in rollups(plain) if q.subject == ox.NamedNode(chamber)}  # type: ignore[arg-type]
    assert quotes and all("北京辰溪商会" in text for text in quotes)


def test_rollups_ignore_what_they_derived(rolled: ox.Store, plain: ox.Store) -> None:
    # Run again on a store that already holds them: the same statements, nothing fed back.
    assert set(rollups(rolled)) == set(rollups(plain))


def test_only_the_listed_kinds_get_quotes(plain: ox.Store) -> None:
    quoted = {q.subject for q in rollups(plain)}
    # every kind of row the lists show has its quotes, a task force and an event among them
    for fact in ("agent/changsha-tf-beijing", "event/changsha-shenzhen-startup-camp",
                 "appointment/changsha-adviser-zhang-jinzhou"):
        assert ox.NamedNode(f"https://w3id.org/zhaoshang-kg/id/{fact}") in quoted
    # a place cites the gazetteer, not a sentence; a government and a person are actors, not rows
    for entity in ("region/431223", "agent/changsha-gov", "person/zhang-jinzhou"):
        assert ox.NamedNode(f"https://w3id.org/zhaoshang-kg/id/{entity}") not in quoted


def test_quote_is_declared_in_the_ontology() -> None:
    import rdflib

    g = rdflib.Graph().parse(ROOT / "ontology" / "zhaoshang.ttl")
    term = rdflib.URIRef(QUOTE.value)
    assert (term, rdflib.RDF.type, rdflib.OWL.DatatypeProperty) in g
    assert {lb.language for lb in g.objects(term, rdflib.RDFS.label)} >= {"zh", "en"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_question_cites_sentences_with_rollups(rolled: ox.Store, name: str) -> None:
    found = catalogue_tests.rows(rolled, name)
    assert found, f"{name} returned no rows"
    if "quote" in found[0]:
        assert any(r["quote"] for r in found), f"{name} cites no sentence"


def test_entity_facts_never_show_rollups(rolled: ox.Store) -> None:
    # entity_facts lists every statement about an entity: the derived shortcut is not one of the sources' own.
    for entity in ("https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi",
                   "https://w3id.org/zhaoshang-kg/id/agent/changsha-gov"):
        table = select(rolled, CATALOGUE["entity_facts"].sparql, {"entity": ox.NamedNode(entity)})
        assert not any(term_text(r["property"]) == QUOTE.value for r in table.rows)


def _answer_tests() -> list[Callable[..., Any]]:
    """The founding article's expected answers (tests/test_catalogue.py), to run on the store with rollups."""
    return [fn for name, fn in inspect.getmembers(catalogue_tests, inspect.isfunction)
            if name.startswith("test_") and list(inspect.signature(fn).parameters) == ["store"]]


@pytest.mark.parametrize("check", _answer_tests(), ids=lambda fn: fn.__name__)
def test_catalogue_answers_with_rollups(rolled: ox.Store, check: Callable[[ox.Store], None]) -> None:
    check(rolled)
