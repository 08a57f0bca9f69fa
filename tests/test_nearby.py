"""Neighbourhoods read around entities give what the whole graph gives, and read only around them."""

from __future__ import annotations

import itertools
import random
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.errors import AmbiguousEntity, QueryError, UnknownEntity
from kg.graph.explore import neighbors_of, paths_between
from kg.graph.neighbourhood import Nearby
from kg.graph.network import entity_graph, neighbors
from kg.names.index import find, load_entities, resolve
from kg.paths import Paths
from kg.store.generations import open_store
from tests.conftest import CountingStore

A = "https://w3id.org/zhaoshang-kg/id/agent/"


def _stores(store: ox.Store, synth: Paths) -> list[ox.Store]:
    return [store, open_store(synth.store)]


def _simple(g: nx.MultiDiGraph) -> nx.Graph:
    return nx.Graph(g.to_undirected(as_view=True))


def test_neighbourhoods_equal_the_whole_graphs(store: ox.Store, synth: Paths) -> None:
    for s in _stores(store, synth):
        whole = entity_graph(s)
        near = Nearby(s)
        nodes = sorted(whole)
        sample = random.Random(3).sample(nodes, min(len(nodes), 120))
        for node in sample:
            for hops in (1, 2):
                local = near.graph(near.ball([node], hops))
                assert neighbors(local, node, hops) == neighbors(whole, node, hops), (node, hops)
                # every entity near it carries the same attributes and sentences as in the whole graph
                for other in local:
                    assert local.nodes[other] == whole.nodes[other]
        assert local.graph["sentences"].items() <= whole.graph["sentences"].items()


def test_shortest_paths_equal_the_whole_graphs(store: ox.Store, synth: Paths) -> None:
    for s in _stores(store, synth):
        whole = _simple(entity_graph(s))
        nodes = sorted(whole)
        rng = random.Random(8)
        for a, b in [tuple(rng.sample(nodes, 2)) for _ in range(40)]:
            try:
                expected = [len(p) for p in itertools.islice(nx.shortest_simple_paths(whole, a, b), 3)]
            except nx.NetworkXNoPath:
                expected = []
            found = Nearby(s).shortest_paths(a, b, 3)
            assert [len(p) for p in found] == expected, (a, b)
            for p in found:  # real paths of the graph
                assert p[0] == a and p[-1] == b and all(whole.has_edge(u, v) for u, v in itertools.pairwise(p))


def test_a_neighbourhood_reads_a_small_part_of_the_store(synth: Paths) -> None:
    s = open_store(synth.store)
    counting = CountingStore(s)
    gov = next(n for n in sorted(entity_graph(s)) if "/agent/gov-" in n)
    near = Nearby(counting)  # type: ignore[arg-type]
    ball = near.ball([gov], 1)
    near.graph(ball)
    assert len(ball) > 1 and 0 < counting.read < len(s) / 5


def test_a_search_that_grows_too_far_stops_with_advice(synth: Paths) -> None:
    s = open_store(synth.store)
    whole = entity_graph(s)
    hub = max(whole, key=lambda n: whole.degree(n))
    with pytest.raises(QueryError, match=r"reached more than 5 entities.*fewer hops"):
        Nearby(s, max_reached=5).ball([hub], 2)


def test_the_commands_read_around_the_entities(built: Paths) -> None:
    near = neighbors_of(built, "北京辰溪商会", 1)
    assert {r["label"] for r in near} == {"北京市", "辰溪县", "辰溪县人民政府", "辰溪借助异地商会人脉并聘任招商大使"}
    [hops] = paths_between(built, "北京", "辰溪县")
    assert [h.explain() for h in hops] == ["北京市 ←所在地区 (host region)— 北京辰溪商会",
                                         "北京辰溪商会 —籍贯地区 (origin region)→ 辰溪县"]
    assert all(h.sentence_iri.endswith("/s029") for h in hops)
    with pytest.raises(QueryError, match="two different"):
        paths_between(built, "北京市", "Beijing")
    with pytest.raises(QueryError, match="--hops"):
        neighbors_of(built, "北京市", 0)


def test_find_agrees_with_the_whole_index(store: ox.Store) -> None:
    index = load_entities(store)
    names = {n for e in index.entities.values() for n in (e.label_zh, e.label_en, *e.aliases) if n}
    names |= {"北京", "辰溪", "香港", "Chenxi", "长沙", "zr:region/430000", "<" + A + "chamber-beijing-chenxi>",
              A + "chamber-beijing-chenxi", "beijing", "ＢＥＩＪＩＮＧ", "Nowhere-at-all", "招商"}
    for name in sorted(names):
        try:
            expected: Any = resolve(index, name).iri
        except (UnknownEntity, AmbiguousEntity) as exc:
            expected = type(exc)
        try:
            got: Any = find(store, name).iri
        except (UnknownEntity, AmbiguousEntity) as exc:
            got = type(exc)
        assert got == expected, name


def test_find_needs_no_whole_index_for_exact_and_short_names(store: ox.Store, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import kg.names.index

    def refuse(_: Any) -> None:
        raise AssertionError("read every name")

    monkeypatch.setattr(kg.names.index, "load_entities", refuse)
    assert find(store, "辰溪").label == "辰溪县"
    assert find(store, "Beijing Chenxi Chamber of Commerce").iri == A + "chamber-beijing-chenxi"
    assert find(store, "zr:region/110000").label == "北京市"
    with pytest.raises(UnknownEntity, match="No entity"):
        find(store, "https://w3id.org/zhaoshang-kg/id/agent/no-such-thing")

