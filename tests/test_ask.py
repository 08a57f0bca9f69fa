"""kg ask: Chinese and English phrasings, paraphrases and aliases reach the right question and parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.asking.answer import Answer, ask, load_cues, stem
from kg.cli import cli
from kg.errors import AmbiguousEntity, UnknownEntity
from kg.names.index import EntityIndex, find_mentions, load_entities, resolve
from kg.paths import Paths
from kg.query.catalogue import Question, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
R = "https://w3id.org/zhaoshang-kg/id/region/"


@pytest.fixture(scope="module")
def index(store: ox.Store) -> EntityIndex:
    return load_entities(store)


def answer(store: ox.Store, index: EntityIndex, text: str) -> Answer:
    return ask(store, CATALOGUE, text, index)


EXAMPLES = [(name, text) for name, cues in load_cues().items() for text in cues.examples]


def test_every_question_has_a_lexicon_entry() -> None:
    assert set(load_cues()) == set(CATALOGUE)


@pytest.mark.parametrize(("name", "text"), EXAMPLES)
def test_examples_reach_their_question(store: ox.Store, index: EntityIndex, name: str, text: str) -> None:
    a = answer(store, index, text)
    assert a.status == "answered", a.render()
    assert a.question is not None and a.question.name == name, a.render()
    assert a.table is not None and a.table.rows, a.render()
    assert a.sources, "an answer must show the sentences it rests on"


@pytest.mark.parametrize("text", ["哪些商会把哪些地方联系在一起", "chambers of commerce and the places they connect",
                                  "异地商会都联系着哪些地区?", "Which chambers tie which places together"])
def test_chamber_paraphrases(store: ox.Store, index: EntityIndex, text: str) -> None:
    a = answer(store, index, text)
    assert a.question is not None and a.question.name == "chambers_linking_regions"
    assert len(a.table.rows) == 4  # type: ignore[union-attr]
    assert any("北京辰溪商会" in s for s in a.sources)


@pytest.mark.parametrize("name", ["长沙", "长沙市", "Changsha", "changsha", "zr:region/430100", f"<{R}430100>"])
def test_aliases_of_one_city(index: EntityIndex, name: str) -> None:
    assert resolve(index, name).iri == R + "430100"


def test_look_alikes_stay_apart(index: EntityIndex) -> None:
    assert resolve(index, "长沙县").iri == R + "430121"
    assert resolve(index, "Changsha County").iri == R + "430121"
    mentions = find_mentions(index, "长沙和长沙县的项目")
    assert [(m.surface, m.iris) for m in mentions] == [("长沙", (R + "430100",)), ("长沙县", (R + "430121",))]


@pytest.mark.parametrize(("text", "region"), [
    ("长沙有哪些项目", "430100"), ("长沙市的招商项目", "430100"), ("projects in Changsha", "430100"),
    ("长沙县有哪些项目", "430121"), ("Changsha County projects", "430121"), ("怀化的项目", "431200"),
])
def test_region_parameter_from_aliases(store: ox.Store, index: EntityIndex, text: str, region: str) -> None:
    a = answer(store, index, text)
    assert a.question is not None and a.question.name == "projects_in_region"
    assert a.params["region"].iri == R + region


def test_sub_regions_are_included(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "怀化市有哪些招商项目")
    labels = {str(r["projectLabel"].value) for r in a.table.rows}  # type: ignore[union-attr, index]
    assert labels == {"湘中石油临港产业项目", "智慧市场临港产业项目"}


def test_two_regions_for_connections(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "辰溪和北京之间有什么联系")
    assert a.question is not None and a.question.name == "connections_between_regions"
    assert (a.params["a"].iri, a.params["b"].iri) == (R + "431223", R + "110000")
    assert [str(r["viaLabel"].value) for r in a.table.rows] == ["北京辰溪商会"]  # type: ignore[union-attr, index]


def test_filters_narrow_list_questions(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "岳阳有哪些改革和服务举措")
    assert a.question is not None and a.question.name == "initiatives_by_region"
    assert [e.iri for e in a.filters] == [R + "430600"]
    assert {str(r["regionLabel"].value) for r in a.table.rows} == {"岳阳市"}  # type: ignore[union-attr, index]
    cards = answer(store, index, "感情牌有哪些做法")
    assert {str(r["cardLabel"].value) for r in cards.table.rows} == {"感情牌"}  # type: ignore[union-attr, index]
    nothing = answer(store, index, "北京有哪些改革举措")
    assert nothing.ok and nothing.table is not None and nothing.table.rows == []


def test_ambiguous_entity_lists_candidates(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "关于浏阳经开区的一切")
    assert a.status == "ambiguous"
    assert {e.iri.rsplit("/", 1)[-1] for e in a.candidates} == {"liuyang-edz", "liuyang-edz-committee"}
    with pytest.raises(AmbiguousEntity) as err:
        resolve(index, "浏阳经开区")
    assert len(err.value.candidates) == 2
    # A place parameter picks the place reading by itself.
    assert resolve(index, "浏阳经开区", places_only=True).iri.endswith("place/liuyang-edz")


def test_no_match_gives_closest_questions(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "明天天气怎么样")
    assert a.status == "no_match" and len(a.closest) == 3
    assert all(isinstance(q, Question) for q in a.closest)
    b = answer(store, index, "商协会的情况")
    assert b.question is not None and b.question.name == "chambers_linking_regions"


def test_missing_parameter(store: ox.Store, index: EntityIndex) -> None:
    a = answer(store, index, "what connects Chenxi with the others?")
    assert a.status != "answered" or (a.question is not None and a.question.name != "connections_between_regions")


def test_unknown_entity_suggests(index: EntityIndex) -> None:
    with pytest.raises(UnknownEntity, match="Did you mean"):
        resolve(index, "辰溪商会")


def test_stem() -> None:
    assert {stem("chambers"), stem("chamber")} == {"chamber"}
    assert stem("policies") == stem("policy") and stem("connected") == stem("connects") == "connect"


def test_cli_ask_text_and_json(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store), "ask"]
    out = runner.invoke(cli, [*base, "哪些商会把哪些地方联系在一起"])
    assert out.exit_code == 0, out.output
    assert "Which chambers of commerce link which regions" in out.output
    assert "北京辰溪商会" in out.output and "Sources:" in out.output
    out = runner.invoke(cli, [*base, "projects in Huaihua", "--format", "json"])
    data = json.loads(out.output)
    assert data["status"] == "answered" and data["matched"]["name"] == "projects_in_region"
    assert data["params"]["region"]["label"] == "怀化市"
    assert len(data["answer"]["results"]["bindings"]) == 2 and data["sources"]
    out = runner.invoke(cli, [*base, "明天天气怎么样", "--format", "json"])
    assert out.exit_code == 1 and json.loads(out.output)["status"] == "no_match"
    out = runner.invoke(cli, [*base, "关于浏阳经开区的一切"])
    assert out.exit_code == 1 and "liuyang-edz-committee" in out.output
