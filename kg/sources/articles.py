"""Source articles: their text, their metadata, and the RDF that describes them sentence by sentence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import InputError
from kg.files import read_bytes, read_text
from kg.namespaces import DCTERMS, OA, PREFIXES, PROV, SCHEMA, ZS, source_iri
from kg.sources.sentences import Span, split_sentences


class TripleSink(Protocol):
    """Anything triples can be added to: an rdflib Graph, or the ingest draft's faster triple set."""

    def add(self, triple: tuple[URIRef, URIRef, Node], /) -> object:
        """Add one triple."""


@dataclass(frozen=True)
class Source:
    """A source article as received: its id (the file stem), text and metadata."""

    id: str
    path: Path
    text: str
    meta: dict[str, object] = field(default_factory=dict)
    had_bom: bool = False

    @property
    def iri(self) -> str:
        """The IRI of the article."""
        return source_iri(self.id)


#: How an invented sample article (data/sample/) starts: its first line, and the prefix of its title.
SAMPLE_PREFIX = "【样例】"


def is_invented_sample(text: str) -> bool:
    """Whether *text* is an invented sample article: its first non-blank line starts with :data:`SAMPLE_PREFIX`.

    Read from the text itself (not from a sidecar that could be left behind), so that the mark travels with the
    article into ``data/sources/`` and every graph made from it; the shapes check the graph agrees.
    """
    first = next((line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()), "")
    return first.startswith(SAMPLE_PREFIX)


def mark_sample(article: URIRef, text: str, g: TripleSink) -> None:
    """Type *article* ``dcterms:type zs:InventedSample`` when its *text* is an invented sample."""
    if is_invented_sample(text):
        g.add((article, DCTERMS.type, ZS.InventedSample))


def load_source(path: Path) -> Source:
    """Read an article (strict UTF-8) and its ``<stem>.meta.json`` beside it, if there is one."""
    text, had_bom = read_text(path)
    return Source(id=path.stem, path=path, text=text, meta=read_meta(path), had_bom=had_bom)


def read_meta(path: Path) -> dict[str, object]:
    """The ``<stem>.meta.json`` beside an article, or an empty dict when there is none."""
    meta_path = path.with_name(path.stem + ".meta.json")
    try:
        if not meta_path.is_file():
            return {}
    except OSError:  # the article's name leaves no room for ".meta.json": there can be no such file
        return {}
    try:
        loaded = json.loads(read_bytes(meta_path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{meta_path}: is not valid UTF-8 JSON ({exc}).") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{meta_path}: must hold a JSON object.")
    return loaded


def load_sources(folder: Path) -> dict[str, Source]:
    """Load every ``*.txt`` article in *folder*, keyed by source id."""
    return {p.stem: load_source(p) for p in sorted(folder.glob("*.txt"))}


def sentence_iri(source_id: str, index: int) -> str:
    """The IRI of sentence number *index* (1-based) of a source."""
    return f"{source_iri(source_id)}/s{index:03d}"


def sentences_graph(source: Source) -> Graph:
    """Describe *source* as a ``schema:NewsArticle`` and each of its sentences as a quote with offsets.

    Each sentence is an ``oa:SpecificResource`` whose selector carries both the exact text
    (``oa:TextQuoteSelector``) and its code-point offsets (``oa:TextPositionSelector``).
    """
    g = Graph()
    for prefix in ("zs", "schema", "oa", "prov", "dcterms", "xsd", "rdfs"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("src", source.iri + "/")
    art = URIRef(source.iri)
    g.add((art, RDF.type, SCHEMA.NewsArticle))
    g.add((art, RDF.type, PROV.Entity))
    g.add((art, ZS.sourceFile, Literal(source.path.name)))
    g.add((art, ZS.sha256, Literal(hashlib.sha256(source.text.encode("utf-8")).hexdigest())))
    g.add((art, ZS.characterCount, Literal(len(source.text), datatype=XSD.integer)))
    _add_metadata(g, art, source.meta)
    mark_sample(art, source.text, g)
    add_sentences(g, source, art)
    return g


def add_sentences(g: TripleSink, source: Source, art: URIRef) -> None:
    """Add every sentence of *source* to *g* as a quote of *art* with its code-point offsets."""
    for span in split_sentences(source.text):
        _add_sentence(g, source, art, span)


def _add_metadata(g: Graph, art: URIRef, meta: dict[str, object]) -> None:
    title = meta.get("title")
    if isinstance(title, str):
        g.add((art, SCHEMA.headline, Literal(title, lang="zh")))
        g.add((art, DCTERMS.title, Literal(title, lang="zh")))
        g.add((art, RDFS.label, Literal(title, lang="zh")))
    url = meta.get("url")
    if isinstance(url, str):
        g.add((art, SCHEMA.url, Literal(url, datatype=XSD.anyURI)))
    published = meta.get("published")
    if isinstance(published, str):
        g.add((art, SCHEMA.datePublished, Literal(published, datatype=XSD.dateTime)))
    language = meta.get("language")
    if isinstance(language, str):
        g.add((art, SCHEMA.inLanguage, Literal(language)))
    series = meta.get("series")
    if isinstance(series, str):
        g.add((art, ZS.seriesTitle, Literal(series, lang="zh")))


def _add_sentence(g: TripleSink, source: Source, art: URIRef, span: Span) -> None:
    node = URIRef(sentence_iri(source.id, span.index))
    sel = URIRef(f"{node}-selector")
    g.add((node, RDF.type, ZS.Sentence))
    g.add((node, OA.hasSource, art))
    g.add((node, OA.hasSelector, sel))
    g.add((node, ZS.sentenceIndex, Literal(span.index, datatype=XSD.integer)))
    g.add((sel, RDF.type, OA.TextQuoteSelector))
    g.add((sel, RDF.type, OA.TextPositionSelector))
    g.add((sel, OA.exact, Literal(span.text, lang="zh")))
    g.add((sel, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    g.add((sel, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))




def sentences_turtle(source: Source) -> str:
    """The Turtle file ``kg segment`` writes for *source*, with a header saying how it was made."""
    header = (
        f"# Generated by `kg segment data/sources/{source.path.name}`: the article and its sentences,\n"
        "# with offsets in Unicode code points into the source file. Do not edit by hand.\n"
    )
    return header + sentences_graph(source).serialize(format="turtle")
