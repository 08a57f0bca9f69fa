"""The written question sets (tests/data/questions): the test split meets the target, and no negative case is
answered with confidence. The lexicon is tuned on the dev split only; ``python -m benchmarks.ask_eval --misses``
prints both splits per kind of question."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.asking.answer import Answer, ask
from kg.asking.scoring import Item, evaluate, format_report, found, judge, load_items
from kg.names.index import EntityIndex, load_entities
from kg.query.catalogue import Table, load_catalogue

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions"
CATALOGUE = load_catalogue(ROOT / "queries")


@pytest.fixture(scope="module")
def index(store: ox.Store) -> EntityIndex:
    return load_entities(store)


def test_the_sets_are_large_and_varied() -> None:
    dev, test = load_items(QUESTIONS / "dev.jsonl"), load_items(QUESTIONS / "test.jsonl")
    items = dev + test
    assert len(items) >= 200 and len(test) * 3 >= len(items) - 3
    assert len({i.id for i in items}) == len(items) and not {i.q for i in dev} & {i.q for i in test}
    assert sum(not i.catalogue for i in items) * 2 >= len(items)
    assert {i.lang for i in items} == {"zh", "en"}
    assert {"fact", "figure", "year", "threshold", "compare", "negative", "catalogue"} <= {i.kind for i in items}
    assert all(i.status in ("answered", "not_in_graph") for i in items)
    assert all(i.expect for i in items if i.status == "answered")


@pytest.mark.parametrize("split", ["test", "dev"])
def test_split_meets_the_target(store: ox.Store, index: EntityIndex, split: str) -> None:
    items = load_items(QUESTIONS / f"{split}.jsonl")
    report = evaluate(split, items, lambda q: ask(store, CATALOGUE, q, index))
    assert report.accuracy >= 0.95, format_report(report)
    assert report.confident_wrong_negatives == 0, format_report(report)


def test_the_judge_is_strict() -> None:
    item = Item(id="x", q="?", kind="fact", status="answered", expect=["430.65亿"], absent=["健博会"], max_rows=2,
                catalogue=False, lang="zh")
    row = {"amount": ox.Literal("43065000000"), "label": ox.Literal("云溪区")}
    right = Answer(text="?", status="answered", table=Table(["amount", "label"], [row]))
    assert judge(item, right).right
    too_long = Answer(text="?", status="answered", table=Table(["amount", "label"], [row] * 3))
    assert not judge(item, too_long).right
    wrong = Answer(text="?", status="answered", table=Table(["label"], [{"label": ox.Literal("健博会")}]))
    verdict = judge(item, wrong)
    assert not verdict.right and verdict.confident_wrong
    negative = Item(id="n", q="?", kind="negative", status="not_in_graph", expect=[], absent=[], max_rows=0,
                    catalogue=False, lang="zh")
    assert judge(negative, Answer(text="?", status="not_in_graph")).right
    confident = judge(negative, right)
    assert not confident.right and confident.confident_wrong
    assert found("1100万", ["11000000"]) and not found("1100万", ["1100"]) and found("张锦州", ["张锦州"])
