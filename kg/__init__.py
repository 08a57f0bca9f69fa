"""zhaoshang-kg: a provenance-backed knowledge graph of China's investment-attraction work (招商引资).

The public API, for scripts and notebooks::

    import kg
    paths = kg.make_paths()
    kg.build(paths)
    store = kg.open_store(paths.store)
    table = kg.select(store, "SELECT ?c WHERE { ?c a zs:ChamberOfCommerce }")

Names are imported on first use (PEP 562): ``import kg`` and every ``kg`` command start in a fraction of the
time, and the worker process that :func:`kg.runner.run_query` starts for each query loads only what it needs.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.ask import Answer, ask
    from kg.backend import connect
    from kg.build import BuildReport, CheckReport, build, check
    from kg.entities import Entity, EntityIndex, find_mentions, load_entities, resolve
    from kg.errors import (
        AmbiguousEntity,
        EncodingError,
        EndpointError,
        InputError,
        KGError,
        PartialResult,
        QueryError,
        QueryRefused,
        QuerySyntaxError,
        QueryTimeout,
        QuoteMismatch,
        RDFSyntaxError,
        StoreError,
        UnknownEntity,
        ValidationError,
    )
    from kg.evaluation import QueryResult
    from kg.export import export
    from kg.geomap import MapModel, build_map, map_page, render_map, show_map
    from kg.guard import check_query
    from kg.ingest.evaluate import Score, gold_from_graph
    from kg.ingest.evaluate import evaluate as evaluate_draft
    from kg.ingest.merge import MergeReport
    from kg.ingest.merge import merge as merge_draft
    from kg.ingest.run import IngestReport
    from kg.ingest.run import ingest as ingest_articles
    from kg.network import entity_graph, explain_hop, neighbors, node_id, path, rank
    from kg.paths import Paths, make_paths
    from kg.pipeline import run_main
    from kg.queries import Question, Table, load_catalogue, select
    from kg.remote import RemoteStore
    from kg.results import render, truncation_note
    from kg.runner import run_query, warm_catalogue
    from kg.sentences import split_sentences
    from kg.sources import load_source, sentences_graph
    from kg.stats import compute_stats
    from kg.store import open_store
    from kg.validate import ValidationResult, validate_graph
    from kg.viewgraph import ViewGraph, build_view
    from kg.visualize import HTMLView, graph_page, render_graph, show_graph, write_view

__version__ = "0.1.0"

#: Each public name and where it lives: (module, attribute).
_EXPORTS: dict[str, tuple[str, str]] = {
    "Answer": ("kg.ask", "Answer"),
    "ask": ("kg.ask", "ask"),
    "connect": ("kg.backend", "connect"),
    "BuildReport": ("kg.build", "BuildReport"),
    "CheckReport": ("kg.build", "CheckReport"),
    "build": ("kg.build", "build"),
    "check": ("kg.build", "check"),
    "Entity": ("kg.entities", "Entity"),
    "EntityIndex": ("kg.entities", "EntityIndex"),
    "find_mentions": ("kg.entities", "find_mentions"),
    "load_entities": ("kg.entities", "load_entities"),
    "resolve": ("kg.entities", "resolve"),
    "AmbiguousEntity": ("kg.errors", "AmbiguousEntity"),
    "EncodingError": ("kg.errors", "EncodingError"),
    "EndpointError": ("kg.errors", "EndpointError"),
    "InputError": ("kg.errors", "InputError"),
    "KGError": ("kg.errors", "KGError"),
    "PartialResult": ("kg.errors", "PartialResult"),
    "QueryError": ("kg.errors", "QueryError"),
    "QueryRefused": ("kg.errors", "QueryRefused"),
    "QuerySyntaxError": ("kg.errors", "QuerySyntaxError"),
    "QueryTimeout": ("kg.errors", "QueryTimeout"),
    "QuoteMismatch": ("kg.errors", "QuoteMismatch"),
    "RDFSyntaxError": ("kg.errors", "RDFSyntaxError"),
    "StoreError": ("kg.errors", "StoreError"),
    "UnknownEntity": ("kg.errors", "UnknownEntity"),
    "ValidationError": ("kg.errors", "ValidationError"),
    "export": ("kg.export", "export"),
    "MapModel": ("kg.geomap", "MapModel"),
    "build_map": ("kg.geomap", "build_map"),
    "map_page": ("kg.geomap", "map_page"),
    "render_map": ("kg.geomap", "render_map"),
    "show_map": ("kg.geomap", "show_map"),
    "check_query": ("kg.guard", "check_query"),
    "IngestReport": ("kg.ingest", "IngestReport"),
    "MergeReport": ("kg.ingest", "MergeReport"),
    "Score": ("kg.ingest", "Score"),
    "gold_from_graph": ("kg.ingest", "gold_from_graph"),
    "evaluate_draft": ("kg.ingest", "evaluate"),
    "ingest_articles": ("kg.ingest", "ingest"),
    "merge_draft": ("kg.ingest", "merge"),
    "entity_graph": ("kg.network", "entity_graph"),
    "explain_hop": ("kg.network", "explain_hop"),
    "neighbors": ("kg.network", "neighbors"),
    "node_id": ("kg.network", "node_id"),
    "path": ("kg.network", "path"),
    "rank": ("kg.network", "rank"),
    "Paths": ("kg.paths", "Paths"),
    "make_paths": ("kg.paths", "make_paths"),
    "run_main": ("kg.pipeline", "run_main"),
    "Question": ("kg.queries", "Question"),
    "Table": ("kg.queries", "Table"),
    "load_catalogue": ("kg.queries", "load_catalogue"),
    "select": ("kg.queries", "select"),
    "RemoteStore": ("kg.remote", "RemoteStore"),
    "render": ("kg.results", "render"),
    "truncation_note": ("kg.results", "truncation_note"),
    "QueryResult": ("kg.evaluation", "QueryResult"),
    "run_query": ("kg.runner", "run_query"),
    "warm_catalogue": ("kg.runner", "warm_catalogue"),
    "split_sentences": ("kg.sentences", "split_sentences"),
    "load_source": ("kg.sources", "load_source"),
    "sentences_graph": ("kg.sources", "sentences_graph"),
    "compute_stats": ("kg.stats", "compute_stats"),
    "open_store": ("kg.store", "open_store"),
    "ValidationResult": ("kg.validate", "ValidationResult"),
    "validate_graph": ("kg.validate", "validate_graph"),
    "ViewGraph": ("kg.viewgraph", "ViewGraph"),
    "build_view": ("kg.viewgraph", "build_view"),
    "HTMLView": ("kg.visualize", "HTMLView"),
    "graph_page": ("kg.visualize", "graph_page"),
    "render_graph": ("kg.visualize", "render_graph"),
    "show_graph": ("kg.visualize", "show_graph"),
    "write_view": ("kg.visualize", "write_view"),
}


#: Public functions named like the module they live in: ``kg.build`` is the function ``kg.build.build``.
_SHADOWED = frozenset(name for name, (module, _) in _EXPORTS.items() if module == f"kg.{name}")


class _Package(types.ModuleType):
    """The ``kg`` package, which keeps its public functions when a submodule of the same name is imported.

    Importing ``kg.build`` would otherwise make the attribute ``kg.build`` the module (the import system sets
    it on the package), where the eager imports this package used to do left it the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'kg' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "AmbiguousEntity",
    "Answer",
    "BuildReport",
    "CheckReport",
    "EncodingError",
    "EndpointError",
    "Entity",
    "EntityIndex",
    "HTMLView",
    "IngestReport",
    "InputError",
    "KGError",
    "MapModel",
    "MergeReport",
    "PartialResult",
    "Paths",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "Question",
    "QuoteMismatch",
    "RDFSyntaxError",
    "RemoteStore",
    "Score",
    "StoreError",
    "Table",
    "UnknownEntity",
    "ValidationError",
    "ValidationResult",
    "ViewGraph",
    "__version__",
    "ask",
    "build",
    "build_map",
    "build_view",
    "check",
    "check_query",
    "compute_stats",
    "connect",
    "entity_graph",
    "evaluate_draft",
    "explain_hop",
    "export",
    "find_mentions",
    "gold_from_graph",
    "graph_page",
    "ingest_articles",
    "load_catalogue",
    "load_entities",
    "load_source",
    "make_paths",
    "map_page",
    "merge_draft",
    "neighbors",
    "node_id",
    "open_store",
    "path",
    "rank",
    "render",
    "render_graph",
    "render_map",
    "resolve",
    "run_main",
    "run_query",
    "select",
    "sentences_graph",
    "show_graph",
    "show_map",
    "split_sentences",
    "truncation_note",
    "validate_graph",
    "warm_catalogue",
    "write_view",
]
