"""Answers kept in the background after ``kg build`` (kg.query.warmer): a real detached process on a real store."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.names.kept import FILE
from kg.paths import Paths
from kg.query.catalogue import load_catalogue
from kg.query.kept import answers_folder
from kg.query.runner import DEFAULT_LIMIT, evaluate_on, run_query
from kg.query.warmer import STATUS, start_warming, wait_for_warming, warm_mode, warming_status
from kg.store.generations import current_generation, open_store
from tests.conftest import gone


def _args(paths: Paths) -> list[str]:
    return ["--project", str(paths.project), "--store", str(paths.store)]


def _plain(paths: Paths) -> list:
    return [q for q in load_catalogue(paths.queries).values() if not any(p.required for p in q.params)]


def _kept_equal_fresh(paths: Paths, skip: str = "") -> int:
    """Every kept answer equals a fresh evaluation of its question; how many questions were kept."""
    kept = 0
    store = open_store(paths.store)
    for q in _plain(paths):
        if q.name == skip:
            continue
        answer = run_query(paths.store, q.sparql)
        fresh = evaluate_on(store, q.sparql, "select", {}, DEFAULT_LIMIT)
        assert (answer.variables, answer.rows, answer.truncated) == (fresh.variables, fresh.rows, fresh.truncated)
        kept += answer.cached
    return kept


def test_build_keeps_answers_in_the_background(project: Paths, runner: CliRunner,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_WARM")
    started = time.perf_counter()
    result = runner.invoke(cli, [*_args(project), "build"])
    assert result.exit_code == 0, result.output
    assert "Keeping the catalogue's answers in the background (process " in result.output
    status = wait_for_warming(project.store, timeout=120)
    assert status is not None and status["state"] == "done", status
    plain = _plain(project)
    assert sorted(status["questions"]) == sorted(q.name for q in plain)
    assert all(v["rows"] > 0 for v in status["questions"].values())
    # the index of names kg ask reads is kept too (kg.names.kept)
    assert status["entities_seconds"] >= 0
    assert (answers_folder(current_generation(project.store)) / FILE).is_file()
    assert time.perf_counter() - started < 120
    # every first ask after the build now reads the kept answer, equal to a fresh evaluation
    assert _kept_equal_fresh(project) == len(plain)
    # an up-to-date build whose answers are kept starts nothing
    again = runner.invoke(cli, [*_args(project), "build"])
    assert again.exit_code == 0 and "Up to date" in again.output and "background" not in again.output


def test_no_warm_and_off_keep_nothing(project: Paths, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_WARM")
    result = runner.invoke(cli, [*_args(project), "build", "--no-warm"])
    assert result.exit_code == 0, result.output
    assert "background" not in result.output
    assert warming_status(project.store) is None
    assert not answers_folder(current_generation(project.store)).exists()
    monkeypatch.setenv("KG_WARM", "off")
    (project.project / "data" / "facts").joinpath("extra.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/ontology#> .\n", encoding="utf-8")
    assert runner.invoke(cli, [*_args(project), "build"]).exit_code == 0
    assert warming_status(project.store) is None


def test_an_unknown_mode_is_refused(project: Paths, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_WARM", "sometimes")
    result = runner.invoke(cli, [*_args(project), "build"])
    assert result.exit_code != 0
    assert "KG_WARM='sometimes' is not a warming mode; use one of background, wait, off" in result.output
    assert not (project.store / "CURRENT").exists()  # refused before anything was built
    assert warm_mode("WAIT") == "wait"


def test_a_newer_build_stops_the_warmer_and_leaves_no_stray_answers(project: Paths) -> None:
    from kg.backend import build

    build(project)
    old = current_generation(project.store)
    pid = start_warming(project)
    assert pid is not None
    (project.project / "data" / "facts").joinpath("extra.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/ontology#> .\n", encoding="utf-8")
    build(project)
    new = current_generation(project.store)
    assert new != old
    assert gone(pid), "the warmer of the replaced generation kept running"
    # nothing of the old generation is left behind, and nothing was kept for the new one by the old warmer
    # beyond what a correct answer for it would be
    assert not old.exists() and not answers_folder(old).exists()
    leftovers = sorted(p.name for p in project.store.iterdir() if p.name.startswith("gen-"))
    assert leftovers == sorted([new.name, new.name + ".json", new.name + ".files.json", *([new.name + ".answers"]
                                                                if answers_folder(new).exists() else [])])
    _kept_equal_fresh(project)


def test_a_killed_warmer_loses_nothing_and_is_reported(project: Paths) -> None:
    from kg.backend import build

    build(project)
    pid = start_warming(project)
    assert pid is not None
    time.sleep(1.5)  # let it keep some answers, then kill it mid-way
    os.killpg(pid, signal.SIGKILL)
    assert gone(pid)
    status = warming_status(project.store)
    assert status is not None and status["state"] in ("failed", "done")
    if status["state"] == "failed":
        assert "ended without saying why" in status["error"]
    _kept_equal_fresh(project)  # whatever was kept is whole and right; the rest is evaluated


def test_status_file_is_json_beside_the_answers(project: Paths) -> None:
    from kg.backend import build

    build(project)
    pid = start_warming(project)
    assert pid is not None
    status = wait_for_warming(project.store, timeout=120)
    assert status is not None and status["state"] == "done"
    path = answers_folder(current_generation(project.store)) / STATUS
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["pid"] == pid and on_disk["finished"] >= on_disk["started"]


def test_no_warming_without_a_catalogue(project: Paths, tmp_path: Path) -> None:
    import shutil

    from kg.backend import build

    build(project)
    shutil.rmtree(project.queries)
    assert start_warming(project) is None


def test_serve_keeps_the_answers_of_a_store_built_without_kg_build(project: Paths) -> None:
    import socket
    import subprocess
    import sys

    from kg.backend import build

    build(project)  # the library, as `kg run` and scripts do: no warmer started
    assert warming_status(project.store) is None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KG_WARM": "background"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *_args(project), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert "Serving" in lines[0], lines
        assert "Keeping the catalogue's answers in the background (process " in lines[1], lines
        status = wait_for_warming(project.store, timeout=120)
        assert status is not None and status["state"] == "done", status
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert _kept_equal_fresh(project) == len(_plain(project))


def test_a_question_that_fails_is_reported_and_the_others_are_kept(project: Paths) -> None:
    from kg.backend import build
    from kg.query.runner import warm_catalogue

    (project.queries / "zz_too_slow.rq").write_text(
        "# title@zh: 太慢\n# title@en: Too slow\n# description: Every triple with every other, sorted.\n"
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?f ?c\n", encoding="utf-8")
    build(project)
    warmed = {w.name: w for w in warm_catalogue(project, timeout=3)}
    assert "longer than 3 s" in warmed["zz_too_slow"].error
    assert all(not w.error and w.rows > 0 for name, w in warmed.items() if name != "zz_too_slow")
    assert _kept_equal_fresh(project, skip="zz_too_slow") == len(warmed) - 1

