"""The child side of ``benchmarks/run.py``: one backend, measured in its own process.

Results are written to the output JSON after every step, so a backend stopped at its time cap still reports
what it finished.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.paths import Paths, make_paths
from kg.query.catalogue import Question, load_catalogue
from kg.store.build import data_files, graph_for

ROOT = Path(__file__).resolve().parent.parent
ZS = PREFIXES["zs"]


#: The issue's reference workload, to scale its targets to this machine: a per-city investment sum, asked of
#: the raw data (no derived closure: the cities' places are found through ``schema:containedInPlace*``). The
#: issue measured raw pyoxigraph at about 230 ms (Virtuoso 35 ms, rdflib over 100 s) at 1M statements.
REFERENCE_SUM = f"""
SELECT ?city (SUM(?value) AS ?total) WHERE {{
  ?project a <{ZS}InvestmentProject> ; <https://schema.org/location> ?place ; <{ZS}investment> ?money .
  ?money <https://schema.org/value> ?value .
  ?place <https://schema.org/containedInPlace>* ?city .
  ?city a <{ZS}PrefectureLevelDivision> .
}} GROUP BY ?city"""
#: The issue's figure for REFERENCE_SUM on raw pyoxigraph at 1M statements (ms).
REFERENCE_SUM_ISSUE_MS = 230.0


class Results:
    """The results of one backend, saved after each step."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.data: dict[str, Any] = {"questions": {}}

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.save()

    def save(self) -> None:
        """Write the results so far (temporary file, then rename)."""
        self.data["_child_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.out)


def timed(fn: Callable[[], Any], runs: int, slow: float) -> tuple[dict[str, Any], Any]:
    """p50 and p95 in ms of *fn* over *runs* runs after a warm-up (one run only when the warm-up is slow)."""
    started = time.perf_counter()
    value = fn()
    first = time.perf_counter() - started
    times = [first]
    if first < slow:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - started)
    ms = sorted(t * 1000 for t in times)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2), "runs": len(ms)}, value


def files_and_graphs(paths: Paths) -> list[tuple[Path, str]]:
    """Every file a build reads, with the named graph it goes into."""
    return [(f, graph_for(f, paths).value) for f in data_files(paths)]


def parameters(select_one: Callable[[str], list[str]]) -> dict[str, str]:
    """IRIs of the corpus for the questions' parameters: the busiest government, its region and prefecture."""
    gov = select_one(f"""SELECT ?g ?r WHERE {{ ?g a <{ZS}Government> ; <{ZS}governs> ?r .
        ?t <{ZS}refArea> ?r }} GROUP BY ?g ?r ORDER BY DESC(COUNT(?t)) ?g LIMIT 1""")
    parent = select_one(f"""SELECT ?p WHERE {{ <{gov[1]}> <https://schema.org/containedInPlace> ?p .
        ?p a <{ZS}PrefectureLevelDivision> }} LIMIT 1""")
    region = parent[0] if parent else gov[1]
    province = select_one(f"""SELECT ?p WHERE {{ <{region}> <https://schema.org/containedInPlace> ?p .
        ?p a <{ZS}ProvinceLevelDivision> }} LIMIT 1""")
    return {"entity": gov[0], "region": region, "a": region, "b": "https://w3id.org/zhaoshang-kg/id/region/110000",
            "home": gov[1], "province": province[0] if province else region}


#: Questions whose parameter takes another of :func:`parameters` than its own name: the issue's target for
#: investment_by_region is a province.
PARAMETER_OF = {"investment_by_region": {"region": "province"}}


def bindings_for(q: Question, params: dict[str, str]) -> dict[str, str]:
    """The parameter values of question *q*."""
    use = PARAMETER_OF.get(q.name, {})
    return {p.name: params.get(use.get(p.name, p.name), params["region"]) for p in q.params}


