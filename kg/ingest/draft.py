"""Write what extraction found as a draft Turtle file in the project's ontology, for review and ``kg merge``.

It follows ``data/facts/rednet-2024-03-13-sanzhangpai.ttl``: entities under ``id/agent/``, ``id/person/``,
``id/amount/`` …; regions as ``id/region/<code>``; every fact ``prov:wasDerivedFrom`` a ``zs:Sentence``
whose selector holds its exact text and offsets (the sentences are written as ``kg segment`` writes them).
Known entities keep their IRI and only gain new aliases (``skos:altLabel``) and provenance.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.ingest.events import When
from kg.ingest.facts import WRITERS
from kg.ingest.facts.amounts import write_restated_amount
from kg.ingest.facts.base_writer import MIN_CONFIDENCE, rule_and_confidence
from kg.ingest.facts.stages import project_key
from kg.ingest.gazetteer import Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import Amount
from kg.ingest.naming import slug
from kg.ingest.periods import write_period
from kg.ingest.resolve import ORGANISATION_CLASSES, KnownGraph
from kg.ingest.turtle import GROUPS, Obj, TurtleWriter, meta_comment
from kg.namespaces import DCTERMS, FOAF, GEO, ORG, PREFIXES, PROV, QB, SCHEMA, SKOS, ZR, ZS
from kg.sources.articles import Source, mark_sample, sentence_iri
from kg.sources.sentences import split_sentences

GAZETTEER_DATASET = URIRef(f"{ZR}dataset/gb2260-cpca")
METRICS_DATASET = URIRef(f"{ZR}dataset/metrics")
CHINA = URIRef(f"{ZR}place/china")
_NS = {"organisation": "agent", "person": "person", "amount": "amount", "metric": "metric", "total": "total",
       "project": "project", "event": "event", "policy": "doc", "appointment": "appointment", "group": "group",
       "stage": "milestone"}
_LEVEL_CLASS = {"province": ZS.ProvinceLevelDivision, "prefecture": ZS.PrefectureLevelDivision,
                "county": ZS.CountyLevelDivision}


def _owned_names(f: Finding) -> list[str]:
    """The names a task force may be known by in the graph: always with its owner (长沙市驻深圳招引专班 →
    长沙驻深圳招引专班, 长沙市政府驻深圳招引专班), never the bare 驻深圳招引专班 that every city has."""
    owner = f.attrs.get("owner")
    names = [f.label]
    if isinstance(owner, Place) and f.label.startswith(owner.label):
        rest = f.label[len(owner.label):]
        short = owner.label.removesuffix("市").removesuffix("县")
        names += [short + rest, f"{owner.label}政府{rest}", f"{owner.label}人民政府{rest}",
                  short + rest.replace("专班", "工作专班"), f"{owner.label}政府{rest.replace('专班', '工作专班')}"]
    return names


_OA_EXACT = "http://www.w3.org/ns/oa#exact"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GROUP_RANK = {g: i for i, g in enumerate(GROUPS)}


@lru_cache(maxsize=65536)
def _zh(text: str) -> Literal:
    """A Chinese literal; cached, as the same labels and names recur in article after article."""
    return Literal(text, lang="zh")


@lru_cache(maxsize=4096)
def _local(iri: str) -> str:
    """The local name of a class IRI (after its last ``#`` or ``/``)."""
    return re.split(r"[#/]", iri)[-1]


class TripleSet:
    """The draft's triples as plain strings, grouped by subject.

    rdflib's Graph is too slow at 10^6 triples, and so is making an Oxigraph term of every triple only to
    write it out again: a triple is kept as (predicate IRI, ``Obj`` tuple). Every distinct IRI is still
    checked once by Oxigraph, so an IRI that is not valid fails here as it would in the store.
    """

    def __init__(self) -> None:
        self.by_subject: dict[str, set[tuple[str, Obj]]] = {}
        self.prefixes: dict[str, str] = {}
        self._checked: set[str] = set()
        self._count = 0
        self._writer: TurtleWriter | None = None
        #: subjects described alike in every article (regions): their last block, kept to be written again
        self.stable: set[str] = set()
        self._rendered: dict[str, tuple[frozenset[tuple[str, Obj]], tuple[str, ...], str]] = {}

    def check_iri(self, iri: str) -> str:
        """*iri*, once Oxigraph has accepted it (each distinct IRI is parsed once)."""
        if iri not in self._checked:
            ox.NamedNode(iri)  # raises ValueError on an invalid IRI
            if len(self._checked) >= 500_000:
                self._checked.clear()
            self._checked.add(iri)
        return iri

    def _obj(self, t: rdflib.term.Node) -> Obj:
        if isinstance(t, rdflib.Literal):
            if t.language:
                return ("l", str(t), t.language.lower())  # as Oxigraph normalises a language tag
            return ("t", str(t), self.check_iri(str(t.datatype or _XSD_STRING)))
        return ("i", self.check_iri(str(t)), "")

    def add(self, t: tuple[URIRef, URIRef, rdflib.term.Node]) -> None:
        """Add one triple."""
        s = str(t[0])
        triples = self.by_subject.get(s)
        if triples is None:
            triples = self.by_subject[s] = set()
            self.check_iri(s)
        before = len(triples)
        triples.add((self.check_iri(str(t[1])), self._obj(t[2])))
        self._count += len(triples) - before

    def add_plain(self, s: str, p: str, o: Obj) -> None:
        """Add one triple already in plain form (its IRIs already checked with ``check_iri``)."""
        triples = self.by_subject.get(s)
        if triples is None:
            triples = self.by_subject[s] = set()
        before = len(triples)
        triples.add((p, o))
        self._count += len(triples) - before

    def bind(self, prefix: str, ns: str) -> None:
        """Use *prefix* for *ns* in the Turtle output."""
        self.prefixes[prefix] = str(ns)
        self._writer = None

    def __len__(self) -> int:
        return self._count

    def take(self, name_of: Callable[[str], str | None] | None = None,
             notes: dict[str, dict[str, object]] | None = None) -> str:
        """The triples added since the last take, as Turtle; then forget them (the writer goes on)."""
        text = self.serialize(name_of, notes)
        self.by_subject = {}
        return text

    def take_blocks(self, name_of: Callable[[str], str | None] | None = None,
                    notes: dict[str, dict[str, object]] | None = None) -> list[tuple[str, str, int]]:
        """Like :meth:`take`, as the @prefix header then one (subject, text, triples) per subject block."""
        blocks = self.blocks(name_of, notes)
        self.by_subject = {}
        return blocks

    def serialize(self, name_of: Callable[[str], str | None] | None = None,
                  notes: dict[str, dict[str, object]] | None = None) -> str:
        """Deterministic Turtle (kg.ingest.turtle): facts grouped by type, each under its sentence."""
        return "\n".join(text for _, text, _ in self.blocks(name_of, notes))

    def blocks(self, name_of: Callable[[str], str | None] | None = None,
               notes: dict[str, dict[str, object]] | None = None) -> list[tuple[str, str, int]]:
        """The @prefix header, then every subject's block in the order :meth:`serialize` writes them, each
        with its number of triples (so that ``kg ingest`` can leave out a block another article wrote)."""
        if self._writer is None:
            self._writer = TurtleWriter(self.prefixes)  # kept from take to take: its caches are the speed
        w = self._writer
        exact: dict[str, str] = {}
        types: dict[str, str] = {}
        derived: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for s, triples in self.by_subject.items():
            for p, o in triples:
                if p == _OA_EXACT:
                    if o[0] != "i":
                        exact[s.removesuffix("-selector")] = o[1]
                elif p == _RDF_TYPE:
                    if o[0] == "i":
                        local = _local(o[1])
                        if GROUP_RANK.get(local, 99) < GROUP_RANK.get(types.get(s, ""), 100):
                            types[s] = local
                elif p == _DERIVED:
                    if o[0] == "i":
                        derived.setdefault(s, []).append(o[1])
                elif p == _LABEL and o[0] == "l" and o[2] == "zh" and (s not in labels or o[1] < labels[s]):
                    labels[s] = o[1]  # one label a subject; should there be two, the least (deterministic)

        def name(iri: str) -> str | None:
            return labels.get(iri) or (name_of(iri) if name_of else None)

        def sentence_no(s: str) -> int:
            d = sorted(derived.get(s, []))
            m = re.search(r"/s([0-9]+)$", d[0]) if d else None
            return int(m[1]) if m else -1

        order = sorted(self.by_subject, key=lambda s: (GROUP_RANK.get(types.get(s, ""), 99), sentence_no(s), s))
        blocks = [("", w.header(), 0)]
        for s in order:
            comments = []
            d = sorted(derived.get(s, []))
            if d and d[0] in exact and types.get(s) not in ("Sentence", "TextQuoteSelector"):
                text = " ".join(exact[d[0]].split())
                comments.append(f"{d[0].rsplit('/', 1)[-1]}: {text[:160]}{'…' if len(text) > 160 else ''}")
            if notes and s in notes:
                comments.append(meta_comment({"fact": s, **notes[s]}))
            triples = self.by_subject[s]
            if s in self.stable:  # a region: the same block in every article that names it
                hit = self._rendered.get(s)
                if hit is None or hit[0] != triples or hit[1] != tuple(comments):
                    hit = self._rendered[s] = (frozenset(triples), tuple(comments),
                                               w.block(s, triples, comments, name))
                blocks.append((s, hit[2], len(triples)))
                continue
            blocks.append((s, w.block(s, triples, comments, name), len(triples)))
        return blocks


_OA = "http://www.w3.org/ns/oa#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SENTENCE = f"{ZS}Sentence"
_SENTENCE_INDEX = f"{ZS}sentenceIndex"


def add_sentence_triples(g: TripleSet, source: Source, art: str) -> None:
    """The sentences of *source* exactly as ``kg.sources.articles.add_sentences`` describes them, added as
    plain tuples: through rdflib terms this was a fifth of ``kg ingest``'s time (a test holds the two equal)."""
    g.check_iri(art)
    for span in split_sentences(source.text):
        node = g.check_iri(sentence_iri(source.id, span.index))
        sel = g.check_iri(f"{node}-selector")
        g.add_plain(node, _RDF_TYPE, ("i", _SENTENCE, ""))
        g.add_plain(node, f"{_OA}hasSource", ("i", art, ""))
        g.add_plain(node, f"{_OA}hasSelector", ("i", sel, ""))
        g.add_plain(node, _SENTENCE_INDEX, ("t", str(span.index), f"{_XSD}integer"))
        g.add_plain(sel, _RDF_TYPE, ("i", f"{_OA}TextQuoteSelector", ""))
        g.add_plain(sel, _RDF_TYPE, ("i", f"{_OA}TextPositionSelector", ""))
        g.add_plain(sel, _OA_EXACT, ("l", span.text, "zh"))
        g.add_plain(sel, f"{_OA}start", ("t", str(span.start), f"{_XSD}nonNegativeInteger"))
        g.add_plain(sel, f"{_OA}end", ("t", str(span.end), f"{_XSD}nonNegativeInteger"))


class DraftWriter:
    """Collects the triples of one or more articles into one graph."""

    def __init__(self, known: KnownGraph, min_confidence: float = MIN_CONFIDENCE) -> None:
        self.known = known
        self.min_confidence = min_confidence
        self.g = TripleSet()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        for prefix in ("agent", "person", "amount", "metric", "total", "project", "event", "doc", "appointment",
                       "group", "region", "indicator", "milestone", "period"):
            self.g.bind(prefix, f"{ZR}{prefix}/")
        self.reviews: list[str] = []
        self.notes: dict[str, dict[str, object]] = {}  #: fact IRI → the rule that made it and its confidence
        self.counts: dict[str, int] = defaultdict(int)
        self._emitted: set[str] = set()
        #: region IRI → the plain triples that describe it (the same in every article that needs them)
        self._regions: dict[str, list[tuple[str, str, Obj]]] = {}

    # -- helpers -------------------------------------------------------------------------------------------

    def name_of(self, iri: str) -> str | None:
        """The Chinese name of an IRI the draft refers to (a region by its code, a known entity by its label)."""
        if iri.startswith(f"{ZR}region/"):
            place = self.known.gazetteer.by_code.get(iri.rsplit("/", 1)[-1])
            if place is not None:
                return place.label
        place = self.known.gazetteer.places.get(iri)
        return place.label if place is not None else self.known.labels.get(iri)

    def take(self) -> str:
        """The Turtle of what was added since the last take (names beside IRIs, rules above facts)."""
        text = self.g.take(self.name_of, self.notes)
        self.notes = {}
        return text

    def take_blocks(self) -> list[tuple[str, str, int]]:
        """:meth:`take` as the @prefix header and one (subject, text, triples) per subject block."""
        blocks = self.g.take_blocks(self.name_of, self.notes)
        self.notes = {}
        return blocks

    def start_article(self) -> None:
        """Forget what earlier articles described, so that an article's draft depends on that article alone
        (not on which articles a worker process drafted before it): ``kg ingest`` then writes the same bytes
        with one worker or many, and leaves out a block that an earlier article already wrote word for word."""
        self._emitted = set()

    def _note(self, iri: URIRef | None, f: Finding) -> None:
        """Remember the rule and the confidence of the finding that made *iri*."""
        if iri is not None and ("rule" in f.attrs or "confidence" in f.attrs):
            self.notes[str(iri)] = {k: f.attrs[k] for k in ("rule", "confidence") if k in f.attrs}

    def _sent(self, x: Extraction, f: Finding) -> URIRef:
        return URIRef(sentence_iri(x.article.id, f.sentence.index))

    def _new(self, iri: str) -> bool:
        return not self.known.has(iri) and iri not in self._emitted

    def _zh(self, text: str) -> Literal:
        return _zh(text)

    def region(self, place: Place, sent: URIRef | None = None) -> URIRef:
        """The IRI of *place*, describing it (and its parents) when the graph does not know it yet (a zone
        found in an article, from that article's *sent*)."""
        iri = URIRef(place.iri)
        if not self._new(place.iri):
            return iri
        self._emitted.add(place.iri)
        if not place.coded:
            if place.kind == "DevelopmentZone" and sent is not None and place.parent in self.known.gazetteer.by_code:
                self._zone(iri, place, sent)
            return iri  # other graph places are known by construction
        parent = self.known.gazetteer.by_code.get(place.parent)
        up = self.region(parent) if parent else self._china()
        self._dataset()
        cached = self._regions.get(place.iri)
        if cached is not None:  # every article describes its regions: the same triples, made once a process
            for s, p, o in cached:
                self.g.add_plain(s, p, o)
            return iri
        record = TripleSet()
        record._checked = self.g._checked
        self._describe_region(record, iri, place, up)
        self._regions[place.iri] = [(s, p, o) for s, pairs in record.by_subject.items() for p, o in sorted(pairs)]
        self.g.stable.update(record.by_subject)
        for s, p, o in self._regions[place.iri]:
            self.g.add_plain(s, p, o)
        return iri

    @staticmethod
    def _describe_region(g: TripleSet, iri: URIRef, place: Place, up: URIRef) -> None:
        """The triples that describe a coded region: class, code, label, parent, centroid."""
        g.add((iri, RDF.type, _LEVEL_CLASS[place.kind]))
        g.add((iri, ZS.adminCode, Literal(place.code)))
        g.add((iri, RDFS.label, _zh(place.label)))
        g.add((iri, PROV.wasDerivedFrom, GAZETTEER_DATASET))
        g.add((iri, SCHEMA.containedInPlace, up))
        centroid = URIRef(f"{iri}-centroid")
        g.add((iri, GEO.hasCentroid, centroid))
        g.add((centroid, RDF.type, GEO.Geometry))
        lon, lat = (place.lon or "0"), (place.lat or "0")
        g.add((centroid, GEO.asWKT, Literal(f"POINT({float(lon):.4f} {float(lat):.4f})", datatype=GEO.wktLiteral)))

    def _zone(self, iri: URIRef, place: Place, sent: URIRef) -> None:
        """A development zone named in an article: inside its city, at its city's centroid until reviewed."""
        g = self.g
        g.add((iri, RDF.type, ZS.DevelopmentZone))
        g.add((iri, RDFS.label, self._zh(place.label)))
        g.add((iri, PROV.wasDerivedFrom, sent))
        g.add((iri, SCHEMA.containedInPlace, self.region(self.known.gazetteer.by_code[place.parent])))
        centroid = URIRef(f"{iri}-centroid")
        g.add((iri, GEO.hasCentroid, centroid))
        g.add((centroid, RDF.type, GEO.Geometry))
        lon, lat = (place.lon or "0"), (place.lat or "0")
        g.add((centroid, GEO.asWKT, Literal(f"POINT({float(lon):.4f} {float(lat):.4f})", datatype=GEO.wktLiteral)))

    def _china(self) -> URIRef:
        if self._new(str(CHINA)):
            self._emitted.add(str(CHINA))
            self.g.add((CHINA, RDF.type, ZS.Country))
            self.g.add((CHINA, RDFS.label, self._zh("中国")))
            self.g.add((CHINA, PROV.wasDerivedFrom, GAZETTEER_DATASET))
            c = URIRef(f"{CHINA}-centroid")
            self.g.add((CHINA, GEO.hasCentroid, c))
            self.g.add((c, GEO.asWKT, Literal("POINT(104.1954 35.8617)", datatype=GEO.wktLiteral)))
        return CHINA

    def _dataset(self) -> None:
        if self._new(str(GAZETTEER_DATASET)):
            self._emitted.add(str(GAZETTEER_DATASET))
            d = GAZETTEER_DATASET
            self.g.add((d, RDF.type, SCHEMA.Dataset))
            self.g.add((d, RDF.type, PROV.Entity))
            self.g.add((d, RDFS.label, self._zh("GB/T 2260 行政区划代码表(cpca 数据,已按现行代码修订)")))

    def fact(self, iri: URIRef, cls: URIRef, label: str, sent: URIRef) -> bool:
        """Type, label and provenance of a new fact node; True when it is new."""
        new = self._new(str(iri))
        self.g.add((iri, RDF.type, cls))
        if new:
            self._emitted.add(str(iri))
            self.g.add((iri, RDFS.label, self._zh(label)))
        self.g.add((iri, PROV.wasDerivedFrom, sent))
        return new

    def _aliases(self, iri: URIRef, names: set[str], label: str, x: Extraction | None = None,
                 f: Finding | None = None) -> None:
        """New names of *iri* as altLabels; on an entity the graph already knows, each is a review item, so that
        nothing existing changes silently."""
        known = self.known.alt.get(str(iri), set()) | {label}
        new = [n for n in sorted(names - known) if n and len(n) <= 60]
        for n in new:
            self.g.add((iri, SKOS.altLabel, self._zh(n)))
        if new and self.known.has(str(iri)) and x is not None and f is not None:
            self.review(x, f, f"gives the existing {label} ({iri}) the new name(s) {'、'.join(new)}; reject the "
                         "fact if they are not its names")

    def _when(self, w: When) -> Literal:
        dt = {"date": XSD.date, "gYearMonth": XSD.gYearMonth, "gYear": XSD.gYear}[w.datatype]
        return Literal(w.value, datatype=dt)

    # -- entities ------------------------------------------------------------------------------------------

    def add(self, x: Extraction) -> None:
        """Add the article, its sentences and every finding of *x*."""
        art = self._article(x)
        groups: dict[tuple[str, str], list[Finding]] = {}
        for f in x.findings:
            groups.setdefault((f.kind, f.key), []).append(f)
        iris: dict[tuple[str, str], URIRef | None] = {}

        def iri_of(f: Finding) -> URIRef | None:
            key = (f.kind, f.key)
            if key not in iris:
                iris[key] = self._entity(x, groups.get(key, [f]), iris_of=iri_of)
                self._note(iris[key], groups.get(key, [f])[0])
            return iris.get(key)

        for (kind, _), fs in groups.items():
            if kind in ("region", "place"):
                place = self.known.gazetteer.places.get(fs[0].iri)
                if place is not None:
                    self.g.add((art, SCHEMA.mentions, self.region(place)))
                    self.counts[kind] += 1
            elif kind == "review":
                for f in fs:
                    self.reviews.append(f"{x.article.id} s{f.sentence.index:03d}: {f.note}")
                    self.counts["review"] += 1
            else:
                iri_of(fs[0])
        for f in x.findings:
            if f.kind == "person" and (f.attrs.get("author") or f.attrs.get("editor")):
                p = iris.get(("person", f.key))
                if p is not None:
                    self.g.add((art, SCHEMA.author if f.attrs.get("author") else SCHEMA.editor, p))

    def _article(self, x: Extraction) -> URIRef:
        a = x.article
        meta: dict[str, object] = {k: v for k, v in a.meta.items() if k in ("title", "url", "series", "language")}
        source = Source(id=a.id, path=Path(f"{a.id}.txt"), text=a.text, meta=meta)
        art = URIRef(source.iri)
        self._sentences(source, art)
        for key in ("inferred:date", "inferred:title"):
            if a.meta.get(key):  # a value the page did not state: the reviewer confirms it
                self.reviews.append(f"{a.id} meta: {a.meta[key]}")
                self.counts["review"] += 1
        published = a.meta.get("published", "")
        if re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", published):
            self.g.add((art, SCHEMA.datePublished, Literal(published, datatype=XSD.dateTime)))
        elif x.today is not None:
            self.g.add((art, SCHEMA.datePublished, Literal(x.today.isoformat(), datatype=XSD.date)))
        self.g.add((art, SCHEMA.encodingFormat, Literal(f"text/plain; charset={a.encoding.split()[0]}")))
        publisher = a.meta.get("publisher")
        if publisher:
            iri = self.known.lookup(publisher, ORGANISATION_CLASSES)
            byline = next((s for s in x.article.sentences if publisher in s.text), None)
            if not iri and byline is not None:
                iri = f"{ZR}agent/{slug(publisher)}"
                sent = URIRef(sentence_iri(a.id, byline.index))
                if self.fact(URIRef(iri), ZS.MediaOrganization, publisher, sent):
                    self.counts["organisation"] += 1
            if iri:
                self.g.add((art, SCHEMA.publisher, URIRef(iri)))
            else:
                self.g.add((art, DCTERMS.publisher, self._zh(publisher)))
        return art

    def _sentences(self, source: Source, art: URIRef) -> None:
        """The article and its sentences, exactly as ``kg segment`` describes them (kg.sources.articles)."""
        g, text = self.g, source.text
        g.add((art, RDF.type, SCHEMA.NewsArticle))
        g.add((art, RDF.type, PROV.Entity))
        g.add((art, ZS.sourceFile, Literal(source.path.name)))
        g.add((art, ZS.sha256, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest())))
        g.add((art, ZS.characterCount, Literal(len(text), datatype=XSD.integer)))
        for key, prop in (("title", SCHEMA.headline), ("title", DCTERMS.title), ("title", RDFS.label),
                          ("series", ZS.seriesTitle)):
            if isinstance(source.meta.get(key), str):
                g.add((art, prop, self._zh(str(source.meta[key]))))
        if isinstance(source.meta.get("url"), str):
            g.add((art, SCHEMA.url, Literal(str(source.meta["url"]), datatype=XSD.anyURI)))
        mark_sample(art, text, g)
        add_sentence_triples(g, source, str(art))

    def mint(self, x: Extraction, f: Finding, scoped: bool) -> URIRef:
        ns = _NS.get(f.kind, f.kind)
        if scoped:
            return URIRef(f"{ZR}{ns}/{x.article.id}-s{f.sentence.index:03d}-{f.start - f.sentence.start:04d}")
        return URIRef(f"{ZR}{ns}/{slug(f.label)}")

    def _confident(self, x: Extraction, f: Finding) -> bool:
        """The one place every candidate's confidence is checked: each carries its rule and confidence (the
        finder's, else its kind's prior), and one below the threshold is a review item, not a fact."""
        rule, conf = rule_and_confidence(f)
        f.attrs["rule"], f.attrs["confidence"] = rule, conf
        if conf >= self.min_confidence:
            return True
        if "place" in f.attrs and f.attrs["place"] is None:
            self.review(x, f, f"no place for it in its clause or the article ({rule}); give it a place by hand")
        else:
            self.review(x, f, f"confidence {conf:.2f} below {self.min_confidence:g} ({rule}); "
                        "add it by hand if it is right")
        return False

    def _entity(self, x: Extraction, fs: list[Finding],
                iris_of: Callable[[Finding], URIRef | None]) -> URIRef | None:
        f = fs[0]
        if not self._confident(x, f):
            return None
        sents = sorted({self._sent(x, y) for y in fs}, key=str)
        names = set().union(*(y.names for y in fs)) | {f.label}
        cls = ZS[f.cls] if f.cls not in ("Person",) else SCHEMA.Person
        get = iris_of  # resolver for linked findings
        topic = f.attrs.get("topic")
        if f.kind == "organisation":
            lookup = sorted(names) if f.cls != "TaskForce" else _owned_names(f)  # 驻深圳专班: whose?
            iri_s = f.iri or next((i for n in lookup if (i := self.known.lookup(n, ORGANISATION_CLASSES))), "")
            iri = URIRef(iri_s) if iri_s else self.mint(x, f, scoped=False)
            new = self._new(str(iri))
            if new and not self._org_ok(f):
                self.reviews.append(f"{x.article.id} s{f.sentence.index:03d}: {f.cls} {f.label}: "
                                    + self._org_missing(f))
                self.counts["review"] += 1
                return None
            for s in sents:
                self.fact(iri, cls, f.label, s)
            self._aliases(iri, names, self.known.labels.get(str(iri), f.label), x, f)
            if new:
                self._org_links(iri, f, get)
            self.counts["organisation"] += 1
            return iri
        if f.kind == "person":
            iri = self.mint(x, f, scoped=False)
            if self.known.lookup(f.label, {str(SCHEMA.Person)}) or self.known.has(str(iri)):
                # one name is not one person: the known one is a candidate merge (kg.corpus.consolidate)
                iri = URIRef(f"{iri}--{x.article.id}")
            for s in sents:
                if self.fact(iri, SCHEMA.Person, f.label, s):
                    self.g.add((iri, RDF.type, FOAF.Person))
                    self.g.add((iri, SCHEMA.name, self._zh(f.label)))
            self.counts["person"] += 1
            return iri
        if f.kind == "project" and (known := self.known_project(f.label)) is not None:
            # a project an earlier source named: the same project (its milestones join it); the graph keeps its
            # place, and this source's amount is a second figure of it (a repeat or a conflict, never summed)
            restated = write_restated_amount(self, x, f, known, sents[0])
            self.review(x, f, f"is the known project {known}; its place here is not written again"
                        + ("; its amount is this source's figure of it" if restated else ""))
            return known
        iri = self.mint(x, f, scoped=True)
        s0 = sents[0]
        write = WRITERS.get(f.kind)  # the fact types of kg.ingest.facts write themselves
        if write is not None:
            if not write(self, x, f, iri, s0, get, topic):
                return None
        elif f.kind == "amount":
            a = f.attrs["amount"]
            assert isinstance(a, Amount)
            self.amount(iri, a, x.article.text[a.start:a.end], s0, f.attrs.get("measure"))
        elif f.kind == "metric":
            if not isinstance(topic, Place):
                self.review(x, f, "no region in or before the sentence for zs:refArea")
                return None
            self.fact(iri, ZS.Metric, f.label, s0)
            self.g.add((iri, QB.dataSet, self._metrics_dataset()))
            self.g.add((iri, ZS.refArea, self.region(topic)))
            indicator = self._indicator(str(f.attrs["indicator"]), str(f.attrs.get("indicator_en", "")))
            self.g.add((iri, ZS.indicator, indicator))
            self.g.add((iri, ZS.value, Literal(f.attrs["value"], datatype=XSD.decimal)))
            self.g.add((iri, ZS.unit, self._zh(str(f.attrs["unit"]))))
            self.g.add((iri, ZS.qualifier, ZS[str(f.attrs["qualifier"])]))
            self.g.add((iri, ZS.surfaceForm, self._zh(str(f.attrs["surface"]))))
            write_period(self, x, f, iri, s0)  # 今年以来…对接活动166场次: a metric is about a period, as a total is
        elif f.kind == "event":
            self.fact(iri, ZS.PromotionEvent, f.label, s0)
            w = f.attrs.get("date")
            if isinstance(w, When) and not w.since:
                self.g.add((iri, SCHEMA.startDate, self._when(w)))
            if isinstance(topic, Place):
                self.g.add((iri, ZS.region, self.region(topic)))
        elif f.kind == "policy":
            if f.cls == "PolicyDocument":
                if not isinstance(topic, Place) or not topic.coded:
                    self.review(x, f, "no issuing government (schema:legislationPassedBy)")
                    return None
                gov = get(Finding("organisation", f"{topic.label}人民政府", f.sentence, f.start, f.start,
                                  cls="Government", key=f"gov:{topic.iri}",
                                  iri=self.known.governments.get(topic.iri, ""), attrs={"governs": topic}))
                if gov is None:
                    return None
                self.fact(iri, ZS.PolicyDocument, f.label, s0)
                self.g.add((iri, SCHEMA.legislationPassedBy, gov))
                self.g.add((iri, SCHEMA.legislationJurisdiction, self.region(topic)))
            else:
                self.fact(iri, ZS.PlanningDocument, f.label, s0)
            self.g.add((iri, DCTERMS.title, self._zh(f.label)))
            w = f.attrs.get("issued")
            if isinstance(w, When) and not w.since:
                self.g.add((iri, DCTERMS.issued, self._when(w)))
        else:
            return None
        self.counts[f.kind] += 1
        return iri

    def gov(self, get: Callable[[Finding], URIRef | None], f: Finding, place: Place) -> URIRef | None:
        """The government of *place*, as an organisation finding resolved through *get*."""
        return get(Finding("organisation", f"{place.label}人民政府", f.sentence, f.start, f.start, cls="Government",
                           key=f"gov:{place.iri}", iri=self.known.governments.get(place.iri, ""),
                           attrs={"governs": place}))

    def review(self, x: Extraction, f: Finding, why: str) -> None:  # returns None for the caller to return
        self.reviews.append(f"{x.article.id} s{f.sentence.index:03d}: {f.kind} {f.label}: {why}")
        self.counts["review"] += 1

    def amount(self, iri: URIRef, a: Amount, surface: str, sent: URIRef, measure: object = None) -> None:
        if self.fact(iri, SCHEMA.MonetaryAmount, surface, sent):
            self.g.add((iri, SCHEMA.value, Literal(Decimal(a.value), datatype=XSD.decimal)))
            self.g.add((iri, SCHEMA.currency, Literal(a.currency)))
            self.g.add((iri, ZS.qualifier, ZS[a.qualifier]))
            self.g.add((iri, ZS.surfaceForm, self._zh(surface)))
            # Every amount has exactly one measure (ontology/shapes.ttl): the one its clause names (签约资金,
            # 项目总投资 …), else "kind not stated", which keeps it apart from every named measure.
            self.g.add((iri, ZS.measure, ZS[measure] if isinstance(measure, str) else ZS.InvestmentAmount))

    def _metrics_dataset(self) -> URIRef:
        if self._new(str(METRICS_DATASET)):
            self._emitted.add(str(METRICS_DATASET))
            self.g.add((METRICS_DATASET, RDF.type, QB.DataSet))
            self.g.add((METRICS_DATASET, RDFS.label, self._zh("招商引资统计指标")))
            self.g.add((METRICS_DATASET, QB.structure, ZS.metricStructure))
        return METRICS_DATASET

    def _indicator(self, label: str, en: str = "") -> URIRef:
        known = self.known.lookup(label, {str(ZS.Indicator)})
        if known:
            return URIRef(known)
        iri = URIRef(f"{ZR}indicator/{slug(label)}")
        if self._new(str(iri)):
            self._emitted.add(str(iri))
            self.g.add((iri, RDF.type, ZS.Indicator))
            self.g.add((iri, SKOS.inScheme, ZS.Indicators))
            self.g.add((iri, SKOS.prefLabel, self._zh(label)))
            self.g.add((iri, RDFS.label, self._zh(label)))
            if en:
                self.g.add((iri, SKOS.prefLabel, Literal(en, lang="en")))
        return iri

    def known_project(self, name: str) -> URIRef | None:
        """The project the graph already knows by *name* (with or without its 项目), else None."""
        classes = {f"{ZS}InvestmentProject"}
        bare = [k.removesuffix("项目") for k in (name, project_key(name))]
        forms = [name, project_key(name), *bare, *(b + "项目" for b in bare)]
        iri = next((i for n in forms if (i := self.known.lookup(n, classes))), None)
        return URIRef(iri) if iri else None

    def project_place(self, x: Extraction, f: Finding, topic: object) -> URIRef | None:
        zones = [y for y in x.findings if y.kind == "place" and y.sentence.index == f.sentence.index
                 and y.cls in ("DevelopmentZone", "Township", "Port")]
        if zones:
            return URIRef(zones[0].iri)
        return self.region(topic) if isinstance(topic, Place) else None

    # -- organisations -------------------------------------------------------------------------------------

    @staticmethod
    def _org_missing(f: Finding) -> str:
        if f.cls == "ChamberOfCommerce":
            return "needs both a host and an origin region"
        if f.cls == "TaskForce":
            return "needs the city it is stationed in (zs:stationedIn) and its government"
        if f.cls == "Government":
            return "needs the region it governs"
        return "incomplete"

    @staticmethod
    def _org_ok(f: Finding) -> bool:
        a = f.attrs
        if f.cls == "ChamberOfCommerce":
            return isinstance(a.get("host"), Place) and isinstance(a.get("origin"), Place)
        if f.cls == "TaskForce":
            stationed = isinstance(a.get("station"), Place) or bool(a.get("stations"))
            return isinstance(a.get("owner"), Place) and stationed
        if f.cls == "Government":
            return isinstance(a.get("governs"), Place)
        return True

    def _org_links(self, iri: URIRef, f: Finding, get: Callable[[Finding], URIRef | None]) -> None:
        a, g = f.attrs, self.g

        def gov_of(place: Place) -> URIRef | None:
            return get(Finding("organisation", f"{place.label}人民政府", f.sentence, f.start, f.start,
                               cls="Government", key=f"gov:{place.iri}",
                               iri=self.known.governments.get(place.iri, ""), attrs={"governs": place}))

        if f.cls == "Government":
            g.add((iri, ZS.governs, self.region(a["governs"])))  # type: ignore[arg-type]
        elif f.cls == "ChamberOfCommerce":
            g.add((iri, ZS.hostRegion, self.region(a["host"])))  # type: ignore[arg-type]
            g.add((iri, ZS.originRegion, self.region(a["origin"])))  # type: ignore[arg-type]
        elif f.cls == "TaskForce":
            owner = gov_of(a["owner"])  # type: ignore[arg-type]
            if owner is not None:
                g.add((iri, ORG.unitOf, owner))
            for st in a.get("stations") or [a["station"]]:  # type: ignore[attr-defined]
                g.add((iri, ZS.stationedIn, self.region(st)))
            target = a.get("target")
            if isinstance(target, Place):
                g.add((iri, ZS.targetRegion, URIRef(target.iri)))
        elif f.cls in ("GovernmentUnit", "ServiceCentre"):
            owner_place = a.get("owner") or a.get("topic")
            if isinstance(owner_place, Place) and owner_place.coded:
                owner = gov_of(owner_place)
                if owner is not None:
                    g.add((iri, ORG.unitOf, owner))
            for st in a.get("stations", []) or []:  # type: ignore[attr-defined]
                g.add((iri, ZS.stationedIn, self.region(st)))

