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
from kg.store.investment import ROLLUPS, investment_rollups
from kg.store.rollups import QUOTE, QUOTED_KINDS, rollups
from kg.store.stages import current_stages
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
    store.extend(investment_rollups(store, derive_store(store)))
    store.extend(current_stages(store))
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


def test_entity_facts_of_a_region_never_show_its_investment_rollups(rolled: ox.Store) -> None:
    hunan = ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430000")
    table = select(rolled, CATALOGUE["entity_facts"].sparql, {"entity": hunan})
    assert table.rows and not any(term_text(r["property"]).startswith(f"{ZS}rollup") for r in table.rows)


def test_investment_rollups_ignore_what_was_derived(rolled: ox.Store, plain: ox.Store) -> None:
    assert set(investment_rollups(rolled, derive_store(rolled))) == set(investment_rollups(plain, derive_store(plain)))


def _answer_tests() -> list[Callable[..., Any]]:
    """The founding article's expected answers (tests/test_catalogue.py), to run on the store with rollups."""
    return [fn for name, fn in inspect.getmembers(catalogue_tests, inspect.isfunction)
            if name.startswith("test_") and list(inspect.signature(fn).parameters) == ["store"]]


@pytest.mark.parametrize("check", _answer_tests(), ids=lambda fn: fn.__name__)
def test_catalogue_answers_with_rollups(rolled: ox.Store, check: Callable[[ox.Store], None]) -> None:
    check(rolled)


# ---------------------------------------------------------------------------- investment rollups: the rule

