"""A project of thousands of sources on a real Virtuoso: the dataset is the project's graphs, exactly.

Virtuoso 7.2 refuses a query whose dataset lists more than 4,094 graphs (``SP030 ... Too many arguments``), so
past :data:`kg.remote.endpoint.DATASET_LIMIT` graphs :class:`~kg.remote.endpoint.RemoteStore` excludes every other
graph of the server with Virtuoso's pragmas instead of listing its own. One private instance holds 4,200 small
project graphs (more than Virtuoso accepts as parameters) and a foreign graph, loaded in about 3 s; a second, tiny one
checks that a small project still uses the standard protocol parameters. Needs the Debian package
``virtuoso-opensource``, like ``test_virtuoso.py``; without it these tests fail, they are never skipped.
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import EndpointError, PartialResult
from kg.query.runner import evaluate_on, run_remote
from kg.remote.build import MANIFEST_GRAPH, read_remote_manifest, write_remote_manifest
from kg.remote.endpoint import DATASET_LIMIT, EMPTY_GRAPH, PROJECT_GRAPHS, RemoteStore, RemoteTriples
from kg.remote.virtuoso import VirtuosoInstance

#: Project graphs on the crowded server (more than the 4,094 graphs Virtuoso 7.2 takes in a dataset list), and
#: statements in each.
SOURCES = 4_200
PER_GRAPH = 2
#: Graphs per INSERT DATA request (Virtuoso refuses one whose generated SQL passes 10,000 lines: about 1,000).
BATCH = 250
FOREIGN = "urn:x-test:foreign"
NUMBER = ox.NamedNode("urn:x-test:number")
LABEL = ox.NamedNode("urn:x-test:label")
#: Virtuoso's own graph of its storage metadata: there on every server, never in a project's answer.
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


def graph(i: int) -> str:
    return f"{PROJECT_GRAPHS}many-{i:05d}"


def subject(i: int) -> ox.NamedNode:
    return ox.NamedNode(f"urn:x-test:s{i}")


def _insert(writer: RemoteStore, graphs: dict[str, list[ox.Triple]]) -> None:
    blocks = [f"GRAPH <{g}> {{ {' '.join(f'{t} .' for t in triples)} }}" for g, triples in graphs.items()]
    for start in range(0, len(blocks), BATCH):
        writer.update("INSERT DATA { " + " ".join(blocks[start : start + BATCH]) + " }")


def _project(n: int) -> dict[str, list[ox.Triple]]:
    return {graph(i): [ox.Triple(subject(i), NUMBER, ox.Literal(i)), ox.Triple(subject(i), LABEL, ox.Literal(f"s{i}"))]
            for i in range(n)}


def _foreign(name: str) -> dict[str, list[ox.Triple]]:
    """Someone else's data, with the project's predicates: a leak would change every count."""
    s = ox.NamedNode(name + "#thing")
    return {name: [ox.Triple(s, NUMBER, ox.Literal(-1)), ox.Triple(s, LABEL, ox.Literal("foreign")),
                   ox.Triple(s, ox.NamedNode("urn:x-test:other"), ox.Literal("x"))]}


def writer_for(v: VirtuosoInstance) -> RemoteStore:
    return RemoteStore(v.endpoint, user=v.writer, password=v.writer_password, timeout=120)


def count(store: RemoteStore, query: str, *, union: bool = True) -> int:
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, ox.QuerySolutions)
    n = next(iter(result))["n"]
    assert n is not None
    return int(n.value)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("crowded") / "db", max_seconds=20)
    try:
        _insert(writer_for(inst), {**_project(SOURCES), **_foreign(FOREIGN)})
        yield inst
    finally:
        inst.stop()


@pytest.fixture(scope="module")
def few(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoInstance]:
    # a row limit below the number of graphs it will hold, so that the list of all graphs is cut
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("few") / "db", max_seconds=20, max_rows=10)
    yield inst
    inst.stop()


class _Proxy(BaseHTTPRequestHandler):
    """Passes requests on to Virtuoso and its answers back under its own ``Server:`` header, as a reverse
    proxy that hides the server does."""

    target = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        req = urllib.request.Request(self.target, data=body, method="POST", headers={
            k: v for k, v in self.headers.items() if k.lower() in ("accept", "content-type")})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, headers, data = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                status, headers, data = exc.code, exc.headers, exc.read()
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("server", "date", "connection", "content-length", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy(crowded: VirtuosoInstance) -> Iterator[str]:
    handler = type("Handler", (_Proxy,), {"target": crowded.endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------ thousands of graphs


def test_many_graphs_are_given_by_excluding_the_others(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    assert reader.project_graphs() == sorted(graph(i) for i in range(SOURCES))
    others = reader.other_graphs()
    assert others is not None and FOREIGN in others and VIRTRDF in others
    assert not any(g.startswith(PROJECT_GRAPHS) for g in others)
    assert reader.is_virtuoso
    plan = reader.dataset_plan(use_default_graph_as_union=True)
    assert plan.params == ()  # more than DATASET_LIMIT: no protocol parameter at all
    assert set(plan.pragmas) == {f"define input:{kind}-graph-exclude <{g}>" for g in others
                                 for kind in ("default", "named")}


def test_the_server_refuses_the_project_graphs_as_parameters(crowded: VirtuosoInstance) -> None:
    """What kg sent before: one default-graph-uri and one named-graph-uri per project graph. Proof that the
    fixture is past Virtuoso's limit, so the other tests exercise the exclusion."""
    params = [("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")]
    params += [(key, graph(i)) for key in ("default-graph-uri", "named-graph-uri") for i in range(SOURCES)]
    req = urllib.request.Request(crowded.endpoint, data=urllib.parse.urlencode(params).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=60).close()
    with info.value as error:
        assert error.code == 400 and "Too many arguments" in error.read().decode("utf-8", "replace")


