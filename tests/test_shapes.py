"""Each case in tests/data/shapes/ passes or fails the shapes as its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.shacl.oracles import validate_graph
from tests.conftest import ROOT

CASES = sorted((Path(__file__).parent / "data" / "shapes").glob("*.ttl"))
# The part of the message each failing case must produce: a violation names what is wrong.
EXPECT = {
    "fail-chamber-without-origin": "origin region",
    "fail-code-not-under-parent": "does not share its prefix",
    "fail-code-seven-digits": "six-digit",
    "fail-county-without-parent": "parent division",
    "fail-dangling-reference": "never described",
    "fail-money-as-float": "xsd:decimal",
    "fail-money-as-string": "xsd:decimal",
    "fail-money-without-currency": "currency",
    "fail-money-without-measure": "exactly one zs:measure",
    "fail-money-two-measures": "exactly one zs:measure",
    "fail-money-measure-not-a-measure": "exactly one zs:measure",
    "fail-no-provenance": "prov:wasDerivedFrom",
    "fail-no-zh-label": "label in Chinese",
    "fail-untyped-date": "Dates are typed",
    "fail-milestone-without-project": "A milestone is about one investment project",
    "fail-milestone-stage-not-a-stage": "one stage of the project-stage scheme",
}


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "zhaoshang.ttl")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_shape_case(case: Path, shapes: rdflib.Graph, ontology: rdflib.Graph) -> None:
    data = rdflib.Graph().parse(case) + ontology
    result = validate_graph(data, shapes)
    if case.stem.startswith("pass-"):
        assert result.conforms, result.summary()
    else:
        assert not result.conforms
        assert any(EXPECT[case.stem] in v.message for v in result.violations), result.summary()


def test_every_failing_case_has_an_expectation() -> None:
    assert {c.stem for c in CASES if c.stem.startswith("fail-")} == set(EXPECT)
