"""A real Virtuoso on loopback: the same answers as the embedded store, safe writes, honest errors.

One private instance per module (about 3 s to start), in a temporary folder with free ports; a second, tiny
one checks that cut and timed-out answers are errors. Needs the Debian package ``virtuoso-opensource``
(``bash scripts/system-deps.sh`` installs it); without it these tests fail, they are never skipped.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib.compare

from kg.backend import build
from kg.errors import EndpointError, PartialResult, QueryTimeout
from kg.graph.neighbourhood import Nearby
from kg.graph.network import entity_graph
from kg.paths import Paths, make_paths
from kg.query.catalogue import Question, Table, load_catalogue, select
from kg.query.evaluation import evaluate_on
from kg.query.runner import run_remote
from kg.remote.build import MANIFEST_GRAPH
from kg.remote.endpoint import RemoteStore
from kg.remote.sparql import limit_rows
from kg.remote.virtuoso import VirtuosoInstance, free_port
from kg.store.generations import open_store
from kg.store.rdfio import to_rdflib
from tests.conftest import ROOT, SOURCE_ID

SOURCE_GRAPH = f"https://w3id.org/zhaoshang-kg/graph/{SOURCE_ID}"
REGION = "https://w3id.org/zhaoshang-kg/id/region/"
#: Values for the parameters the catalogue declares, by kind.
PARAM_VALUES = {
    "region": [REGION + "430000", REGION + "431200", REGION + "430100", REGION + "431223"],
    "entity": [REGION + "431223", "https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi"],
}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    # a question the server cannot plan fails in 20 s (HTTP 206) instead of holding a core for minutes
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("virtuoso") / "db", max_seconds=20)
    yield inst
    inst.stop()


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    """A second instance for the catalogue: a question the server cannot plan keeps working on it after the
    client gave up, and must not slow down the write tests."""
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("answers") / "db", max_seconds=20)
    folder = tmp_path_factory.mktemp("answers-project")
    for sub in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / sub, folder / sub)
    build(make_paths(folder, folder / "store", endpoint=inst.endpoint, user=inst.writer,
                     password=inst.writer_password))
    build(make_paths(folder, folder / "store"))  # the embedded store from the very same files
    inst.folder.joinpath("embedded-store").write_text(str(folder / "store"), encoding="utf-8")
    yield inst
    inst.kill()


@pytest.fixture(scope="module")
def remote_project(virtuoso: VirtuosoInstance, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    folder = tmp_path_factory.mktemp("remote-project")
    for sub in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / sub, folder / sub)
    paths = make_paths(folder, folder / "store", endpoint=virtuoso.endpoint, user=virtuoso.writer,
                       password=virtuoso.writer_password)
    report = build(paths)
    assert report.full and report.checkpointed is True
    return paths


def remote(v: VirtuosoInstance, *, writer: bool = True) -> RemoteStore:
    if writer:
        return RemoteStore(v.endpoint, user=v.writer, password=v.writer_password)
    return RemoteStore(v.endpoint)


# ------------------------------------------------------------------ same answers


def _norm(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, concatenated: bool = False) -> object:
    if term is None or (concatenated and isinstance(term, ox.Literal) and term.value == ""):
        return None  # GROUP_CONCAT of nothing: Oxigraph leaves it unbound, Virtuoso gives ""
    if isinstance(term, ox.BlankNode):
        return "_:b"
    if isinstance(term, ox.NamedNode):
        return term.value
    dt = term.datatype.value.rsplit("#", 1)[-1]
    if dt in ("decimal", "integer", "int", "long", "double", "float", "short", "nonNegativeInteger",
              "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong"):
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            return ("number", term.value)
    # GROUP_CONCAT has no defined order: compare its parts as a set. Over tagged literals Oxigraph keeps the
    # common language tag and Virtuoso returns a plain string (SPARQL 1.1 allows both): compare such results
    # as text. Every other literal keeps its language tag in the comparison.
    value = "\n".join(sorted(term.value.split("\n"))) if "\n" in term.value else term.value
    if concatenated:
        return (value, "text")
    return (value, term.language or dt)


def _canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    out = []
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and isinstance(_norm(o), tuple) and _norm(o)[0] == "number":
            o = ox.Literal(str(_norm(o)[1]))
        elif isinstance(o, ox.Literal) and o.datatype.value.endswith("#wktLiteral"):
            # Virtuoso keeps coordinates as 32-bit floats (31.20 comes back as 31.200000762939): same point
            # to the 4 decimals the gazetteer gives
            o = ox.Literal(re.sub(r"-?\d+(?:\.\d+)?", lambda m: f"{Decimal(m.group()):.4f}", o.value),
                           datatype=o.datatype)
        out.append(ox.Quad(q.subject, q.predicate, o, q.graph_name))
    return out


def comparable_rows(table: Table, concatenated: set[str]) -> Counter[tuple[object, ...]]:
    """The rows of *table* as a multiset of normalised cells, comparable across servers (the *concatenated*
    columns compared as sets of their parts)."""
    return Counter(tuple(_norm(r[v], v in concatenated) for v in table.variables) for r in table.rows)


def concatenated_columns(sparql: str) -> set[str]:
    """Variables bound by GROUP_CONCAT in a query."""
    return set(re.findall(r"GROUP_CONCAT\([^)]*\)\s*AS\s*\?(\w+)", sparql, flags=re.I))


def _bindings(q: Question) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    if not q.params:
        return [{}]
    sets = []
    for i in range(3):
        sets.append({
            p.name: ox.NamedNode(PARAM_VALUES.get(p.kind, PARAM_VALUES["region"])[(i + j) % 4 if
                                 p.kind != "entity" else (i + j) % 2])
            for j, p in enumerate(q.params)
        })
    return sets


CATALOGUE = load_catalogue(ROOT / "queries")


def test_the_catalogue_is_not_empty() -> None:
    assert CATALOGUE


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_question_gives_the_same_answer(name: str, answers: VirtuosoInstance) -> None:
    embedded = open_store(Path(answers.folder.joinpath("embedded-store").read_text(encoding="utf-8")))
    server = RemoteStore(answers.endpoint, timeout=30)
    q = CATALOGUE[name]
    concat = concatenated_columns(q.sparql)
    for binding in _bindings(q):
        mine = select(embedded, q.sparql, binding)
        theirs = select(server, q.sparql, binding)
        assert theirs.variables == mine.variables
        assert comparable_rows(theirs, concat) == comparable_rows(mine, concat), binding


def test_graphs_hold_the_same_statements(remote_project: Paths, virtuoso: VirtuosoInstance, built: Paths) -> None:
    embedded = open_store(built.store)
    server = remote(virtuoso, writer=False)
    assert sorted(server.project_graphs()) == sorted(str(g.value) for g in embedded.named_graphs())
    assert MANIFEST_GRAPH not in server.project_graphs()
    assert len(server) == len(embedded)
    for g in embedded.named_graphs():
        # Both stores canonicalise typed literals (xsd:nonNegativeInteger becomes xsd:integer, "1.50" 1.5),
        # each its own way: compare values, and blank nodes by structure.
        ours = to_rdflib(_canonical(embedded.quads_for_pattern(None, None, None, g)))
        theirs = to_rdflib(_canonical(server.graph_quads(str(g.value))))
        assert rdflib.compare.isomorphic(ours, theirs), g
    # Virtuoso's own system graphs never leak into project queries
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    assert int(rows[0]["n"].value) == len(embedded)  # type: ignore[union-attr]


def test_cli_reads_through_the_endpoint(remote_project: Paths, virtuoso: VirtuosoInstance, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    runner = CliRunner()
    base = ["--project", str(remote_project.project), "--endpoint", virtuoso.endpoint]
    result = runner.invoke(cli, [*base, "stats"])
    assert result.exit_code == 0, result.output
    assert SOURCE_GRAPH in result.output
    out = tmp_path / "g.nq"
    result = runner.invoke(cli, [*base, "export", "--format", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count(" .\n") == len(remote(virtuoso, writer=False))


def test_every_reading_command_works_through_the_endpoint(
    remote_project: Paths, virtuoso: VirtuosoInstance, tmp_path: Path
) -> None:
    """query, ask, neighbors, path, rank, viz and map read the server, with no embedded store at all."""
    from click.testing import CliRunner

    from kg.cli import cli

    runner = CliRunner()
    assert not (tmp_path / "nostore").exists()
    base = ["--project", str(remote_project.project), "--store", str(tmp_path / "nostore"),
            "--endpoint", virtuoso.endpoint]

    def ok(*args: str) -> str:
        result = runner.invoke(cli, [*base, *args])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    out = ok("query", "-q", "projects_in_region", "--param", "region=怀化市", "--format", "csv")
    assert "湘中石油" in out
    out = ok("query", "SELECT ?c WHERE { ?c a zs:ChamberOfCommerce }", "--limit", "2")
    assert "cut" in out.lower() or "limit" in out.lower()
    result = runner.invoke(cli, [*base, "query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"])
    assert result.exit_code == 1 and "SERVICE" in result.output
    assert "北京辰溪商会" in ok("ask", "哪些商会把哪些地方联系在一起")
    assert "北京市" in ok("neighbors", "北京辰溪商会")
    assert "→" in ok("path", "北京辰溪商会", "长沙市") or "←" in ok("path", "北京辰溪商会", "长沙市")
    assert "岳阳市" in ok("rank", "--top", "5")
    ok("viz", "-o", str(tmp_path / "v.html"), "--focus", "长沙市", "--hops", "1")
    ok("map", "-o", str(tmp_path / "m.html"))
    assert "长沙市" in (tmp_path / "v.html").read_text(encoding="utf-8")
    assert "北京辰溪商会" in (tmp_path / "m.html").read_text(encoding="utf-8")
    main = ok("--user", virtuoso.writer, "--password", virtuoso.writer_password, "run")
    assert "深圳辰溪商会" in main and "map.html" in main
    assert not (tmp_path / "nostore").exists()


# ------------------------------------------------------------------ writes


def test_writes_need_digest_credentials(remote_project: Paths, virtuoso: VirtuosoInstance) -> None:
    anonymous = RemoteStore(virtuoso.endpoint, update_endpoint=virtuoso.endpoint)
    with pytest.raises(EndpointError, match=r"SR186|permission"):
        anonymous.update("INSERT DATA { GRAPH <urn:x-test:g> { <urn:a> <urn:b> <urn:c> } }")
    wrong = RemoteStore(virtuoso.endpoint, user=virtuoso.writer, password="wrong")
    with pytest.raises(EndpointError, match="refused the credentials"):
        wrong.replace_graph("urn:x-test:g", [ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"),
                                                        ox.Literal("c"))])
    writer = remote(virtuoso)
    assert writer.replace_graph("urn:x-test:g", [ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"),
                                                            ox.Literal("长沙", language="zh"))]) == 1
    quads = writer.graph_quads("urn:x-test:g")
    assert [q.object for q in quads] == [ox.Literal("长沙", language="zh")]
    writer.remove_graph("urn:x-test:g")
    assert writer.graph_quads("urn:x-test:g") == []


def test_reload_is_idempotent_and_incremental(remote_project: Paths, virtuoso: VirtuosoInstance) -> None:
    server = remote(virtuoso)
    before = len(server)
    again = build(remote_project)
    assert again.up_to_date and len(server) == before
    full = build(remote_project, full=True)
    assert full.full and len(server) == before
    facts = remote_project.facts / f"{SOURCE_ID}.ttl"
    original = facts.read_text(encoding="utf-8")
    extra = (
        "\n<https://w3id.org/zhaoshang-kg/id/region/431223> "
        "<http://www.w3.org/2004/02/skos/core#altLabel> \"辰溪\"@zh .\n"
    )
    try:
        facts.write_text(original + extra, encoding="utf-8")
        report = build(remote_project)
        assert not report.full and report.changed == [SOURCE_GRAPH]
        assert len(server) == before + 1
        report = build(remote_project)
        assert report.up_to_date and len(server) == before + 1
    finally:
        facts.write_text(original, encoding="utf-8")
        build(remote_project)
    assert len(server) == before


def test_server_down_is_a_clear_error(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(EndpointError, match=r"Cannot reach the SPARQL endpoint .*Is the server running"):
        len(RemoteStore(dead))
    paths = make_paths(ROOT, tmp_path / "store", endpoint=dead, user="u", password="p")
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["--project", str(ROOT), "--endpoint", dead, "build"])
    assert result.exit_code == 1 and result.output.startswith("Error: Cannot reach")
    assert "Traceback" not in result.output and paths.endpoint == dead


def test_server_killed_mid_load_then_retry_leaves_no_duplicate(
    remote_project: Paths, virtuoso: VirtuosoInstance
) -> None:
    graph = "https://w3id.org/zhaoshang-kg/graph/zz-big"
    p = ox.NamedNode("urn:x-test:p")
    n = 400_000
    triples = [ox.Triple(ox.NamedNode(f"urn:x-test:s{i}"), p, ox.Literal(str(i))) for i in range(n)]
    writer = remote(virtuoso)
    writer.replace_graph(graph, triples[:10])
    errors: list[BaseException] = []

    def load() -> None:
        try:
            RemoteStore(virtuoso.endpoint, user=virtuoso.writer, password=virtuoso.writer_password,
                        timeout=60).replace_graph(graph, triples)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=load)
    thread.start()
    reader = remote(virtuoso, writer=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once the staging graph has received part of the data
        if len(reader.graph_quads(graph + "#staging")) > 0:
            break
        time.sleep(0.05)
    assert thread.is_alive(), "the load finished before the server could be killed; make it bigger"
    virtuoso.kill()
    thread.join(60)
    assert errors and isinstance(errors[0], EndpointError)
    assert "run `kg build` again" in str(errors[0])
    virtuoso.run()
    # the target graph still holds the old version: never a mix
    assert len(reader.graph_quads(graph)) == 10
    assert writer.replace_graph(graph, triples) == n
    rows = select(reader, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    assert int(rows[0]["n"].value) == n  # type: ignore[union-attr]
    assert reader.graph_quads(graph + "#staging") == []
    writer.remove_graph(graph)
    assert build(remote_project).up_to_date


# ------------------------------------------------------------------ partial answers


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("tiny") / "db", max_rows=50, max_seconds=1)
    yield inst
    inst.stop()


def test_rows_cut_at_result_set_max_rows_are_an_error(tiny: VirtuosoInstance) -> None:
    writer = remote(tiny)
    g = "https://w3id.org/zhaoshang-kg/graph/many"
    writer.replace_graph(g, [ox.Triple(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)))
                             for i in range(200)])
    reader = remote(tiny, writer=False)
    assert len(select(reader, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 20").rows) == 20
    with pytest.raises(PartialResult, match="cut the answer at 50 rows"):
        select(reader, "SELECT ?s WHERE { ?s ?p ?o }")


def test_query_limit_5_on_virtuoso_gives_5_rows_as_the_embedded_store_does(tiny: VirtuosoInstance) -> None:
    """`kg --endpoint ... query '...' --limit 5` over more rows than the server's ResultSetMaxRows (50 here)
    answers the first 5 rows, marked as cut, instead of failing with "cut the answer at 50 rows"."""
    from click.testing import CliRunner

    from kg.cli import cli

    g = "https://w3id.org/zhaoshang-kg/graph/limited"
    remote(tiny).replace_graph(g, [ox.Triple(ox.NamedNode(f"urn:l{i}"), ox.NamedNode("urn:p"),
                                             ox.Literal(f"{i:03d}")) for i in range(200)])
    ordered = f"SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} ORDER BY DESC(?o)"
    top5 = ["199", "198", "197", "196", "195"]
    result = CliRunner().invoke(cli, ["--project", str(ROOT), "--endpoint", tiny.endpoint, "query", ordered,
                                      "--limit", "5", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.isdigit()] == top5
    reader = remote(tiny, writer=False)
    # the LIMIT reaches the server (one row more than is kept, to tell a cut answer), which then cuts nothing
    assert limit_rows(ordered, 6) == ordered + "\nLIMIT 6"
    assert [str(r["o"].value) for r in select(reader, limit_rows(ordered, 6)).rows] == [*top5, "194"]
    answer = evaluate_on(RemoteStore(tiny.endpoint, row_limit=5), ordered, "select", {}, 5)
    assert [str(r["o"].value) for r in answer.rows] == top5 and answer.truncated
    # where no LIMIT can be set for sure (a trailing VALUES block; a CONSTRUCT, whose LIMIT counts solutions),
    # the answer the server cut at its own limit is read as far as the caller's limit
    trailing = ordered.replace("SELECT ?o", "SELECT ?o ?p") + " VALUES ?p { <urn:p> }"
    answer = run_remote(reader, trailing, limit=5)
    assert [str(r["o"].value) for r in answer.rows] == top5 and answer.truncated
    made = run_remote(reader, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", limit=5)
    assert len(made.triples) == 5 and made.truncated
    # an answer that fits under both limits is whole, and one cut by the server below the caller's limit
    # is still refused: never fewer rows than asked for without saying so
    whole = run_remote(reader, ordered.replace("ORDER BY DESC(?o)", "ORDER BY DESC(?o) LIMIT 3"), limit=5)
    assert [str(r["o"].value) for r in whole.rows] == top5[:3] and not whole.truncated
    with pytest.raises(PartialResult, match="cut the answer at 50 rows"):
        run_remote(reader, trailing, limit=100)
    with pytest.raises(PartialResult, match="cut the answer at 50 rows"):
        run_remote(reader, ordered, limit=0)
    remote(tiny).remove_graph(g)


def test_timed_out_partial_answer_is_an_error(tiny: VirtuosoInstance) -> None:
    writer = remote(tiny)
    g = "https://w3id.org/zhaoshang-kg/graph/slow"
    writer.replace_graph(g, [ox.Triple(ox.NamedNode(f"urn:t{i}"), ox.NamedNode("urn:p"), ox.Literal(i))
                             for i in range(3000)])
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z . "
            "FILTER (?x + ?y + ?z > -1) }")
    # With a time limit asked of the server, Virtuoso answers what it has so far, flagged S1TAT: an error.
    hurried = RemoteStore(tiny.endpoint, query_time_limit=0.5)
    with pytest.raises(PartialResult, match="S1TAT") as info:
        select(hurried, slow)
    assert "partial" in str(info.value).lower() or "incomplete" in str(info.value).lower()
    # Without one, the server's own MaxQueryExecutionTime stops it: a clear timeout, not a generic failure.
    with pytest.raises(QueryTimeout, match="time limit"):
        select(remote(tiny, writer=False), slow)


def test_a_project_of_many_sources_is_queried_whole(tmp_path: Path) -> None:
    # Virtuoso sends back one header per default graph: more than 100 of them must not break the client.
    inst = VirtuosoInstance.start(tmp_path / "db")
    try:
        _many_sources(inst)
    finally:
        inst.stop()


def _many_sources(inst: VirtuosoInstance) -> None:
    writer = remote(inst)
    for i in range(110):
        writer.replace_graph(f"https://w3id.org/zhaoshang-kg/graph/many-{i:03d}",
                             [ox.Triple(ox.NamedNode(f"urn:m{i}"), ox.NamedNode("urn:p"), ox.Literal(i))])
    reader = remote(inst, writer=False)
    n = select(reader, "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:p> ?o FILTER (isNumeric(?o)) }").rows[0]["n"]
    assert n is not None and int(n.value) >= 110


# ------------------------------------------------------------------ neighbourhoods read a front at a time


class _CountingRemote(RemoteStore):
    """A RemoteStore that counts the queries it sends (one HTTP request each)."""

    sent = 0

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.sent += 1
        return super().query(*args, **kwargs)


def _neighbourhood(store: Any, seed: str, hops: int) -> tuple[dict[str, int], dict[str, dict[str, Any]], set[Any]]:
    near = Nearby(store)
    ball = near.ball([seed], hops)
    g = near.graph(ball)
    return ball, {n: dict(g.nodes[n]) for n in g}, {(u, v, d.get("relation")) for u, v, d in g.edges(data=True)}


def test_neighbourhoods_on_the_server_equal_the_embedded_ones_in_few_queries(answers: VirtuosoInstance) -> None:
    embedded = open_store(Path(answers.folder.joinpath("embedded-store").read_text(encoding="utf-8")))
    whole = entity_graph(embedded)
    seeds = [n for n in sorted(whole) if whole.degree(n) >= 3][::5][:12]
    assert len(seeds) >= 6
    for seed in seeds:
        for hops in (1, 2):
            server = _CountingRemote(answers.endpoint, timeout=30)
            theirs = _neighbourhood(server, seed, hops)
            assert theirs == _neighbourhood(embedded, seed, hops), (seed, hops)
            # a few queries per front and per part of the graph, not three per entity reached
            assert server.sent <= 6 * (hops + 4), (seed, hops, server.sent, len(theirs[0]))
    a, b = seeds[0], seeds[-1]
    server = _CountingRemote(answers.endpoint, timeout=30)
    assert Nearby(server).shortest_paths(a, b, 3) == Nearby(embedded).shortest_paths(a, b, 3)


def test_a_front_cut_at_the_row_limit_is_read_entity_by_entity(tiny: VirtuosoInstance) -> None:
    writer = remote(tiny)
    z = "https://w3id.org/zhaoshang-kg/id/"
    g = "https://w3id.org/zhaoshang-kg/graph/front"
    org = ox.NamedNode("http://www.w3.org/ns/org#Organization")
    rtype = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    link = ox.NamedNode("https://w3id.org/zhaoshang-kg/def#worksWith")
    hub = ox.NamedNode(z + "agent/hub")
    triples = [ox.Triple(hub, rtype, org)]
    for i in range(30):  # 30 entities, 5 links into each: 150 rows for the front, 5 for each entity alone
        e = ox.NamedNode(f"{z}agent/e{i}")
        triples += [ox.Triple(e, rtype, org), ox.Triple(hub, link, e)]
        triples += [ox.Triple(ox.NamedNode(f"{z}agent/e{i}-{j}"), link, e) for j in range(4)]
        triples += [ox.Triple(ox.NamedNode(f"{z}agent/e{i}-{j}"), rtype, org) for j in range(4)]
    writer.replace_graph(g, triples)
    reader = RemoteStore(tiny.endpoint, timeout=30)
    near = Nearby(reader)
    ball = near.ball([hub.value], 2)
    assert len(ball) == 1 + 30 + 120
    assert all(d == 2 for n, d in ball.items() if "-" in n.rsplit("/", 1)[1])
