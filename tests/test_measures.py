"""Money measures: the SKOS scheme, exactly one measure per amount (the founding article's read from its
sentences), and no question that adds money across measures."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import IRIS
from kg.query.catalogue import select, term_text
from tests.conftest import ROOT

ZS = rdflib.Namespace(IRIS["ZS"])
#: The agreed concepts (fixed IRIs, shared with the extraction) and phrases each must list.
AGREED = {
    "SignedInvestment": {"签约资金", "协议资金", "协议投资", "签约总额", "签约金额"},
    "TotalInvestment": {"项目总投资", "总投资"},
    "PlannedInvestment": {"计划投资"},
    "FundsInPlace": {"到位资金", "实际到位"},
    "ContractedInvestment": {"合同引资", "合同总金额", "合同金额"},
    "CumulativeInvestment": {"累计投资", "累计引资"},
    "InvestmentAmount": {"投资额", "投入"},
    "RewardCap": {"最高奖励"},
}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "zhaoshang.ttl")


def test_the_scheme_has_the_agreed_concepts_with_zh_and_en_labels(ontology: rdflib.Graph) -> None:
    assert (ZS.MoneyMeasures, RDF.type, SKOS.ConceptScheme) in ontology
    assert (ZS.MoneyMeasure, RDFS.subClassOf, SKOS.Concept) in ontology
    members = set(ontology.subjects(RDF.type, ZS.MoneyMeasure))
    assert {ZS[name] for name in AGREED} <= members
    for concept in members:
        assert (concept, SKOS.inScheme, ZS.MoneyMeasures) in ontology, concept
        assert (ZS.MoneyMeasures, SKOS.hasTopConcept, concept) in ontology, concept
        langs = [lb.language for lb in ontology.objects(concept, SKOS.prefLabel)]  # type: ignore[attr-defined]
        assert sorted(langs) == ["en", "zh"], concept
    for name, phrases in AGREED.items():
        labels = {str(lb) for p in (SKOS.prefLabel, SKOS.altLabel) for lb in ontology.objects(ZS[name], p)}
        assert phrases <= labels, (name, phrases - labels)
    # a phrase names one measure only, so that a reader of a sentence never has two to choose from
    seen: dict[str, rdflib.term.Node] = {}
    for concept in members:
        for lb in ontology.objects(concept, SKOS.altLabel):
            assert seen.setdefault(str(lb), concept) == concept, lb
    assert (ZS.measure, RDFS.domain, rdflib.URIRef("https://schema.org/MonetaryAmount")) in ontology
    assert (ZS.measure, RDFS.range, ZS.MoneyMeasure) in ontology


def test_every_amount_of_the_founding_article_has_one_measure_read_from_its_sentence(store: ox.Store) -> None:
    rows = select(store, """
        SELECT ?amount (COUNT(DISTINCT ?m) AS ?n) (SAMPLE(?m) AS ?measure) (SAMPLE(?t) AS ?text) WHERE {
          ?amount a schema:MonetaryAmount .
          OPTIONAL { ?amount zs:measure ?m }
          OPTIONAL { ?amount prov:wasDerivedFrom/oa:hasSelector/oa:exact ?t }
        } GROUP BY ?amount""").rows
    assert len(rows) == 9
    got = {term_text(r["amount"]).rsplit("/", 1)[-1]: term_text(r["measure"]).rsplit("#", 1)[-1] for r in rows}
    assert all(term_text(r["n"]) == "1" for r in rows)
    assert got == {
        "changsha-measures-max-reward": "RewardCap",
        "yuhu-cold-chain-changsha": "TotalInvestment",  # 落地总投资约50亿元的…项目
        "zhongwei-powder-materials-park": "InvestmentAmount",  # 投资约150亿元的…项目: the kind is not stated
        "chenxi-major-projects-2023": "SignedInvestment",
        "chenxi-major-project-threshold": "InvestmentAmount",  # 投资额达10亿元以上: a threshold per project
        "chenxi-port-industry": "SignedInvestment",
        "yunxi-petrochem-2023": "TotalInvestment",  # 项目总投资430.65亿元
        "chenxi-industry-projects": "SignedInvestment",
        "chenxi-xiangshang-return-2023": "SignedInvestment",
    }
    labels = select(store, """SELECT ?m ?l WHERE { ?m a zs:MoneyMeasure ; skos:prefLabel|skos:altLabel ?l .
                                FILTER (LANG(?l) = "zh") }""").rows
    phrases: dict[str, set[str]] = {}
    for r in labels:
        phrases.setdefault(term_text(r["m"]).rsplit("#", 1)[-1], set()).add(term_text(r["l"]))
    for r in rows:  # the sentence names the measure (a reward cap, 签约资金, 总投资, 投资额 or 投资)
        measure = term_text(r["measure"]).rsplit("#", 1)[-1]
        assert any(p in term_text(r["text"]) for p in phrases[measure]), (measure, term_text(r["text"]))


def test_no_question_adds_money_across_measures() -> None:
    """Every question that adds (SUM) something it reads from money also reads the measure; today none adds money
    in SPARQL at all: investment_by_region reads the sums the build made per measure."""
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = "\n".join(line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
        reads_money = re.search(r"schema:value|zs:investment|zs:maxReward|zs:amountAtLeast", text)
        if reads_money and re.search(r"\bSUM\s*\(", text, flags=re.I):
            assert "zs:measure" in text or "zs:rollupMeasure" in text, path.name
    rollup = (ROOT / "queries" / "investment_by_region.rq").read_text(encoding="utf-8")
    assert "zs:rollupMeasure ?measure" in rollup and not re.search(r"\bSUM\s*\(", rollup, flags=re.I)
