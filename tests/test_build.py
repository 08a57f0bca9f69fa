"""Building the store: all or nothing, with clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.backend import build
from kg.cli import cli
from kg.errors import EncodingError, RDFSyntaxError, StoreError, ValidationError
from kg.paths import Paths
from kg.store.generations import current_generation, open_store, write_lock
from tests.conftest import SOURCE_ID

FACTS = f"{SOURCE_ID}.ttl"


def _store_size(paths: Paths) -> int:
    return len(open_store(paths.store))


def test_build_loads_every_file_into_its_graph(project: Paths) -> None:
    report = build(project)
    store = open_store(project.store)
    graphs = {str(g.value) for g in store.named_graphs()}
    assert "https://w3id.org/zhaoshang-kg/graph/ontology" in graphs
    assert f"https://w3id.org/zhaoshang-kg/graph/{SOURCE_ID}" in graphs
    assert report.triples == len(store)


def test_malformed_turtle_names_file_line_column_and_keeps_old_store(project: Paths, runner: CliRunner) -> None:
    build(project)
    before_gen, before_n = current_generation(project.store), _store_size(project)
    bad = project.facts / "broken.ttl"
    bad.write_text('@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .\n\nzs:a zs:b "unterminated .\n',
                   encoding="utf-8")
    with pytest.raises(RDFSyntaxError, match=r"broken\.ttl: syntax error .*line 3"):
        build(project)
    result = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store), "build"])
    assert result.exit_code == 1
    assert "Error: " in result.output and "broken.ttl" in result.output and "line 3" in result.output
    assert current_generation(project.store) == before_gen
    assert _store_size(project) == before_n


def test_shacl_violation_lists_nodes_and_loads_nothing(project: Paths, runner: CliRunner) -> None:
    build(project)
    before_gen = current_generation(project.store)
    (project.facts / "zz-bad.ttl").write_text(
        """@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/zhaoshang-kg/id/agent/chamber-x> a zs:ChamberOfCommerce ; rdfs:label "某商会"@zh .
<https://w3id.org/zhaoshang-kg/id/amount/x> a schema:MonetaryAmount ; rdfs:label "x"@zh ;
    schema:value 1.5e9 ; schema:currency "CNY" .
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        build(project)
    msg = str(info.value)
    assert "chamber-x" in msg and "zs:hostRegion" in msg and "zs:originRegion" in msg
    assert "amount/x" in msg and "schema.org/value" in msg and "prov" in msg
    assert current_generation(project.store) == before_gen
    result = runner.invoke(cli, ["--project", str(project.project), "validate"])
    assert result.exit_code == 1
    assert "Does not conform" in result.output and "chamber-x" in result.output


def test_validate_exit_zero_when_conforming(project: Paths, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--project", str(project.project), "validate"])
    assert result.exit_code == 0, result.output
    assert "Conforms" in result.output and "every sentence equals" in result.output


def test_quote_that_drifts_from_source_is_caught(project: Paths) -> None:
    src = project.sources / f"{SOURCE_ID}.txt"
    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("430.65亿元", "430.66亿元"), encoding="utf-8")
    from kg.errors import QuoteMismatch

    with pytest.raises(QuoteMismatch, match=r"430\.65亿元"):
        build(project)


def test_gbk_fact_file_is_refused(project: Paths) -> None:
    (project.facts / "gbk.ttl").write_bytes(
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<urn:x> rdfs:label "长沙"@zh .\n'.encode("gbk")
    )
    with pytest.raises(EncodingError, match=r"gbk\.ttl: is not UTF-8 .*line 2.*GB18030"):
        build(project)


def test_bom_fact_file_is_decoded_correctly(project: Paths) -> None:
    ttl = (project.facts / FACTS)
    ttl.write_bytes(b"\xef\xbb\xbf" + ttl.read_bytes())
    report = build(project)
    assert report.triples > 1000


def test_missing_store_and_missing_folder(tmp_path: Path, runner: CliRunner, project: Paths) -> None:
    with pytest.raises(StoreError, match=r"No store at .*kg build"):
        open_store(tmp_path / "nowhere")
    result = runner.invoke(cli, ["--project", str(project.project), "--store", str(tmp_path / "none"), "stats"])
    assert result.exit_code == 1 and "No store at" in result.output
    result = runner.invoke(cli, ["--project", str(tmp_path / "empty"), "build"])
    assert result.exit_code == 1 and "no such folder" in result.output


def test_a_second_writer_is_told_who_holds_the_lock(project: Paths) -> None:
    import os

    with write_lock(project.store), pytest.raises(StoreError, match=f"locked by PID {os.getpid()}"):
        build(project)


def test_env_var_chooses_the_store(project: Paths, runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "envstore"
    result = runner.invoke(cli, ["--project", str(project.project), "build"], env={"KG_STORE": str(target)})
    assert result.exit_code == 0, result.output
    assert (target / "CURRENT").is_file()


def test_one_backend_is_chosen_from_the_paths(project: Paths) -> None:
    """kg.backend: the embedded store unless an endpoint is given; kg.build goes through the same choice."""
    from kg.backend import EmbeddedBackend, RemoteBackend, backend_for
    from kg.paths import make_paths
    from kg.remote.endpoint import RemoteStore

    embedded = backend_for(project)
    assert isinstance(embedded, EmbeddedBackend) and embedded.describe() == str(project.store)
    report = embedded.build()
    assert report.full and report.target == embedded.describe() and report.generation is not None
    assert len(embedded.connect()) == report.triples
    assert build(project).up_to_date  # kg.build reads what the backend built
    url = "http://127.0.0.1:9/sparql"
    remote = backend_for(make_paths(project.project, project.store, endpoint=url, user="w", password="p"))
    assert isinstance(remote, RemoteBackend) and remote.describe() == url
    store = remote.connect()
    assert isinstance(store, RemoteStore) and store.update_endpoint == url + "-auth"
