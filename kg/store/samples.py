"""Invented sample sources: which articles of a store are marked ``dcterms:type zs:InventedSample``, and the mark
every output puts after them, so that a sample article is never shown as if it were real reporting.

The mark is set from the article's own text (:func:`kg.sources.articles.is_invented_sample`); this module only
reads it back: the sources themselves (for ``kg conflicts``) and their sentences (for the quotes ``kg ask``,
``kg query`` and the profile pages show). One query each, bounded by the number of sample sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.remote.endpoint import RemoteStore

#: What output adds after a source that is an invented sample, wherever it names or quotes it. (Here, not in
#: kg.sources.articles, which loads rdflib: ``kg query`` and ``kg ask`` must start without it.)
SAMPLE_MARK = "(sample)"
_TYPE = "<http://purl.org/dc/terms/type> <https://w3id.org/zhaoshang-kg/def#InventedSample>"
_SOURCES = f"SELECT DISTINCT ?source WHERE {{ ?source {_TYPE} }}"
_QUOTES = (f"SELECT DISTINCT ?exact WHERE {{ ?source {_TYPE} . "
           "?s <http://www.w3.org/ns/oa#hasSource> ?source ; <http://www.w3.org/ns/oa#hasSelector> ?sel . "
           "?sel <http://www.w3.org/ns/oa#exact> ?exact }")


def _column(store: ox.Store | RemoteStore, sparql: str, var: str) -> frozenset[str]:
    result = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return frozenset(str(row[var].value) for row in result if row[var] is not None)


def sample_sources(store: ox.Store | RemoteStore) -> frozenset[str]:
    """The IRIs of the store's invented sample articles."""
    return _column(store, _SOURCES, "source")


def sample_quotes(store: ox.Store | RemoteStore) -> frozenset[str]:
    """The text of every sentence of the store's invented sample articles."""
    return _column(store, _QUOTES, "exact")


def mark_source(name: str, iri: str, samples: frozenset[str]) -> str:
    """*name* of the source *iri*, followed by :data:`SAMPLE_MARK` when it is an invented sample."""
    return f"{name} {SAMPLE_MARK}" if iri in samples else name


def mark_quotes(text: str, quotes: frozenset[str]) -> str:
    """*text* (sentences one a line, as a ``quote`` cell holds them) with each sample sentence marked."""
    if not quotes:
        return text
    return "\n".join(f"{part} {SAMPLE_MARK}" if part.strip() in quotes else part for part in text.split("\n"))


def mark_rows(rows: list[dict[str, Any]], quotes: frozenset[str], column: str = "quote") -> None:
    """Mark, in place, the sample sentences of the *column* cells of query result *rows* (a literal keeps its
    language)."""
    for row in rows:
        cell = row.get(column)
        if isinstance(cell, ox.Literal):
            marked = mark_quotes(cell.value, quotes)
            if marked != cell.value:
                row[column] = ox.Literal(marked, language=cell.language) if cell.language else ox.Literal(marked)
