"""Answers kept ahead for parameters: a question that declares ``# keep: region (zs:ProvinceLevelDivision)`` is asked
about every province right after a build, so that ``kg query -q NAME --param region=湖南省`` reads its kept answer.

A question with a parameter is evaluated by a worker process the first time it is asked about a value: starting
the worker and opening the store costs more than the ~10 ms the engine needs for ``investment_by_region`` at a
million statements (0.3-0.5 s on a busy 2-core machine). The values a question is mostly asked about are few (34
provinces), and a generation's answers never change (:mod:`kg.query.kept`), so the background warmer
(:mod:`kg.query.warmer`) asks them once, through one kept worker (:class:`kg.query.pool.WorkerPool`), exactly as
``kg query`` would (same query text, parameters and row limit, hence the same key); it stops as soon as a newer
build replaces the generation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.paths import Paths
from kg.query.evaluation import DEFAULT_LIMIT
from kg.store.generations import current_generation, open_generation

#: At most this many values per question and parameter are asked ahead (the rest are answered when asked).
MAX_VALUES = 200


@dataclass(frozen=True)
class KeptAhead:
    """What :func:`keep_ahead` did for one question: how many answers it kept, in how long, and why it stopped."""

    name: str
    answers: int
    seconds: float
    error: str = ""


def keep_ahead(paths: Paths, generation: Path, *, timeout: float = 60.0) -> list[KeptAhead]:
    """Ask every question that declares ``# keep:`` about each instance of its class, on *generation* while it is
    live, keeping the answers (cut at the default row limit, as ``kg query`` shows them)."""
    from kg.query.catalogue import load_catalogue
    from kg.query.pool import WorkerPool
    from kg.query.runner import run_query

    questions = [q for q in load_catalogue(paths.queries).values() if q.keep]
    if not questions:
        return []
    store = open_generation(generation)
    done: list[KeptAhead] = []
    pool = WorkerPool(1)
    try:
        for q in questions:
            started, kept, error = time.perf_counter(), 0, ""
            for param, cls in q.keep:
                values = sorted({t.subject.value for t in store.quads_for_pattern(None, _TYPE, ox.NamedNode(cls))
                                 if isinstance(t.subject, ox.NamedNode)})
                for value in values[:MAX_VALUES]:
                    if current_generation(paths.store) != generation:
                        return done
                    try:
                        run_query(paths.store, q.sparql, bindings={param: ox.NamedNode(value)}, limit=DEFAULT_LIMIT,
                                  timeout=timeout, pool=pool)
                    except KGError as exc:
                        error = str(exc)
                        break
                    kept += 1
            done.append(KeptAhead(q.name, kept, time.perf_counter() - started, error))
    finally:
        pool.close()
    return done


_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
