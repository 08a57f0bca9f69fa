"""The loader: parsing on this thread, N-Quads writes on another, the same statements as a plain load."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import RDFSyntaxError
from kg.store.loader import load_graphs, nquads

G = ox.NamedNode("https://w3id.org/zhaoshang-kg/graph/a")
OTHER = ox.NamedNode("https://w3id.org/zhaoshang-kg/graph/other")

# Literals that end a line early if anything went wrong: line breaks, " ." inside, quotes, non-BMP characters.
TRICKY = """@prefix ex: <https://example.org/> .
ex:s ex:p "line one .\\nline two ." , "tab\\t and \\" quote" , "𠀋 .", "x"@zh-Hans , 12.50 ;
     ex:q [ ex:r "inside a blank node ." ] .
ex:s ex:p "line one .\\nline two ." .
"""


def _quads_in(store: ox.Store) -> set[str]:
    """Every statement of *store*, blank node labels aside (they differ between two parses)."""
    return {f"{q.subject if not isinstance(q.subject, ox.BlankNode) else '_'} {q.predicate} "
            f"{q.object if not isinstance(q.object, ox.BlankNode) else '_'} {q.graph_name}"
            for q in store.quads_for_pattern(None, None, None, None)}


def _plain(files: dict[str, list[Path]]) -> ox.Store:
    """The same files loaded the plain way: every parsed triple put in its graph, one call."""
    store = ox.Store()
    for graph, paths in files.items():
        node = ox.NamedNode(graph)
        for p in paths:
            fmt = ox.RdfFormat.TRIG if p.suffix == ".trig" else ox.RdfFormat.TURTLE
            store.extend(ox.Quad(q.subject, q.predicate, q.object,
                                 node if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name)
                         for q in ox.parse(path=str(p), format=fmt))
    return store


def test_nquads_puts_default_statements_in_the_graph_and_keeps_named_ones() -> None:
    quads = list(ox.parse(TRICKY.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    quads.append(ox.Quad(ox.NamedNode("https://example.org/t"), ox.NamedNode("https://example.org/p"),
                         ox.Literal("kept"), OTHER))
    back = list(ox.parse(nquads(quads, G), format=ox.RdfFormat.N_QUADS))
    assert len(back) == len(quads)
    assert {q.graph_name for q in back} == {G, OTHER}
    assert {(str(q.subject), str(q.predicate), str(q.object)) for q in back if q.graph_name == G} == \
        {(str(q.subject), str(q.predicate), str(q.object)) for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}


def test_a_load_in_batches_equals_a_plain_load(tmp_path: Path) -> None:
    files: dict[str, list[Path]] = {}
    for i in range(30):
        f = tmp_path / f"f{i}.ttl"
        f.write_text(TRICKY.replace("ex:s", f"ex:s{i % 7}"), encoding="utf-8")
        files.setdefault(f"https://w3id.org/zhaoshang-kg/graph/g{i % 4}", []).append(f)
    trig = tmp_path / "q.trig"
    trig.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n"
                    f"<{OTHER.value}> {{ ex:a ex:b \"in other .\" }}\n", encoding="utf-8")
    files["https://w3id.org/zhaoshang-kg/graph/t"] = [trig]
    store = ox.Store(str(tmp_path / "db"))
    seen: list[tuple[str, int]] = []
    stats = load_graphs(store, files, batch=7, inspect=lambda g, qs: seen.append((g, len(qs))))
    assert _quads_in(store) == _quads_in(_plain(files))
    assert [g for g, _ in seen] == list(files)
    assert stats.graphs == dict(seen)
    assert sum(stats.statements.values()) >= sum(stats.graphs.values())  # duplicates within a graph dropped


def test_a_broken_file_raises_with_its_line_and_writes_nothing_after_it(tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(TRICKY, encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:s ex:p \"open string .\n", encoding="utf-8")
    later = tmp_path / "later.ttl"
    later.write_text("<https://example.org/later> <https://example.org/p> 1 .\n", encoding="utf-8")
    store = ox.Store()
    files = {"https://w3id.org/zhaoshang-kg/graph/a": [good], "https://w3id.org/zhaoshang-kg/graph/b": [bad],
             "https://w3id.org/zhaoshang-kg/graph/c": [later]}
    with pytest.raises(RDFSyntaxError, match=r"bad\.ttl.*line 2"):
        load_graphs(store, files, batch=1)
    assert not list(store.quads_for_pattern(ox.NamedNode("https://example.org/later"), None, None))


def test_an_error_of_the_store_reaches_the_caller(tmp_path: Path) -> None:
    f = tmp_path / "a.ttl"
    f.write_text(TRICKY, encoding="utf-8")
    store = ox.Store.read_only(str(_made(tmp_path / "db")))  # refuses every write
    with pytest.raises(RuntimeError, match="read-write"):  # raised on the writer thread, re-raised here
        load_graphs(store, {G.value: [f]})


def _made(folder: Path) -> Path:
    ox.Store(str(folder)).flush()
    return folder
