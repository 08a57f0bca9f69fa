"""Both views in a real headless Chromium (Debian's, driven by Playwright; never a browser download).

For each view: no request leaves the file, no console error, the drawn nodes and edges match the graph,
hovering or clicking shows the source sentence, a filter hides what it should, and a hostile label stays
text. The screenshots land in docs/img/ for docs/views.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from playwright.sync_api import Browser, ConsoleMessage, Page, Request

from kg.views.build import build_view
from kg.views.graphpage import render_graph, write_view
from kg.views.mappage import build_map, map_page
from kg.views.model import via_edges
from kg.views.overview import build_overview
from kg.views.profile import build_profile, profile_page, render_profile
from tests.test_views import HOSTILE, PREFIXES, ROOT, hostile_turtle

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = ROOT / "docs" / "img"
#: How many elements of a kind the browser lays out (a box of some size): hidden layers have none.
SHOWN = """() => [...document.querySelectorAll('[data-kind=KIND]')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width + r.height > 0; }).length"""

if not CHROMIUM.exists():  # a clear failure, not a skip: CI installs it with scripts/system-deps.sh
    raise RuntimeError("tests/test_browser.py needs /usr/bin/chromium: run `bash scripts/system-deps.sh` as root.")


@dataclass
class Opened:
    """A page opened from a file, with everything it asked for and complained about."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        assert self.requests == [self.url], f"requests beyond the file: {self.requests}"
        assert self.errors == [], self.errors



def save_decisions(opened: Opened, folder: Path) -> Path:
    """Click the review page's *Save decisions*, keep the download as ``folder/decisions.json``, and check the
    page fetched nothing and logged no error."""
    with opened.page.expect_download() as dl:
        opened.page.locator("#kg-save").click()
    saved = folder / "decisions.json"
    dl.value.save_as(saved)
    opened.check_clean()
    return saved


def open_file(browser: Browser, path: Path, ready: str) -> Opened:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    opened = Opened(page=page, url=path.resolve().as_uri())

    def on_request(request: Request) -> None:
        opened.requests.append(request.url)

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type in ("error", "warning"):
            opened.errors.append(f"{msg.type}: {msg.text}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: opened.errors.append(f"pageerror: {exc}"))
    page.route("**/*", lambda route: route.continue_() if route.request.url == opened.url else route.abort())
    page.goto(opened.url)
    if ready == "document":
        page.wait_for_load_state("load")
    else:
        page.wait_for_function(f"window.{ready} && window.{ready}.ready", timeout=15000)
    return opened


# ---- the graph view ---------------------------------------------------------------------------------------

def test_graph_view_in_chromium(browser: Browser, store: ox.Store, tmp_path: Path) -> None:
    view = build_view(store)
    path = write_view(render_graph(view), tmp_path / "viz.html")
    o = open_file(browser, path, "kgView")
    page = o.page
    assert page.evaluate("window.kgView.counts()") == {"nodes": len(view.nodes), "edges": len(view.edges)}

    # hovering a chamber of commerce shows its tooltip with the source sentence
    chamber = next(n for n in view.nodes.values() if n.label == "北京辰溪商会")
    page.evaluate("id => window.kgView.network.focus(id, {scale: 1.5, animation: false})", chamber.id)
    xy = page.evaluate("id => window.kgView.screenPosition(id)", chamber.id)
    page.mouse.move(xy["x"], xy["y"])
    tip = page.locator("#kg-tip")
    tip.wait_for(state="visible", timeout=5000)
    assert "北京辰溪商会" in tip.inner_text() and chamber.quotes[0][:20] in tip.inner_text()

    # clicking it fills the details and highlights exactly its neighbourhood
    page.mouse.click(xy["x"], xy["y"])
    assert chamber.quotes[0][:20] in page.locator("#kg-details").inner_text()
    near = {e.target for e in view.edges if e.source == chamber.id} | {
        e.source for e in view.edges if e.target == chamber.id} | {chamber.id}
    assert set(page.evaluate("window.kgView.neighbourhood")) == near

    # the class filter hides exactly that class and its edges, and links what stays through what it hid
    enterprises = {n.id for n in view.nodes.values() if n.cls.endswith("#Enterprise")}
    page.locator('input[data-cls="zs:Enterprise"]').uncheck()
    left = [e for e in view.edges if e.source not in enterprises and e.target not in enterprises]
    via = via_edges(view, set(view.nodes) - enterprises, enterprises)
    assert via and page.evaluate("window.kgView.viaCount") == len(via)
    assert page.evaluate("window.kgView.counts()") == {"nodes": len(view.nodes) - len(enterprises),
                                                       "edges": len(left) + len(via)}
    page.locator('input[data-cls="zs:Enterprise"]').check()
    assert page.evaluate("window.kgView.counts()")["edges"] == len(view.edges)

    # the region filter keeps the nodes of one region
    huaihua = next(i for i, lb in view.regions.items() if lb == "怀化市")
    page.locator("#kg-region").select_option(label="怀化市")
    assert page.evaluate("window.kgView.counts()")["nodes"] == sum(
        1 for n in view.nodes.values() if huaihua in n.regions)
    page.locator("#kg-region").select_option(value="")

    # the year slider: up to 2023 shows the undated nodes and those dated 2023 or before
    page.evaluate("window.kgView.setYear(2023)")
    assert page.evaluate("window.kgView.counts()")["nodes"] == sum(
        1 for i in view.nodes if i not in view.years or view.years[i][0] <= 2023) < len(view.nodes)
    page.evaluate("window.kgView.setYear(null)")
    assert page.evaluate("window.kgView.counts()")["nodes"] == len(view.nodes)

    # the search box finds by alias and lists the match
    page.locator("#kg-search").fill("长沙驻深圳招引专班")
    page.locator("#kg-search").press("Enter")
    assert "长沙市政府驻深圳招引工作专班" in page.locator("#kg-results").inner_text()

    page.locator("#kg-search").fill("")
    page.mouse.click(700, 880)
    page.evaluate("window.kgView.network.fit({animation: false})")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, 1)
    page.screenshot(path=str(SHOTS / "viz.png"))
    o.check_clean()
    page.close()


def overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    """Pairs of on-screen boxes (node and label) that overlap."""
    return [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def test_overview_in_chromium(browser: Browser, store: ox.Store, tmp_path: Path) -> None:
    view = build_overview(store)
    path = write_view(render_graph(view), tmp_path / "overview.html")
    o = open_file(browser, path, "kgView")
    page = o.page
    assert page.evaluate("window.kgView.counts()") == {"nodes": len(view.nodes), "edges": len(view.edges)}
    boxes = page.evaluate("window.kgView.boxes()")
    assert len(boxes) == len(view.nodes) and overlapping(boxes) == []
    # the legend's swatches are the shapes drawn, class by class, and name every class in Chinese
    drawn = page.evaluate("window.kgView.drawnShapes()")
    legend = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#kg-legend li')].map(li =>
        [li.querySelector('input').dataset.cls, li.querySelector('svg').dataset.shape]))""")
    assert legend == drawn and len(legend) == len(view.classes)
    names = page.locator("#kg-legend").inner_text()
    assert "商会" in names and "工作专班" in names and ":" not in names
    page.mouse.move(1, 1)
    page.screenshot(path=str(SHOTS / "overview.png"))
    o.check_clean()
    page.close()


def region_network_turtle(regions: int = 150, chambers: int = 150) -> str:
    """A made-up region network: provinces, cities in them, and chambers of commerce between cities."""
    lines = [PREFIXES]
    for p in range(regions // 5):
        lines.append(f't:p{p} a zs:ProvinceLevelDivision ; rdfs:label "省份{p}号"@zh ; zs:adminCode "9{p:02d}000" .')
    for c in range(regions - regions // 5):
        lines.append(f't:c{c} a zs:PrefectureLevelDivision ; rdfs:label "城市{c}号"@zh ; zs:adminCode "9{c:05d}" ; '
                     f"schema:containedInPlace t:p{c % (regions // 5)} .")
    cities = regions - regions // 5
    for k in range(chambers):
        host, origin = (k * 7) % cities, (k * 13 + 5) % cities
        lines.append(f't:ch{k} a zs:ChamberOfCommerce ; rdfs:label "城市{host}号城市{origin}号商会"@zh ; '
                     f"zs:hostRegion t:c{host} ; zs:originRegion t:c{origin} .")
    return "\n".join(lines)


def test_overview_of_300_nodes_has_no_overlapping_labels(browser: Browser, tmp_path: Path) -> None:
    s = ox.Store()
    s.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    s.load(region_network_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    view = build_overview(s)
    assert 280 <= len(view.nodes) <= 300
    o = open_file(browser, write_view(render_graph(view), tmp_path / "big.html"), "kgView")
    boxes = o.page.evaluate("window.kgView.boxes()")
    assert len(boxes) == len(view.nodes) and overlapping(boxes) == []
    o.check_clean()
    o.page.close()


# ---- the map ----------------------------------------------------------------------------------------------

def test_map_view_in_chromium(browser: Browser, store: ox.Store, tmp_path: Path) -> None:
    model = build_map(store)
    path = write_view(map_page(store), tmp_path / "map.html")
    o = open_file(browser, path, "kgMap")
    page = o.page
    drawn = page.evaluate("""() => ({
        places: document.querySelectorAll('[data-kind=place]').length,
        chamber: document.querySelectorAll('[data-kind=chamber]').length,
        taskforce: document.querySelectorAll('[data-kind=taskforce]').length,
        projects: document.querySelectorAll('[data-kind=project]').length })""")
    assert drawn == {"places": len(model.places), "chamber": sum(lk.kind == "chamber" for lk in model.links),
                     "taskforce": sum(lk.kind == "taskforce" for lk in model.links), "projects": len(model.projects)}

    # hovering a project shows the sentence it comes from
    i, project = next((i, p) for i, p in enumerate(model.projects) if p.node.quotes and p.node.amount)
    page.locator(f'[data-kind=project][data-i="{i}"]').hover(force=True)
    tip = page.locator("#kg-tip")
    tip.wait_for(state="visible", timeout=5000)
    assert project.node.label in tip.inner_text() and project.node.quotes[0][:20] in tip.inner_text()

    # clicking a chamber's link shows host → origin and its sentence
    j, link = next((j, lk) for j, lk in enumerate(model.links) if lk.kind == "chamber")
    box = page.evaluate(f"""() => {{
        const p = document.querySelector('[data-hit=chamber][data-i="{j}"]');
        const pt = p.getPointAtLength(p.getTotalLength() / 2).matrixTransform(p.getScreenCTM());
        return {{x: pt.x, y: pt.y}}; }}""")
    page.mouse.click(box["x"], box["y"])
    details = page.locator("#kg-details").inner_text()
    assert link.node.label in details and model.places[link.source].node.label in details
    assert link.node.quotes[0][:20] in details

    # unticking a layer hides every link of that kind, and nothing else
    page.locator('input[data-layer="chamber"]').uncheck()
    visible = page.evaluate(SHOWN.replace("KIND", "chamber"))
    assert visible == 0
    assert page.evaluate(SHOWN.replace("KIND", "taskforce")) == drawn["taskforce"]
    page.locator('input[data-layer="chamber"]').check()

    # the year slider hides the links and projects dated after the year chosen
    slider = page.locator("#kg-year")
    assert page.locator("#kg-year-box").is_visible()
    slider.evaluate("(s, y) => { s.value = String(y); s.dispatchEvent(new Event('input')); }", 2023)
    later = {lk.node.id for lk in model.links if model.years.get(lk.node.id, (0, 0))[0] > 2023}
    shown_links = page.evaluate(SHOWN.replace("KIND", "chamber")) + page.evaluate(SHOWN.replace("KIND", "taskforce"))
    assert shown_links == sum(1 for lk in model.links if lk.node.id not in later)
    assert page.evaluate(SHOWN.replace("KIND", "project")) == sum(
        1 for p in model.projects if model.years.get(p.node.id, (0, 0))[0] <= 2023)
    slider.evaluate("s => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    assert page.evaluate(SHOWN.replace("KIND", "project")) == len(model.projects)

    # outlines: every province-level region the store holds, shaded; no two shown labels overlap
    assert page.evaluate("document.querySelectorAll('[data-kind=outline][data-level=\"0\"]').length") == sum(
        1 for x in model.outlines if x["level"] == 0) > 0
    labels = page.evaluate("""() => [...document.querySelectorAll('[data-label]')]
        .filter(t => t.style.display !== 'none').map(t => { const r = t.getBoundingClientRect();
            return {id: t.dataset.label, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; })""")
    assert len(labels) >= 10 and overlapping(labels) == []
    page.mouse.click(1390, 890)
    page.mouse.move(1, 1)
    page.screenshot(path=str(SHOTS / "map.png"))
    o.check_clean()
    page.close()

    # without outlines (the fallback): the graticule, and the same points
    o = open_file(browser, write_view(map_page(store, outlines=False), tmp_path / "plain.html"), "kgMap")
    assert o.page.evaluate("document.querySelectorAll('[data-kind=outline]').length") == 0
    assert o.page.evaluate("document.querySelectorAll('.kg-grat').length") > 4
    assert o.page.evaluate("document.querySelectorAll('[data-kind=place]').length") == len(model.places)
    o.check_clean()
    o.page.close()


# ---- a region's profile -----------------------------------------------------------------------------------

def test_profile_in_chromium(browser: Browser, store: ox.Store, tmp_path: Path) -> None:
    profile = build_profile(store, "辰溪县")
    path = write_view(render_profile(profile, store), tmp_path / "chenxi.html")
    o = open_file(browser, path, "document")  # a static page: ready once loaded
    page = o.page
    assert page.locator("h1").inner_text() == "辰溪县 招商画像"
    assert page.locator("svg.kg-smallmap path[data-outline=region]").count() == 1
    assert page.locator("svg.kg-chart rect[data-bar]").count() >= len(profile.figures)
    # a citation leads to its sentence on the same page, with no request
    first = page.locator("a.kg-ref").first
    target = first.get_attribute("href") or ""
    first.click()
    assert page.evaluate("location.hash") == target and page.locator(target).is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "profile.png"))
    o.check_clean()
    page.close()


# ---- hostile labels ---------------------------------------------------------------------------------------

def test_hostile_labels_stay_text_in_both_views(browser: Browser, tmp_path: Path) -> None:
    hostile = ox.Store()
    hostile.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    hostile.load(hostile_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    view = build_view(hostile)
    write_view(render_graph(view), tmp_path / "viz.html")
    write_view(map_page(hostile), tmp_path / "map.html")

    o = open_file(browser, tmp_path / "viz.html", "kgView")
    page = o.page
    for node in view.nodes.values():  # hover and click every node; open every card
        xy = page.evaluate("id => window.kgView.screenPosition(id)", node.id)
        page.mouse.move(xy["x"], xy["y"])
        page.mouse.click(xy["x"], xy["y"])
    page.locator("#kg-search").fill("<img")
    page.locator("#kg-search").press("Enter")
    page.locator("#kg-region").select_option(index=1)
    text = page.locator("body").inner_text()
    assert HOSTILE[0] in text  # shown as the text it is
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#kg-details img, #kg-tip img, #kg-results img, a[href^=javascript]").count() == 0
    o.check_clean()
    page.close()

    o = open_file(browser, tmp_path / "map.html", "kgMap")
    page = o.page
    for sel in ["[data-kind=place]", "[data-hit]", "[data-kind=project]"]:
        for k in range(page.locator(sel).count()):
            page.locator(sel).nth(k).click(force=True)
    page.locator("#kg-search").fill("<img")
    assert HOSTILE[1] in page.locator("body").inner_text() or HOSTILE[0] in page.locator("body").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, a[href^=javascript]").count() == 0
    o.check_clean()
    page.close()

    write_view(profile_page(hostile, "430100"), tmp_path / "profile.html")
    o = open_file(browser, tmp_path / "profile.html", "document")
    assert HOSTILE[0] in o.page.locator("body").inner_text()
    assert o.page.evaluate("window.__pwned") is None
    assert o.page.locator("img, script, a[href^=javascript]").count() == 0
    o.check_clean()
    o.page.close()