def run(backend: str, corpus: Path, work: Path, out: Path, *, runs: int, slow: float, build_cap: float) -> int:
    """Measure *backend* on *corpus*; write the results to *out*."""
    results = Results(out)
    paths = make_paths(corpus, work / f"{backend}-store")
    catalogue = load_catalogue(ROOT / "queries")
    if backend == "embedded":
        embedded(paths, work, results, catalogue, runs, slow, build_cap)
    elif backend == "rdflib":
        rdflib_backend(paths, results, catalogue, runs, slow)
    else:
        virtuoso_backend(paths, work, results, catalogue, runs, slow)
    results.save()
    return 0


def _ox_select(store: Any) -> Callable[[str], list[str]]:
    def select_one(sparql: str) -> list[str]:
        from kg.query.catalogue import select

        rows = select(store, sparql).rows
        return [t.value for t in rows[0].values() if t is not None] if rows else []
    return select_one


def _questions(store: Any, results: Results, catalogue: dict[str, Question], params: dict[str, str],
               runs: int, slow: float) -> None:
    """Every catalogue question as ``kg query -q NAME`` answers it: the default row limit, rows read lazily.

    Timed in this process (``kg query`` adds its worker process and printing around the same evaluation).
    """
    from kg.query.runner import DEFAULT_LIMIT, evaluate_on

    for name, q in catalogue.items():
        b: dict[str, Any] = {k: ox.NamedNode(v) for k, v in bindings_for(q, params).items()}
        try:
            stats, answer = timed(lambda q=q, b=b: evaluate_on(store, q.sparql, "select", b, DEFAULT_LIMIT),
                                  runs, slow)
            stats["rows"] = len(answer.rows)
            stats["truncated"] = answer.truncated
        except Exception as exc:
            stats = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        results.data["questions"][name] = stats
        results.save()


def _answered(results: Results, catalogue: dict[str, Question], params: dict[str, str]
              ) -> Iterator[tuple[Question, dict[str, Any], dict[str, Any]]]:
    """Each question the engine answered, with its stats (to add to) and its parameters as RDF terms."""
    for name, q in catalogue.items():
        stats = results.data["questions"].get(name)
        if stats and "error" not in stats:
            yield q, stats, {k: ox.NamedNode(v) for k, v in bindings_for(q, params).items()}


def _asked_again(store_path: Path, results: Results, catalogue: dict[str, Question], params: dict[str, str],
                 runs: int) -> None:
    """Every question as ``kg query -q NAME`` and ``kg serve`` answer it (:func:`kg.query.runner.run_query`): the first
    ask (guard, worker process, evaluation; the answer is then kept, :mod:`kg.query.kept`), then *runs* asks again.
    """
    from kg.query.runner import DEFAULT_LIMIT, run_query

    for q, stats, b in _answered(results, catalogue, params):
        started = time.perf_counter()
        first = run_query(store_path, q.sparql, bindings=b, limit=DEFAULT_LIMIT, timeout=600)
        stats["first_ask_ms"] = round((time.perf_counter() - started) * 1000, 2)
        again, answer = timed(lambda q=q, b=b: run_query(store_path, q.sparql, bindings=b, limit=DEFAULT_LIMIT),
                              runs, float("inf"))
        if not answer.cached or answer.rows != first.rows:
            stats["again_error"] = "the answer asked again was not the kept one"
            continue
        stats["again_p50_ms"], stats["again_p95_ms"] = again["p50_ms"], again["p95_ms"]
        results.save()