def test_a_union_query_counts_exactly_the_project_triples(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    assert count(reader, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == SOURCES * PER_GRAPH
    assert count(reader, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {NUMBER} ?o }}") == SOURCES
    assert count(reader, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == SOURCES * PER_GRAPH
    # neither the foreign graph nor Virtuoso's system graphs, named or not. COUNT(?s), not COUNT(*): Virtuoso
    # 7.2 counts one row for a pattern on a graph outside the dataset (whether given by parameters or pragmas)
    assert count(reader, f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{FOREIGN}> {{ ?s ?p ?o }} }}") == 0
    assert count(reader, f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH <{VIRTRDF}> {{ ?s ?p ?o }} }}") == 0
    ask = reader.query(f"ASK {{ <{FOREIGN}#thing> ?p ?o }}", use_default_graph_as_union=True)
    assert isinstance(ask, ox.QueryBoolean) and not bool(ask)
    construct = reader.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER (?s IN ({subject(7)}, "
                             f"<{FOREIGN}#thing>)) }}", use_default_graph_as_union=True)
    assert isinstance(construct, RemoteTriples)
    assert sorted(str(t) for t in construct) == sorted(str(t) for t in _project(8)[graph(7)])


def test_graph_variable_ranges_over_the_project_graphs_only(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    result = reader.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    found = [row["g"].value for row in result if row["g"] is not None]
    assert sorted(found) == [graph(i) for i in range(SOURCES)]


def test_substitutions_on_many_graphs(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    query = f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?s {NUMBER} ?o }} }}"
    result = reader.query(query, use_default_graph_as_union=True, substitutions={ox.Variable("s"): subject(2345)})
    assert isinstance(result, ox.QuerySolutions)
    assert [(row["g"], row["o"]) for row in result] == [(ox.NamedNode(graph(2345)), ox.Literal(2345))]
    result = reader.query(query, use_default_graph_as_union=True,
                          substitutions={ox.Variable("s"): ox.NamedNode(FOREIGN + "#thing")})
    assert isinstance(result, ox.QuerySolutions) and list(result) == []


