"""kg query: the guard refuses what could leave the store, the worker is killed on time, results say when cut."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError, QueryRefused, QuerySyntaxError, QueryTimeout
from kg.paths import Paths
from kg.query.guard import MAX_DEPTH, check_query
from kg.query.results import render, to_csv, to_json, to_tsv
from kg.query.runner import run_query
from kg.query.tables import display_width

CHAMBERS = ("SELECT ?c ?label WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?label . FILTER (LANG(?label) = 'zh') } "
            "ORDER BY ?label")


@pytest.mark.parametrize(
    ("sparql", "word"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { service silent <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED"),
        ("LOAD <http://example.org/data.ttl>", "LOAD"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://example.org/g>", "DROP"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("SELECT * WHERE { ?s ?p ?o } ;\nCOPY DEFAULT TO <http://x>", "COPY"),
    ],
)
def test_guard_refuses(sparql: str, word: str) -> None:
    with pytest.raises(QueryRefused, match=rf"{word} is not allowed"):
        check_query(sparql)


def test_guard_names_line_and_column() -> None:
    with pytest.raises(QueryRefused, match=r"line 3, column 3: SERVICE"):
        check_query("SELECT *\nWHERE {\n  SERVICE <http://x/> { ?s ?p ?o } }")


def test_guard_allows_keywords_inside_strings_iris_names_and_comments() -> None:
    q = ('# SERVICE FROM LOAD DELETE\nSELECT ?service ?from WHERE { ?service <http://ex/DELETE> ?from ; '
         'ex:load "SERVICE <http://x> FROM" . FILTER (?from != """INSERT\nDROP""") }')
    assert check_query(q).form == "select"


def test_guard_refuses_escapes_outside_strings() -> None:
    with pytest.raises(QueryRefused, match="escapes"):
        check_query(r"SELECT * WHERE { \u0053ERVICE <http://x> { ?s ?p ?o } }")


def test_guard_bounds_length_and_depth() -> None:
    with pytest.raises(QueryRefused, match="characters"):
        check_query("SELECT * WHERE { ?s ?p ?o }" + " " * 200_000)
    ok = "SELECT * WHERE " + "{ " * 20 + "?s ?p ?o" + " }" * 20
    assert check_query(ok).depth == 20
    with pytest.raises(QueryRefused, match="nesting deeper"):
        check_query("SELECT * WHERE " + "{ " * (MAX_DEPTH + 1) + "?s ?p ?o" + " }" * (MAX_DEPTH + 1))


def test_query_nested_5000_deep_is_refused_without_crashing(built: Paths) -> None:
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000
    with pytest.raises(QueryRefused, match="nesting"):
        run_query(built.store, deep)
    parens = "SELECT * WHERE { ?s ?p ?o FILTER (" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with pytest.raises(QueryRefused):
        run_query(built.store, parens)
    assert run_query(built.store, "ASK { ?s ?p ?o }").boolean is True  # and we are still alive


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_service_to_a_local_server_never_sends_a_request(built: Paths, local_server: str, runner: CliRunner) -> None:
    # The server works: a plain client reaches it.
    import urllib.request

    with urllib.request.urlopen(local_server + "?probe=1", timeout=5) as reply:
        assert reply.status == 200
    assert len(_Recorder.hits) == 1
    q = f"SELECT * WHERE {{ SERVICE <{local_server}> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryRefused, match="SERVICE"):
        run_query(built.store, q)
    result = runner.invoke(cli, ["--store", str(built.store), "query", q])
    assert result.exit_code == 1
    assert "Error: Query refused" in result.output
    load = f"LOAD <{local_server}>"
    assert runner.invoke(cli, ["--store", str(built.store), "query", load]).exit_code == 1
    time.sleep(0.3)
    assert _Recorder.hits == ["/sparql?probe=1"], "a refused query reached the server"


def test_timeout_kills_a_runaway_query(built: Paths) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        run_query(built.store, runaway, timeout=1)
    assert time.perf_counter() - started < 8


def test_syntax_error_names_line_and_column(built: Paths) -> None:
    with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
        run_query(built.store, "SELECT * WHERE {\n  ?s ?p }")


def test_select_limit_says_when_cut(built: Paths) -> None:
    full = run_query(built.store, CHAMBERS)
    assert len(full.rows) == 4 and not full.truncated
    cut = run_query(built.store, CHAMBERS, limit=2)
    assert len(cut.rows) == 2 and cut.truncated
    assert "there are more" in render(cut, "table")
    assert "(4 rows)" in render(full, "table")


def test_table_aligns_chinese_by_display_width(built: Paths) -> None:
    text = render(run_query(built.store, CHAMBERS), "table")
    lines = text.splitlines()
    header, rule, *rows = lines[:-1]
    # The label column starts at the same display column on every line, and the rule is as wide as the header.
    starts = {display_width(line[: line.index(label)]) for line, label in
              zip(rows, ["上海怀化商会", "北京辰溪商会", "浙江湖南商会", "深圳辰溪商会"], strict=True)}
    assert starts == {display_width(header[: header.index("label")])}
    assert display_width(rule) == display_width(rows[0])
    assert "上海怀化商会" in text and "北京辰溪商会" in text


def test_formats(built: Paths) -> None:
    result = run_query(built.store, CHAMBERS)
    data = to_json(result)
    assert data["head"]["vars"] == ["c", "label"]
    first = data["results"]["bindings"][0]
    assert first["c"]["type"] == "uri"
    assert first["label"] == {"type": "literal", "value": "上海怀化商会", "xml:lang": "zh"}
    assert to_csv(result).splitlines()[0] == "c,label"
    assert "上海怀化商会" in to_csv(result)
    tsv = to_tsv(result).splitlines()
    assert tsv[0] == "?c\t?label" and tsv[1].endswith('"上海怀化商会"@zh')
    ask = run_query(built.store, "ASK { ?c a zs:ChamberOfCommerce }")
    assert to_json(ask) == {"head": {}, "boolean": True}
    graph = run_query(built.store, "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?l }")
    assert graph.form == "construct" and len(graph.triples) == 8
    turtle = render(graph)
    parsed = list(ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert len(parsed) == 8
    with pytest.raises(QueryError, match="CONSTRUCT and DESCRIBE"):
        render(result, "ttl")
    describe = run_query(built.store, "DESCRIBE <https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi>")
    assert describe.form == "describe" and describe.triples


def test_params_are_bound_not_pasted(built: Paths) -> None:
    q = "SELECT ?c ?label WHERE { ?c rdfs:label ?label }"
    rows = run_query(built.store, q, bindings={"label": ox.Literal("北京辰溪商会", language="zh")}).rows
    assert [r["c"].value for r in rows] == ["https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi"]
    evil = ox.Literal('x" } } ; DELETE WHERE { ?s ?p ?o } ; SELECT * WHERE { { "')
    assert run_query(built.store, q, bindings={"label": evil}).rows == []
    assert run_query(built.store, "ASK { ?s ?p ?o }").boolean


def test_cli_query_from_argument_file_and_stdin(built: Paths, runner: CliRunner, tmp_path: Path) -> None:
    base = ["--store", str(built.store), "query"]
    out = runner.invoke(cli, [*base, CHAMBERS, "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "c,label"
    f = tmp_path / "q.rq"
    f.write_text(CHAMBERS, encoding="utf-8")
    out = runner.invoke(cli, [*base, "-f", str(f), "--format", "json", "--limit", "1"])
    assert out.exit_code == 0
    assert len(json.loads(out.stdout)["results"]["bindings"]) == 1
    assert "Only the first 1 rows" in out.stderr
    out = runner.invoke(cli, base, input=CHAMBERS)
    assert out.exit_code == 0 and "(4 rows)" in out.output
    out = runner.invoke(cli, [*base, "SELECT ?c ?l WHERE { ?c rdfs:label ?l }", "--param", 'l="浙江湖南商会"@zh'])
    assert "chamber-zhejiang-hunan" in out.output
    out = runner.invoke(cli, [*base, "SELECT * WHERE {\n ?s ?p }"])
    assert out.exit_code == 1 and "Error: SPARQL syntax error at line 2" in out.output


def test_cli_question_with_named_parameter(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store), "query", "--question", "projects_in_region"]
    out = runner.invoke(cli, [*base, "--param", "region=怀化市", "--format", "json"])
    assert out.exit_code == 0, out.output
    labels = {b["projectLabel"]["value"] for b in json.loads(out.output)["results"]["bindings"]}
    assert labels == {"湘中石油临港产业项目", "智慧市场临港产业项目"}
    out = runner.invoke(cli, base)
    assert out.exit_code == 1 and "needs --param region" in out.output
    out = runner.invoke(cli, [*base, "--param", "place=长沙"])
    assert out.exit_code == 1 and "no such parameter" in out.output
