"""The entity graph: literals as attributes, explained paths, neighbours and rankings."""

from __future__ import annotations

import json

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError
from kg.graph.network import entity_graph, explain_hop, neighbors, node_id, path
from kg.graph.ranking import class_filter, pagerank, rank
from kg.names.index import load_entities
from kg.paths import Paths

R = "https://w3id.org/zhaoshang-kg/id/region/"
A = "https://w3id.org/zhaoshang-kg/id/agent/"
P = "https://w3id.org/zhaoshang-kg/id/project/"


@pytest.fixture(scope="module")
def graph(store: ox.Store) -> nx.MultiDiGraph:
    return entity_graph(store)


def test_literals_and_values_are_attributes_not_nodes(graph: nx.MultiDiGraph) -> None:
    project = graph.nodes[P + "yuhu-cold-chain-changsha"]
    assert project["label"] == "玉湖冷链(长沙)交易中心"
    assert project["investment"] == "约50亿元" and project["stage"] == "落地"
    assert "zs:InvestmentProject" in project["classes"]
    assert not any(str(n).startswith("https://w3id.org/zhaoshang-kg/id/amount/") for n in graph)
    assert not any("/s0" in str(n) for n in graph)  # sentences are not nodes
    assert all(isinstance(n, str) and n.startswith("http") for n in graph)


def test_path_explains_every_hop(graph: nx.MultiDiGraph) -> None:
    [hops] = path(graph, R + "110000", R + "431223")
    assert [h.explain() for h in hops] == [
        "北京市 ←所在地区 (host region)— 北京辰溪商会",
        "北京辰溪商会 —籍贯地区 (origin region)→ 辰溪县",
    ]
    assert all("北京辰溪商会" in h.sentence for h in hops)
    assert all(h.sentence_iri.endswith("/s029") for h in hops)


def test_path_through_project_and_investor(store: ox.Store, graph: nx.MultiDiGraph) -> None:
    index = load_entities(store)
    # two ways of three hops, always in the same order (neighbours are searched in sorted order, not hash order)
    first, hops = path(graph, node_id(graph, index, "张锦州"), node_id(graph, index, "香港特别行政区"), paths=2)
    assert [h.relation for h in first] == ["zs:actor", "zs:involves", "schema:location"]
    assert [h.relation for h in hops] == ["zs:facilitatedBy", "zs:investor", "schema:location"]
    assert hops[0].forward is False and hops[0].label_en == "facilitated by"
    assert "张锦州" in hops[0].sentence
    several = path(graph, R + "110000", R + "431223", paths=3)
    assert len(several) == 3 and len(several[0]) <= len(several[1]) <= len(several[2])


def test_gazetteer_hops_cite_the_gazetteer(graph: nx.MultiDiGraph) -> None:
    hop = explain_hop(graph, R + "431223", R + "431200")
    assert hop.relation == "schema:containedInPlace" and hop.label_zh == "隶属于"
    assert "gazetteer" in hop.sentence


def test_neighbors(graph: nx.MultiDiGraph) -> None:
    near = neighbors(graph, A + "chamber-beijing-chenxi", 1)
    assert {r["label"] for r in near} == {"北京市", "辰溪县", "辰溪县人民政府", "辰溪借助异地商会人脉并聘任招商大使"}
    two = neighbors(graph, A + "chamber-beijing-chenxi", 2)
    assert {r["hops"] for r in two} == {1, 2} and len(two) > len(near)
    with pytest.raises(QueryError):
        neighbors(graph, A + "chamber-beijing-chenxi", 0)


def test_rank_with_class_filter(graph: nx.MultiDiGraph) -> None:
    top = rank(graph, "degree", top=3)
    assert top[0][3] >= top[1][3] >= top[2][3]
    chambers = rank(graph, "pagerank", cls="商会")
    assert {label for _, label, _, _ in chambers} == {"北京辰溪商会", "浙江湖南商会", "上海怀化商会", "深圳辰溪商会"}
    assert class_filter(graph, "zs:TaskForce") == class_filter(graph, "task force") == "zs:TaskForce"
    forces = rank(graph, "betweenness", cls="TaskForce")
    assert forces[0][1] == "长沙市政府驻北京招引工作专班"
    with pytest.raises(QueryError, match="No entity has class"):
        rank(graph, cls="zs:Nothing")
    with pytest.raises(QueryError, match="Unknown measure"):
        rank(graph, "closeness")


def test_pagerank_matches_networkx_definition() -> None:
    g = nx.path_graph(4)
    pr = pagerank(g)
    assert abs(sum(pr.values()) - 1) < 1e-9
    assert pr[1] == pytest.approx(pr[2]) and pr[1] > pr[0]


def test_cli_network_commands(built: Paths, runner: CliRunner) -> None:
    base = ["--store", str(built.store)]
    out = runner.invoke(cli, [*base, "path", "北京", "辰溪县"])
    assert out.exit_code == 0, out.output
    assert "北京辰溪商会 —籍贯地区 (origin region)→ 辰溪县" in out.output and "「" in out.output
    out = runner.invoke(cli, [*base, "path", "北京", "辰溪县", "--format", "json"])
    assert json.loads(out.output)[0][0]["relation"] == "zs:hostRegion"
    out = runner.invoke(cli, [*base, "neighbors", "Beijing Chenxi Chamber of Commerce", "--hops", "1"])
    assert out.exit_code == 0 and "辰溪县人民政府" in out.output
    out = runner.invoke(cli, [*base, "rank", "--measure", "pagerank", "--class", "zs:ChamberOfCommerce", "--top", "2"])
    assert out.exit_code == 0 and out.output.count("商会") >= 2
    out = runner.invoke(cli, [*base, "neighbors", "浏阳经开区"])
    assert out.exit_code == 1 and "Error:" in out.output and "liuyang-edz-committee" in out.output


def test_rank_and_viz_agree_on_which_iris_are_nodes(built: Paths, graph: nx.MultiDiGraph) -> None:
    """`kg rank` ranks the nodes `kg viz` draws: one definition of an entity (kg.graph.kinds)."""
    from kg.graph.explore import rank_entities
    from kg.store.generations import open_store
    from kg.views.model import extract

    view = extract(open_store(built.store))
    assert set(graph) == set(view.nodes) and len(graph) > 200
    ranked = {iri for iri, *_ in rank_entities(built, top=len(graph))}
    assert ranked == set(view.nodes)
    article = "https://w3id.org/zhaoshang-kg/id/source/rednet-2024-03-13-sanzhangpai"
    ambassador = "https://w3id.org/zhaoshang-kg/def#InvestmentAmbassador"
    # an article is a node of both, linked to its publisher; a role is a concept, a node where it is linked
    assert article in graph and graph.has_edge(article, A + "rednet")
    assert view.nodes[article].cls == "https://schema.org/NewsArticle"
    assert ambassador in graph and view.nodes[ambassador].cls == "http://www.w3.org/ns/org#Role"
    # values (an overlap group of totals, the ontology itself) and unlinked concepts are nodes of neither
    for iri in ("https://w3id.org/zhaoshang-kg/id/overlap/chenxi-signing-2023", "https://w3id.org/zhaoshang-kg/def"):
        assert iri not in graph and iri not in view.nodes
