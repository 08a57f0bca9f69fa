"""Benchmark of the SHACL engines on a synthetic project: the in-store validator against its two test oracles.

Run: ``.venv/bin/python -m benchmarks.shacl_oracles [--triples 100k] [--runs 1] [--advanced]``.

It generates a project with :mod:`benchmarks.synth` (about ``--triples`` statements, the project's ontology and
shapes), reads it as ``kg build`` does (one named graph per source), and times, in the same run:

- pySHACL (:func:`kg.shacl.oracles.validate_graph`), the baseline: copying the statements into rdflib, then
  validating; with ``--advanced`` also pySHACL with ``advanced=True``, as the oracle ran before;
- pyrudof (:func:`kg.shacl.oracles.validate_with_rudof`): writing N-Triples and validating (rudof reads them);
- kg.shacl (:meth:`kg.shacl.run.ShapeProgram.validate`): loading an in-memory Oxigraph store, then validating.

Each figure is the median of ``--runs`` runs; the table gives each engine's total and its ratio to pySHACL's,
and checks that the engines agree on conformance and on the (focus node, path) of every violation.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import rdflib

from benchmarks.synth import generate, parse_size
from kg.paths import make_paths
from kg.shacl.compile import compile_shapes
from kg.shacl.oracles import validate_graph, validate_with_rudof
from kg.shacl.report import ValidationResult
from kg.store.build import data_files, graph_for
from kg.store.rdfio import parse_file, to_rdflib

T = TypeVar("T")


def timed(step: Callable[[], T]) -> tuple[float, T]:
    """Seconds *step* took, and what it returned."""
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


def pyshacl_advanced(data: rdflib.Graph, shapes: rdflib.Graph) -> bool:
    """pySHACL as the oracle ran it before (advanced=True, SHACL-AF features looked for): whether it conforms."""
    import pyshacl

    conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                      allow_warnings=True)
    return bool(conforms)


Run = tuple[float, float, ValidationResult]


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, time every engine, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--triples", type=parse_size, default=100_000, help="target statements (default 100k)")
    ap.add_argument("--runs", type=int, default=1, help="runs per engine; the median is printed (default 1)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--advanced", action="store_true", help="also time pySHACL with advanced=True")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kg-shacl-bench-") as tmp:
        project = Path(tmp) / "project"
        generate(project, args.triples, args.seed)
        paths = make_paths(project, Path(tmp) / "store")
        quads = [q for f in data_files(paths) for q in parse_file(f, graph_for(f, paths))]
        shapes = parse_file(paths.shapes)
    print(f"{len(quads):,} statements ({len({q.graph_name for q in quads})} graphs), "
          f"{len(shapes)} shape statements; {args.runs} run(s) each, median seconds\n")

    def copies() -> tuple[rdflib.Graph, rdflib.Graph]:
        return to_rdflib(quads), to_rdflib(shapes)

    def pyshacl_run() -> Run:
        copy, (data, shapes_graph) = timed(copies)
        check, result = timed(lambda: validate_graph(data, shapes_graph))
        return copy, check, result

    def advanced_run() -> Run:
        copy, (data, shapes_graph) = timed(copies)
        check, conforms = timed(lambda: pyshacl_advanced(data, shapes_graph))
        return copy, check, ValidationResult(conforms=conforms)  # its violations are not read: not compared

    def rudof_run() -> Run:
        # Writing N-Triples and rudof's reading them happen inside: all counted as validating.
        check, result = timed(lambda: validate_with_rudof(quads, shapes))
        return 0.0, check, result

    def ours_run() -> Run:
        def load() -> ox.Store:
            store = ox.Store()
            store.extend(quads)
            return store
        loading, store = timed(load)
        check, result = timed(lambda: compile_shapes(shapes).validate(store))
        return loading, check, result

    engines: list[tuple[str, str, Callable[[], Run]]] = [
        ("pySHACL (baseline)", "copy to rdflib", pyshacl_run),
        ("pyrudof", "-", rudof_run),
        ("kg.shacl in the store", "load Oxigraph", ours_run),
    ]
    if args.advanced:
        engines.insert(1, ("pySHACL advanced=True", "copy to rdflib", advanced_run))

    rows = []
    results: dict[str, ValidationResult] = {}
    for name, prepare, run in engines:
        runs = [run() for _ in range(args.runs)]
        results[name] = runs[-1][2]
        rows.append((name, prepare, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)))

    base = rows[0][2] + rows[0][3]
    print("| engine | preparing | preparing s | validating s | total s | vs pySHACL | conforms | violations |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for name, prepare, prep_s, check_s in rows:
        result = results[name]
        total = prep_s + check_s
        print(f"| {name} | {prepare} | {prep_s:.2f} | {check_s:.2f} | {total:.2f} | {total / base:.3f} | "
              f"{result.conforms} | {len(result.violations)} |")
    agree = len({r.conforms for r in results.values()}) == 1 and len({
        tuple(sorted(Counter((v.focus, v.path) for v in r.violations).items()))
        for name, r in results.items() if name != "pySHACL advanced=True"}) == 1
    print(f"\nThe engines agree on conformance and on the (focus node, path) of every violation: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
