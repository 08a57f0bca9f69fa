"""The ontology parses, labels every term in zh and en with a definition, and the data uses only its terms."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS
from rdflib.namespace import SKOS

from kg.namespaces import ZS
from tests.conftest import ROOT

ONTOLOGY = ROOT / "ontology" / "zhaoshang.ttl"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


def _terms(g: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in g.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(str(ZS))}


def test_every_term_has_zh_en_labels_and_definition(ontology: rdflib.Graph) -> None:
    terms = _terms(ontology)
    assert len(terms) > 80
    missing = []
    for t in sorted(terms):
        labels = list(ontology.objects(t, RDFS.label)) + list(ontology.objects(t, SKOS.prefLabel))
        langs = {getattr(lb, "language", None) for lb in labels}
        if not {"zh", "en"} <= langs or (t, SKOS.definition, None) not in ontology:
            missing.append(str(t))
    assert not missing, missing


def test_minted_properties_specialise_standard_ones(ontology: rdflib.Graph) -> None:
    for p in ("hostRegion", "originRegion", "stationedIn", "targetRegion", "investor", "facilitatedBy"):
        supers = set(ontology.objects(ZS[p], RDFS.subPropertyOf))
        assert supers, f"zs:{p} should be a sub-property of a standard property"
    assert (ZS.ChamberOfCommerce, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/org#FormalOrganization")) \
        in ontology
    assert (ZS.ThreeCards, RDF.type, SKOS.ConceptScheme) in ontology
    assert {str(c) for c in ontology.objects(ZS.ThreeCards, SKOS.hasTopConcept)} == {
        str(ZS.ProactiveCard), str(ZS.PrecisionCard), str(ZS.AffinityCard)}
    assert (rdflib.URIRef(str(ZS).rstrip("#")), RDF.type, OWL.Ontology) in ontology


def test_data_uses_only_declared_terms(ontology: rdflib.Graph) -> None:
    declared = _terms(ontology)
    used: set[rdflib.URIRef] = set()
    for path in sorted((ROOT / "data" / "facts").glob("*.ttl")):
        g = rdflib.Graph().parse(path)
        for s, p, o in g:
            for term in (p, o) if p != RDF.type else (o,):
                if isinstance(term, rdflib.URIRef) and str(term).startswith(str(ZS)):
                    used.add(term)
            if p == RDF.type and isinstance(o, rdflib.URIRef) and str(o).startswith(str(ZS)):
                used.add(o)
            del s
    assert used, "the data should use the ontology"
    assert not sorted(used - declared), sorted(str(t) for t in used - declared)
