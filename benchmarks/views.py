"""Benchmark of the graph view at 100, 1,000 and 2,000 nodes, against pyvis's defaults in the same run.

For each size: the time to extract the view from a store and render the page, the page's size, and the time
until the layout is stable in headless Chromium (Debian's /usr/bin/chromium): from navigation until node
positions stop moving (no node moves more than 0.5 px over 0.5 s). The baseline is pyvis 0.3.2 with its
default physics on the same nodes and edges; its CDN requests are refused, as they would fail offline.

Run: ``.venv/bin/python -m benchmarks.views [--sizes 100 1000 2000] [--cap 60]``

``--targets [PROJECT]`` instead checks the views' targets: the region network and the map of the founding
article ready in Chromium (from navigation to the page's own "ready", the median of five loads; target < 1 s),
and the profile of the busiest region of a built project (*PROJECT*, e.g. a 1M-statement corpus from
``benchmarks.synth``) read, rendered and written (the median of three; target < 2 s). The baseline in the same
run: the whole entity graph (``kg viz --all``) and the graticule map of the founding article, and reading the
regions and their containment alone, the part every profile shares.
"""

from __future__ import annotations

import argparse
import random
import statistics
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


def time_to_ready(browser: Browser, path: Path, ready: str, runs: int = 5) -> float:
    """Median seconds from navigation to the page's ``window.<ready>.readyMs`` over *runs* fresh loads."""
    times = []
    url = path.resolve().as_uri()
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        page.goto(url)
        page.wait_for_function(f"window.{ready} && window.{ready}.ready", timeout=30000)
        times.append(float(page.evaluate(f"window.{ready}.readyMs")) / 1000)
        page.close()
    return statistics.median(times)


def targets(project: Path | None) -> None:
    """The views' targets: overview and map ready in Chromium, the busiest region's profile written."""
    from kg.backend import build
    from kg.paths import make_paths
    from kg.query.catalogue import select
    from kg.store.generations import open_store
    from kg.views.graphpage import graph_page
    from kg.views.mappage import map_page
    from kg.views.profile import ROLES, build_profile, render_profile
    from kg.views.regions import _values, read_places

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        paths = make_paths(ROOT, folder / "store")
        build(paths)
        store = open_store(paths.store)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, make, ready in (("region network (kg viz)", lambda: graph_page(store), "kgView"),
                                  ("every entity (kg viz --all)", lambda: graph_page(store, whole=True), "kgView"),
                                  ("map with outlines (kg map)", lambda: map_page(store), "kgMap"),
                                  ("map, graticule only", lambda: map_page(store, outlines=False), "kgMap")):
            t0 = time.perf_counter()
            page = make()
            gen = time.perf_counter() - t0
            out = write_view(page, folder / f"{len(rows)}.html")
            rows.append((name, gen, out.stat().st_size, time_to_ready(browser, out, ready)))
        browser.close()
        print("| founding article | generate | size | ready in Chromium (median of 5) |")
        print("|---|---:|---:|---:|")
        for name, gen, size, ready_s in rows:
            print(f"| {name} | {gen:.2f} s | {size / 1e6:.2f} MB | {ready_s:.2f} s |")
        if project is None:
            return
        big = open_store(project / "store")
        count = len(big)
        busiest = select(big, f"""SELECT ?place (COUNT(DISTINCT ?e) AS ?n) WHERE {{
                VALUES ?p {{ {_values(ROLES)} }} ?e ?p ?place . ?place zs:adminCode ?c }}
                GROUP BY ?place ORDER BY DESC(?n) LIMIT 1""").rows[0]
        region = str(busiest["place"].value) if busiest["place"] else ""
        profile_times, shared = [], []
        for k in range(3):
            t0 = time.perf_counter()
            prof = build_profile(big, region)
            write_view(render_profile(prof, big), folder / f"profile-{k}.html")
            profile_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            read_places(big)
            shared.append(time.perf_counter() - t0)
        print()
        print(f"| {count:,} statements | busiest region | items, figures | profile written (median of 3) |"
              " regions read (baseline) |")
        print("|---|---|---:|---:|---:|")
        print(f"| {project.name} | {prof.label} ({prof.code}) | {len(prof.items)}, {len(prof.figures)} | "
              f"{statistics.median(profile_times):.2f} s | {statistics.median(shared):.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    parser.add_argument("--cap", type=float, default=60.0, help="Give up waiting for a stable layout after this.")
    parser.add_argument("--targets", nargs="?", const="", default=None, metavar="PROJECT",
                        help="Check the views' targets (overview, map, and the profile of PROJECT's busiest region).")
    args = parser.parse_args()
    if args.targets is not None:
        targets(Path(args.targets) if args.targets else None)
        return
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
