"""Rows of bounded size: every catalogue question answers on a real Virtuoso however many sentences and names
stand behind a row, with the same rows as the embedded store.

Virtuoso (Debian's 7.2) copies each row it sorts into a temporary table whose row must fit in about 4 KB (a
sort key in 1,900 bytes): a longer row fails with ``SR319: Max row length is exceeded when trying to store a
string of N chars into a temp col``, and one value of over about 8 KB with ``SR478: Value of ANY type column
too long``. No setting of ``virtuoso.ini`` that we found changes that. A cell that gathers every sentence
behind a row (100 to 300 Chinese characters, up to 900 bytes each) or every name crosses the limit once a
handful are cited, so the catalogue shows one sentence and one name per cell (the first in character-code
order) with a count beside it.

The data: the founding article plus a second one of 40 sentences of 150 characters (about 440 bytes each),
every one of them cited by a row of each question (a chamber, a task force, an appointment, a project, two
signing totals, an event, a practice, an initiative, a metric), and 30 enterprises, projects and signing totals
with long names that fill the name columns of the same rows. With the questions that listed every sentence, ten
of the twelve fail on Virtuoso here (``chambers_linking_regions`` already showed one sentence; ``entity_facts``
one per statement).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.backend import build
from kg.paths import make_paths
from kg.query.catalogue import Question, Table, load_catalogue, select
from kg.remote.endpoint import RemoteStore
from kg.remote.virtuoso import VirtuosoInstance
from kg.sources.articles import load_source, sentence_iri, sentences_turtle
from kg.store.generations import open_store
from tests.conftest import ROOT
from tests.test_virtuoso import comparable_rows, concatenated_columns

CATALOGUE = load_catalogue(ROOT / "queries")
SOURCE = "cells-many-sentences"
SENTENCES = 40
ITEMS = 30
ID = "https://w3id.org/zhaoshang-kg/id/"
REGION = ID + "region/"
CHAMBER = ID + "agent/chamber-beijing-chenxi"
TASK_FORCE = ID + "agent/changsha-tf-beijing"
APPOINTMENT = ID + "appointment/changsha-adviser-zhang-jinzhou"
PROJECT = ID + "project/xiangzhong-petroleum-chenxi"
TOTALS = [ID + "total/chenxi-port-industry", ID + "total/chenxi-major-projects-2023"]
EVENT = ID + "event/chenxi-shanghai-yrd-promotion-2024"
PRACTICE = ID + "practice/chenxi-port-industry"
INITIATIVE = ID + "initiative/chenxi-xiangshang-database"
METRIC = ID + "metric/chenxi-port-industry-projects"
#: The row entities every sentence of the second article is cited by.
CITED = [CHAMBER, TASK_FORCE, APPOINTMENT, PROJECT, *TOTALS, EVENT, PRACTICE, INITIATIVE, METRIC]
CHENXI, HUAIHUA, HUNAN, CHANGSHA, BEIJING = (REGION + c for c in ("431223", "431200", "430000", "430100", "110000"))
#: The long names of the added enterprises, projects and signing totals (about 120 bytes each).
ENTERPRISES = [f"湖南辰溪临港新材料产业链上下游配套协作第{i:02d}号制造有限责任公司" for i in range(1, ITEMS + 1)]
PROJECTS = [f"辰溪县临港产业园第{i:02d}号新材料产业链延链补链强链重点招商项目" for i in range(1, ITEMS + 1)]
TOTAL_NAMES = [f"辰溪县第{i:02d}批签约引进临港产业链配套项目{i}个,签约资金达{i}亿元" for i in range(1, ITEMS + 1)]

#: Parameters for each question: the places and entities the crowded rows belong to.
BINDINGS: dict[str, list[dict[str, str]]] = {
    "projects_in_region": [{"region": CHENXI}, {"region": HUAIHUA}, {"region": HUNAN}],
    "region_metrics": [{"region": CHENXI}, {"region": HUNAN}],
    "connections_between_regions": [{"a": CHENXI, "b": BEIJING}, {"a": CHANGSHA, "b": BEIJING},
                                    {"a": CHANGSHA, "b": CHENXI}],
    "entity_facts": [{"entity": CHAMBER}, {"entity": TASK_FORCE}, {"entity": CHENXI}],
    "investment_by_region": [{"region": CHENXI}, {"region": HUNAN}],
    "project_timeline": [{"region": CHENXI}, {"region": CHANGSHA}, {"region": HUNAN}],
}

_FILL = ("辰溪县依托北京辰溪商会和长沙市政府驻北京招引工作专班持续开展以商招商和驻点招商工作,"
         "围绕临港产业链精准对接湘中石油等重点企业,推动项目签约落地并做好全程代办服务,"
         "同时通过招商推介会和湘商回归座谈会联络在外乡贤,为县域经济高质量发展注入新动能")


def article() -> list[str]:
    """The sentences of the second article: 150 characters each, all different."""
    return [(f"第{i}条记录显示," + _FILL * 2)[:149] + "。" for i in range(1, SENTENCES + 1)]


def facts() -> str:
    """Turtle for the second article: every sentence cited by each row of :data:`CITED`, and 30 enterprises,
    projects and signing totals with long names attached to the same rows."""
    zs, prov, rdfs, schema = ("https://w3id.org/zhaoshang-kg/def#", "http://www.w3.org/ns/prov#",
                              "http://www.w3.org/2000/01/rdf-schema#", "https://schema.org/")
    s = [f"<{sentence_iri(SOURCE, i)}>" for i in range(1, SENTENCES + 1)]
    lines = [f"<{e}> <{prov}wasDerivedFrom> {', '.join(s)} ." for e in CITED]
    for i in range(1, ITEMS + 1):
        ent, project, total, money = (f"<{ID}{kind}/cells-{i:02d}>" for kind in ("agent", "project", "total", "amount"))
        said = f"<{prov}wasDerivedFrom> {s[i - 1]}"
        lines += [
            f'{ent} a <{zs}Enterprise> ; <{rdfs}label> "{ENTERPRISES[i - 1]}"@zh ; {said} .',
            f'{project} a <{zs}InvestmentProject> ; <{rdfs}label> "{PROJECTS[i - 1]}"@zh ;'
            f" <{schema}location> <{CHENXI}> ; <{zs}investor> {ent} ; <{zs}industryChain> <{ID}chain/port-industry> ;"
            f" <{zs}facilitatedBy> <{ID}person/zhang-jinzhou>, <{TASK_FORCE}> ; {said} .",
            f'{total} a <{zs}SigningTotal> ; <{rdfs}label> "{TOTAL_NAMES[i - 1]}"@zh ;'
            f" <{zs}refArea> <{CHENXI}> ; <{zs}investment> {money} ; <{zs}projectCount> {i} ;"
            f" <{zs}industryChain> <{ID}chain/port-industry> ; {said} .",
            f'{money} a <{schema}MonetaryAmount> ; <{rdfs}label> "{i}亿元"@zh ;'
            f' <{schema}value> "{i}00000000"^^<http://www.w3.org/2001/XMLSchema#decimal> ; <{schema}currency> "CNY" ;'
            f' <{zs}qualifier> <{zs}Reaching> ; <{zs}measure> <{zs}SignedInvestment> ;'
            f' <{zs}surfaceForm> "签约资金达{i}亿元"@zh ; {said} .',
            f"<{EVENT}> <{schema}organizer> {ent} ; <{schema}attendee> {ent} .",
            f"<{PRACTICE}> <{zs}actor> {ent} .",
            f"<{INITIATIVE}> <{zs}actor> {ent} .",
            f"{ent} <{zs}worksWith> <{CHAMBER}> .",
        ]
        if i % 2:  # half of them in the overlap group of 辰溪县's totals, half on their own
            lines.append(f"{total} <{zs}inOverlapGroup> <{ID}overlap/chenxi-signing-2023> .")
    return "\n".join(lines) + "\n"


def write_project(folder: Path) -> None:
    """A copy of the project with the second article, its sentences and its facts."""
    for sub in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / sub, folder / sub)
    text = folder / "data" / "sources" / f"{SOURCE}.txt"
    text.write_text("\n".join(article()) + "\n", encoding="utf-8")
    text.with_name(f"{SOURCE}.meta.json").write_text(json.dumps({
        "title": "招商引资多句引用测试", "published": "2024-03-14T09:00:00+08:00", "language": "zh-Hans",
        "file": text.name}, ensure_ascii=False), encoding="utf-8")
    facts_dir = folder / "data" / "facts"
    (facts_dir / f"{SOURCE}.sentences.ttl").write_text(sentences_turtle(load_source(text)), encoding="utf-8")
    (facts_dir / f"{SOURCE}.ttl").write_text(facts(), encoding="utf-8")


@dataclass
class Stores:
    embedded: ox.Store
    server: RemoteStore


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """The same project built into the embedded store and into a private Virtuoso."""
    folder = tmp_path_factory.mktemp("cells-project")
    write_project(folder)
    build(make_paths(folder, folder / "store"))
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("cells-virtuoso") / "db", max_seconds=20)
    try:
        build(make_paths(folder, folder / "store", endpoint=inst.endpoint, user=inst.writer,
                         password=inst.writer_password))
        yield Stores(open_store(folder / "store"), RemoteStore(inst.endpoint, timeout=30))
    finally:
        inst.stop()


def _bindings(q: Question) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    if not q.params:
        return [{}]
    return [{k: ox.NamedNode(v) for k, v in b.items()} for b in BINDINGS[q.name]]


def _texts(store: ox.Store, entity: str) -> list[str]:
    """The sentences *entity* is derived from, read the long way (never through the questions' shortcuts)."""
    rows = select(store, "SELECT DISTINCT ?e ?t WHERE { ?e prov:wasDerivedFrom/oa:hasSelector/oa:exact ?t }",
                  {"e": ox.NamedNode(entity)}).rows
    return sorted(str(r["t"].value) for r in rows if r["t"] is not None)


def _row(table: Table, column: str, value: str) -> dict[str, str]:
    """The one row whose *column* is *value*, as text."""
    found = [r for r in table.rows if r.get(column) is not None and r[column].value == value]  # type: ignore[union-attr]
    assert len(found) == 1, (column, value, len(found))
    return {k: "" if v is None else str(v.value) for k, v in found[0].items()}


def test_the_data_overflows_a_row_that_lists_every_sentence(stores: Stores) -> None:
    for entity in CITED:
        texts = _texts(stores.embedded, entity)
        assert len(texts) > SENTENCES and sum(len(t.encode("utf-8")) for t in texts) > 8 * 1024, entity


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_question_answers_on_virtuoso_with_the_same_rows(name: str, stores: Stores) -> None:
    q = CATALOGUE[name]
    concat = concatenated_columns(q.sparql)
    for binding in _bindings(q):
        mine = select(stores.embedded, q.sparql, binding)
        theirs = select(stores.server, q.sparql, binding)  # raises on SR319 / SR478
        assert theirs.variables == mine.variables
        assert mine.rows, (name, binding)
        assert comparable_rows(theirs, concat) == comparable_rows(mine, concat), binding


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_a_cell_holds_one_sentence_or_one_name(name: str, stores: Stores) -> None:
    """No cell is longer than the longest single text of the data, none joins several ("\\n" was the separator
    of the lists), and a quote is one whole sentence."""
    literals = [q.object.value for q in stores.embedded.quads_for_pattern(None, None, None)
                if isinstance(q.object, ox.Literal)]
    longest = max(len(t.encode("utf-8")) for t in literals)
    sentences = {str(r["t"].value) for r in select(  # type: ignore[union-attr]
        stores.embedded, "SELECT ?t WHERE { ?s a zs:Sentence ; oa:hasSelector/oa:exact ?t }").rows}
    q = CATALOGUE[name]
    for binding in _bindings(q):
        for row in select(stores.embedded, q.sparql, binding).rows:
            for column, term in row.items():
                if isinstance(term, ox.Literal):
                    assert "\n" not in term.value and len(term.value.encode("utf-8")) <= longest, (name, column)
            quote = row.get("quote")
            if isinstance(quote, ox.Literal) and quote.value:
                assert quote.value in sentences, (name, quote.value)


def test_counts_say_how_many_sentences_and_names_there_are(stores: Stores) -> None:
    """Each crowded row shows the first sentence and name in character-code order and counts them all, checked
    against the data read directly."""
    emb, server = stores.embedded, stores.server
    names, projects = ENTERPRISES, PROJECTS

    def check(row: dict[str, str], entity: str) -> None:
        texts = _texts(emb, entity)
        assert (row["quote"], row["sentences"]) == (texts[0], str(len(texts))), entity

    chamber = _row(select(server, CATALOGUE["chambers_linking_regions"].sparql), "chamber", CHAMBER)
    check(chamber, CHAMBER)
    assert (chamber["governmentLabel"], chamber["governmentCount"]) == (min(["辰溪县人民政府", *names]), "31")

    task_force = _row(select(server, CATALOGUE["task_forces"].sparql), "taskForce", TASK_FORCE)
    check(task_force, TASK_FORCE)
    assert (task_force["broughtIn"], task_force["broughtInCount"]) == (min(["中公教育第二总部", *projects]), "35")

    adviser = _row(select(server, CATALOGUE["ambassadors_and_advisers"].sparql), "appointment", APPOINTMENT)
    check(adviser, APPOINTMENT)
    assert (adviser["brokered"], adviser["brokeredCount"]) == (min(["玉湖冷链(长沙)交易中心", *projects]), "31")

    event = _row(select(server, CATALOGUE["events"].sparql), "event", EVENT)
    check(event, EVENT)
    assert (event["organizerLabel"], event["organizerCount"]) == (min(["辰溪县人民政府", *names]), "31")
    assert (event["attendeeLabel"], event["attendeeCount"]) == (min(names), "30")

    for question, column, entity in (("three_cards", "practice", PRACTICE),
                                     ("initiatives_by_region", "initiative", INITIATIVE)):
        row = _row(select(server, CATALOGUE[question].sparql), column, entity)
        check(row, entity)
        assert (row["actorLabel"], row["actorCount"]) == (min(["辰溪县人民政府", *names]), "31")

    chenxi: dict[str, ox.NamedNode | ox.Literal] = {"region": ox.NamedNode(CHENXI)}
    check(_row(select(server, CATALOGUE["projects_in_region"].sparql, chenxi), "project", PROJECT), PROJECT)
    check(_row(select(server, CATALOGUE["region_metrics"].sparql, chenxi), "metric", METRIC), METRIC)
    chain = select(server, CATALOGUE["industry_chains"].sparql)
    check(_row(Table(chain.variables, [r for r in chain.rows if r["item"] == ox.NamedNode(PROJECT)]),
               "item", PROJECT), PROJECT)
    link = select(server, CATALOGUE["connections_between_regions"].sparql,
                  {"a": ox.NamedNode(CHENXI), "b": ox.NamedNode(BEIJING)})
    check(_row(link, "via", CHAMBER), CHAMBER)

    # 辰溪县's totals without a period: two of the article and thirty more; their sentences, each counted once
    found = select(server, CATALOGUE["investment_by_region"].sparql, chenxi).rows
    cells = [{k: "" if v is None else str(v.value) for k, v in r.items()} for r in found]
    rollup = next(r for r in cells
                  if r["measure"].endswith("#SignedInvestment") and not r["year"] and not r["periodLabel"])
    own = select(emb, """SELECT DISTINCT ?region ?t WHERE { ?t a zs:SigningTotal ; zs:refArea ?region
                           FILTER NOT EXISTS { ?t zs:refPeriod ?p } }""", chenxi).rows
    texts = sorted({x for r in own for x in _texts(emb, r["t"].value)})  # type: ignore[union-attr]
    assert (rollup["items"], rollup["sentences"], rollup["sources"]) == ("32", str(len(texts)), "2")
    # one overlap group (62.4亿, 45.35亿 and the odd ones) counts its largest, 62.4亿; the even ones add up
    assert rollup["amountAtLeast"] == str(6240000000 + sum(range(2, ITEMS + 1, 2)) * 100000000)
    assert rollup["counted"] == str(1 + ITEMS // 2) and rollup["quote"] in texts


def test_kg_timeline_reads_the_same_milestones_on_virtuoso(stores: Stores) -> None:
    from kg.corpus.timeline import timeline

    for region in ("长沙市", "辰溪县"):
        mine = timeline(stores.embedded, region, stalled_after=1)
        theirs = timeline(stores.server, region, stalled_after=1)
        assert mine.rows and theirs.rows == mine.rows, region
        assert [s.project for s in theirs.stalled] == [s.project for s in mine.stalled]
