"""The kg serve page for readers: the ask box, catalogue questions with parameter fields, downloads, and the
profile and focused-view pages made on request; over HTTP and in a real headless Chromium (loopback only)."""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from kg.paths import Paths
from kg.serve import KGServer, ServeOptions, make_server
from tests.test_browser import ARGS, CHROMIUM
from tests.test_serve import request


@pytest.fixture(scope="module")
def server(built: Paths) -> Iterator[KGServer]:
    srv = make_server(Paths(project=built.project, store=built.store),
                      ServeOptions(port=0, limit=50, timeout=20, workers=2))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_ask_answers_as_json_and_csv(server: KGServer) -> None:
    q = urllib.parse.quote("projects in Huaihua")
    status, headers, body = request(server, "GET", f"/ask?q={q}")
    answer = json.loads(body)
    assert status == 200 and answer["status"] == "answered" and answer["params"]["region"]["label"] == "怀化市"
    assert "Question:" in answer["text"] and answer["answer"]["results"]["bindings"]
    status, headers, body = request(server, "GET", f"/ask?q={q}&format=csv")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert status == 200 and headers["content-type"].startswith("text/csv") and len(rows) == answer["rows"] + 1
    assert request(server, "GET", "/ask?q=")[0] == 400
    assert request(server, "GET", f"/ask?q={q}&format=xml")[0] == 400


def test_catalogue_question_with_parameters_downloads(server: KGServer) -> None:
    base = "/question?name=projects_in_region&param=" + urllib.parse.quote("region=长沙市")
    status, headers, body = request(server, "GET", base + "&format=json")
    data = json.loads(body)
    assert status == 200 and len(data["results"]["bindings"]) >= 9
    status, headers, body = request(server, "GET", base + "&format=csv&download=1")
    assert status == 200 and headers["content-disposition"] == 'attachment; filename="projects_in_region.csv"'
    assert "玉湖冷链" in body.decode()
    status, _, body = request(server, "GET", "/question?name=projects_in_region&param="
                              + urllib.parse.quote("region=nowhere-at-all"))
    assert status in (400, 404) and body


def test_profile_and_focus_pages_on_request(server: KGServer) -> None:
    status, headers, body = request(server, "GET", "/profile/" + urllib.parse.quote("辰溪县"))
    assert status == 200 and "辰溪县 招商画像" in body.decode() and "sandbox" in headers["content-security-policy"]
    iri = urllib.parse.quote("https://w3id.org/zhaoshang-kg/id/region/431223", safe="")
    assert request(server, "GET", f"/profile/{iri}")[0] == 200
    status, _, body = request(server, "GET", "/profile/" + urllib.parse.quote("辰西县"))
    assert status == 404 and "辰溪县" in body.decode()
    status, headers, body = request(server, "GET", "/focus?entity=" + urllib.parse.quote("北京辰溪商会"))
    assert status == 200 and "北京辰溪商会" in body.decode() and "sandbox" in headers["content-security-policy"]
    assert request(server, "GET", "/focus?entity=" + urllib.parse.quote("<script>"))[0] == 404


def test_page_in_chromium_asks_runs_questions_and_links_results(server: KGServer) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        foreign: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(url) else None)
        page.goto(url)
        page.fill("#ask", "哪些商会把哪些地方联系在一起")
        page.click("#askform button")
        page.wait_for_selector("#askout table")
        assert "北京辰溪商会" in page.inner_text("#askout")
        assert page.locator("#askdl a[data-format=csv]").count() == 1
        # a catalogue question with a parameter: its field, its answer, its downloads, links to a profile
        page.select_option("#pick", "projects_in_region")
        page.fill("#fields input[data-param=region]", "辰溪县")
        page.click("#form button")
        page.wait_for_selector("#out table")
        assert "湘中石油" in page.inner_text("#out")
        href = page.get_attribute("#dl a[data-format=csv]", "href") or ""
        assert href.startswith("question?") and "format=csv" in href
        page.select_option("#pick", "")
        page.fill("#q", "SELECT ?r WHERE { ?r zs:adminCode \"431223\" }")
        page.click("#form button")
        page.wait_for_selector("#out a[href^=profile]")
        page.click("#out a[href^=profile]")
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == "辰溪县 招商画像"
        assert errors == [] and foreign == []
        browser.close()
