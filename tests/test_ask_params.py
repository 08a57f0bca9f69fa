"""--param: values typed by the question's declared types, names resolved as kg ask resolves them, every form of
IRI the tool prints accepted back, unknown parameter names refused with the known ones listed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError, UnknownEntity
from kg.paths import Paths
from kg.query.catalogue import Param, Question, load_catalogue
from kg.query.params import as_iri, parse_number, parse_params

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
R = "https://w3id.org/zhaoshang-kg/id/region/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPED = Question(name="typed", path=ROOT / "typed.rq", sparql="SELECT * WHERE { }", params=[
    Param("min", "number"), Param("when", "date"), Param("year", "year"), Param("r", "region"),
    Param("who", "entity"), Param("text", "string", required=False)])


@pytest.mark.parametrize("value", ["zr:region/430100", f"<{R}430100>", f"{R}430100", "长沙", "长沙市", "Changsha"])
def test_every_printed_form_of_a_place(store: ox.Store, value: str) -> None:
    got = parse_params(store, [f"region={value}"], CATALOGUE["projects_in_region"])
    assert got == {"region": ox.NamedNode(R + "430100")}


def test_values_are_typed_by_the_declared_type(store: ox.Store) -> None:
    got = parse_params(store, ["min=100亿", "when=2024-03-08", "year=2023", "r=北京", "who=张锦州", "text=10"], TYPED)
    assert got["min"] == ox.Literal("10000000000", datatype=ox.NamedNode(XSD + "integer"))
    assert got["when"] == ox.Literal("2024-03-08", datatype=ox.NamedNode(XSD + "date"))
    assert got["year"] == ox.Literal("2023", datatype=ox.NamedNode(XSD + "gYear"))
    assert got["r"] == ox.NamedNode(R + "110000")
    assert got["who"] == ox.NamedNode("https://w3id.org/zhaoshang-kg/id/person/zhang-jinzhou")
    assert got["text"] == ox.Literal("10")
    for bad, message in (("min=lots", "expects a number"), ("when=2024-13-40", "not a valid date"),
                         ("year=23", "expects a year"), ("r=鼓楼区", "No place is called")):
        values = {"min": "1", "when": "2024-03-08", "year": "2023", "r": "长沙", "who": "张锦州"}
        name, _, value = bad.partition("=")
        values[name] = value
        with pytest.raises(QueryError, match=message):
            parse_params(store, [f"{k}={v}" for k, v in values.items()], TYPED)


def test_unknown_parameter_lists_the_known_ones(store: ox.Store) -> None:
    with pytest.raises(QueryError, match=r"no such parameter.*min \(number\), when \(date\)"):
        parse_params(store, ["place=长沙"], TYPED)


def test_free_queries_read_values_by_their_look(store: ox.Store) -> None:
    got = parse_params(store, ["a=1e10", "b=2024-03-08", "c=北京", "d=no such name here", 'e="北京"',
                               "f=zr:region/430100"])
    assert got["a"].value == "10000000000" and isinstance(got["a"], ox.Literal)
    assert got["a"].datatype == ox.NamedNode(XSD + "integer")
    assert got["b"] == ox.Literal("2024-03-08", datatype=ox.NamedNode(XSD + "date"))
    assert got["c"] == ox.NamedNode(R + "110000")
    assert got["d"] == ox.Literal("no such name here")
    assert got["e"] == ox.Literal("北京")
    assert got["f"] == ox.NamedNode(R + "430100")


def test_helpers() -> None:
    assert parse_number("430.65亿") == Decimal("43065000000")
    assert parse_number("1,100万元") == Decimal("11000000") and parse_number("1.5 billion") == Decimal("1.5e9")
    assert parse_number("北京") is None
    assert as_iri("zs:Card") == "https://w3id.org/zhaoshang-kg/def#Card"
    assert as_iri("nope:x") is None and as_iri("<a b>") is None


def test_cli_numbers_names_and_iris(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store), "query", "--format", "json"]
    over = "SELECT ?p ?min WHERE { ?p zs:investment ?m . ?m schema:value ?v . FILTER (?v > ?min) }"
    out = runner.invoke(cli, [*base, over, "--param", "min=10000000000"])
    assert out.exit_code == 0, out.output
    values = {b["p"]["value"] for b in json.loads(out.output)["results"]["bindings"]}
    assert "https://w3id.org/zhaoshang-kg/id/project/zhongwei-powder-materials-park" in values
    assert "https://w3id.org/zhaoshang-kg/id/project/yuhu-cold-chain-changsha" not in values
    chambers = "SELECT ?c ?r WHERE { ?c zs:hostRegion ?r }"
    for value in ("北京", "zr:region/110000", f"{R}110000", f"<{R}110000>"):
        out = runner.invoke(cli, [*base, chambers, "--param", f"r={value}"])
        assert out.exit_code == 0, out.output
        assert [b["c"]["value"] for b in json.loads(out.output)["results"]["bindings"]] == [
            "https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi"], value
    out = runner.invoke(cli, ["--store", str(built.store), "query", "-q", "projects_in_region",
                              "--param", "place=长沙"])
    assert out.exit_code == 1 and "Its parameters: region (region)" in out.output


def test_unknown_name_for_a_region_parameter(store: ox.Store) -> None:
    with pytest.raises(UnknownEntity, match="--param region"):
        parse_params(store, ["region=鼓楼区"], CATALOGUE["projects_in_region"])
