"""Check provenance quotes against the source texts in ``data/sources/``, while the data loads.

Every ``zs:Sentence`` has a selector whose ``oa:exact`` must be exactly the slice ``[oa:start, oa:end)`` (code
points) of the text of the article it ``oa:hasSource``. The check looks at each graph's statements as the
loader streams them past (they are Python objects then already: reading them back from the store would cost
a string lookup per term, seconds at a million statements), reads each source text once, and keeps nothing
but the problems. A sentence whose parts are not all in one graph is looked up in the store at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import OA, ZS, source_iri
from kg.shacl.report import QuoteProblem
from kg.sources.articles import Source, load_source

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SENTENCE = ox.NamedNode(f"{ZS}Sentence")
_HAS_SOURCE = ox.NamedNode(f"{OA}hasSource")
_HAS_SELECTOR = ox.NamedNode(f"{OA}hasSelector")
_EXACT = ox.NamedNode(f"{OA}exact")
_START = ox.NamedNode(f"{OA}start")
_END = ox.NamedNode(f"{OA}end")
_PARTS = (_HAS_SOURCE, _HAS_SELECTOR, _EXACT, _START, _END)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class QuoteChecker:
    """Collects quote problems graph by graph (:meth:`graph`); :meth:`finish` gives them all."""

    def __init__(self, sources: Path) -> None:
        self.texts = _SourceTexts(sources)
        self.problems: dict[str, QuoteProblem] = {}
        self.incomplete: set[ox.NamedNode | ox.BlankNode] = set()

    def graph(self, quads: Iterable[ox.Quad]) -> None:
        """Check the sentences of one graph's statements."""
        sentences: list[ox.NamedNode | ox.BlankNode] = []
        parts: dict[ox.NamedNode, dict[Term, Term]] = {p: {} for p in _PARTS}
        for q in quads:
            p = q.predicate
            if p in parts:
                parts[p].setdefault(q.subject, q.object)
            elif p == _TYPE and q.object == _SENTENCE and not isinstance(q.subject, ox.Triple):
                sentences.append(q.subject)
        for sentence in sentences:
            selector = parts[_HAS_SELECTOR].get(sentence)
            values = (parts[_HAS_SOURCE].get(sentence), *(parts[p].get(selector) if selector else None
                                                          for p in (_EXACT, _START, _END)))
            if any(v is None for v in values):
                self.incomplete.add(sentence)
            else:
                self._check(sentence, *values)

    def finish(self, store: ox.Store) -> list[QuoteProblem]:
        """Check the sentences whose parts lay in several graphs, from *store*; return every problem, sorted."""
        for sentence in self.incomplete:
            article = _one(store, sentence, _HAS_SOURCE)
            selector = _one(store, sentence, _HAS_SELECTOR)
            values = [_one(store, selector, p) if isinstance(selector, ox.NamedNode | ox.BlankNode) else None
                      for p in (_EXACT, _START, _END)]
            self._check(sentence, article, *values)
        return [self.problems[k] for k in sorted(self.problems)]

    def _check(self, sentence: ox.NamedNode | ox.BlankNode, article: Term | None, exact: Term | None,
               start: Term | None, end: Term | None) -> None:
        name = str(sentence.value)
        source = self.texts.get(str(article.value)) if isinstance(article, ox.NamedNode) else None
        if source is None:
            shown = article.value if isinstance(article, ox.NamedNode) else "(none)"
            self.problems[name] = QuoteProblem(name, f"its source {shown} is not in data/sources/")
            return
        if not (isinstance(exact, ox.Literal) and isinstance(start, ox.Literal) and isinstance(end, ox.Literal)):
            self.problems[name] = QuoteProblem(name, "needs oa:exact, oa:start and oa:end")
            return
        try:
            s, e = int(start.value), int(end.value)
        except ValueError:
            self.problems[name] = QuoteProblem(
                name, f"oa:start {start.value!r} and oa:end {end.value!r} must be whole numbers")
            return
        actual = source.text[s:e]
        if actual != exact.value:
            self.problems[name] = QuoteProblem(
                name, f"quote {exact.value!r} != {source.path.name}[{s}:{e}] {actual!r}")


def _one(store: ox.Store, subject: Term | None, predicate: ox.NamedNode) -> Term | None:
    if not isinstance(subject, ox.NamedNode | ox.BlankNode):
        return None
    for q in store.quads_for_pattern(subject, predicate, None):
        return q.object
    return None


class _SourceTexts:
    """The source texts of ``data/sources/``, by article IRI, each read on first use."""

    def __init__(self, folder: Path) -> None:
        self.files = {source_iri(p.stem): p for p in folder.glob("*.txt")} if folder.is_dir() else {}
        self.loaded: dict[str, Source] = {}

    def get(self, iri: str) -> Source | None:
        if iri not in self.loaded:
            path = self.files.get(iri)
            if path is None:
                return None
            if len(self.loaded) >= _KEEP:  # sentences come graph by graph: few texts are needed at once
                del self.loaded[next(iter(self.loaded))]
            self.loaded[iri] = load_source(path)
        return self.loaded[iri]


_KEEP = 16
