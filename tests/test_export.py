"""Export then re-import gives the same graph, in every format; a truncated export is never loaded."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.compare import isomorphic, to_isomorphic

from kg.cli import cli
from kg.errors import InputError, RDFSyntaxError
from kg.paths import Paths
from kg.store.export import export
from kg.store.rdfio import parse_file, to_rdflib, to_rdflib_dataset


def _diff(a: object, b: object) -> str:
    from rdflib.compare import graph_diff

    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))  # type: ignore[arg-type]
    return f"only in store: {sorted(only_a)[:5]}\nonly in file: {sorted(only_b)[:5]}"


@pytest.mark.parametrize("fmt", ["ttl", "nt"])
def test_triple_formats_round_trip(store: ox.Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    n = export(store, fmt, out)
    expected = to_rdflib(store)
    assert n == len(expected)
    back = to_rdflib(parse_file(out))
    assert isomorphic(expected, back), _diff(expected, back)


@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_dataset_formats_round_trip_with_graphs(store: ox.Store, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    n = export(store, fmt, out)
    assert n == len(store)
    quads = parse_file(out)
    assert {q.graph_name for q in quads} == set(store.named_graphs())
    for graph in store.named_graphs():
        mine = to_rdflib(store.quads_for_pattern(None, None, None, graph))
        theirs = to_rdflib(q for q in quads if q.graph_name == graph)
        assert isomorphic(mine, theirs), _diff(mine, theirs)
    assert len(to_rdflib_dataset(quads)) == len(store)


def test_truncated_export_is_refused(store: ox.Store, tmp_path: Path) -> None:
    out = tmp_path / "graph.nt"
    export(store, "nt", out)
    data = out.read_bytes()
    lines = data.splitlines(keepends=True)
    # drop ten whole statements but keep the trailer: every line still parses, the count does not add up
    (tmp_path / "cut.nt").write_bytes(b"".join(lines[:100] + lines[110:]))
    with pytest.raises(RDFSyntaxError, match="trailer says"):
        parse_file(tmp_path / "cut.nt")


def test_export_refuses_missing_folder_and_leaves_no_partial_file(store: ox.Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        export(store, "ttl", tmp_path / "missing" / "x.ttl")
    assert not (tmp_path / "missing").exists()
    export(store, "ttl", tmp_path / "x.ttl")
    assert [p.name for p in tmp_path.iterdir()] == ["x.ttl"]


def test_cli_export(built: Paths, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "all.trig"
    result = runner.invoke(cli, ["--store", str(built.store), "export", "--format", "trig", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output
    assert out.read_text(encoding="utf-8").rstrip().endswith("quads")
