"""Query workers kept between queries (kg.query.pool), as kg serve uses them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg.query.pool
from kg.backend import build
from kg.errors import QueryError, QueryTimeout
from kg.paths import Paths
from kg.query.pool import WorkerPool
from kg.query.runner import run_query
from tests.conftest import alive, gone

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHAMBERS = "SELECT ?c ?label WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?label } ORDER BY ?c ?label"


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    kept = WorkerPool(2)
    try:
        yield kept
    finally:
        kept.close()


def _pids(pool: WorkerPool) -> set[int]:
    return set(pool.idle_pids())


def test_kept_workers_answer_as_one_off_workers_do_and_are_reused(built: Paths, pool: WorkerPool) -> None:
    queries = [CHAMBERS, "ASK { ?s a zs:TaskForce }", "CONSTRUCT { ?c a zs:ChamberOfCommerce } WHERE { ?c a "
               "zs:ChamberOfCommerce }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    for i, q in enumerate(queries):  # limits differ from the one-off runs, so neither reads a kept answer
        kept = run_query(built.store, q, limit=900 + i, pool=pool)
        fresh = run_query(built.store, q, limit=800 + i)
        assert not kept.cached and not fresh.cached
        assert (kept.form, kept.rows, kept.boolean, sorted(map(str, kept.triples))) == (
            fresh.form, fresh.rows, fresh.boolean, sorted(map(str, fresh.triples)))
    assert len(run_query(built.store, CHAMBERS, limit=950, pool=pool).rows) > 0
    first = _pids(pool)
    assert len(first) == 1  # one query at a time: one worker, kept
    run_query(built.store, CHAMBERS, limit=951, pool=pool)
    assert _pids(pool) == first


def test_a_query_out_of_time_kills_its_worker_and_the_next_gets_a_new_one(built: Paths, pool: WorkerPool) -> None:
    run_query(built.store, CHAMBERS, limit=960, pool=pool)
    (before,) = _pids(pool)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        run_query(built.store, RUNAWAY, timeout=1, pool=pool)
    assert time.perf_counter() - started < 8
    assert not alive(before)
    assert run_query(built.store, "ASK { ?s ?p ?o }", limit=961, pool=pool).boolean is True
    assert before not in _pids(pool)


def test_errors_come_back_as_from_a_one_off_worker(built: Paths, pool: WorkerPool) -> None:
    from kg.errors import QuerySyntaxError

    with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
        run_query(built.store, "SELECT * WHERE {\n  ?s ?p }", pool=pool)
    assert run_query(built.store, "ASK { ?s ?p ?o }", limit=962, pool=pool).boolean is True


def test_a_worker_that_died_idle_is_replaced_and_one_dying_mid_query_is_reported(
    built: Paths, pool: WorkerPool
) -> None:
    run_query(built.store, CHAMBERS, limit=970, pool=pool)
    (idle,) = _pids(pool)
    os.kill(idle, signal.SIGKILL)
    time.sleep(0.2)
    assert len(run_query(built.store, CHAMBERS, limit=971, pool=pool).rows) > 0
    assert idle not in _pids(pool)
    (worker,) = pool.idle_pids()
    killer = subprocess.Popen(["sh", "-c", f"sleep 1; kill -9 {worker}"])
    with pytest.raises(QueryError, match="worker died"):
        run_query(built.store, RUNAWAY, timeout=30, pool=pool)
    killer.wait(10)
    assert run_query(built.store, "ASK { ?s ?p ?o }", limit=972, pool=pool).boolean is True


def test_workers_are_replaced_after_a_number_of_queries(
    built: Paths, pool: WorkerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.query.pool, "RECYCLE_AFTER", 2)
    run_query(built.store, CHAMBERS, limit=980, pool=pool)
    (first,) = _pids(pool)
    run_query(built.store, CHAMBERS, limit=981, pool=pool)  # its second: stopped, not kept
    assert _pids(pool) == set()
    assert not alive(first)
    run_query(built.store, CHAMBERS, limit=982, pool=pool)
    assert _pids(pool) and first not in _pids(pool)


def test_a_new_build_is_seen_by_the_kept_workers(project: Paths, pool: WorkerPool) -> None:
    build(project)
    ask = 'ASK { ?x rdfs:comment "seen by the kept workers" }'
    assert run_query(project.store, ask, pool=pool).boolean is False
    (project.project / "data" / "facts" / "extra.ttl").write_text(
        '<https://w3id.org/zhaoshang-kg/id/test/x> <http://www.w3.org/2000/01/rdf-schema#comment> '
        '"seen by the kept workers" .\n', encoding="utf-8")
    build(project)
    assert run_query(project.store, ask, pool=pool).boolean is True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_kept_workers_die_with_the_process_that_owns_the_pool(built: Paths, tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(textwrap.dedent("""
        import sys, threading
        from pathlib import Path
        from kg.query.runner import run_query
        from kg.query.pool import WorkerPool
        pool = WorkerPool(2)
        # asked from a thread that then ends, as kg serve's request threads do
        # (a query no other test asks, so that no kept answer stands in for the worker)
        t = threading.Thread(target=run_query, args=(Path(sys.argv[1]), "ASK { ?owner ?p ?o }"),
                             kwargs={"pool": pool, "limit": 7777})
        t.start(); t.join()
        print(" ".join(str(pid) for pid in pool.idle_pids()), flush=True)
        sys.stdin.read()
    """), encoding="utf-8")
    owner = subprocess.Popen([sys.executable, str(script), str(built.store)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    pids: list[int] = []
    try:
        assert owner.stdout is not None
        pids = [int(p) for p in owner.stdout.readline().split()]
        assert len(pids) == 1
        time.sleep(0.3)
        assert alive(pids[0]), "the worker died with the thread that asked, not with its owner"
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        assert gone(pids[0], 10), "the worker outlived the process that owned the pool"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait(10)
        for pipe in (owner.stdin, owner.stdout):
            if pipe is not None:
                pipe.close()
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_idle_workers_are_stopped(built: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.query.pool, "IDLE_S", 1.5)
    monkeypatch.setattr(kg.query.pool, "REAP_EVERY_S", 0.1)
    pool = WorkerPool(2)
    try:
        run_query(built.store, CHAMBERS, limit=990, pool=pool)
        (pid,) = _pids(pool)
        time.sleep(0.2)
        assert alive(pid)  # not yet
        assert gone(pid, 10) and _pids(pool) == set()
        assert run_query(built.store, CHAMBERS, limit=991, pool=pool).rows  # a new one is started
        assert len(_pids(pool)) == 1
    finally:
        pool.close()
