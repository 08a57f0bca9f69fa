"""kg serve: a read-only SPARQL endpoint on loopback, with the guard, limits, a query page and the views."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kg.paths import Paths, make_paths
from kg.serve import KGServer, ServeOptions, make_server


@pytest.fixture(scope="module")
def server(built: Paths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KGServer]:
    project = tmp_path_factory.mktemp("served")
    (project / "out").mkdir()
    (project / "out" / "graph.html").write_text("<!DOCTYPE html><p>图</p>", encoding="utf-8")
    (project / "secret.txt").write_text("no", encoding="utf-8")
    paths = make_paths(built.project, built.store)
    paths = Paths(project=paths.project, store=paths.store)
    srv = make_server(paths, ServeOptions(port=0, limit=5, timeout=20, workers=2))
    # views come from the scratch project's out/ folder
    srv.paths = Paths(project=project, store=paths.store)
    (project / "queries").symlink_to(built.queries)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(srv: KGServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    port = srv.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    hdrs = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a zs:ChamberOfCommerce }"


def test_get_json_and_csv(server: KGServer) -> None:
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert n >= 4
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}),
                                    headers={"Accept": "text/csv"})
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.decode().split("\r\n")[:2] == ["n", str(n)]


def test_post_form_and_sparql_query_and_ask(server: KGServer) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?c a zs:ChamberOfCommerce }"}).encode()
    status, _, body = request(server, "POST", "/sparql", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = request(server, "POST", "/sparql", COUNT.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and "bindings" in json.loads(body)["results"]


def test_row_limit_is_flagged(server: KGServer) -> None:
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 5
    assert headers["x-kg-truncated"] == "true; limit=5"


def test_construct_as_turtle(server: KGServer) -> None:
    q = "CONSTRUCT { ?c a zs:ChamberOfCommerce } WHERE { ?c a zs:ChamberOfCommerce }"
    status, headers, body = request(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                                    headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"ChamberOfCommerce" in body


@pytest.mark.parametrize(
    ("body", "ctype", "status", "says"),
    [
        (b"update=INSERT+DATA+%7B%3Curn%3Aa%3E+%3Curn%3Ab%3E+1%7D", "application/x-www-form-urlencoded", 403,
         "read-only"),
        (b"INSERT DATA { <urn:a> <urn:b> 1 }", "application/sparql-update", 403, "read-only"),
        (b"DELETE WHERE { ?s ?p ?o }", "application/sparql-query", 400, "not allowed"),
        (b"SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "application/sparql-query", 400,
         "SERVICE"),
        (b"SELECT * WHERE { ?s ?p }", "application/sparql-query", 400, "syntax"),
    ],
)
def test_refused_queries(server: KGServer, body: bytes, ctype: str, status: int, says: str) -> None:
    got, _, text = request(server, "POST", "/sparql", body, {"Content-Type": ctype})
    assert got == status and says in text.decode()


def test_no_graph_store_writes(server: KGServer) -> None:
    status, _, _ = request(server, "PUT", "/sparql?default", b"<urn:a> <urn:b> <urn:c> .",
                           {"Content-Type": "application/n-triples"})
    assert status == 405


def test_timeout_is_enforced(server: KGServer, built: Paths) -> None:
    srv = make_server(make_paths(built.project, built.store), ServeOptions(port=0, timeout=0.5, workers=1))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
        status, _, text = request(srv, "GET", "/sparql?" + urllib.parse.urlencode({"query": slow}))
        assert status == 503 and "0.5 s" in text.decode()
    finally:
        srv.shutdown()
        srv.server_close()


def test_foreign_host_and_cross_origin_are_refused(server: KGServer) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": COUNT})
    status, _, text = request(server, "GET", path, headers={"Host": "evil.example:80"})
    assert status == 403 and "not this server" in text.decode()
    port = server.server_address[1]
    status, _, _ = request(server, "GET", path, headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = request(server, "GET", path, headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, _, _ = request(server, "GET", path, headers={"Origin": f"http://localhost:{port}",
                                                         "Host": f"localhost:{port}"})
    assert status == 200
    status, headers, _ = request(server, "OPTIONS", "/sparql")
    assert status == 405 and "access-control-allow-origin" not in headers


def test_query_page_is_offline_and_escaped(server: KGServer) -> None:
    status, headers, body = request(server, "GET", "/")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'src="http' not in page and 'href="http' not in page and "<script src" not in page
    assert "cdn" not in page.lower() and "<link" not in page
    assert "script-src 'sha256-" in headers["content-security-policy"]
    assert "chambers_linking_regions" in page


def test_views_are_served_and_paths_cannot_escape(server: KGServer) -> None:
    status, _, body = request(server, "GET", "/views/")
    assert status == 200 and b"graph.html" in body
    status, headers, body = request(server, "GET", "/views/graph.html")
    assert status == 200 and "图" in body.decode() and "sandbox" in headers["content-security-policy"]
    for bad in ("/views/../secret.txt", "/views/%2e%2e%2fsecret.txt", "/views/secret.txt", "/views/nope.html"):
        status, _, _ = request(server, "GET", bad)
        assert status == 404, bad


def test_fifty_concurrent_clients(server: KGServer) -> None:
    queries = [COUNT, "ASK { ?s ?p ?o }", "SELECT ?s WHERE { ?s a zs:ChamberOfCommerce } LIMIT 2"]

    def one(i: int) -> int:
        q = urllib.parse.urlencode({"query": queries[i % 3]})
        status, _, body = request(server, "GET", f"/sparql?{q}")
        json.loads(body)
        return status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    assert statuses == [200] * 50


def test_serve_needs_a_store(tmp_path: Path) -> None:
    from kg.errors import StoreError

    with pytest.raises(StoreError, match="kg build"):
        make_server(make_paths(tmp_path, tmp_path / "none"), ServeOptions(port=0))


def test_a_repeated_query_is_answered_from_the_kept_answer(server: KGServer) -> None:
    query = "SELECT ?c ?l WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?l } ORDER BY ?c ?l"
    url = "/sparql?" + urllib.parse.urlencode({"query": query})
    status, first_headers, first = request(server, "GET", url)
    assert status == 200 and "x-kg-cached" not in first_headers
    status, headers, again = request(server, "GET", url)
    assert status == 200 and headers.get("x-kg-cached") == "true"
    assert json.loads(again) == json.loads(first)
    assert headers.get("x-kg-truncated") == first_headers.get("x-kg-truncated")
