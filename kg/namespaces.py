"""IRIs of the project's ontology, its instances and the standard vocabularies it reuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Namespace

BASE = "https://w3id.org/zhaoshang-kg/"

#: The namespaces as IRI strings. Each is also an rdflib ``Namespace`` under its name (``ZS.Chamber`` is a
#: ``URIRef``), made on first use: rdflib takes a tenth of a second to import, which every query worker
#: (:mod:`kg.query.runner`) would otherwise pay without needing it.
IRIS: dict[str, str] = {
    #: The project's ontology: only the terms that no standard vocabulary has.
    "ZS": BASE + "def#",
    #: Instances: regions, organisations, projects, sources and their sentences.
    "ZR": BASE + "id/",
    #: Named graphs, one per source (and one for the ontology).
    "GRAPH": BASE + "graph/",
    "ORG": "http://www.w3.org/ns/org#",
    "PROV": "http://www.w3.org/ns/prov#",
    "SCHEMA": "https://schema.org/",
    "SKOS": "http://www.w3.org/2004/02/skos/core#",
    "GEO": "http://www.opengis.net/ont/geosparql#",
    "QB": "http://purl.org/linked-data/cube#",
    "DCTERMS": "http://purl.org/dc/terms/",
    "OA": "http://www.w3.org/ns/oa#",
    "TIME": "http://www.w3.org/2006/time#",
    "FOAF": "http://xmlns.com/foaf/0.1/",
}

if TYPE_CHECKING:
    ZS: Namespace
    ZR: Namespace
    GRAPH: Namespace
    ORG: Namespace
    PROV: Namespace
    SCHEMA: Namespace
    SKOS: Namespace
    GEO: Namespace
    QB: Namespace
    DCTERMS: Namespace
    OA: Namespace
    TIME: Namespace
    FOAF: Namespace


def __getattr__(name: str) -> Any:
    if name not in IRIS:
        raise AttributeError(f"module 'kg.namespaces' has no attribute {name!r}")
    from rdflib import Namespace

    value = Namespace(IRIS[name])
    globals()[name] = value
    return value


#: Prefixes used in queries, exports and the ontology files.
PREFIXES: dict[str, str] = {
    **{name.lower(): iri for name, iri in IRIS.items() if name != "GRAPH"},
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def source_graph(source_id: str) -> str:
    """Return the IRI of the named graph that holds one source's facts."""
    return f"{IRIS['GRAPH']}{source_id}"


def source_iri(source_id: str) -> str:
    """Return the IRI of a source document."""
    return f"{IRIS['ZR']}source/{source_id}"