def _after_warming(paths: Paths, results: Results, catalogue: dict[str, Question], params: dict[str, str]) -> None:
    """What ``kg build`` does after a build by default (:mod:`kg.query.warmer`): keep every answer in a background
    process. ``warm_s`` is how long after the build that takes; ``after_warm_ms`` is each question's first
    ``kg query -q NAME`` ask once it is done (questions with required parameters are not kept ahead)."""
    from kg.query.kept import answers_folder
    from kg.query.runner import DEFAULT_LIMIT, run_query
    from kg.query.warmer import start_warming, wait_for_warming
    from kg.store.generations import current_generation

    project = make_paths(ROOT, paths.store)  # the catalogue is this project's, not the corpus's
    folder = answers_folder(current_generation(paths.store))
    shutil.rmtree(folder, ignore_errors=True)  # as right after a build
    results["ask_cold_ms"] = _ask_ms(project)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    if start_warming(project) is None:
        return
    status = wait_for_warming(paths.store)
    results["warm_s"] = round(time.perf_counter() - started, 3)
    results["warm_state"] = (status or {}).get("state")
    for q, stats, b in _answered(results, catalogue, params):
        started = time.perf_counter()
        answer = run_query(paths.store, q.sparql, bindings=b, limit=DEFAULT_LIMIT, timeout=600)
        stats["after_warm_ms"] = round((time.perf_counter() - started) * 1000, 2)
        stats["after_warm_kept"] = answer.cached
    results["ask_ms"] = _ask_ms(project)
    results["ask_fact_ms"] = _ask_fact_ms(project, paths)
    results.save()


#: Regions asked about in :func:`_new_regions`, half through one-off workers and half through kept ones.
NEW_REGIONS = 12
_BUSIEST_REGIONS = """SELECT ?r WHERE {
  VALUES ?c { <https://w3id.org/zhaoshang-kg/def#PrefectureLevelDivision>
              <https://w3id.org/zhaoshang-kg/def#CountyLevelDivision> }
  ?r a ?c . ?inside <https://w3id.org/zhaoshang-kg/def#withinRegion> ?r . ?p <https://schema.org/location> ?inside
} GROUP BY ?r ORDER BY DESC(COUNT(?p)) ?r LIMIT %d"""


def _new_regions(store: ox.Store, store_path: Path, results: Results, catalogue: dict[str, Question]) -> None:
    """The questions about one region, each asked about regions never asked before (so no answer is kept): as
    ``kg query`` asks (a worker per query, ``new_region_ms``) and as ``kg serve`` asks (workers kept between
    queries, :mod:`kg.query.pool`, ``new_region_kept_ms``); p50 over the busiest regions, alternately."""
    from kg.query.pool import WorkerPool
    from kg.query.runner import DEFAULT_LIMIT, run_query

    regions = [row[0] for row in store.query(_BUSIEST_REGIONS % NEW_REGIONS, use_default_graph_as_union=True)]
    for q in catalogue.values():
        stats = results.data["questions"].get(q.name)
        if not stats or "error" in stats or [p.kind for p in q.params] != ["region"] or len(regions) < 2:
            continue
        name = q.params[0].name
        pool = WorkerPool(1)
        try:
            one_off, kept = [], []
            for i, region in enumerate(regions):  # a limit no other ask uses: nothing is read back
                started = time.perf_counter()
                answer = run_query(store_path, q.sparql, bindings={name: region}, limit=DEFAULT_LIMIT + 7,
                                   timeout=600, pool=pool if i % 2 else None)
                (kept if i % 2 else one_off).append((time.perf_counter() - started) * 1000)
                if answer.cached:
                    raise RuntimeError(f"{q.name}: a kept answer was read for a new region")
        finally:
            pool.close()
        stats["new_region_ms"] = round(statistics.median(one_off), 2)
        stats["new_region_kept_ms"] = round(statistics.median(kept), 2)
        results.save()


#: What ``kg ask`` is asked in the benchmark: a list question (every industry chain with its projects).
ASK_TEXT = "产业链上有哪些项目"


def _ask_ms(project: Paths) -> float:
    """``kg ask ASK_TEXT`` as the command answers it (:func:`kg.asking.answer.ask_paths`), in ms."""
    from kg.asking.answer import ask_paths

    started = time.perf_counter()
    answer = ask_paths(project, ASK_TEXT)
    if not answer.ok or answer.question is None or answer.question.name != "industry_chains":
        raise RuntimeError(f"kg ask {ASK_TEXT!r} did not reach industry_chains: {answer.status}")
    return round((time.perf_counter() - started) * 1000, 1)


