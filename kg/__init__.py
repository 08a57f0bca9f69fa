"""zhaoshang-kg: a provenance-backed knowledge graph of China's investment-attraction work (招商引资).

The public API, for scripts and notebooks::

    import kg
    paths = kg.make_paths()
    kg.build(paths)
    store = kg.open_store(paths.store)
    table = kg.select(store, "SELECT ?c WHERE { ?c a zs:ChamberOfCommerce }")
"""

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
from kg.export import export
from kg.geomap import MapModel, build_map, map_page, render_map, show_map
from kg.guard import check_query
from kg.ingest import IngestReport, MergeReport, Score, gold_from_graph
from kg.ingest import evaluate as evaluate_draft
from kg.ingest import ingest as ingest_articles
from kg.ingest import merge as merge_draft
from kg.network import entity_graph, explain_hop, neighbors, node_id, path, rank
from kg.paths import Paths, make_paths
from kg.pipeline import run_main
from kg.queries import Question, Table, load_catalogue, select
from kg.remote import RemoteStore
from kg.results import render, truncation_note
from kg.runner import QueryResult, run_query, warm_catalogue
from kg.sentences import split_sentences
from kg.sources import load_source, sentences_graph
from kg.stats import compute_stats
from kg.store import open_store
from kg.validate import ValidationResult, validate_graph
from kg.viewgraph import ViewGraph, build_view
from kg.visualize import HTMLView, graph_page, render_graph, show_graph, write_view

__version__ = "0.1.0"

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
