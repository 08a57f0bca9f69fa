"""Benchmark of the graph view at 100, 1,000 and 2,000 nodes, against pyvis's defaults in the same run.

For each size: the time to extract the view from a store and render the page, the page's size, and the time
until the layout is stable in headless Chromium (Debian's /usr/bin/chromium): from navigation until node
positions stop moving (no node moves more than 0.5 px over 0.5 s). The baseline is pyvis 0.3.2 with its
default physics on the same nodes and edges; its CDN requests are refused, as they would fail offline.

Run: ``.venv/bin/python -m benchmarks.views [--sizes 100 1000 2000] [--cap 60]``
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kg.views.build import build_view
from kg.views.graphpage import render_graph, write_view

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
CLASSES = ["Enterprise", "InvestmentProject", "Government", "ChamberOfCommerce", "Practice", "Metric"]
STABLE = """async ([getter, cap]) => {
    const t0 = performance.timeOrigin; const start = performance.now();
    const get = () => getter === "kg" ? window.kgView.positions() : network.getPositions();
    let last = null, still = 0;
    while (performance.now() - start < cap * 1000) {
        const pos = get();
        if (last) {
            let moved = 0;
            for (const id in pos) {
                moved = Math.max(moved, Math.abs(pos[id].x - last[id].x) + Math.abs(pos[id].y - last[id].y));
            }
            still = moved < 0.5 ? still + 1 : 0;
            if (still >= 5) { return performance.now() - 500; }
        }
        last = pos;
        await new Promise(r => setTimeout(r, 100));
    }
    return null; }"""


def synthetic_store(n: int, seed: int = 1) -> ox.Store:
    """*n* entities of six classes, each with zh/en labels and a quoted sentence, and about 1.5 links each."""
    rng = random.Random(seed)
    lines = ["@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix prov: <http://www.w3.org/ns/prov#> . @prefix oa: <http://www.w3.org/ns/oa#> .",
             "@prefix b: <https://w3id.org/zhaoshang-kg/id/bench/> ."]
    for i in range(n):
        cls = CLASSES[i % len(CLASSES)]
        lines.append(f'b:e{i} a zs:{cls} ; rdfs:label "实体{i}"@zh, "entity {i}"@en ;'
                     f" prov:wasDerivedFrom b:s{i % 500} .")
        for j in rng.sample(range(n), k=min(n - 1, 1 + (i % 2))):
            if j != i:
                lines.append(f"b:e{i} zs:involves b:e{j} .")
    for s in range(min(n, 500)):
        lines.append(f"b:s{s} a zs:Sentence ; oa:hasSelector b:s{s}-sel .")
        lines.append(f'b:s{s}-sel oa:exact "第{s}句:某地签约项目{s}个。" .')
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
    store.load("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def pyvis_page(store: ox.Store, out: Path) -> tuple[float, int]:
    """The same graph with pyvis defaults (physics on, no positions); returns (seconds, bytes)."""
    from pyvis.network import Network

    t0 = time.perf_counter()
    view = build_view(store, max_nodes=10**6)
    net = Network(height="900px", width="100%", directed=True, cdn_resources="in_line")
    for node in view.nodes.values():
        net.add_node(node.id, label=node.label, title=node.label)
    for e in view.edges:
        net.add_edge(e.source, e.target, label=e.label)
    net.write_html(str(out))
    return time.perf_counter() - t0, out.stat().st_size


def time_to_stable(browser: Browser, path: Path, getter: str, cap: float) -> float | None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    url = path.resolve().as_uri()
    page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
    try:
        # pyvis stabilises inside the page's own script, blocking the page until it is done: allow for that.
        page.goto(url, timeout=int(cap * 1000))
        page.wait_for_function("() => typeof network !== 'undefined' || (window.kgView && window.kgView.ready)",
                               timeout=int(cap * 1000))
        result = page.evaluate(STABLE, [getter, cap])
    except PlaywrightTimeout:
        result = None
    finally:
        page.close()
    return None if result is None else float(result) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--cap", type=float, default=60.0, help="Give up waiting for a stable layout after this.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for n in args.sizes:
            store = synthetic_store(n)
            t0 = time.perf_counter()
            view = build_view(store, max_nodes=max(2000, n))
            page = render_graph(view)
            gen = time.perf_counter() - t0
            ours = write_view(page, Path(tmp) / f"kg-{n}.html")
            stable = time_to_stable(browser, ours, "kg", args.cap)
            base_gen, base_size = pyvis_page(store, Path(tmp) / f"pyvis-{n}.html")
            base_stable = time_to_stable(browser, Path(tmp) / f"pyvis-{n}.html", "pyvis", args.cap)
            rows.append((n, len(view.edges), gen, ours.stat().st_size, stable, base_gen, base_size, base_stable))
        browser.close()

    def secs(v: float | None) -> str:
        return f">{args.cap:.0f} s" if v is None else f"{v:.2f} s"

    print("| nodes | edges | kg viz: generate | size | stable in Chromium | pyvis default: generate | size | stable |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, e, gen, size, stable, bgen, bsize, bstable in rows:
        print(f"| {n} | {e} | {gen:.2f} s | {size / 1e6:.2f} MB | {secs(stable)} | {bgen:.2f} s | "
              f"{bsize / 1e6:.2f} MB | {secs(bstable)} |")


if __name__ == "__main__":
    main()
