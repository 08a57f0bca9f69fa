"""zhaoshang-kg: a provenance-backed knowledge graph of China's investment-attraction work (招商引资).

The public API, for scripts and notebooks::

    import kg
    paths = kg.make_paths()
    kg.build(paths)
    store = kg.open_store(paths.store)
    table = kg.select(store, "SELECT ?c WHERE { ?c a zs:ChamberOfCommerce }")

Names are imported on first use (PEP 562): ``import kg`` and every ``kg`` command start in a fraction of the
time, and the worker process that :func:`kg.query.runner.run_query` starts for each query loads only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.asking.answer import Answer, ask
    from kg.backend import build, connect
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
    from kg.graph.network import entity_graph, explain_hop, neighbors, node_id, path
    from kg.graph.ranking import rank
    from kg.ingest.evaluate import Score, gold_from_graph
    from kg.ingest.evaluate import evaluate as evaluate_draft
    from kg.ingest.merge import MergeReport
    from kg.ingest.merge import merge as merge_draft
    from kg.ingest.run import IngestReport
    from kg.ingest.run import ingest as ingest_articles
    from kg.names.index import Entity, EntityIndex, find_mentions, load_entities, resolve
    from kg.paths import Paths, make_paths
    from kg.pipeline import run_main
    from kg.query.catalogue import Question, Table, load_catalogue, select
    from kg.query.evaluation import QueryResult
    from kg.query.guard import check_query
    from kg.query.results import render, truncation_note
    from kg.query.runner import run_query, warm_catalogue
    from kg.remote.endpoint import RemoteStore
    from kg.shacl.oracles import validate_graph
    from kg.shacl.report import ValidationResult
    from kg.sources.articles import load_source, sentences_graph
    from kg.sources.sentences import split_sentences
    from kg.store.build import BuildReport, CheckReport, check
    from kg.store.export import export
    from kg.store.generations import open_store
    from kg.store.stats import compute_stats
    from kg.views.build import build_view
    from kg.views.graphpage import HTMLView, graph_page, render_graph, show_graph, write_view
    from kg.views.mappage import MapModel, build_map, map_page, render_map, show_map
    from kg.views.model import ViewGraph
    from kg.views.overview import build_overview
    from kg.views.profile import Profile, build_profile, profile_page, show_profile
    from kg.views.pyvisview import to_pyvis

__version__ = "0.1.0"

#: Each public name and where it lives: (module, attribute).
_EXPORTS: dict[str, tuple[str, str]] = {
    "Answer": ("kg.asking.answer", "Answer"),
    "ask": ("kg.asking.answer", "ask"),
    "connect": ("kg.backend", "connect"),
    "BuildReport": ("kg.store.build", "BuildReport"),
    "CheckReport": ("kg.store.build", "CheckReport"),
    "build": ("kg.backend", "build"),
    "check": ("kg.store.build", "check"),
    "Entity": ("kg.names.index", "Entity"),
    "EntityIndex": ("kg.names.index", "EntityIndex"),
    "find_mentions": ("kg.names.index", "find_mentions"),
    "load_entities": ("kg.names.index", "load_entities"),
    "resolve": ("kg.names.index", "resolve"),
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
    "export": ("kg.store.export", "export"),
    "MapModel": ("kg.views.mappage", "MapModel"),
    "build_map": ("kg.views.mappage", "build_map"),
    "map_page": ("kg.views.mappage", "map_page"),
    "render_map": ("kg.views.mappage", "render_map"),
    "show_map": ("kg.views.mappage", "show_map"),
    "check_query": ("kg.query.guard", "check_query"),
    "IngestReport": ("kg.ingest", "IngestReport"),
    "MergeReport": ("kg.ingest", "MergeReport"),
    "Score": ("kg.ingest", "Score"),
    "gold_from_graph": ("kg.ingest", "gold_from_graph"),
    "evaluate_draft": ("kg.ingest", "evaluate"),
    "ingest_articles": ("kg.ingest", "ingest"),
    "merge_draft": ("kg.ingest", "merge"),
    "entity_graph": ("kg.graph.network", "entity_graph"),
    "explain_hop": ("kg.graph.network", "explain_hop"),
    "neighbors": ("kg.graph.network", "neighbors"),
    "node_id": ("kg.graph.network", "node_id"),
    "path": ("kg.graph.network", "path"),
    "rank": ("kg.graph.ranking", "rank"),
    "Paths": ("kg.paths", "Paths"),
    "make_paths": ("kg.paths", "make_paths"),
    "run_main": ("kg.pipeline", "run_main"),
    "Question": ("kg.query.catalogue", "Question"),
    "Table": ("kg.query.catalogue", "Table"),
    "load_catalogue": ("kg.query.catalogue", "load_catalogue"),
    "select": ("kg.query.catalogue", "select"),
    "RemoteStore": ("kg.remote.endpoint", "RemoteStore"),
    "render": ("kg.query.results", "render"),
    "truncation_note": ("kg.query.results", "truncation_note"),
    "QueryResult": ("kg.query.evaluation", "QueryResult"),
    "run_query": ("kg.query.runner", "run_query"),
    "warm_catalogue": ("kg.query.runner", "warm_catalogue"),
    "split_sentences": ("kg.sources.sentences", "split_sentences"),
    "load_source": ("kg.sources.articles", "load_source"),
    "sentences_graph": ("kg.sources.articles", "sentences_graph"),
    "compute_stats": ("kg.store.stats", "compute_stats"),
    "open_store": ("kg.store.generations", "open_store"),
    "ValidationResult": ("kg.shacl.report", "ValidationResult"),
    "validate_graph": ("kg.shacl.oracles", "validate_graph"),
    "ViewGraph": ("kg.views.model", "ViewGraph"),
    "build_view": ("kg.views.build", "build_view"),
    "HTMLView": ("kg.views.graphpage", "HTMLView"),
    "graph_page": ("kg.views.graphpage", "graph_page"),
    "render_graph": ("kg.views.graphpage", "render_graph"),
    "show_graph": ("kg.views.graphpage", "show_graph"),
    "write_view": ("kg.views.graphpage", "write_view"),
    "build_overview": ("kg.views.overview", "build_overview"),
    "Profile": ("kg.views.profile", "Profile"),
    "build_profile": ("kg.views.profile", "build_profile"),
    "profile_page": ("kg.views.profile", "profile_page"),
    "show_profile": ("kg.views.profile", "show_profile"),
    "to_pyvis": ("kg.views.pyvisview", "to_pyvis"),
}


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
    # region network, profiles and pyvis (kg.views)
    "Profile",
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
    "build_overview",
    "build_profile",
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
    "profile_page",
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
    "show_profile",
    "split_sentences",
    "to_pyvis",
    "truncation_note",
    "validate_graph",
    "warm_catalogue",
    "write_view",
]