def test_the_cli_path_works_on_many_graphs(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    answer = evaluate_on(reader, f"SELECT ?s WHERE {{ ?s {LABEL} ?label }}", "select",
                         {"label": ox.Literal("s42")}, 10)
    assert [row["s"] for row in answer.rows] == [subject(42)]
    answer = evaluate_on(reader, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "select", {}, 10)
    assert answer.rows[0]["n"] == ox.Literal(SOURCES * PER_GRAPH)
    # what `kg query --endpoint` runs: a fresh store with the server's time limit, the guard, the row limit
    answer = run_remote(reader, f"SELECT ?s ?n WHERE {{ ?s {NUMBER} ?n }} ORDER BY ?n", limit=3, timeout=20)
    assert [row["n"] for row in answer.rows] == [ox.Literal(0), ox.Literal(1), ox.Literal(2)] and answer.truncated


def test_without_the_union_the_named_graphs_are_still_the_project_s(crowded: VirtuosoInstance) -> None:
    reader = RemoteStore(crowded.endpoint)
    plan = reader.dataset_plan()
    assert plan.params == (("default-graph-uri", EMPTY_GRAPH),)
    assert all(p.startswith("define input:named-graph-exclude <") for p in plan.pragmas)
    assert len(reader) == SOURCES * PER_GRAPH
    assert count(reader, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", union=False) == 0
    quads = list(reader.quads_for_pattern(subject(99), None, None))
    assert sorted(str(q) for q in quads) == sorted(
        str(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph(99)))) for t in _project(100)[graph(99)])
    assert list(reader.quads_for_pattern(ox.NamedNode(FOREIGN + "#thing"), None, None)) == []
    # a short list of named graphs given by the caller goes as parameters
    two = [ox.NamedNode(graph(1)), ox.NamedNode(graph(2))]
    assert reader.dataset_plan(named_graphs=two).params == (
        ("default-graph-uri", EMPTY_GRAPH), ("named-graph-uri", graph(1)), ("named-graph-uri", graph(2)))
    result = reader.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=two)
    assert isinstance(result, ox.QuerySolutions) and next(iter(result))["n"] == ox.Literal(2 * PER_GRAPH)


def test_too_many_other_graphs_is_a_clear_error(crowded: VirtuosoInstance) -> None:
    others = RemoteStore(crowded.endpoint).other_graphs()
    assert others is not None
    tight = RemoteStore(crowded.endpoint, dataset_limit=len(others) - 1)
    with pytest.raises(EndpointError, match=rf"holds {len(others)} other graphs.*dedicated Virtuoso server"):
        tight.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", use_default_graph_as_union=True)
    with pytest.raises(EndpointError, match="other graphs"):
        len(tight)


def test_a_server_that_does_not_say_it_is_virtuoso_is_not_guessed(proxy: str) -> None:
    hidden = RemoteStore(proxy)
    assert not hidden.is_virtuoso and len(hidden.project_graphs()) == SOURCES
    with pytest.raises(EndpointError, match=rf"{SOURCES} graphs.*does not say it is Virtuoso.*Server header"):
        hidden.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    # a short dataset still works through it, with the standard parameters
    result = hidden.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                          named_graphs=[ox.NamedNode(graph(5))])
    assert isinstance(result, ox.QuerySolutions) and next(iter(result))["n"] == ox.Literal(PER_GRAPH)


# ------------------------------------------------------------------ a few graphs


