"""The founding article's facts: provenance checked against the file, and spot checks of every category."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.paths import Paths
from kg.query.catalogue import select
from kg.store.build import check
from tests.conftest import ROOT, SOURCE_ID

ARTICLE = (ROOT / "data" / "sources" / f"{SOURCE_ID}.txt").read_text(encoding="utf-8")
GRAPH = f"<https://w3id.org/zhaoshang-kg/graph/{SOURCE_ID}>"


def rows(store: ox.Store, sparql: str, **bindings: str) -> list[dict[str, str]]:
    table = select(store, sparql, {k: ox.Literal(v) for k, v in bindings.items()})
    return [{k: ("" if v is None else str(v.value)) for k, v in r.items()} for r in table.rows]


def values(store: ox.Store, sparql: str, var: str) -> list[str]:
    return sorted(r[var] for r in rows(store, sparql))


def test_the_data_conforms(built: Paths) -> None:
    report = check(built)
    assert report.ok, report.summary()


# --- provenance -----------------------------------------------------------------------------------------


def test_every_quote_equals_its_slice_of_the_source_file(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?s ?exact ?start ?end WHERE {
          ?s a zs:Sentence ; oa:hasSelector ?sel .
          ?sel oa:exact ?exact ; oa:start ?start ; oa:end ?end . }""")
    assert len(found) > 60
    for r in found:
        assert ARTICLE[int(r["start"]) : int(r["end"])] == r["exact"], r["s"]


def test_every_fact_of_the_article_cites_a_sentence(store: ox.Store) -> None:
    uncited = values(store, f"""
        SELECT DISTINCT ?x WHERE {{
          GRAPH {GRAPH} {{ ?x a ?c . }}
          FILTER (?c NOT IN (zs:Sentence, oa:TextQuoteSelector, oa:TextPositionSelector, schema:NewsArticle,
                             prov:Entity, qb:DataSet, zs:IndustryChain, zs:Indicator, skos:Concept,
                             skos:ConceptScheme, geo:Geometry, foaf:Group))
          FILTER NOT EXISTS {{ ?x prov:wasDerivedFrom ?s . ?s a zs:Sentence . }}
          FILTER NOT EXISTS {{ ?x a zs:Sentence }}
        }}""", "x")
    assert uncited == []


def test_amounts_are_written_in_the_sentence_they_cite(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?amount ?form ?quote WHERE {
          ?amount a schema:MonetaryAmount ; zs:surfaceForm ?form ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
        }""")
    assert len({r["amount"] for r in found}) == 9  # every sum of money the article names
    by_amount: dict[str, list[tuple[str, str]]] = {}
    for r in found:
        by_amount.setdefault(r["amount"], []).append((r["form"], r["quote"]))
    for amount, pairs in by_amount.items():
        digits = "".join(ch for ch in pairs[0][0] if ch.isdigit() or ch == ".")
        assert any(digits in quote for _, quote in pairs), (amount, pairs)


def test_chambers_are_named_in_their_sentence(store: ox.Store) -> None:
    for r in rows(store, """
        SELECT ?label ?quote WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?label ;
          prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote . FILTER (LANG(?label) = "zh") }"""):
        assert r["label"] in r["quote"]


def test_money_is_decimal_in_cny(store: ox.Store) -> None:
    bad = rows(store, """
        SELECT ?a ?v ?c WHERE { ?a a schema:MonetaryAmount ; schema:value ?v ; schema:currency ?c .
          FILTER (DATATYPE(?v) != xsd:decimal || ?c != "CNY") }""")
    assert bad == []


# --- chambers, groups, task forces --------------------------------------------------------------------


def test_the_four_chambers_link_host_and_origin(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?c ?h ?o ?g WHERE {
          ?x a zs:ChamberOfCommerce ; rdfs:label ?c ; zs:hostRegion/rdfs:label ?h ; zs:originRegion/rdfs:label ?o .
          ?gov zs:worksWith ?x ; zs:governs/zs:adminCode ?g .
          FILTER (LANG(?c) = "zh" && LANG(?h) = "zh" && LANG(?o) = "zh") }""")
    assert sorted((r["c"], r["h"], r["o"], r["g"]) for r in found) == [
        ("上海怀化商会", "上海市", "怀化市", "431223"),
        ("北京辰溪商会", "北京市", "辰溪县", "431223"),
        ("浙江湖南商会", "浙江省", "湖南省", "431223"),
        ("深圳辰溪商会", "深圳市", "辰溪县", "431223"),
    ]


