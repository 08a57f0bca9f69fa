"""IRIs of the project's ontology, its instances and the standard vocabularies it reuses."""

from __future__ import annotations

from rdflib import Namespace

BASE = "https://w3id.org/zhaoshang-kg/"

#: The project's ontology: only the terms that no standard vocabulary has.
ZS = Namespace(BASE + "def#")
#: Instances: regions, organisations, projects, sources and their sentences.
ZR = Namespace(BASE + "id/")
#: Named graphs, one per source (and one for the ontology).
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QB = Namespace("http://purl.org/linked-data/cube#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

#: Prefixes used in queries, exports and the ontology files.
PREFIXES: dict[str, str] = {
    "zs": str(ZS),
    "zr": str(ZR),
    "org": str(ORG),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "geo": str(GEO),
    "qb": str(QB),
    "dcterms": str(DCTERMS),
    "oa": str(OA),
    "time": str(TIME),
    "foaf": str(FOAF),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def source_graph(source_id: str) -> str:
    """Return the IRI of the named graph that holds one source's facts."""
    return f"{GRAPH}{source_id}"


def source_iri(source_id: str) -> str:
    """Return the IRI of a source document."""
    return f"{ZR}source/{source_id}"