_PLACES = """
@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
@prefix schema: <https://schema.org/> .
@prefix t: <https://w3id.org/zhaoshang-kg/id/test/> .
t:P a zs:ProvinceLevelDivision .
t:C a zs:PrefectureLevelDivision ; schema:containedInPlace t:P .
t:K1 a zs:CountyLevelDivision ; schema:containedInPlace t:C .
t:K2 a zs:CountyLevelDivision ; schema:containedInPlace t:C .
t:Z a zs:DevelopmentZone ; schema:containedInPlace t:K1 .
t:y2023 zs:periodStart "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
        zs:periodEnd "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> .
t:since2023 zs:periodStart "2023"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""
_T = "https://w3id.org/zhaoshang-kg/id/test/"


def _item(name: str, kind: str, place: str, value: int, *, measure: str = "SignedInvestment", period: str = "y2023",
          count: int | None = None, group: str | None = None, currency: str = "CNY", year: str = "2023") -> str:
    """Turtle for one signing total or project with its money."""
    lines = [f"t:{name} a zs:{'SigningTotal' if kind == 'total' else 'InvestmentProject'} ; zs:investment t:{name}-m ;"]
    if kind == "total":
        lines.append(f"  zs:refArea t:{place} ;")
        if period:
            lines.append(f"  zs:refPeriod t:{period} ;")
        if count is not None:
            lines.append(f"  zs:projectCount {count} ;")
        if group:
            lines.append(f"  zs:inOverlapGroup t:{group} ;")
    else:
        lines.append(f"  schema:location t:{place} ;")
    lines.append(f'  zs:note "{name}" .')
    if kind != "total" and year:  # the year a project is filed under: its (earliest) milestone's
        lines.append(f't:{name}-s a zs:ProjectMilestone ; zs:project t:{name} ; zs:stage zs:Signed ;')
        lines.append(f'  zs:stageDate "{year}-07"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .')
    lines.append(f't:{name}-m schema:value {value} ; schema:currency "{currency}" ; zs:measure zs:{measure} .')
    return "\n".join(lines)


def _rolled_up(*items: str) -> dict[tuple[str, str, str], tuple[int, int, set[str]]]:
    """(region, measure, year or period) -> (amount, projects, items counted) for a store of *items*."""
    store = ox.Store()
    store.load(_PLACES + "\n".join(items), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(_T + "g"))
    out: dict[tuple[str, str, str], tuple[int, int, set[str]]] = {}
    by_node: dict[ox.NamedNode | ox.BlankNode, dict[str, list[str]]] = {}
    for q in investment_rollups(store, derive_store(store)):
        assert q.graph_name == DERIVED
        by_node.setdefault(q.subject, {}).setdefault(q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                                                     []).append(term_text(q.object))  # type: ignore[arg-type]
    for node in by_node.values():
        assert node["dataSet"] == [ROLLUPS.value]
        period = (node.get("rollupYear") or node.get("rollupPeriod") or [""])[0].replace(_T, "")
        period += "" if node["currency"] == ["CNY"] else f" {node['currency'][0]}"
        key = (node["rollupArea"][0].replace(_T, ""), node["rollupMeasure"][0].rsplit("#", 1)[-1], period)
        assert key not in out, "one observation per region, measure and period"
        out[key] = (int(node["amountAtLeast"][0]), int(node["projectsAtLeast"][0]),
                    {i.replace(_T, "") for i in node.get("rollupOf", [])})
    return out


def test_a_place_and_the_places_inside_it_are_never_added() -> None:
    # the city's 100 may include its counties' 30 and 50: the larger side counts, at the city and above
    got = _rolled_up(_item("city", "total", "C", 100, count=5), _item("k1", "total", "K1", 30, count=4),
                     _item("k2", "total", "K2", 50, count=3))
    assert got[("C", "SignedInvestment", "2023")] == (100, 7, {"city"})
    assert got[("P", "SignedInvestment", "2023")] == (100, 7, {"city"})  # projects: the counties' 4 + 3 beat 5
    assert got[("K1", "SignedInvestment", "2023")] == (30, 4, {"k1"})
    # when the counties add up to more than the city's figure, they count instead
    got = _rolled_up(_item("city", "total", "C", 60), _item("k1", "total", "K1", 30), _item("k2", "total", "K2", 50))
    assert got[("P", "SignedInvestment", "2023")][::2] == (80, {"k1", "k2"})


def test_a_project_is_never_added_to_a_total_of_its_place() -> None:
    # the project may be one of the total's: the larger counts; a project in a zone inside the county likewise
    got = _rolled_up(_item("k1", "total", "K1", 30, count=4), _item("p1", "project", "K1", 40),
                     _item("pz", "project", "Z", 5), _item("p2", "project", "K2", 7))
    assert got[("K1", "SignedInvestment", "2023")] == (40, 4, {"p1"})
    assert got[("Z", "SignedInvestment", "2023")] == (5, 1, {"pz"})
    assert got[("C", "SignedInvestment", "2023")] == (47, 5, {"p1", "p2"})


def test_measures_currencies_and_periods_are_never_added() -> None:
    got = _rolled_up(_item("signed", "total", "K1", 30), _item("total", "total", "K1", 1000, measure="TotalInvestment"),
                     _item("usd", "total", "K1", 7, currency="USD"),
                     _item("since", "total", "K1", 90, period="since2023"),
                     _item("undated", "total", "K1", 11, period=""), _item("p", "project", "K2", 3, year=""))
    assert got[("P", "SignedInvestment", "2023")][0] == 30
    assert got[("P", "SignedInvestment", "2023 USD")][0] == 7
    assert got[("P", "TotalInvestment", "2023")][0] == 1000
    assert got[("P", "SignedInvestment", "since2023")][0] == 90
    assert got[("P", "SignedInvestment", "")][0] == 14  # no period stated: the undated total and project
    assert len([k for k in got if k[0] == "P"]) == 5


def test_an_overlap_group_counts_once_even_across_places() -> None:
    # The group counts once, by its largest member, at the deepest place that holds all its members (the city):
    # never 10 + 20; c, in a county under it, is never added to it either (the larger side counts).
    got = _rolled_up(_item("a", "total", "K1", 10, group="g", count=2),
                     _item("b", "total", "K2", 20, group="g", count=1), _item("c", "total", "K2", 5, count=1))
    assert got[("C", "SignedInvestment", "2023")] == (20, 2, {"b"})
    assert got[("P", "SignedInvestment", "2023")] == (20, 2, {"b"})
    assert got[("K2", "SignedInvestment", "2023")] == (5, 1, {"c"})  # a lower bound: the group is the city's


def test_a_period_described_by_two_files_counts_its_total_once() -> None:
    # each article that names 2023 may describe the period again, in its own graph: the total is still one item
    store = ox.Store()
    store.load(_PLACES + _item("k1", "total", "K1", 30, count=4), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode(_T + "g"))
    store.load(_PLACES, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(_T + "g2"))
    amounts = [int(q.object.value) for q in investment_rollups(store, derive_store(store))
               if q.predicate.value.endswith("amountAtLeast")]
    assert amounts and set(amounts) == {30}, amounts