def test_counted_chambers_are_one_group_not_invented_members(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?n ?code ?type WHERE { ?g a zs:CountedGroup ; zs:memberCount ?n ; zs:memberType ?type ;
          zs:designatedBy/zs:governs/zs:adminCode ?code . }""")
    assert {"n": "16", "code": "430600", "type": "https://w3id.org/zhaoshang-kg/def#ChamberOfCommerce"} in found
    counts = values(store, "SELECT ?n WHERE { ?g a zs:CountedGroup ; zs:memberCount ?n }", "n")
    assert {"13", "9", "40", "5", "12"} <= set(counts)


def test_changsha_task_forces(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?station ?target WHERE {
          ?tf a zs:TaskForce ; org:unitOf/zs:governs/zs:adminCode "430100" ; zs:stationedIn/zs:adminCode ?station .
          OPTIONAL { ?tf zs:targetRegion/rdfs:label ?target . FILTER (LANG(?target) = "zh") } }""")
    stations = {r["station"] for r in found}
    assert stations == {"110000", "310000", "440100", "440300"}
    assert {"440300": "粤港澳大湾区"}.items() <= {r["station"]: r["target"] for r in found}.items()


def test_task_forces_of_yueyang_and_what_changsha_brought_in(store: ox.Store) -> None:
    targets = values(store, """
        SELECT ?t WHERE { ?tf a zs:TaskForce ; org:unitOf/zs:governs/zs:adminCode "430600" ;
          zs:targetRegion/rdfs:label ?t . FILTER (LANG(?t) = "zh") }""", "t")
    assert {"长三角", "京津冀", "粤港澳大湾区"} <= set(targets)
    brought = values(store, """
        SELECT ?p WHERE { ?x zs:facilitatedBy ?tf . ?tf a zs:TaskForce ; zs:stationedIn/zs:adminCode "110000" ;
          org:unitOf/zs:governs/zs:adminCode "430100" . ?x rdfs:label ?p . FILTER (LANG(?p) = "zh") }""", "p")
    assert len(brought) >= 5
    assert any("中国长城科技" in p for p in brought) and any("中公教育" in p for p in brought)


# --- people, policies ------------------------------------------------------------------------------------


def test_ambassador_policy_and_its_reward_cap(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?issued ?dt ?cap ?q ?code WHERE {
          ?doc a zs:PolicyDocument ; rdfs:label ?l ; dcterms:issued ?issued ;
               schema:legislationPassedBy/zs:governs/zs:adminCode ?code ;
               zs:maxReward [ schema:value ?cap ; zs:qualifier ?q ] .
          BIND (DATATYPE(?issued) AS ?dt)
          FILTER (CONTAINS(?l, "招商大使")) }""")
    assert len(found) == 1
    r = found[0]
    assert (r["issued"], r["dt"], r["code"]) == ("2023-03", "http://www.w3.org/2001/XMLSchema#gYearMonth", "430100")
    assert Decimal(r["cap"]) == Decimal("11000000") and r["q"].endswith("#UpTo")


def test_adviser_zhang_jinzhou_brokered_the_yuhu_project(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?project ?value ?q ?gov ?policy WHERE {
          ?m a zs:Appointment ; org:member ?p ; org:role zs:InvestmentAdviser ;
             org:organization/zs:governs/zs:adminCode ?gov ; zs:underPolicy ?policy .
          ?p rdfs:label "张锦州"@zh .
          ?x zs:facilitatedBy ?p ; rdfs:label ?project ; zs:investment [ schema:value ?value ; zs:qualifier ?q ] .
          FILTER (LANG(?project) = "zh") }""")
    assert len(found) == 1
    assert "玉湖冷链" in found[0]["project"]
    assert Decimal(found[0]["value"]) == Decimal("5000000000") and found[0]["q"].endswith("#Approximately")
    assert found[0]["gov"] == "430100"


