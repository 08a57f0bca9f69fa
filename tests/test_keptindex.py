"""The entity index and the whole answers kg ask keeps per store generation (kg.keptindex, kg.runner.whole_answer)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.keptindex
from kg.answers import answers_folder
from kg.ask import ask, ask_paths, load_cues
from kg.build import build
from kg.cli import cli
from kg.entities import EntityIndex, load_entities
from kg.keptindex import FILE, kept_entities
from kg.paths import Paths
from kg.queries import load_catalogue
from kg.store import current_generation, open_store

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")


def _same(a: EntityIndex, b: EntityIndex) -> None:
    assert list(a.entities) == list(b.entities)
    for iri, e in a.entities.items():
        assert asdict(e) == asdict(b.entities[iri]), iri
    assert a.names == b.names


def _generation_and_store(paths: Paths) -> tuple[Path, ox.Store]:
    gen = current_generation(paths.store)
    return gen, ox.Store.read_only(str(gen))


def test_the_kept_index_equals_a_fresh_one_and_is_read_back(project: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    build(project)
    gen, store = _generation_and_store(project)
    fresh = load_entities(store)
    _same(kept_entities(gen, store), fresh)
    assert (answers_folder(gen) / FILE).is_file()

    def refuse(_: object) -> EntityIndex:
        raise AssertionError("the kept index was not used")

    monkeypatch.setattr(kg.keptindex, "load_entities", refuse)
    _same(kept_entities(gen, store), fresh)  # read back, not made again


def test_an_index_from_other_code_or_a_torn_file_is_made_again(project: Paths) -> None:
    build(project)
    gen, store = _generation_and_store(project)
    path = answers_folder(gen) / FILE
    fresh = kept_entities(gen, store)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["fingerprint"] = "0" * 64
    data["entities"] = data["entities"][:1]  # what older code wrote: must not be trusted
    path.write_text(json.dumps(data), encoding="utf-8")
    _same(kept_entities(gen, store), fresh)
    path.write_bytes(path.read_bytes()[:100])
    _same(kept_entities(gen, store), fresh)
    assert json.loads(path.read_text(encoding="utf-8"))["fingerprint"] == kg.keptindex.fingerprint()


def test_a_rebuild_never_reads_the_old_index(project: Paths) -> None:
    build(project)
    gen, store = _generation_and_store(project)
    kept_entities(gen, store)
    (project.project / "data" / "facts").joinpath("extra.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/ontology#> .\n", encoding="utf-8")
    del store
    build(project)
    new, store = _generation_and_store(project)
    assert new != gen and not answers_folder(gen).exists()
    assert not (answers_folder(new) / FILE).exists()  # nothing carried over: made again on first use
    _same(kept_entities(new, store), load_entities(store))


@pytest.mark.parametrize("text", [
    "哪些商会把哪些地方联系在一起", "岳阳有哪些改革和服务举措", "projects in Huaihua", "感情牌有哪些做法",
    "怀化有哪些招商大使", "明天天气怎么样",
])
def test_ask_on_the_kept_index_and_answers_equals_ask_on_the_store(built: Paths, text: str) -> None:
    store = open_store(built.store)
    expected = ask(store, CATALOGUE, text)
    for _ in range(2):  # first made and kept, then read back
        got = ask_paths(built, text)
        assert got.to_json() == expected.to_json()


def test_every_lexicon_example_answers_the_same_from_what_is_kept(built: Paths) -> None:
    store = open_store(built.store)
    index = load_entities(store)
    for cues in load_cues().values():
        for text in cues.examples:
            assert ask_paths(built, text).to_json() == ask(store, CATALOGUE, text, index).to_json(), text


def test_ask_limit_shows_the_first_rows_and_their_sources(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store), "ask", "哪些商会把哪些地方联系在一起"]
    whole = json.loads(runner.invoke(cli, [*base, "--format", "json", "--limit", "0"]).output)
    total = whole["rows"]
    assert total >= 3 and whole["truncated"] is False
    cut = json.loads(runner.invoke(cli, [*base, "--format", "json", "--limit", "2"]).output)
    assert cut["rows"] == total and cut["truncated"] is True
    assert cut["answer"]["results"]["bindings"] == whole["answer"]["results"]["bindings"][:2]
    quotes = {b["quote"]["value"] for b in cut["answer"]["results"]["bindings"] if "quote" in b}
    assert set(cut["sources"]) <= {s for q in quotes for s in q.split("\n")} and cut["sources"]
    text = runner.invoke(cli, [*base, "--limit", "2"]).output
    assert f"(the first 2 of {total} rows: raise --limit" in text
    assert f"({total} rows)" in runner.invoke(cli, base).output
    assert runner.invoke(cli, [*base, "--limit", "-1"]).exit_code == 2


def test_kg_query_reads_the_kept_index_for_a_name_that_needs_every_name(
    project: Paths, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.entities

    build(project)
    gen, store = _generation_and_store(project)
    kept_entities(gen, store)  # as the warmer keeps it after a build
    del store

    def refuse(_: object) -> EntityIndex:
        raise AssertionError("every name of the store was read")

    monkeypatch.setattr(kg.entities, "load_entities", refuse)
    monkeypatch.setattr(kg.keptindex, "load_entities", refuse)
    args = ["--project", str(project.project), "--store", str(project.store), "query", "-q", "region_metrics"]
    # another spelling (full-width letters, other case) needs the whole index; so do the suggestions
    found = runner.invoke(cli, [*args, "--param", "region=ＣＨＡＮＧＳＨＡ", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert "region/430100" in found.output
    unknown = runner.invoke(cli, [*args, "--param", "region=长沙县城"])
    assert unknown.exit_code == 1
    assert "Did you mean: 长沙" in unknown.output