#: How many different projects the single-fact question is asked about (p50 over them).
ASK_FACT_PROJECTS = 9
_PROJECTS = """SELECT ?label WHERE {
  ?p a <https://w3id.org/zhaoshang-kg/def#InvestmentProject> ; <https://w3id.org/zhaoshang-kg/def#investment> ?m ;
     <http://www.w3.org/2000/01/rdf-schema#label> ?label . FILTER (LANG(?label) = "zh")
} ORDER BY ?label LIMIT %d"""


def _ask_fact_ms(project: Paths, paths: Paths) -> float:
    """``kg ask "<project>的总投资是多少"`` (a single fact, answered by a composed query) about projects never asked
    before, after ``kg build`` (the kept index of names is made by the first ask of :func:`_ask_ms`); p50 in ms."""
    from kg.asking.answer import ask_paths
    from kg.store.generations import open_store

    store = open_store(paths.store)
    labels = [str(row[0].value) for row in store.query(_PROJECTS % (ASK_FACT_PROJECTS * 50),
                                                       use_default_graph_as_union=True)]
    del store
    times = []
    for label in labels[:: max(1, len(labels) // ASK_FACT_PROJECTS)][:ASK_FACT_PROJECTS]:
        started = time.perf_counter()
        answer = ask_paths(project, f"{label}的总投资是多少")
        times.append((time.perf_counter() - started) * 1000)
        if not answer.ok or answer.shape != "fact" or answer.table is None or not answer.table.rows:
            raise RuntimeError(f"kg ask about {label!r} gave no single fact: {answer.status} {answer.message}")
    return round(statistics.median(times), 1)


def _rows(answer: Any) -> int:
    """The number of rows of a SELECT answer (read to the end)."""
    return sum(1 for _ in answer)


def _reference(run_once: Callable[[], Any], results: Results, runs: int, slow: float) -> None:
    """Time the reference workload (:data:`REFERENCE_SUM`) with *run_once*."""
    try:
        stats, rows = timed(run_once, runs, slow)
        results["reference_sum_ms"] = {**stats, "rows": rows}
    except Exception as exc:
        results["reference_sum_ms"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def _reference_on_raw(folder: Path, results: Results, runs: int, slow: float) -> None:
    """The reference workload on the raw-loaded store (closed again before the build runs)."""
    raw = ox.Store.read_only(str(folder))
    _reference(lambda: _rows(raw.query(REFERENCE_SUM, use_default_graph_as_union=True)), results, runs, slow)


def _network_and_view(store: Any, results: Results, params: dict[str, str], runs: int, slow: float,
                      view: bool = True) -> None:
    """``kg neighbors`` and ``kg path`` as the commands run them (read around the entities, from a cold
    reader each time); the whole entity graph that ``kg rank`` builds; the focused ``kg viz`` page."""
    from kg.graph.explore import neighbors_in, paths_in
    from kg.graph.network import entity_graph

    stats, found = timed(lambda: neighbors_in(store, params["entity"], 1), runs, slow)
    results["neighbors_ms"] = stats["p50_ms"]
    results["neighbors_rows"] = len(found)
    stats, found = timed(lambda: paths_in(store, params["entity"], params["b"]), runs, slow)
    results["path_ms"] = stats["p50_ms"]
    results["path_hops"] = len(found[0]) if found else 0
    started = time.perf_counter()
    entity_graph(store)
    results["entity_graph_s"] = round(time.perf_counter() - started, 3)
    if view:
        from kg.views.graphpage import graph_page

        stats, page = timed(lambda: graph_page(store, focus=params["entity"], hops=1), 1, slow)
        results["view_ms"] = stats["p50_ms"]
        results["view_bytes"] = len(page)


def _build_step(corpus: Path, store: Path, out: Path) -> None:
    """``kg build`` of *corpus* into *store*, with the time of each step (a grandchild process)."""
    from kg.backend import build

    started = time.perf_counter()
    report = build(make_paths(corpus, store), full=True)
    spent = {f"{k}_s": v for k, v in report.timings.items()}
    spent["build_s"] = time.perf_counter() - started
    spent["_build_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.write_text(json.dumps({**{k: round(v, 3) for k, v in spent.items()}, "triples": report.triples}),
                   encoding="utf-8")


def _rebuild_step(corpus: Path, store: Path, out: Path) -> None:
    """``kg build`` of *corpus* after one of its articles changed, into *store* built from the unchanged corpus.

    The build reloads and revalidates that article's graph only (and the entities it touches), then derives
    the derived graph again from the whole data.
    """
    from kg.backend import build

    started = time.perf_counter()
    report = build(make_paths(corpus, store))
    spent = {f"rebuild_{k}_s": v for k, v in report.timings.items()}
    spent["rebuild_s"] = time.perf_counter() - started
    out.write_text(json.dumps({**{k: round(v, 3) for k, v in spent.items()}, "rebuild_full": report.full,
                               "rebuild_changed": report.changed}), encoding="utf-8")


def edited_copy(corpus: Path, into: Path) -> Path:
    """A copy of *corpus* in which one article says one thing differently (a label of its first entity)."""
    if into.exists():
        shutil.rmtree(into)
    shutil.copytree(corpus, into, ignore=shutil.ignore_patterns(".kg"))
    articles = sorted((into / "data" / "facts").glob("synth-*.ttl"))
    article = articles[len(articles) // 2]
    text = article.read_text(encoding="utf-8")
    changed = re.sub(r'(rdfs:label "[^"]*)("@zh)', r"\1（改）\2", text, count=1)
    assert changed != text, article
    article.write_text(changed, encoding="utf-8")
    return into


def raw_load(paths: Paths, folder: Path | None, batch: int = 100_000) -> ox.Store:
    """The floor: raw pyoxigraph, the same files into the same named graphs, in one streaming pass.

    Each file is parsed by pyoxigraph and its quads go to the bulk loader in batches, the fastest way we found
    to fill an on-disk store from many files (one ``bulk_load`` call per file costs about 12 ms of fixed
    overhead each: 22 s instead of 10 s for the 1M corpus's 1,000 files). No checks, no derived graph.
    *folder* None: an in-memory store.
    """
    store = ox.Store(str(folder)) if folder else ox.Store()
    pending: list[ox.Quad] = []
    for f, g in files_and_graphs(paths):
        node = ox.NamedNode(g)
        pending.extend(ox.Quad(t.subject, t.predicate, t.object, node)
                       for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
        if len(pending) >= batch:
            store.bulk_extend(pending)
            pending = []
    store.bulk_extend(pending)
    if folder:
        store.flush()
    return store


def loader_only(paths: Paths, folder: Path) -> ox.Store:
    """What kg's own loader (:func:`kg.store.loader.load_graphs`: parsing beside N-Quads writes on a second thread)
    takes for the same files, with no check, no compaction and no derived graph: how much of a build is the
    loading alone."""
    from kg.store.build import files_by_graph
    from kg.store.loader import load_graphs

    store = ox.Store(str(folder))
    load_graphs(store, files_by_graph(paths))
    store.flush()
    return store


def _raw_step(corpus: Path, folder: str, out: Path, how: str = "raw") -> None:
    """The raw floor of *corpus* into *folder* ("-": in memory), timed, with its peak RSS (a grandchild);
    *how* "loader": kg's loader alone instead (:func:`loader_only`)."""
    paths = make_paths(corpus, corpus / "unused-store")
    started = time.perf_counter()
    if how == "loader":
        store = loader_only(paths, Path(folder))
    else:
        store = raw_load(paths, None if folder == "-" else Path(folder))
    seconds = time.perf_counter() - started
    out.write_text(json.dumps({"seconds": round(seconds, 3), "quads": len(store),
                               "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), encoding="utf-8")


def _step(args: list[str], out: Path, cap: float | None = None) -> dict[str, Any]:
    subprocess.run([sys.executable, "-m", "benchmarks.bench_worker", *args, str(out)], cwd=ROOT, check=True,
                   timeout=cap)
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def embedded(paths: Paths, work: Path, results: Results, catalogue: dict[str, Question], runs: int,
             slow: float, build_cap: float) -> None:
    """The raw floors, ``kg build``, then the questions on the built store; each load in its own process.

    Peak memory is then per step: the floors', the build's, and this process's (the questions and views).
    The in-memory floor is skipped above 2M statements (it would need several GB).
    """
    corpus = paths.project
    if int(json.loads((corpus / ".complete").read_text(encoding="utf-8")).get("total", 0)) <= 2_000_000:
        step = _step(["raw", str(corpus), "-"], work / "raw-memory.json")
        results["raw_memory_load_s"] = step["seconds"]
        results["raw_memory_peak_rss_mb"] = round(step["peak_kb"] / 1024, 1)
    raw_path = work / "raw-store"
    step = _step(["raw", str(corpus), str(raw_path)], work / "raw-disk.json")
    results["raw_load_s"] = step["seconds"]
    results["raw_peak_rss_mb"] = round(step["peak_kb"] / 1024, 1)
    results["raw_triples"] = step["quads"]
    _reference_on_raw(raw_path, results, runs, slow)
    step = _step(["loader", str(corpus), str(work / "loader-store")], work / "loader.json")
    results["loader_only_s"] = step["seconds"]
    shutil.rmtree(work / "loader-store", ignore_errors=True)
    started = time.perf_counter()
    store: Any
    try:
        step = _step(["build", str(corpus), str(paths.store)], work / "build-step.json", build_cap)
        results["build_peak_rss_mb"] = round(step.pop("_build_peak_kb", 0) / 1024, 1)
        results.data.update(step)
        results["build_s"] = round(step["build_s"], 3)
        from kg.store.generations import open_store

        store = open_store(paths.store)
    except subprocess.TimeoutExpired:
        results["build_s"] = None
        results["note"] = (f"kg build timed out after {build_cap:.0f} s; questions ran on the raw-loaded store")
        store = ox.Store.read_only(str(raw_path))
    except subprocess.CalledProcessError as exc:
        results["build_s"] = None
        results["note"] = f"kg build failed ({exc.returncode}); questions ran on the raw-loaded store"
        store = ox.Store.read_only(str(raw_path))
    results["build_wall_s"] = round(time.perf_counter() - started, 3)
    params = parameters(_ox_select(store))
    results["parameters"] = params
    _questions(store, results, catalogue, params, runs, slow)
    if results.data.get("build_s") is not None:
        _asked_again(paths.store, results, catalogue, params, runs)
        _after_warming(paths, results, catalogue, params)
        _new_regions(store, paths.store, results, catalogue)
    _network_and_view(store, results, params, runs, slow)
    if results.data.get("build_s") is not None:
        del store  # the rebuild writes a new generation; this process only reads
        step = _step(["rebuild", str(edited_copy(corpus, work / "edited")), str(paths.store)], work / "rebuild.json")
        results.data.update(step)
        results.save()


def rdflib_backend(paths: Paths, results: Results, catalogue: dict[str, Question], runs: int, slow: float) -> None:
    """rdflib's in-memory Dataset, one named graph per source, queried over their union."""
    import rdflib

    started = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    for f, g in files_and_graphs(paths):
        ds.graph(rdflib.URIRef(g)).parse(str(f), format="turtle")
    results["raw_load_s"] = round(time.perf_counter() - started, 3)
    results["build_s"] = results.data["raw_load_s"]
    results["note"] = "load only (no validation); rdflib's in-memory Dataset"
    header = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

    def select_one(sparql: str) -> list[str]:
        for row in ds.query(sparql):
            return [str(t) for t in row if t is not None]  # type: ignore[union-attr]
        return []

    _reference(lambda: _rows(ds.query(REFERENCE_SUM)), results, runs, slow)
    params = parameters(select_one)
    results["parameters"] = params
    for name, q in catalogue.items():
        b = {k: rdflib.URIRef(v) for k, v in bindings_for(q, params).items()}
        try:
            stats, rows = timed(lambda q=q, b=b: list(ds.query(header + q.sparql, initBindings=b)),  # type: ignore[misc]
                                runs, slow)
            stats["rows"] = len(rows)
        except Exception as exc:
            stats = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        results.data["questions"][name] = stats
        results.save()


def virtuoso_backend(paths: Paths, work: Path, results: Results, catalogue: dict[str, Question], runs: int,
                     slow: float) -> None:
    """A private Virtuoso, bulk-loaded one graph per source, queried through RemoteStore."""
    from kg.remote.endpoint import RemoteStore
    from kg.remote.virtuoso import VirtuosoInstance

    load = work / "virtuoso-load"
    load.mkdir()
    for i, (f, g) in enumerate(files_and_graphs(paths)):
        link = load / f"{i:06d}.ttl"
        link.symlink_to(f.resolve())
        (load / f"{i:06d}.ttl.graph").write_text(g + "\n", encoding="utf-8")
    inst = VirtuosoInstance.start(work / "virtuoso-db", load_dir=load, max_seconds=120, buffers=170_000)
    try:
        started = time.perf_counter()
        inst.isql(f"ld_dir('{load}', '*.ttl', 'urn:kg:bench:unused');\nrdf_loader_run();\ncheckpoint;",
                  timeout=3600)
        results["raw_load_s"] = round(time.perf_counter() - started, 3)
        errors = inst.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        results["load_errors"] = errors.strip().splitlines()[-5:]
        # Then `kg build --endpoint` over the loaded data, as a user runs it: the checks on an in-memory copy,
        # every graph replaced (no manifest yet: a full build), the derived graph and the manifest added. The
        # questions need the derived graph (the place closure and zs:quote).
        from kg.backend import build

        started = time.perf_counter()
        report = build(make_paths(paths.project, work / "unused-store", endpoint=inst.endpoint, user=inst.writer,
                                  password=inst.writer_password))
        results["build_s"] = round(time.perf_counter() - started, 3)
        results.data.update({f"{k}_s": v for k, v in report.timings.items()})
        results["triples"] = report.triples
        results["note"] = ("raw load: the bulk loader (ld_dir + rdf_loader_run + checkpoint); build: kg build "
                           "--endpoint over it (checks in memory, every graph replaced, derived graph added)")
        store = RemoteStore(inst.endpoint, timeout=300)
        _reference(lambda: _rows(store.query(REFERENCE_SUM, use_default_graph_as_union=True)), results, runs, slow)
        params = parameters(_ox_select(store))
        results["parameters"] = params
        _questions(store, results, catalogue, params, runs, slow)
        _network_and_view(store, results, params, runs, slow, view=False)
    finally:
        results.data["_server_peak_kb"] = _vm_hwm_kb(inst.process.pid if inst.process else None)
        results.save()
        inst.stop()


def _vm_hwm_kb(pid: int | None) -> int:
    if pid is None:
        return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "build":
        _build_step(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        sys.exit(0)
    if len(sys.argv) == 5 and sys.argv[1] == "rebuild":
        _rebuild_step(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        sys.exit(0)
    if len(sys.argv) == 5 and sys.argv[1] in ("raw", "loader"):
        _raw_step(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), sys.argv[1])
        sys.exit(0)
    sys.exit("usage: python -m benchmarks.bench_worker build|rebuild|raw|loader CORPUS STORE|FOLDER|- OUT")
