"""Answers kept per store generation (kg.query.kept): the same answer again, never a stale one, bounded."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.backend import build
from kg.cli import cli
from kg.errors import QueryError
from kg.paths import Paths
from kg.query.catalogue import load_catalogue
from kg.query.kept import AnswerCache, answer_key, answers_folder
from kg.query.runner import DEFAULT_LIMIT, QueryResult, evaluate_on, run_query, warm_catalogue
from kg.store.generations import current_generation, open_store

# Every kind of term a row may hold: IRIs, blank nodes, plain, language-tagged and typed literals, unbound
# cells, characters outside the BMP and JSON's own specials.
ODD_ROWS = """
SELECT ?a ?b ?c WHERE {
  VALUES (?a ?b ?c) {
    (<https://w3id.org/zhaoshang-kg/id/x> "辰溪县"@zh "12.50"^^xsd:decimal)
    (UNDEF "quote \\" and \\\\ and \\n newline" UNDEF)
    ("𠀋 outside the BMP" "2024-03-13"^^xsd:date "<b>&amp;</b>")
  }
}"""


def _same(a: QueryResult, b: QueryResult) -> None:
    assert (a.form, a.variables, a.truncated, a.limit, a.boolean) == (b.form, b.variables, b.truncated, b.limit,
                                                                          b.boolean)
    assert a.rows == b.rows
    assert sorted(map(str, a.triples)) == sorted(map(str, b.triples))


def test_second_ask_is_the_same_answer_read_back(built: Paths) -> None:
    first = run_query(built.store, ODD_ROWS)
    again = run_query(built.store, ODD_ROWS)
    assert not first.cached and again.cached
    _same(first, again)
    assert again.rows[1]["a"] is None and again.rows[0]["b"] == ox.Literal("辰溪县", language="zh")
    assert again.rows[0]["c"] == ox.Literal("12.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))


@pytest.mark.parametrize("sparql", [
    "ASK { ?s a zs:ChamberOfCommerce }",
    "CONSTRUCT { ?s a ?c ; rdfs:label ?l } WHERE { ?s a zs:ChamberOfCommerce ; rdfs:label ?l . BIND(?s AS ?c) }",
    "SELECT ?s ?g WHERE { GRAPH ?g { ?s a zs:ChamberOfCommerce } } ORDER BY ?s",
])
def test_every_form_round_trips(built: Paths, sparql: str) -> None:
    first = run_query(built.store, sparql)
    again = run_query(built.store, sparql)
    assert again.cached
    _same(first, again)


def test_blank_nodes_come_back_as_blank_nodes(built: Paths) -> None:
    sparql = "SELECT ?b WHERE { BIND(BNODE('x') AS ?b) }"
    run_query(built.store, sparql)
    again = run_query(built.store, sparql)
    assert again.cached and isinstance(again.rows[0]["b"], ox.BlankNode)


def test_limit_and_parameters_are_part_of_the_key(built: Paths) -> None:
    sparql = "SELECT ?c ?l WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?l } ORDER BY ?l"
    run_query(built.store, sparql, limit=2)
    other_limit = run_query(built.store, sparql, limit=3)
    assert not other_limit.cached and len(other_limit.rows) == 3 and other_limit.truncated
    cut = run_query(built.store, sparql, limit=2)
    assert cut.cached and len(cut.rows) == 2 and cut.truncated
    one = "SELECT ?c ?l WHERE { ?c rdfs:label ?l }"
    a = run_query(built.store, one, bindings={"c": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430000")})
    b = run_query(built.store, one, bindings={"c": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/110000")})
    assert not b.cached and a.rows != b.rows
    keys = {answer_key(one, "select", {}, 1000), answer_key(one, "select", {}, 10),
            answer_key(one, "select", {"c": ox.NamedNode("urn:x")}, 1000), answer_key(one + " ", "select", {}, 1000)}
    assert len(keys) == 4


def test_a_rebuild_never_serves_the_old_answer(project: Paths) -> None:
    build(project)
    sparql = "SELECT ?l WHERE { ?c a zs:ChamberOfCommerce ; rdfs:label ?l . FILTER(LANG(?l) = 'zh') } ORDER BY ?l"
    before = run_query(project.store, sparql)
    assert run_query(project.store, sparql).cached
    old = current_generation(project.store)
    facts = project.project / "data" / "facts" / "rednet-2024-03-13-sanzhangpai.ttl"
    text = facts.read_text(encoding="utf-8")
    assert "上海怀化商会" in text
    facts.write_text(text.replace("上海怀化商会", "上海怀化商会联合会"), encoding="utf-8")
    build(project)
    after = run_query(project.store, sparql)
    assert not after.cached
    labels = [r["l"].value for r in after.rows if r["l"] is not None]
    assert "上海怀化商会联合会" in labels and labels != [r["l"].value for r in before.rows if r["l"] is not None]
    assert not old.exists() and not answers_folder(old).exists()  # the old answers went with their generation
    assert answers_folder(current_generation(project.store)).is_dir()


def test_a_damaged_answer_is_ignored_and_recomputed(built: Paths) -> None:
    sparql = "SELECT ?s WHERE { ?s a zs:TaskForce } ORDER BY ?s"
    first = run_query(built.store, sparql)
    key = answer_key(sparql, "select", {}, 1000)
    path = answers_folder(current_generation(built.store)) / f"{key}.srj"
    assert path.is_file()
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a torn file
    again = run_query(built.store, sparql)
    assert not again.cached
    _same(first, again)
    assert run_query(built.store, sparql).cached  # written whole again


def test_a_folder_that_cannot_be_written_keeps_nothing_and_fails_nothing(tmp_path: Path) -> None:
    generation = tmp_path / "gen-1"
    generation.mkdir()
    answers_folder(generation).write_text("a file where the folder should be", encoding="utf-8")
    cache = AnswerCache(generation)
    result = QueryResult(form="ask", boolean=True)
    assert cache.put("k", result) is False
    assert cache.get("k") is None
    assert not list(tmp_path.glob("**/.*.tmp"))


def test_least_recently_used_answers_go_first(tmp_path: Path) -> None:
    generation = tmp_path / "gen-1"
    generation.mkdir()
    result = QueryResult(form="select", variables=["x"], rows=[{"x": ox.Literal("字" * 2000)}])
    folder = answers_folder(generation)
    assert AnswerCache(generation).put("probe", result)
    one = (folder / "probe.srj").stat().st_size
    (folder / "probe.srj").unlink()
    cache = AnswerCache(generation, max_total_bytes=3 * one)
    for i, key in enumerate(["a", "b", "c"]):
        assert cache.put(key, result)
        os.utime(folder / f"{key}.srj", (1000 + i, 1000 + i))
    assert cache.get("a") is not None  # used: now the most recent
    assert cache.put("d", result)  # four answers do not fit: the least recently used one goes
    assert sorted(p.stem for p in folder.glob("*.srj")) == ["a", "c", "d"]


def test_build_warm_keeps_every_catalogue_answer(project: Paths, runner: CliRunner) -> None:
    args = ["--project", str(project.project), "--store", str(project.store)]
    result = runner.invoke(cli, [*args, "build", "--warm"])
    assert result.exit_code == 0, result.output
    catalogue = load_catalogue(project.queries)
    plain = [q for q in catalogue.values() if not any(p.required for p in q.params)]
    assert len(plain) >= 8
    assert f"Answers kept for {len(plain)} catalogue questions ({len(plain)} asked now, 0 already kept)" \
        in result.output
    for q in plain:  # each first ask after the build reads the kept answer, the same as a fresh evaluation
        kept = run_query(project.store, q.sparql)
        assert kept.cached, q.name
        fresh = evaluate_on(open_store(project.store), q.sparql, "select", {}, DEFAULT_LIMIT)
        assert (kept.variables, kept.rows, kept.truncated) == (fresh.variables, fresh.rows, fresh.truncated), q.name
    again = runner.invoke(cli, [*args, "build", "--warm"])
    assert again.exit_code == 0 and "Up to date" in again.output
    assert f"(0 asked now, {len(plain)} already kept)" in again.output


def test_warm_refuses_an_endpoint(project: Paths) -> None:
    with pytest.raises(QueryError, match="embedded store only"):
        warm_catalogue(replace(project, endpoint="http://127.0.0.1:9/sparql"))


def test_a_write_racing_a_build_that_removes_the_generation_leaves_no_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build removes a generation, then its folder of answers (kg.store.generations); a writer that made the
    folder after that sees the generation gone and takes the folder with it."""
    import shutil

    import kg.query.kept
    from kg.query.kept import write_beside

    gen = tmp_path / "gen-1"
    gen.mkdir()
    real_replace = os.replace

    def build_removes_it_meanwhile(src: str, dst: str) -> None:
        real_replace(src, dst)
        shutil.rmtree(gen)  # what remove_old_generations does, generation first

    monkeypatch.setattr(kg.query.kept.os, "replace", build_removes_it_meanwhile)
    assert write_beside(gen, "x.srj", b"data") is False
    assert not answers_folder(gen).exists() and not gen.exists()
    monkeypatch.setattr(kg.query.kept.os, "replace", real_replace)
    assert write_beside(gen, "x.srj", b"data") is False  # no generation: nothing made
    assert not answers_folder(gen).exists()
    gen.mkdir()
    assert write_beside(gen, "x.srj", b"data") is True
    assert (answers_folder(gen) / "x.srj").read_bytes() == b"data"
    assert [p.name for p in answers_folder(gen).iterdir()] == ["x.srj"]  # no temporary file left


def test_old_generations_go_before_their_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import kg.store.generations

    for name in ("gen-a", "gen-b", "gen-c"):
        (tmp_path / name).mkdir()
        (tmp_path / f"{name}.answers").mkdir()
        (tmp_path / f"{name}.json").write_text("{}", encoding="utf-8")
    removed: list[str] = []
    real = shutil.rmtree

    def spy(path: Path, ignore_errors: bool = False) -> None:
        removed.append(Path(path).name)
        real(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(kg.store.generations.shutil, "rmtree", spy)
    kg.store.generations.remove_old_generations(tmp_path, "gen-c")
    assert removed == ["gen-a", "gen-b", "gen-a.answers", "gen-b.answers"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen-c", "gen-c.answers", "gen-c.json"]


def test_answers_are_kept_compressed_and_a_bomb_or_foreign_body_is_refused(
        built: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import zlib

    import kg.query.kept

    sparql = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"
    first = run_query(built.store, sparql, limit=0)
    path = answers_folder(current_generation(built.store)) / f"{answer_key(sparql, 'select', {}, 0)}.srj"
    header, _, body = path.read_bytes().partition(b"\n")
    assert json.loads(header)["version"] == kg.query.kept.FORMAT_VERSION
    raw = zlib.decompress(body)
    assert len(body) * 3 < len(raw)  # a label list compresses well
    assert json.loads(raw)["results"]["bindings"]
    # a body that would inflate past the guard is refused (and recomputed), as is one that is not zlib at all
    monkeypatch.setattr(kg.query.kept, "MAX_EXPANDED_BYTES", len(raw) - 1)
    assert not run_query(built.store, sparql, limit=0).cached
    monkeypatch.setattr(kg.query.kept, "MAX_EXPANDED_BYTES", 1024 * 1024 * 1024)
    path.write_bytes(header + b"\n" + raw)  # an uncompressed body, as format 1 wrote
    again = run_query(built.store, sparql, limit=0)
    assert not again.cached
    _same(first, again)
    assert run_query(built.store, sparql, limit=0).cached
