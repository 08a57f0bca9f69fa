"""A focused view read around its focus is the whole-store view, field by field, and reads a small part of it."""

from __future__ import annotations

import random
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import kg.views.focused
import kg.views.model
from kg.errors import KGError
from kg.paths import Paths
from kg.store.generations import open_store
from kg.views.build import build_view
from kg.views.focused import focused_view
from kg.views.model import ViewGraph, extract
from tests.conftest import CountingStore

A = "https://w3id.org/zhaoshang-kg/id/agent/"
T = "https://w3id.org/zhaoshang-kg/id/test/"
ROOT = Path(__file__).resolve().parent.parent
PREFIXES = f"""
@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix t: <{T}> .
"""


class Whole:
    """The whole-store view of one store and language, as ``build_view`` gave it before views were read
    locally: the store is extracted once and each view narrowed from it."""

    def __init__(self, store: ox.Store, lang: str) -> None:
        self.store = store
        self.lang = lang
        self.graph = extract(store, lang)

    def view(self, focus: str, hops: int, classes: tuple[str, ...] = ()) -> Any:
        """build_view's answer (its fields, or the error's type, message and candidates) on the whole store."""
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(kg.views.model, "extract", lambda *_: self.graph)
            mp.setattr(kg.views.focused, "focused_view", lambda *_, **__: None)
            return answer(self.store, focus, hops, classes, self.lang)


def answer(store: Any, focus: str, hops: int, classes: tuple[str, ...], lang: str) -> Any:
    """What build_view gives: every field of the view (edges as a set), or the error it raises."""
    try:
        view = build_view(store, focus=focus, hops=hops, classes=classes, lang=lang)
    except KGError as exc:
        return type(exc), str(exc), getattr(exc, "candidates", None)
    return fields(view)


def fields(view: ViewGraph) -> dict[str, Any]:
    # read at once: narrow writes degrees into the nodes it shares with the graph it narrows
    return {"nodes": {i: asdict(n) for i, n in view.nodes.items()}, "edges": set(view.edges),
            "edge_count": len(view.edges), "classes": {c: asdict(v) for c, v in view.classes.items()},
            "regions": view.regions, "title": view.title, "focus": view.focus, "lang": view.lang}


def local(store: Any, focus: str, hops: int, classes: tuple[str, ...] = (), lang: str = "zh", *,
          whole_ok: bool = False) -> Any:
    """build_view's answer read around the focus; fails if the store would be read whole, unless *whole_ok*
    (a name or a class only the whole view can resolve, an error with the whole view's suggestions)."""
    with pytest.MonkeyPatch.context() as mp:
        if not whole_ok:
            mp.setattr(kg.views.model, "read_store", refuse)
        return answer(store, focus, hops, classes, lang)


def refuse(*_: Any) -> None:
    raise AssertionError("read the whole store")


def test_every_focus_of_the_article_gives_the_whole_stores_view(store: ox.Store) -> None:
    whole = Whole(store, "zh")
    for node in sorted(whole.graph.nodes):
        for hops in (0, 1, 2):
            assert local(store, node, hops) == whole.view(node, hops), (node, hops)


def test_views_in_english_are_the_whole_stores(store: ox.Store) -> None:
    whole = Whole(store, "en")
    for node in random.Random(2).sample(sorted(whole.graph.nodes), 40):
        for hops in (1, 2):
            assert local(store, node, hops, lang="en") == whole.view(node, hops), (node, hops)


def test_a_generated_corpus_gives_the_whole_stores_views(synth: Paths) -> None:
    s = open_store(synth.store)
    whole = Whole(s, "zh")
    nodes = sorted(whole.graph.nodes)
    for node in random.Random(4).sample(nodes, 60):
        for hops in (1, 2):
            assert local(s, node, hops) == whole.view(node, hops), (node, hops)
    # entities stated in several sources list their facts in the order the whole store reads them
    many = [n for n in nodes if len({q.graph_name for q in s.quads_for_pattern(ox.NamedNode(n), None, None)}) > 1
            and len(whole.graph.nodes[n].facts) > 1]
    assert many
    for node in many:
        assert local(s, node, 0) == whole.view(node, 0), node


