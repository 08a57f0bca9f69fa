"""Fast tests of the views without a browser: extraction, escaping, atomic and confined writes, the node cap."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import AmbiguousEntity, InputError, OutputError, UnknownEntity, ViewTooLarge
from kg.paths import Paths
from kg.views.build import build_view
from kg.views.graphpage import HTMLView, graph_page, json_for_script, layout, render_graph, write_view
from kg.views.mappage import build_map, map_page, parse_point
from kg.views.model import extract, narrow

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    '</script><script>window.__pwned=2</script>',
    'see <a href="javascript:window.__pwned=3">here</a> & more',
]

PREFIXES = """
@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <https://w3id.org/zhaoshang-kg/id/test/> .
"""


def hostile_turtle() -> str:
    """A small graph whose labels, facts and quote carry script payloads."""
    a, b, c = (json.dumps(s, ensure_ascii=False) for s in HOSTILE)
    return PREFIXES + f"""
t:s1 a zs:Sentence ; oa:hasSelector t:s1-sel ; zs:sentenceIndex 1 .
t:s1-sel oa:exact {c} .
t:home a zs:PrefectureLevelDivision ; rdfs:label {a}@zh, "Home"@en ; zs:adminCode "430100" ;
    geo:hasCentroid t:home-c .
t:home-c geo:asWKT "POINT(112.94 28.23)"^^geo:wktLiteral .
t:away a zs:ProvinceLevelDivision ; rdfs:label {b}@zh, "Away"@en ; zs:adminCode "110000" ;
    geo:hasCentroid t:away-c .
t:away-c geo:asWKT "POINT(116.40 39.90)"^^geo:wktLiteral .
t:gov a zs:Government ; rdfs:label {a}@zh ; zs:governs t:home ; prov:wasDerivedFrom t:s1 .
t:tf a zs:TaskForce ; rdfs:label {b}@zh ; org:unitOf t:gov ; zs:stationedIn t:away ; prov:wasDerivedFrom t:s1 .
t:ch a zs:ChamberOfCommerce ; rdfs:label {c}@zh ; zs:hostRegion t:away ; zs:originRegion t:home ;
    prov:wasDerivedFrom t:s1 .
t:p a zs:InvestmentProject ; rdfs:label {a}@zh ; schema:location t:home ; zs:investment t:m ;
    schema:description {b}@zh ; prov:wasDerivedFrom t:s1 .
