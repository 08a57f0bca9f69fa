"""The query worker (kg.query.worker): a plain child process that answers one query and dies with its parent."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.paths import Paths
from kg.query.evaluation import evaluate_on
from kg.query.pool import ask_once
from kg.query.runner import run_query
from kg.query.worker import BOOT
from kg.store.generations import open_store
from tests.conftest import alive, gone

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _run(code: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_script_without_a_main_guard_can_run_queries(built: Paths, tmp_path: Path) -> None:
    # multiprocessing's spawn re-ran such a script in the worker and refused to start ("bootstrapping phase")
    done = _run("""
        import sys
        from pathlib import Path
        from kg.query.runner import run_query
        q = "SELECT (COUNT(*) AS ?n) WHERE { ?c a zs:ChamberOfCommerce }"
        print(run_query(Path(sys.argv[1]), q).rows[0]["n"].value)
    """, tmp_path, str(built.store))
    assert done.returncode == 0, done.stderr
    expected = evaluate_on(open_store(built.store), "SELECT (COUNT(*) AS ?n) WHERE { ?c a zs:ChamberOfCommerce }",
                           "select", {}, 10)
    assert done.stdout.strip() == expected.rows[0]["n"].value  # type: ignore[union-attr]
    assert int(done.stdout) > 0


def test_the_worker_never_imports_from_the_current_folder(built: Paths, tmp_path: Path) -> None:
    # a folder a user runs kg from may hold anything: a worker started with `python -c` would import from it
    here = tmp_path / "here"
    (here / "kg").mkdir(parents=True)
    (here / "kg" / "__init__.py").write_text("raise SystemExit('the wrong kg')\n", encoding="utf-8")
    (here / "pyoxigraph.py").write_text("raise SystemExit('the wrong pyoxigraph')\n", encoding="utf-8")
    script = tmp_path / "elsewhere" / "script.py"
    script.parent.mkdir()
    script.write_text("import sys\nfrom pathlib import Path\nfrom kg.query.runner import run_query\n"
                      "print(run_query(Path(sys.argv[1]), 'ASK { ?s ?p ?o }').boolean)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(built.store)], capture_output=True, text=True,
                          timeout=120, cwd=here, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def _workers_of(parent: int) -> list[int]:
    """PIDs of the query workers whose parent is *parent*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and "kg.query.worker" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_a_worker_dies_with_its_parent(built: Paths, tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import sys
        from pathlib import Path
        from kg.query.runner import run_query
        run_query(Path(sys.argv[1]), sys.argv[2], timeout=600)
    """), encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), str(built.store), RUNAWAY],
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _workers_of(parent.pid)
        assert len(workers) == 1, "the worker did not start"
        time.sleep(0.5)  # the worker is inside the engine now
        assert alive(workers[0])
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert gone(workers[0], 10), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        for pid in workers:  # an orphan of a failed run
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_that_dies_is_reported_with_its_last_words(built: Paths) -> None:
    with pytest.raises(QueryError, match=r"worker died \(exit code 1: KeyError: 'parent'\)"):
        ask_once({"generation": str(built.store), "sparql": "ASK {}", "form": "ask", "bindings": {}, "limit": 1}, 30)


def test_the_reply_is_not_spoiled_by_what_a_worker_prints(built: Paths, tmp_path: Path) -> None:
    # anything written to standard output inside the worker goes to standard error
    done = subprocess.run(
        [sys.executable, "-c", "import os, pickle, sys; from kg.query import worker as qworker; "
         "qworker.answer = lambda r: (print('noise'), ('ok', 42))[1]; qworker.main()"],
        input=pickle.dumps({"parent": os.getpid(), "bindings": {}}), capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert pickle.loads(done.stdout) == ("ok", 42)
    assert b"noise" in done.stderr


def test_the_worker_imports_only_the_engine_and_its_own_module() -> None:
    code = ("import sys, kg.query.worker, kg.query.evaluation; "
            "print(sorted(m for m in ('rdflib', 'click', 'http.client', 'multiprocessing', 'kg.remote.endpoint',"
            " 'kg.query.guard',"
            " 'kg.query.kept', 'kg.query.runner') if m in sys.modules))")
    assert "kg.query.worker" in BOOT
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]"


def test_queries_still_answer_after_a_timeout(built: Paths) -> None:
    from kg.errors import QueryTimeout

    with pytest.raises(QueryTimeout):
        run_query(built.store, RUNAWAY, timeout=0.5)
    assert run_query(built.store, "ASK { ?s ?p ?o }").boolean is True
    assert _workers_of(os.getpid()) == []