def test_a_store_in_memory_gives_the_whole_stores_views(store: ox.Store, synth: Paths) -> None:
    for source in (store, open_store(synth.store)):
        memory = ox.Store()
        memory.extend(list(source))
        whole = Whole(memory, "zh")
        for node in random.Random(6).sample(sorted(whole.graph.nodes), 60):
            for hops in (0, 1):
                assert local(memory, node, hops) == whole.view(node, hops), (node, hops)


def test_names_classes_and_errors_are_the_whole_stores(store: ox.Store) -> None:
    whole = Whole(store, "zh")
    names = {a for n in whole.graph.nodes.values() for a in [n.label, *n.aliases]}
    names |= {"beijing", "CHENXI COUNTY", "Nowhere-at-all", "辰溪", "zr:region/430000", "zr:region/999999",
              "<" + A + "chamber-beijing-chenxi>", "  北京市 ", A + "no-such-thing", "招商"}
    for name in sorted(names):
        assert local(store, name, 1, whole_ok=True) == whole.view(name, 1), name
    assert isinstance(whole.view("Nowhere-at-all", 1)[0], type)
    shared = [a for a in names if sum(a in [n.label, *n.aliases] for n in whole.graph.nodes.values()) > 1]
    assert shared and all(local(store, a, 1, whole_ok=True) == whole.view(a, 1) for a in shared)
    focus = A + "chamber-beijing-chenxi"
    for classes in [("zs:Enterprise",), ("Government",), ("企业", "zs:ChamberOfCommerce"), ("zs:NoSuchClass",),
                    ("地级行政区",), ("schema:Person",), ("SCHEMA:PERSON",), ("https://schema.org/Event",),
                    ("zs:Port",), ("zs:Sentence",)]:
        for hops in (1, 2):
            assert local(store, focus, hops, classes, whole_ok=True) == whole.view(focus, hops, classes), classes
            assert local(store, "辰溪县", hops, classes, whole_ok=True) == whole.view("辰溪县", hops, classes), classes
    assert local(store, focus, -1) == whole.view(focus, -1)


def test_exact_names_and_iris_are_resolved_without_the_whole_store(store: ox.Store) -> None:
    for mention in ("北京辰溪商会", "Beijing Chenxi Chamber of Commerce", A + "chamber-beijing-chenxi"):
        view = focused_view(store, mention, 1)
        assert view is not None and view.focus == A + "chamber-beijing-chenxi"
    assert focused_view(store, "北京辰溪商会", 1, classes=["企业"]) is not None
    # a name only a case-insensitive match finds, and an unknown one, are left to the whole view
    assert focused_view(store, "beijing chenxi chamber of commerce", 1) is None
    assert focused_view(store, "Nowhere-at-all", 1) is None


def test_a_focused_view_reads_a_small_part_of_the_store(synth: Paths) -> None:
    s = open_store(synth.store)
    gov = next(n for n in sorted(extract(s).nodes) if "/agent/gov-" in n)
    counting = CountingStore(s)
    view = local(counting, gov, 1)
    assert len(view["nodes"]) > 5 and 0 < counting.read < len(s) / 5


@pytest.mark.parametrize("on_disk", [True, False])
def test_facts_stated_in_several_graphs_keep_the_whole_stores_order(tmp_path: Path, on_disk: bool) -> None:
    # On disk the whole-store query reads graph by graph, while an entity's own statements come in index order:
    # swapping which source states which fact changes the whole store's order, so one of the two orders differs
    # from the index's. In memory both come newest first.
    orders = []
    for first, second in (("a", "b"), ("b", "a")):
        s = ox.Store(tmp_path / f"{first}{second}") if on_disk else ox.Store()
        s.load(path=str(ROOT / "ontology" / "zhaoshang.ttl"), format=ox.RdfFormat.TURTLE)
        s.load(f"""{PREFIXES}
            GRAPH <https://w3id.org/zhaoshang-kg/graph/{first}> {{ t:e a zs:Enterprise ; rdfs:label "某企业"@zh ;
                t:founded "one" . }}
            GRAPH <https://w3id.org/zhaoshang-kg/graph/{second}> {{ t:e t:staff "two" ; rdfs:label "某企业"@zh . }}
            """.encode(), format=ox.RdfFormat.TRIG)
        expected = Whole(s, "zh").view(T + "e", 0)
        assert local(s, T + "e", 0) == expected
        orders.append(expected["nodes"][T + "e"]["facts"])
    assert len(orders[0]) == 2 and orders[0] == (orders[1][::-1] if on_disk else orders[1])
