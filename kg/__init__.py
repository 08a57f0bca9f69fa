"""zhaoshang-kg: a provenance-backed knowledge graph of China's investment-attraction work (招商引资).

The public API, for scripts and notebooks::

    import kg
    paths = kg.make_paths()
    kg.build(paths)
    store = kg.open_store(paths.store)
    table = kg.select(store, "SELECT ?c WHERE { ?c a zs:ChamberOfCommerce }")
"""

from kg.build import BuildReport, CheckReport, build, check
from kg.errors import (
    EncodingError,
    InputError,
    KGError,
    QueryError,
    QuoteMismatch,
    RDFSyntaxError,
    StoreError,
    ValidationError,
)
from kg.export import export
from kg.paths import Paths, make_paths
from kg.pipeline import run_main
from kg.queries import Question, Table, load_catalogue, select
from kg.sentences import split_sentences
from kg.sources import load_source, sentences_graph
from kg.stats import compute_stats
from kg.store import open_store
from kg.validate import ValidationResult, validate_graph

__version__ = "0.1.0"

__all__ = [
    "BuildReport",
    "CheckReport",
    "EncodingError",
    "InputError",
    "KGError",
    "Paths",
    "QueryError",
    "Question",
    "QuoteMismatch",
    "RDFSyntaxError",
    "StoreError",
    "Table",
    "ValidationError",
    "ValidationResult",
    "__version__",
    "build",
    "check",
    "compute_stats",
    "export",
    "load_catalogue",
    "load_source",
    "make_paths",
    "open_store",
    "run_main",
    "select",
    "sentences_graph",
    "split_sentences",
    "validate_graph",
]
