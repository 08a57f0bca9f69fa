"""The entity index and the whole answers kg ask keeps per store generation (kg.names.kept,
kg.query.runner.whole_answer)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.names.kept
from kg.asking.answer import ask, ask_paths, load_cues
from kg.backend import build
from kg.cli import cli
from kg.names.index import EntityIndex, find_mentions, load_entities
from kg.names.kept import FILE, kept_entities, kept_entities_for
from kg.paths import Paths
from kg.query.catalogue import load_catalogue
from kg.query.kept import answers_folder
from kg.store.generations import current_generation, open_store

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

    monkeypatch.setattr(kg.names.kept, "load_entities", refuse)
    _same(kept_entities(gen, store), fresh)  # read back, not made again


def test_an_index_from_other_code_or_a_torn_file_is_made_again(project: Paths) -> None:
    build(project)
    gen, store = _generation_and_store(project)
    path = answers_folder(gen) / FILE
    fresh = kept_entities(gen, store)
    good = path.read_bytes()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", ("0" * 64,))
    db.execute("DELETE FROM entities WHERE rowid > 1")  # what older code wrote: must not be trusted
    db.commit()
    db.close()
    _same(kept_entities(gen, store), fresh)
    assert path.read_bytes() == good  # made again, as before
    text = "长沙的招商项目"
    for broken in (good[:100], good[: len(good) // 2], b"not a database at all" * 100):
        path.write_bytes(broken)
        _same(kept_entities(gen, store), fresh)
        assert path.read_bytes() == good
        path.write_bytes(broken)
        assert find_mentions(kept_entities_for(gen, store, text), text) == find_mentions(fresh, text)
        assert path.read_bytes() == good
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()[0] == kg.names.kept.fingerprint()
    db.close()


def test_the_part_for_a_text_finds_the_mentions_the_whole_index_finds(built: Paths) -> None:
    # every name the data has, cut out of each label and put into texts with overlaps and look-alikes
    gen, store = _generation_and_store(built)
    whole = kept_entities(gen, store)
    names = [n for n in whole.names if len(n) >= 2]
    assert len(names) > 100
    texts = [
        "哪些商会把哪些地方联系在一起", "长沙市和岳阳市之间有什么联系", "projects in Huaihua and Changsha",
        "怀化有哪些招商大使？湖南省怀化市辰溪县呢", "".join(names[:40]), " ".join(names[-40:]), "明天天气怎么样", "",
        "ＣＨＡＮＧＳＨＡ", "长沙" * 2_000,  # past MAX_TEXT: the whole index
    ]
    for text in texts:
        part = kept_entities_for(gen, store, text)
        assert find_mentions(part, text) == find_mentions(whole, text), text[:40]
        for m in find_mentions(part, text):
            for iri in m.iris:
                assert asdict(part.entities[iri]) == asdict(whole.entities[iri])
        if len(text) < kg.names.kept.MAX_TEXT:
            assert len(part.entities) < len(whole.entities)


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
    import kg.names.index

    build(project)
    gen, store = _generation_and_store(project)
    kept_entities(gen, store)  # as the warmer keeps it after a build
    del store

    def refuse(_: object) -> EntityIndex:
        raise AssertionError("every name of the store was read")

    monkeypatch.setattr(kg.names.index, "load_entities", refuse)
    monkeypatch.setattr(kg.names.kept, "load_entities", refuse)
    args = ["--project", str(project.project), "--store", str(project.store), "query", "-q", "region_metrics"]
    # another spelling (full-width letters, other case) needs the whole index; so do the suggestions
    found = runner.invoke(cli, [*args, "--param", "region=ＣＨＡＮＧＳＨＡ", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert "region/430100" in found.output
    unknown = runner.invoke(cli, [*args, "--param", "region=长沙县城"])
    assert unknown.exit_code == 1
    assert "Did you mean: 长沙" in unknown.output
