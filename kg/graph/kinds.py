"""What an entity is: the one definition the entity graph (``kg rank``, ``kg path``, ``kg neighbors``) and the views
(``kg viz``) share.

Every IRI the data types is one of four kinds, decided by its classes:

* **ontology terms** (:data:`ONTOLOGY_KINDS`: classes, properties, concept schemes, the ontology itself) are
  the vocabulary, never drawn;
* **values** (:data:`VALUE_CLASSES`: sentences and their selectors, amounts, periods, qualifiers, stages,
  indicators, money measures, geometries, overlap groups, statistical data sets) become attributes of the
  entities that point at them (``investment = 约50亿元``);
* **concepts** (:data:`CONCEPT_CLASSES`: the cards, the industry chains, the roles of ``org:Role``) are terms of
  the ontology's SKOS schemes that the facts point at; they are entities only where a non-concept entity links
  to or from them (:func:`unlinked_concepts`), since a scheme's unused concepts are its furniture, not the story;
* everything else is an **entity**: a node. Other IRIs of the ontology's namespace are ontology furniture too.

Two cases were decided here, once for both:

* ``schema:NewsArticle`` is an entity. An article is a source an analyst wants to click: it links to its
  publisher, editors and authors, and its title, date and URL are its attributes. Its sentences stay values
  (they are the evidence of facts, shown as quotes).
* ``org:Role`` is a concept, like a card: "招商大使" is a term of the ontology's scheme of roles that
  appointments point at, so it is a node where an appointment or a document links to it, and is left out
  otherwise.

:func:`node_class` picks the class a node is shown (and ranked) as; :data:`STANDARD_LABELS` names the standard
relations the ontology reuses without labelling them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from kg.namespaces import PREFIXES

_ZS, _SCHEMA, _SKOS, _ORG, _OWL = PREFIXES["zs"], PREFIXES["schema"], PREFIXES["skos"], PREFIXES["org"], PREFIXES["owl"]
_DCTERMS = PREFIXES["dcterms"]

#: Types that make an IRI a term of the ontology rather than an entity.
ONTOLOGY_KINDS = frozenset({
    _OWL + "Class", _OWL + "ObjectProperty", _OWL + "DatatypeProperty", _OWL + "AnnotationProperty",
    _OWL + "Ontology", _SKOS + "ConceptScheme",
})
#: Classes whose members are values, not entities: they become attributes of the nodes that use them.
VALUE_CLASSES = frozenset({
    _ZS + "Sentence", _SCHEMA + "MonetaryAmount", _ZS + "Period", _ZS + "Qualifier", _ZS + "ProjectStage",
    _ZS + "Indicator", _ZS + "MoneyMeasure", PREFIXES["geo"] + "Geometry", _ZS + "OverlapGroup",
    PREFIXES["qb"] + "DataSet", _SCHEMA + "Dataset", PREFIXES["oa"] + "TextQuoteSelector",
    PREFIXES["oa"] + "TextPositionSelector", _ZS + "ProjectMilestone",
})
#: Concept classes: their members (terms of the ontology's schemes) are entities where a non-concept links to them.
CONCEPT_CLASSES = frozenset({_ZS + "Card", _ZS + "IndustryChain", _ORG + "Role"})
#: Classes outside ``zs:`` a node is shown as in preference to others it has (a person, an event, an article).
NAMED_CLASSES = frozenset({_SCHEMA + "Person", _SCHEMA + "Event", _SCHEMA + "NewsArticle", _ORG + "Role"})
#: Classes too general to show a node as when it has another.
GENERIC_CLASSES = frozenset({
    PREFIXES["prov"] + "Entity", _SKOS + "Concept", PREFIXES["geo"] + "Feature", _OWL + "NamedIndividual",
})


def is_entity(iri: str, types: Collection[str]) -> bool:
    """Whether an IRI of these types is an entity or a concept (not a value, a sentence or an ontology term).

    Whether a concept is a node also depends on its links: see :func:`unlinked_concepts`.
    """
    ts = set(types)
    if not ts or ts & ONTOLOGY_KINDS or ts & VALUE_CLASSES:
        return False
    return not (iri.startswith(_ZS) and not ts & CONCEPT_CLASSES)


def is_concept(types: Collection[str]) -> bool:
    """Whether these types make an entity a concept (a node only where a non-concept links to or from it)."""
    return not CONCEPT_CLASSES.isdisjoint(types)


def node_class(iri: str, types: Collection[str], superclasses: Mapping[str, Collection[str]]) -> str | None:
    """The class *iri* is shown as, or None when it is not an entity.

    Among its ``zs:`` classes and :data:`NAMED_CLASSES` (else its classes but the :data:`GENERIC_CLASSES`, else
    all), the most specific by *superclasses* (class -> its superclasses), the first by IRI among equals.
    """
    if not is_entity(iri, types):
        return None
    ts = set(types)
    candidates = {t for t in ts if t.startswith(_ZS) or t in NAMED_CLASSES} or (ts - GENERIC_CLASSES) or ts
    specific = {c for c in candidates if not any(c in superclasses.get(o, ()) for o in candidates if o != c)}
    return sorted(specific or candidates)[0]


def unlinked_concepts(concepts: Collection[str], links: Iterable[tuple[str, str]]) -> set[str]:
    """The *concepts* that no link of *links* (pairs of nodes, either way) joins to a node that is not one."""
    linked: set[str] = set()
    for a, b in links:
        if a not in concepts:
            linked.add(b)
        if b not in concepts:
            linked.add(a)
    return set(concepts) - linked


#: zh / en labels of the standard relations the data uses (the ontology labels its own), by IRI.
STANDARD_LABELS: dict[str, tuple[str, str]] = {
    _SCHEMA + "location": ("位于", "located in"),
    _SCHEMA + "containedInPlace": ("隶属于", "contained in"),
    _SCHEMA + "containsPlace": ("包含", "contains"),
    _SCHEMA + "organizer": ("主办方", "organised by"),
    _SCHEMA + "attendee": ("参加者", "attended by"),
    _SCHEMA + "creator": ("制定者", "created by"),
    _SCHEMA + "legislationPassedBy": ("发布机关", "issued by"),
    _SCHEMA + "legislationJurisdiction": ("适用地区", "jurisdiction"),
    _SCHEMA + "legislationDate": ("发布日期", "date issued"),
    _SCHEMA + "author": ("作者", "author"),
    _SCHEMA + "editor": ("编辑", "editor"),
    _SCHEMA + "publisher": ("发布者", "publisher"),
    _SCHEMA + "worksFor": ("供职于", "works for"),
    _SCHEMA + "startDate": ("开始日期", "start date"),
    _SCHEMA + "description": ("描述", "description"),
    _SCHEMA + "datePublished": ("发布日期", "date published"),
    _SCHEMA + "url": ("网址", "URL"),
    _SCHEMA + "brand": ("品牌", "brand"),
    _ORG + "unitOf": ("隶属机构", "unit of"),
    _ORG + "hasUnit": ("下设", "has unit"),
    _ORG + "member": ("成员", "member"),
    _ORG + "organization": ("聘任机构", "organisation"),
    _ORG + "role": ("职务", "role"),
    _SKOS + "broader": ("上位概念", "broader"),
    _DCTERMS + "subject": ("主题", "subject"),
    _DCTERMS + "issued": ("发布日期", "issued"),
    _DCTERMS + "title": ("标题", "title"),
    _DCTERMS + "description": ("描述", "description"),
    _ZS + "adminCode": ("行政区划代码", "administrative division code"),
}
