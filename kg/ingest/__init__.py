"""Grow the graph: read new articles, extract candidate facts, resolve them, draft, merge and evaluate.

``kg ingest`` → :func:`ingest` (text → extract → resolve → draft); ``kg merge`` → :func:`merge`;
``kg eval`` → :func:`evaluate`. See docs/ingest.md.
"""

from kg.ingest.evaluate import Score, evaluate, format_scores, gold_from_graph
from kg.ingest.merge import MergeReport, merge
from kg.ingest.run import IngestReport, ingest
from kg.ingest.text import MAX_ARTICLE_BYTES, Article, read_article

__all__ = ["MAX_ARTICLE_BYTES", "Article", "IngestReport", "MergeReport", "Score", "evaluate", "format_scores",
           "gold_from_graph", "ingest", "merge", "read_article"]