t:m a schema:MonetaryAmount ; schema:value "5000000000"^^xsd:decimal ; zs:surfaceForm {c}@zh .
"""


@pytest.fixture(scope="module")
def hostile_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    store.load(hostile_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def synthetic_store(n: int) -> ox.Store:
    """*n* enterprises in a ring, each with a label and a link to the next."""
    lines = [PREFIXES]
    for i in range(n):
        lines.append(f't:e{i} a zs:Enterprise ; rdfs:label "企业{i}"@zh ; zs:worksWith t:e{(i + 1) % n} .')
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    store.load("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def scripts_and_data(page: str) -> tuple[str, str]:
    """The page without its inline scripts, and the JSON data block."""
    data = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert data is not None
    outside = re.sub(r"<script\b[^>]*>.*?</script>", "", page, flags=re.S)
    return outside, data.group(1)


# ---- extraction -------------------------------------------------------------------------------------------

def test_real_graph_has_entities_edges_quotes_and_relation_labels(store: ox.Store) -> None:
    view = build_view(store)
    classes = {c.rsplit("#", 1)[-1] for c in view.classes}
    assert {"ChamberOfCommerce", "TaskForce", "InvestmentProject", "Government"} <= classes
    assert "Sentence" not in classes and "Period" not in classes  # attributes, not nodes
    assert all(not n.id.endswith("-selector") for n in view.nodes.values())
    labels = {e.label for e in view.edges}
    assert {"所在地区", "籍贯地区", "驻点城市"} <= labels  # rdfs:label of the ontology's properties
    assert sum(1 for n in view.nodes.values() if n.quotes) > len(view.nodes) / 3
    projects = [n for n in view.nodes.values() if n.cls.endswith("#InvestmentProject") and n.amount]
    assert projects and all(any("亿" in v for _, v in n.facts) for n in projects)


def test_focus_hops_classes_and_language(store: ox.Store) -> None:
    whole = extract(store)
    one = narrow(whole, focus="长沙市", hops=1)
    assert one.focus is not None and whole.nodes[one.focus].label == "长沙市"
    two = narrow(whole, focus="长沙市", hops=2)
    assert len(whole.nodes) > len(two.nodes) > len(one.nodes) > 1
    only = narrow(whole, classes=["zs:Enterprise", "商会"])
    assert {n.cls.rsplit("#", 1)[-1] for n in only.nodes.values()} == {"Enterprise", "ChamberOfCommerce"}
    en = build_view(store, focus="Changsha", hops=0, lang="en")
    assert [n.label for n in en.nodes.values()] == ["Changsha"]


def test_unknown_or_ambiguous_focus_and_unknown_class_say_what_to_do(store: ox.Store) -> None:
    whole = extract(store)
    with pytest.raises(UnknownEntity, match="Similar names"):
        narrow(whole, focus="长沙市市市")
    whole.nodes["https://w3id.org/zhaoshang-kg/id/test/twin"] = whole.nodes[narrow(whole, focus="长沙市").focus or ""]
    with pytest.raises(AmbiguousEntity, match="Pass the IRI"):
        narrow(whole, focus="长沙市")
    with pytest.raises(InputError, match="Known classes"):
        narrow(extract(store), classes=["zs:Unicorn"])


def test_node_cap_refuses_with_a_way_to_narrow() -> None:
    store = synthetic_store(30)
    with pytest.raises(ViewTooLarge) as err:
        build_view(store, max_nodes=29)
    assert "--focus" in str(err.value) and "--class" in str(err.value) and "--max-nodes" in str(err.value)
    assert len(build_view(store, max_nodes=30).nodes) == 30
    assert len(build_view(store, focus="企业0", hops=2, max_nodes=5).nodes) == 5


def test_layout_is_deterministic_and_spread() -> None:
    nodes = [f"n{i}" for i in range(50)]
    edges = [(f"n{i}", f"n{(i + 1) % 50}") for i in range(50)]
    first, second = layout(nodes, edges), layout(nodes, edges)
    assert first == second
    assert len(set(first.values())) == 50


# ---- escaping ---------------------------------------------------------------------------------------------

def test_json_for_script_cannot_close_the_script() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


@pytest.mark.parametrize("kind", ["graph", "map"])
def test_hostile_labels_never_reach_the_page_as_markup(hostile_store: ox.Store, kind: str) -> None:
    page = graph_page(hostile_store) if kind == "graph" else map_page(hostile_store)
    outside, data = scripts_and_data(page)
    for payload in HOSTILE:
        assert payload not in page
        assert "__pwned" not in outside
    assert "<img" not in page and "javascript:" not in outside
    assert "innerHTML" not in page.split('id="kg-data"')[1]  # the page's own scripts never use it
    strings: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(json.loads(data))
    assert HOSTILE[0] in strings and HOSTILE[2] in strings  # the text itself is kept, as data
    assert page.count("</script>") == page.count("<script")


def test_hostile_title_is_escaped(hostile_store: ox.Store) -> None:
    view = build_view(hostile_store, focus="Home", hops=1, lang="en")
    page = render_graph(view)
    assert "<title>Home · 1 hop</title>" in page
    view.title = HOSTILE[1]
    page = render_graph(view)
    assert html.escape(HOSTILE[1]) in page and HOSTILE[1] not in page


def test_pages_are_self_contained(store: ox.Store) -> None:
    for page in (graph_page(store), map_page(store)):
        head = page[:2000]
        assert '<meta charset="utf-8">' in head
        assert "Content-Security-Policy" in head and "default-src 'none'" in head
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page)
        assert not re.search(r"https?://(cdn|unpkg|cdnjs|cdn\.jsdelivr)", page)


def test_jupyter_view_embeds_the_page_in_a_sandboxed_srcdoc(hostile_store: ox.Store) -> None:
    view = HTMLView(graph_page(hostile_store))
    shown = view._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and 'sandbox="allow-scripts"' in shown
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', shown)
    assert srcdoc is not None and html.unescape(srcdoc.group(1)) == view.html


# ---- files ------------------------------------------------------------------------------------------------

def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "v.html"
    out.write_text("old", encoding="utf-8")
    import os

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="disk full"):  # a clear error naming the file, not a traceback
        write_view("<p>new</p>", out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"]
    monkeypatch.undo()
    write_view("<p>new</p>", out)
    assert out.read_text(encoding="utf-8") == "<p>new</p>"


def test_refuses_to_write_outside_the_chosen_folder(tmp_path: Path) -> None:
    inside = tmp_path / "out"
    inside.mkdir()
    with pytest.raises(InputError, match=r"'\.\.'"):
        write_view("x", inside / ".." / "escape.html")
    with pytest.raises(InputError, match="outside the folder"):
        write_view("x", tmp_path / "escape.html", root=inside)
    (inside / "link").symlink_to(tmp_path)
    with pytest.raises(InputError, match="outside the folder"):
        write_view("x", inside / "link" / "escape.html", root=inside)
    with pytest.raises(InputError, match="is a folder"):
        write_view("x", inside / "link")
    with pytest.raises(InputError, match="no such folder"):
        write_view("x", inside / "missing" / "v.html")
    assert not (tmp_path / "escape.html").exists()
    assert write_view("x", Path("v.html"), root=inside) == (inside / "v.html").resolve()


def test_cli_writes_both_views_and_reports_errors(built: Paths, tmp_path: Path, runner: CliRunner) -> None:
    base = ["--project", str(built.project), "--store", str(built.store)]
    out = tmp_path / "g.html"
    result = runner.invoke(cli, [*base, "viz", "-o", str(out), "--focus", "辰溪县", "--hops", "2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "Chenxi County" in out.read_text(encoding="utf-8")
    result = runner.invoke(cli, [*base, "map", "-o", str(tmp_path / "m.html")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, [*base, "viz", "-o", str(tmp_path / "x.html"), "--all", "--max-nodes", "5"])
    assert result.exit_code == 1 and result.output.startswith("Error: The view would draw")
    result = runner.invoke(cli, [*base, "viz", "-o", str(tmp_path / "sub" / ".." / "x.html")])
    assert result.exit_code == 1 and "Error:" in result.output and not (tmp_path / "x.html").exists()


# ---- map model --------------------------------------------------------------------------------------------

def test_parse_point() -> None:
    assert parse_point("POINT(112.94 28.23)") == (112.94, 28.23)
    assert parse_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(-1 2.5)") == (-1.0, 2.5)
    assert parse_point("POINT(200 10)") is None and parse_point("LINESTRING(1 2, 3 4)") is None


def test_map_links_chambers_task_forces_and_projects(store: ox.Store) -> None:
    model = build_map(store)
    label = {i: p.node.label for i, p in model.places.items()}
    chambers = {(lk.node.label, label[lk.source], label[lk.target]) for lk in model.links if lk.kind == "chamber"}
    assert ("北京辰溪商会", "北京市", "辰溪县") in chambers
    forces = {(label[lk.source], label[lk.target]) for lk in model.links if lk.kind == "taskforce"}
    assert ("长沙市", "深圳市") in forces
    assert model.projects and any(p.node.amount for p in model.projects)
    assert all(p.place in model.places for p in model.projects)


def test_main_job_writes_both_views(store: ox.Store, tmp_path: Path) -> None:
    from kg.pipeline import write_views

    written, note = write_views(store, tmp_path / "out")
    assert [p.name for p in written] == ["viz.html", "map.html"] and note == ""
    assert all(p.parent == (tmp_path / "out").resolve() and p.stat().st_size > 10_000 for p in written)