def test_chenxi_appointed_nine_ambassadors(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?n WHERE { ?m a zs:Appointment ; org:role zs:InvestmentAmbassador ; zs:appointeeCount ?n ;
          org:organization/zs:governs/zs:adminCode "431223" . }""")
    assert [r["n"] for r in found] == ["9"]


# --- projects and totals ---------------------------------------------------------------------------------


def test_yunxi_2023_petrochemical_total(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?value ?count ?year WHERE {
          ?t a zs:SigningTotal ; zs:refArea/zs:adminCode "430603" ; zs:projectCount ?count ;
             zs:investment/schema:value ?value ; zs:refPeriod/zs:periodStart ?year . }""")
    assert len(found) == 1
    assert Decimal(found[0]["value"]) == Decimal("43065000000")
    assert found[0]["count"] == "59" and found[0]["year"].startswith("2023")


def test_chenxi_totals_stay_separate_in_one_overlap_group(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?value ?count ?group WHERE {
          ?t a zs:SigningTotal ; zs:refArea/zs:adminCode "431223" ; zs:investment/schema:value ?value ;
             zs:inOverlapGroup ?group . OPTIONAL { ?t zs:projectCount ?count } }""")
    assert sorted(Decimal(r["value"]) for r in found) == [
        Decimal("3321000000"), Decimal("4535000000"), Decimal("6240000000"), Decimal("10980000000")]
    assert len({r["group"] for r in found}) == 1
    assert {r["count"] for r in found} >= {"9", "18", "12"}


def test_zhongwei_project_started_construction_in_july_2023(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?value ?date ?zone ?inv WHERE {
          ?p a zs:InvestmentProject ; rdfs:label ?l ; zs:stage zs:UnderConstruction ; zs:stageDate ?date ;
             zs:investment/schema:value ?value ; schema:location/rdfs:label ?zone ; zs:investor/rdfs:label ?inv .
          FILTER (CONTAINS(?l, "粉体材料") && LANG(?zone) = "zh" && LANG(?inv) = "zh") }""")
    assert len(found) == 1
    r = found[0]
    assert Decimal(r["value"]) == Decimal("15000000000") and r["date"] == "2023-07"
    assert "宁乡" in r["zone"] and "中伟" in r["inv"]


def test_projects_of_huaihua_include_chenxi(store: ox.Store) -> None:
    labels = values(store, """
        SELECT DISTINCT ?l WHERE { ?p a zs:InvestmentProject ; schema:location ?loc ; rdfs:label ?l .
          ?loc schema:containedInPlace* ?r . ?r zs:adminCode "431200" . FILTER (LANG(?l) = "zh") }""", "l")
    assert any("湘中石油" in x for x in labels)


def test_relative_dates_resolve_against_publication(store: ox.Store) -> None:
    dates = set(values(store, """
        SELECT ?d WHERE { { ?x zs:stageDate ?d } UNION { ?x dcterms:issued ?d } UNION { ?x schema:startDate ?d } }""",
        "d"))
    assert {"2023-03", "2023-07", "2024-02", "2024-03-08"} <= dates


# --- events, measures, metrics, cards ---------------------------------------------------------------------


def test_chenxi_promotion_event_in_shanghai(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?date ?where WHERE { ?e a zs:PromotionEvent ; rdfs:label ?l ; schema:startDate ?date ;
          schema:location/zs:adminCode ?where . FILTER (CONTAINS(?l, "推介会")) }""")
    assert {"date": "2024-03-08", "where": "310000"} in found


def test_measures_by_region(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?code (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ?c ; zs:region/zs:adminCode ?code .
          VALUES ?c { zs:Reform zs:ServiceMeasure zs:Campaign } } GROUP BY ?code""")
    counts = {r["code"]: int(r["n"]) for r in found}
    assert counts.get("430600", 0) >= 8 and counts.get("431223", 0) >= 5 and counts.get("430100", 0) >= 3
    first = values(store, """SELECT ?l WHERE { ?m zs:firstInProvince true ; rdfs:label ?l . FILTER (LANG(?l)="zh") }""",
                   "l")
    assert any("首席数据官" in x for x in first)


