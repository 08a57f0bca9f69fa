"""Two independent SHACL engines that check the in-store validator (:mod:`kg.shacl.run`): pySHACL and pyrudof.

Neither is needed to build or validate a store; both are in the ``test`` extra (``pip install -e '.[test]'``),
imported only when called, and a clear :class:`~kg.errors.KGError` says what to install when one is missing.

* :func:`validate_graph` runs pySHACL (Python, on rdflib graphs): the reference the in-store validator matches
  field by field — focus node, path, value, message and severity — since its messages are pySHACL's.
* :func:`validate_with_rudof` runs pyrudof (rudof's SHACL engine, in Rust): a second opinion written apart from
  both. Its messages and value texts are its own, so only the focus nodes, paths, severities and whether the
  data conforms are comparable with the others. It follows the SHACL and XSD texts where pySHACL follows
  rdflib and Python's ``re`` (``$`` before a final newline, ``"1.1e7"^^xsd:decimal``, ``sh:languageIn`` by
  ``langMatches``), lists no ``sh:detail`` results of ``sh:node``, and in version 0.3.35 does not check the
  lexical form of ``xsd:date`` literals nor collapse whitespace in numbers; ``tests/test_shacl.py`` states each
  such difference where it shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from kg.errors import KGError
from kg.shacl.report import ValidationResult, Violation, sorted_violations, term_text


def validate_graph(
    data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None
) -> ValidationResult:
    """Validate *data* against *shapes* with pySHACL (SHACL Core and SHACL-SPARQL, no inference, no SHACL-AF).

    The ontology must be part of *data*, or given as *ontology* (then mixed into a copy), so that
    ``sh:targetClass`` reaches the instances of sub-classes.
    """
    try:
        import pyshacl
    except ImportError:
        raise KGError("validate_graph needs pySHACL, the test oracle: pip install -e '.[test]'.") from None
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=False,  # the shapes use no SHACL Advanced Features; checking for them doubles the time
        allow_warnings=True,
    )
    assert isinstance(report, rdflib.Graph)
    return ValidationResult(conforms=bool(conforms), violations=sorted_violations(_violations(report)))


def _violations(report: rdflib.Graph) -> list[Violation]:
    """Every sh:ValidationResult of a pySHACL report (its sh:detail results too) as a :class:`Violation`."""
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(p: rdflib.URIRef, r: rdflib.term.Node = result) -> str:
            v = report.value(r, p)
            return "" if v is None else term_text(v)
        message = one(SH.resultMessage) or one(SH.sourceConstraintComponent)
        out.append(
            Violation(
                focus=one(SH.focusNode),
                path=one(SH.resultPath),
                message=message,
                value=one(SH.value),
                severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            )
        )
    return out


def validate_with_rudof(data: Iterable[ox.Quad | ox.Triple], shapes: Iterable[ox.Quad | ox.Triple]) -> ValidationResult:
    """Validate *data* against *shapes* with pyrudof; both as statements in any graphs (names dropped, each
    statement once, as in the union of the graphs).

    Each violation's focus node and path read as the other engines print them (:func:`term_text`: ``zs:`` names,
    ``<iri>``, a blank node's label) and its severity as ``sh:Violation`` …; its message and value are rudof's
    own text.
    """
    try:
        import pyrudof
    except ImportError:
        raise KGError("validate_with_rudof needs pyrudof, the second test oracle: pip install -e '.[test]'.") from None
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(_ntriples(data), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(_ntriples(shapes), format=pyrudof.ShaclFormat.NTriples)
    report = rudof.validate_shacl()
    violations = [
        Violation(focus=_rudof_text(v.focus_node), path=_rudof_text(v.path), message=str(v.message or ""),
                  value=str(v.value or ""), severity="sh:" + str(v.severity))
        for v in report.violations
    ]
    return ValidationResult(conforms=bool(report.conforms), violations=sorted_violations(violations))


def _ntriples(statements: Iterable[ox.Quad | ox.Triple]) -> str:
    """The statements as N-Triples, graph names dropped and each statement once."""
    triples = {ox.Triple(s.subject, s.predicate, s.object) for s in statements}
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert text is not None
    return text.decode()


def _rudof_text(node: Any) -> str:
    """A node as rudof reports it (an IRI bare, ``_:label``, None for no path) in :func:`term_text`'s form."""
    if node is None:
        return ""
    text = str(node)
    if text.startswith("_:"):
        return term_text(rdflib.BNode(text[2:]))
    return term_text(rdflib.URIRef(text))
