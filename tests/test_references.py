"""The dangling-reference check answered from the loaded statements gives the shape query's very rows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.backend import build
from kg.errors import ValidationError
from kg.paths import Paths, make_paths
from kg.shacl.compile import compile_shapes
from kg.store.build import files_by_graph, shape_program
from kg.store.loader import load_graphs
from kg.store.references import NAMESPACE, QUERY, SHAPE, ReferenceTracker, applies, focus_rows
from tests.conftest import ROOT

ID = NAMESPACE
DEF = ox.NamedNode("https://w3id.org/zhaoshang-kg/def")
EXTRA = ox.NamedNode("https://w3id.org/zhaoshang-kg/graph/extra")


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode("https://w3id.org/zhaoshang-kg/def#" + name)


TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# Each case: statements added to the real data in a graph of their own.
CASES: dict[str, list[ox.Quad]] = {
    "clean": [],
    "missing entity": [ox.Quad(ox.NamedNode(ID + "agent/changsha-gov"), _p("worksWith"),
                               ox.NamedNode(ID + "agent/no-such-agent"), EXTRA)],
    "two referrers, one a blank node": [
        ox.Quad(ox.NamedNode(ID + "agent/changsha-gov"), _p("worksWith"), ox.NamedNode(ID + "x/ghost"), EXTRA),
        ox.Quad(ox.BlankNode("b1"), _p("worksWith"), ox.NamedNode(ID + "x/ghost"), EXTRA),
        ox.Quad(ox.BlankNode("b1"), _p("worksWith"), ox.NamedNode(ID + "x/ghost"), DEF),  # same row twice
    ],
    "typed in another graph is described": [
        ox.Quad(ox.NamedNode(ID + "agent/changsha-gov"), _p("worksWith"), ox.NamedNode(ID + "x/elsewhere"), EXTRA),
        ox.Quad(ox.NamedNode(ID + "x/elsewhere"), TYPE, _p("Government"), DEF),
    ],
    "a class of the namespace, never typed": [
        ox.Quad(ox.NamedNode(ID + "x/thing"), TYPE, ox.NamedNode(ID + "class/Odd"), EXTRA),
    ],
    "outside the namespace is never reported": [
        ox.Quad(ox.NamedNode(ID + "agent/changsha-gov"), _p("worksWith"), ox.NamedNode("https://example.org/x"),
                EXTRA),
    ],
}


def _rows_both(extra: list[ox.Quad]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    paths = make_paths(ROOT, ROOT / "unused-store")
    store = ox.Store()
    tracker = ReferenceTracker()
    load_graphs(store, files_by_graph(paths), inspect=lambda _graph, quads: tracker.see(quads))
    if extra:
        store.extend(extra)
        by_graph: dict[str, list[ox.Quad]] = {}
        for q in extra:
            by_graph.setdefault(str(q.graph_name), []).append(q)
        for quads in by_graph.values():
            tracker.see(quads)
    answer = store.query(QUERY.replace("$this", "?this"), use_default_graph_as_union=True,
                         substitutions={ox.Variable("this"): DEF})
    assert isinstance(answer, ox.QuerySolutions)
    return _pairs(answer), _pairs(tracker.rows())


def _pairs(rows: Iterable[Any]) -> set[tuple[str, str]]:
    """(value, subject) of each row, blank subjects as "_:" (their labels differ between the two)."""
    return {(str(r["value"]), "_:" if isinstance(r["subject"], ox.BlankNode) else str(r["subject"])) for r in rows}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_tracker_gives_the_rows_of_the_query(case: str) -> None:
    by_query, by_tracker = _rows_both(CASES[case])
    assert by_tracker == by_query
    if case in ("clean", "typed in another graph is described", "outside the namespace is never reported"):
        assert by_query == set()
    else:
        assert by_query


def _store_with(extra: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    load_graphs(store, files_by_graph(make_paths(ROOT, ROOT / "unused-store")))
    store.extend(extra)
    return store


def _query_rows(store: ox.Store) -> set[tuple[str, str]]:
    answer = store.query(QUERY.replace("$this", "?this"), use_default_graph_as_union=True,
                         substitutions={ox.Variable("this"): DEF})
    assert isinstance(answer, ox.QuerySolutions)
    return {(str(r["value"]), str(r["subject"])) for r in answer}


@pytest.mark.parametrize("case", sorted(CASES))
def test_focus_rows_are_the_query_rows_that_name_a_focus_node(case: str) -> None:
    store = _store_with(CASES[case])
    every = _query_rows(store)
    nodes = sorted({n for q in store.quads_for_pattern(None, None, None, None) for n in (q.subject, q.object)
                    if isinstance(n, ox.NamedNode | ox.BlankNode)}, key=str)
    extra = {n for q in CASES[case] for n in (q.subject, q.object) if isinstance(n, ox.NamedNode | ox.BlankNode)}
    for focus in (set(nodes), set(nodes[::7]), extra, {n for n in extra if n.value.endswith("changsha-gov")}):
        got = {(str(r["value"]), str(r["subject"])) for r in focus_rows(store, focus)}
        names = {str(n) for n in focus}
        assert got == {(v, s) for v, s in every if v in names or s in names}, (case, len(focus))
    if every:
        assert {(str(r["value"]), str(r["subject"])) for r in focus_rows(store, extra)}  # the case's own rows


def test_an_entity_that_loses_its_description_is_reported_incrementally(project: Paths) -> None:
    facts = project.project / "data" / "facts"
    (facts / "zz-describes.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .\n"
        f"<{ID}agent/extra-chamber> a zs:Organization .\n", encoding="utf-8")
    (facts / "zz-refers.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .\n"
        f"<{ID}agent/changsha-gov> zs:worksWith <{ID}agent/extra-chamber> .\n", encoding="utf-8")
    build(project)
    (facts / "zz-describes.ttl").unlink()  # the referring source is unchanged; the described one goes
    with pytest.raises(ValidationError) as info:
        build(project)
    assert f"{ID}agent/extra-chamber is referenced (by {ID}agent/changsha-gov) but never described" \
        in str(info.value)


def test_the_tracker_answers_only_for_the_shape_it_knows(tmp_path: Path) -> None:
    paths = make_paths(ROOT, tmp_path / "store")
    assert applies(shape_program(paths))
    text = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    changed = text.replace('"https://w3id.org/zhaoshang-kg/id/"))', '"https://w3id.org/zhaoshang-kg/id/agent/"))')
    assert changed != text
    program = compile_shapes(ox.parse(changed.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert program.check_for(SHAPE) is not None and not applies(program)


def _dangle(project: Paths) -> None:
    facts = project.project / "data" / "facts"
    (facts / "zz-dangling.ttl").write_text(
        "@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .\n"
        f"<{ID}agent/changsha-gov> zs:worksWith <{ID}agent/no-such-chamber> .\n",
        encoding="utf-8",
    )


def test_a_full_build_reports_a_dangling_reference_by_name(project: Paths) -> None:
    _dangle(project)
    with pytest.raises(ValidationError) as info:
        build(project, full=True)
    assert f"{ID}agent/no-such-chamber is referenced (by {ID}agent/changsha-gov) but never described" \
        in str(info.value)


def test_an_incremental_build_reports_it_the_same_way(project: Paths) -> None:
    build(project)
    _dangle(project)
    with pytest.raises(ValidationError) as info:
        build(project)
    assert f"{ID}agent/no-such-chamber is referenced (by {ID}agent/changsha-gov) but never described" \
        in str(info.value)