@pytest.mark.parametrize(("code", "value", "qualifier"), [
    ("430600", "166", "Exact"), ("430600", "3300", "MoreThan"), ("431223", "276", "Exact"),
    ("431223", "0.5", "Exact"), ("431223", "17", "Exact"), ("430600", "10", "Exact"), ("430600", "6", "Exact"),
])
def test_metrics(store: ox.Store, code: str, value: str, qualifier: str) -> None:
    found = rows(store, """
        SELECT ?code ?v ?q WHERE { ?m a zs:Metric ; zs:refArea/zs:adminCode ?code ; zs:value ?v ; zs:qualifier ?q ;
          zs:indicator ?i ; zs:unit ?u . }""", code=code)
    assert any(Decimal(r["v"]) == Decimal(value) and r["q"].endswith(qualifier) for r in found), found


def test_three_cards_file_practices_of_each_place(store: ox.Store) -> None:
    found = rows(store, """
        SELECT ?top ?code (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?p a zs:Practice ; zs:card/skos:broader* ?top ; zs:region/zs:adminCode ?code .
          VALUES ?top { zs:ProactiveCard zs:PrecisionCard zs:AffinityCard } } GROUP BY ?top ?code""")
    cards: dict[str, set[str]] = {}
    for r in found:
        cards.setdefault(r["top"].rsplit("#", 1)[1], set()).add(r["code"])
    for card in ("ProactiveCard", "PrecisionCard", "AffinityCard"):
        assert {"430100", "430600", "431223"} <= cards.get(card, set()), (card, cards)


# --- regions --------------------------------------------------------------------------------------------


def test_region_hierarchy_and_codes(store: ox.Store) -> None:
    chain = values(store, """
        SELECT ?code WHERE { ?x zs:adminCode "431223" ; schema:containedInPlace+ ?up . ?up zs:adminCode ?code }""",
        "code")
    assert chain == ["430000", "431200"]
    assert values(store, """SELECT ?c WHERE { ?x rdfs:label "宁乡市"@zh ; zs:adminCode ?c }""", "c") == ["430182"]
    assert values(store, """SELECT ?c WHERE { ?x rdfs:label "长沙县"@zh ; zs:adminCode ?c }""", "c") == ["430121"]
    # 长沙 is an alias of 长沙市 only
    assert values(store, """SELECT ?c WHERE { ?x skos:altLabel "长沙"@zh ; zs:adminCode ?c }""", "c") == ["430100"]


def test_every_named_place_has_coordinates(store: ox.Store) -> None:
    missing = values(store, """
        SELECT ?x WHERE { ?x a ?c . VALUES ?c { zs:ProvinceLevelDivision zs:PrefectureLevelDivision
          zs:CountyLevelDivision zs:EconomicRegion zs:DevelopmentZone zs:WorldRegion zs:Port }
          FILTER NOT EXISTS { ?x geo:hasCentroid/geo:asWKT ?w } }""", "x")
    assert missing == []
    wkt = values(store, """SELECT ?w WHERE { ?x zs:adminCode "431223" ; geo:hasCentroid/geo:asWKT ?w }""", "w")
    lon, lat = (float(v) for v in wkt[0].removeprefix("POINT(").rstrip(")").split())
    assert 109.9 < lon < 110.5 and 27.8 < lat < 28.3


def test_economic_regions_contain_their_members(store: ox.Store) -> None:
    members = values(store, """SELECT ?c WHERE { ?r rdfs:label "长三角"@zh ; schema:containsPlace/zs:adminCode ?c }""",
                     "c")
    assert members == ["310000", "320000", "330000", "340000"]


def test_article_metadata(store: ox.Store) -> None:
    authors = values(store, """SELECT ?n WHERE { ?a a schema:NewsArticle ; schema:author/rdfs:label ?n .
        FILTER (LANG(?n) = "zh") }""", "n")
    assert authors == sorted(["熊晓宇", "赵曼", "张金东"])
    assert values(store, "SELECT ?d WHERE { ?a a schema:NewsArticle ; schema:datePublished ?d }", "d") == [
        "2024-03-13T16:24:21+08:00"]