def test_few_graphs_use_the_protocol_parameters(few: VirtuosoInstance) -> None:
    writer = writer_for(few)
    # no project graph yet: an empty dataset, not the whole server (no named-graph-uri would mean every graph)
    assert writer.dataset_plan(use_default_graph_as_union=True).params == (
        ("default-graph-uri", EMPTY_GRAPH), ("named-graph-uri", EMPTY_GRAPH))
    assert count(writer, "SELECT (COUNT(?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 0
    assert count(writer, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0
    # a write forgets the list of graphs
    foreign = {k: v for i in range(12) for k, v in _foreign(f"urn:x-test:foreign-{i}").items()}
    _insert(writer, {**_project(3), **foreign})
    plan = writer.dataset_plan(use_default_graph_as_union=True)
    assert plan.pragmas == ()
    assert plan.params == tuple(("default-graph-uri", graph(i)) for i in range(3)) + tuple(
        ("named-graph-uri", graph(i)) for i in range(3))
    assert count(writer, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 3 * PER_GRAPH
    assert count(writer, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 3
    # the server cut the list of all its graphs at its 10 rows: the project's were listed alone, the others
    # are unknown, so they could not be excluded
    assert writer.project_graphs() == [graph(i) for i in range(3)] and writer.other_graphs() is None
    narrow = RemoteStore(few.endpoint, dataset_limit=2)
    with pytest.raises(EndpointError, match=r"too many other graphs to list.*dedicated Virtuoso server"):
        narrow.query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert DATASET_LIMIT > 3



def test_a_manifest_larger_than_virtuoso_takes_in_one_statement_round_trips(crowded: VirtuosoInstance) -> None:
    """Virtuoso's Graph Store Protocol refuses a statement past its first 64 KB ("unsupported type
    text/plain"): the manifest of a build of a thousand files is cut into parts and read back whole."""
    writer = writer_for(crowded)
    manifest = {"format": 2, "files": {f"data/facts/article-{i:05d}.ttl": {"sha256": "ab" * 32, "graph": graph(i),
                                                                           "note": "招商引资"} for i in range(2_000)}}
    write_remote_manifest(writer, manifest)
    assert read_remote_manifest(writer) == manifest
    assert len(writer.graph_quads(MANIFEST_GRAPH)) > 10
    write_remote_manifest(writer, {"format": 2})  # a smaller one replaces every part
    assert read_remote_manifest(writer) == {"format": 2}
    writer.remove_graph(MANIFEST_GRAPH)


def test_a_graph_cut_at_the_row_limit_is_refused(few: VirtuosoInstance) -> None:
    """Virtuoso sends about ResultSetMaxRows statements of a graph (10 here: it sent 11), silently: kg counts."""
    writer = writer_for(few)
    big = graph(900)
    writer.replace_graph(big, [ox.Triple(ox.NamedNode(f"urn:x-test:s{i}"), ox.NamedNode("urn:x-test:p"),
                                         ox.Literal(i)) for i in range(25)])
    try:
        with pytest.raises(PartialResult, match=r"sent 1[01] of the 25 statements.*ResultSetMaxRows"):
            writer.graph_quads(big)
        small = graph(901)
        writer.replace_graph(small, [ox.Triple(ox.NamedNode("urn:x-test:s"), ox.NamedNode("urn:x-test:p"),
                                               ox.Literal(1))])
        assert len(writer.graph_quads(small)) == 1
    finally:
        writer.remove_graph(big)
        writer.remove_graph(graph(901))


def test_on_virtuoso_the_shorter_list_is_sent(crowded: VirtuosoInstance) -> None:
    """Below the limit too: Virtuoso compiles each listed graph into every pattern, so naming its few other
    graphs to exclude beats naming thousands of the project's."""
    roomy = RemoteStore(crowded.endpoint, dataset_limit=10_000)
    plan = roomy.dataset_plan(use_default_graph_as_union=True)
    assert plan.params == () and 0 < len(plan.pragmas) < 100
    assert count(roomy, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == SOURCES


def test_private_instances_do_not_refuse_queries_on_cost_estimates(tmp_path: Path) -> None:
    """Virtuoso's estimate is off by orders of magnitude at scale; its maintainers advise commenting it out
    (openlink/virtuoso-opensource#1395). MaxQueryExecutionTime still bounds every query."""
    inst = VirtuosoInstance.create(tmp_path / "db", max_seconds=42)
    ini = (inst.folder / "virtuoso.ini").read_text(encoding="utf-8")
    assert re.search(r"(?m)^; MaxQueryCostEstimationTime", ini)
    assert not re.search(r"(?m)^MaxQueryCostEstimationTime", ini)
    assert re.search(r"(?m)^MaxQueryExecutionTime = 42$", ini)
