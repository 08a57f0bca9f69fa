"""The draft's Turtle writer and its fast paths: the exact text it writes, and that the plain-tuple sentences
are the triples ``kg segment`` makes (the speed work must not change a byte of a draft)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.ingest.draft import TripleSet, add_sentence_triples
from kg.ingest.turtle import TurtleWriter
from kg.namespaces import PROV, ZR, ZS
from kg.sources.articles import Source, add_sentences

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "tests" / "data" / "articles").glob("*.txt"))

def _writer() -> TurtleWriter:
    return TurtleWriter({"zs": str(ZS), "rdfs": str(RDFS), "xsd": str(XSD), "prov": str(PROV),
                         "region": f"{ZR}region/"})


@pytest.mark.parametrize("path", ARTICLES[:6], ids=lambda p: p.stem)
def test_plain_sentences_are_the_triples_kg_segment_makes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    source = Source(id=path.stem, path=Path(f"{path.stem}.txt"), text=text, meta={})
    fast, slow = TripleSet(), TripleSet()
    add_sentence_triples(fast, source, source.iri)
    add_sentences(slow, source, URIRef(source.iri))
    assert len(fast) == len(slow) >= 9 * 2  # nine triples a sentence
    assert fast.by_subject == slow.by_subject


def test_block_writes_the_fixed_order_escapes_and_names() -> None:
    w = _writer()
    s = f"{ZR}region/430100"
    pairs = [
        (str(PROV.wasDerivedFrom), ("i", "https://zs.example/id/source/a/s001", "")),
        (str(ZS.adminCode), ("t", "430100", str(XSD.string))),
        (str(RDFS.label), ("l", '长沙"市"\n', "zh")),
        (str(ZS.characterCount), ("t", "12", str(XSD.integer))),
        (str(RDF.type), ("i", str(ZS.PrefectureLevelDivision), "")),
        (str(ZS.hostRegion), ("i", f"{ZR}region/430000", "")),
        (str(ZS.note), ("t", "x", "https://example.org/not a prefix#t")),
    ]
    names = {f"{ZR}region/430000": "湖南省", "https://zs.example/id/source/a/s001": "not shown"}
    text = w.block(s, pairs, ["@ {\"fact\": \"x\"}", "s001: 长沙"], names.get)
    assert text.splitlines() == [
        '#@ {"fact": "x"}',
        "# s001: 长沙",
        "region:430100",
        "    a zs:PrefectureLevelDivision ;",
        '    rdfs:label "长沙\\"市\\"\\n"@zh ;',
        "    zs:hostRegion region:430000 ;  # 湖南省",
        '    zs:adminCode "430100" ;',
        '    zs:characterCount "12"^^xsd:integer ;',
        '    zs:note "x"^^<https://example.org/not a prefix#t> ;',
        "    prov:wasDerivedFrom <https://zs.example/id/source/a/s001> .  # not shown",
    ]
    # the caches give the same text the second time, and Oxigraph terms give what plain tuples give
    assert w.block(s, reversed(pairs), ["@ {\"fact\": \"x\"}", "s001: 长沙"], names.get) == text
    triples = [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o[1]) if o[0] == "i" else
                         ox.Literal(o[1], language=o[2]) if o[0] == "l" else
                         ox.Literal(o[1], datatype=ox.NamedNode(o[2]))) for p, o in pairs[:-1]]
    assert _writer().subject(s, triples, [], names.get) == w.block(s, pairs[:-1], [], names.get)


def test_triple_set_keeps_oxigraph_semantics() -> None:
    g = TripleSet()
    s = URIRef(f"{ZR}agent/x")
    g.add((s, RDFS.label, Literal("甲", lang="ZH")))
    g.add((s, RDFS.label, Literal("甲", lang="zh")))  # the same triple once Oxigraph lowers the tag
    g.add((s, ZS.adminCode, Literal("1")))
    g.add((s, ZS.adminCode, Literal("1", datatype=XSD.string)))  # a plain literal is an xsd:string
    assert len(g) == 2
    with pytest.raises(ValueError):
        g.add((URIRef("not an iri"), RDFS.label, Literal("x")))
    assert len(g) == 2


def test_two_labels_name_a_subject_deterministically() -> None:
    texts = []
    for labels in (["乙", "甲"], ["甲", "乙"]):
        g = TripleSet()
        g.bind("agent", f"{ZR}agent/")
        a, b = URIRef(f"{ZR}agent/a"), URIRef(f"{ZR}agent/b")
        for label in labels:
            g.add((a, RDFS.label, Literal(label, lang="zh")))
        g.add((b, ZS.member, a))
        texts.append(g.serialize())
    assert texts[0] == texts[1]
    assert "agent:a .  # 乙" in texts[0]  # the least label in code-point order (乙 U+4E59 < 甲 U+7532)
