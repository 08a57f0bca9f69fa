"""SPARQL composed from the parts of an understood question, every value bound as a parameter.

The text of a composed query is put together from fixed fragments of this module only: which fragments
depends on what :mod:`kg.asking.understand` found (a place or another entity as anchor, a relation, a time
span, a threshold), never on the words of the question. Every value — the IRIs of the entities, the
properties of the relation, the dates, the amount — is a variable (``?a0``, ``?p0``, ``?timeStart``,
``?min``) bound by the engine (``substitutions``), so no text of the question ever becomes SPARQL.

Three shapes of question:

- :func:`fact_query`: one relation of the entities named (who facilitated the Yuhu project; the reward cap
  of Changsha's measures), read from the entity itself or from what one step links to it;
- :func:`figures_query`: the counted figures and money totals of a place (metrics, counted groups, signing
  totals, appointments), ranked afterwards by how well their words fit the question;
- :func:`list_query`: the things of a kind (events, projects, documents …) in a place, a time span or above
  an amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from kg.names.index import Entity
from kg.namespaces import PREFIXES

Binding = ox.NamedNode | ox.Literal


@dataclass
class Composed:
    """A composed query and the values bound into it (shown by ``kg ask --explain``)."""

    shape: str
    sparql: str
    bindings: dict[str, Binding] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the engine binds only variables of the projection: every bound one is projected, in a fixed order
        if self.shape != "catalogue" and self.bindings:
            head, sep, rest = self.sparql.partition("\nWHERE {")
            self.sparql = head + " " + " ".join(f"?{k}" for k in self.bindings) + sep + rest

    def explain(self) -> str:
        """The query and its bound values, as ``kg ask --explain`` prints them."""
        bound = "\n".join(f"#   ?{k} = {_show(v)}" for k, v in self.bindings.items())
        return f"# {self.shape}: values bound as parameters, never pasted into the text\n{bound}\n{self.sparql}"


def _show(term: Binding) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    return str(term)


def iri(prefixed: str) -> ox.NamedNode:
    """``zs:facilitatedBy`` as a node (the lexicon writes properties and classes prefixed)."""
    prefix, _, local = prefixed.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local)


_ZH_LABEL = "OPTIONAL {{ {var} rdfs:label ?{name} . FILTER (LANG(?{name}) = \"zh\") }}"

#: The properties that put a thing in a place, and those that tie it to a government or its unit (the
#: ontology's; a fixed list, so that the engine looks them up from the place instead of scanning every
#: statement about the places inside it).
IN_PLACE = ("schema:location|zs:region|zs:refArea|zs:stationedIn|zs:hostRegion|schema:legislationJurisdiction"
            "|zs:involves")
OF_GOVERNMENT = ("schema:organizer|zs:actor|schema:legislationPassedBy|schema:creator|org:organization"
                 "|zs:designatedBy|zs:establishedBy|zs:facilitatedBy|schema:attendee")

#: Where a place anchor reaches a subject, from the place: something in a place inside it, or something of a
#: government (or a government's unit) that governs a place inside it.
_PLACE_START = """  {{ ?{x} zs:withinRegion ?{a} . ?{s} """ + IN_PLACE + """ ?{x} . }}
  UNION {{ ?{r} zs:withinRegion ?{a} . ?{g} zs:governs ?{r} . ?{s} """ + OF_GOVERNMENT + """ ?{g} . }}
  UNION {{ ?{r}2 zs:withinRegion ?{a} . ?{g}2 zs:governs ?{r}2 . ?{u} org:unitOf ?{g}2 .
          ?{s} """ + OF_GOVERNMENT + """ ?{u} . }}"""

#: The same, from a subject already found (checked row by row in a FILTER EXISTS).
_PLACE_CHECK = """  {{ ?{s} """ + IN_PLACE + """ ?{x} . ?{x} zs:withinRegion ?{a} . }}
  UNION {{ ?{s} """ + OF_GOVERNMENT + """ ?{g} . ?{g} zs:governs ?{r} . ?{r} zs:withinRegion ?{a} . }}
  UNION {{ ?{s} """ + OF_GOVERNMENT + """ ?{u} . ?{u} org:unitOf ?{g}2 . ?{g}2 zs:governs ?{r}2 .
          ?{r}2 zs:withinRegion ?{a} . }}"""

#: Where another entity reaches a subject: one step either way, or (for a role) the people appointed to it and
#: what they are linked to. (The entity itself is a branch of its own in :func:`fact_query`: the engine binds
#: a parameter in triple patterns, not in a BIND of a group evaluated apart.)
_ENTITY_LINK = """  {{ ?{s} ?{l}a ?{a} . }}
  UNION {{ ?{a} ?{l}b ?{s} . FILTER (isIRI(?{s})) }}
  UNION {{ ?{ap} org:role ?{a} ; org:member ?{s} . }}"""
#: Only where the role finds the subjects: what the people appointed to it are linked to. (As a check on a
#: subject found otherwise, the engine evaluates this whole, for every such link of the store.)
_ROLE_REACH = """
  UNION {{ ?{ap} org:role ?{a} ; org:member ?{m} . ?{s} ?{l}c ?{m} . }}"""
#: As a check on a fact found otherwise: its value is a person appointed to the role (长沙的招商顾问促成了什么).
_ROLE_VALUE = """
  UNION {{ ?{ap}v org:role ?{a} ; org:member ?value . }}"""

#: The time of a subject: its dates, or its period's start and end, as ISO dates; it must meet the span asked.
#: A period with no start (近年来) meets no span: it does not say when.
_TIME = """  {{ ?{s} schema:startDate|zs:stageDate|dcterms:issued|dcterms:date ?{d} .
     BIND (STR(?{d}) AS ?{t}s) BIND (STR(?{d}) AS ?{t}e) }}
  UNION {{ ?{s} zs:refPeriod ?{t}p .
          OPTIONAL {{ ?{t}p zs:periodStart ?{t}ps }} OPTIONAL {{ ?{t}p zs:periodEnd ?{t}pe }}
          BIND (COALESCE(STR(?{t}ps), "9999") AS ?{t}s) BIND (COALESCE(STR(?{t}pe), "9999") AS ?{t}e) }}
  BIND (IF(STRLEN(?{t}s) = 4, CONCAT(?{t}s, "-01-01"),
           IF(STRLEN(?{t}s) = 7, CONCAT(?{t}s, "-01"), SUBSTR(?{t}s, 1, 10))) AS ?{t}from)
  BIND (IF(STRLEN(?{t}e) = 4, CONCAT(?{t}e, "-12-31"),
           IF(STRLEN(?{t}e) = 7, CONCAT(?{t}e, "-31"), SUBSTR(?{t}e, 1, 10))) AS ?{t}to)
  FILTER (?{t}from <= STR(?timeEnd) && ?{t}to >= STR(?timeStart))"""

#: The sentences behind a node: its prov:wasDerivedFrom sentences' exact words. One hop per nested OPTIONAL: the
#: engine then follows them row by row; three patterns in one OPTIONAL are joined by reading every
#: prov:wasDerivedFrom of the store (1.4 s at 100k statements, against 1 ms).
_QUOTE = ("OPTIONAL {{ ?{n} prov:wasDerivedFrom ?{n}Sentence . OPTIONAL {{ ?{n}Sentence oa:hasSelector ?{n}Sel . "
          "OPTIONAL {{ ?{n}Sel oa:exact ?{q} }} }} }}")


def anchor_fragment(i: int, entity: Entity, subject: str = "subject", *, check: bool = False,
                    value: bool = False) -> tuple[str, str]:
    """The fragment tying ``?subject`` to anchor *i* (a place or another entity) and its variable name; with
    *check*, written from the subject (for a FILTER EXISTS on a subject found already); with *value*, a role
    may also be held by the ``?value`` of the fact."""
    a = f"a{i}"
    if entity.is_place:
        return (_PLACE_CHECK if check else _PLACE_START).format(s=subject, x=f"in{i}", a=a, g=f"gov{i}",
                                                                 r=f"reg{i}", u=f"unit{i}"), a
    text = _ENTITY_LINK + ("" if check else _ROLE_REACH) + (_ROLE_VALUE if check and value else "")
    return text.format(s=subject, l=f"link{i}", a=a, ap=f"appt{i}", m=f"member{i}"), a


def time_fragment(subject: str = "subject") -> str:
    """A FILTER keeping subjects whose dates or period meet ``?timeStart`` … ``?timeEnd`` (checked row by row)."""
    return "  FILTER EXISTS {\n" + _TIME.format(s=subject, d=f"{subject}Date", t=f"{subject}T") + "\n  }"


def _anchors(anchors: list[Entity], subject: str, bindings: dict[str, Binding], *, first: int = 0,
             value: bool = False) -> list[str]:
    """The anchors from *first* on: the one at *first* (when it is 0) finds the subjects, the others are checked
    row by row on what it found. The engine would otherwise join each branch of a union with the rest and
    evaluate it once per row of the largest side (7 s instead of 17 ms for the projects of a city at 100k)."""
    parts = []
    for i, e in enumerate(anchors):
        if i < first:
            continue
        start = i == 0
        text, var = anchor_fragment(i, e, subject, check=not start, value=value)
        bindings[var] = ox.NamedNode(e.iri)
        parts.append("  {\n" + text + "\n  }" if start else "  FILTER EXISTS {\n" + text + "\n  }")
    return parts


def _time_bindings(span: tuple[str, str], bindings: dict[str, Binding]) -> None:
    bindings["timeStart"] = ox.Literal(span[0])
    bindings["timeEnd"] = ox.Literal(span[1])


def fact_query(properties: list[str], anchors: list[Entity], span: tuple[str, str] | None = None, *,
               itself: bool = False) -> Composed:
    """One relation (*properties*, prefixed) of the things the *anchors* reach, with the value's label, amount
    and qualifier and the sentences behind the subject and the value. With *itself*, the subject is the first
    anchor (which is then no place), and the other anchors must reach it: :func:`kg.asking.plans` asks this
    first, as the entity's own fact is the answer when there is one, and it is a lookup, not a search."""
    bindings: dict[str, Binding] = {}
    for i, prop in enumerate(properties):
        bindings[f"p{i}"] = iri(prop)
    linked = _anchors(anchors, "subject", bindings, value=True)
    about_value = "\n".join([
        "    " + _ZH_LABEL.format(var="?value", name="valueLabel"),
        "    OPTIONAL { ?value schema:value ?amount }",
        "    OPTIONAL { ?value zs:qualifier ?qualifier . "
        + _ZH_LABEL.format(var="?qualifier", name="qualifierLabel") + " }",
        "    " + _QUOTE.format(n="value", q="valueQuote"),
    ])
    where = []
    if itself:
        branches = "\n    UNION ".join(f"{{ ?a0 ?p{i} ?value . BIND (?a0 AS ?subject) BIND (?p{i} AS ?property) }}"
                                      for i in range(len(properties)))
        where.append(f"  {{\n    {branches}\n  }}")
        where += linked[1:]
        where.append(about_value)
    else:
        where.append(linked[0])
        # The relation is read row by row from the subjects found (an OPTIONAL), with what is said of its value
        # nested inside, so that nothing binds ?value where the subject has no such relation. All of it stays in
        # the query's own group: the engine binds the parameters into that group, but evaluates a nested group
        # (or one with a BIND) apart, without them.
        wanted = ", ".join(f"?p{i}" for i in range(len(properties)))
        where.append(f"  OPTIONAL {{\n    ?subject ?property ?value . FILTER (?property IN ({wanted}))\n"
                     f"{about_value}\n  }}\n  FILTER (BOUND(?value))")
        where += linked[1:]  # the other anchors, checked on the facts found
    if span:
        where.append(time_fragment("subject"))
        _time_bindings(span, bindings)
    sparql = "\n".join([
        "SELECT DISTINCT ?subject ?subjectLabel ?property ?value ?valueLabel ?amount ?qualifierLabel ?valueQuote "
        "?subjectQuote",
        "WHERE {",
        *where,
        "  " + _ZH_LABEL.format(var="?subject", name="subjectLabel"),
        "  " + _QUOTE.format(n="subject", q="subjectQuote"),
        "}",
        "LIMIT 2000",
    ])
    return Composed("fact", sparql, bindings)


#: What counts as a figure: a metric's value, a counted group's size, a signing total (its projects and money),
#: an appointment's number of appointees.
_FIGURES = """  {{ ?fact a zs:Metric ; zs:value ?value . }}
  UNION {{ ?fact a zs:CountedGroup ; zs:memberCount ?value . }}
  UNION {{ ?fact a zs:SigningTotal . OPTIONAL {{ ?fact zs:projectCount ?value }} }}
  UNION {{ ?fact a zs:Appointment ; zs:appointeeCount ?value . }}"""

#: The same, on figures a place found: the kind checked row by row, the number read row by row.
_FIGURE_CHECK = """  FILTER EXISTS { ?fact a ?figureKind .
                  VALUES ?figureKind { zs:Metric zs:CountedGroup zs:SigningTotal zs:Appointment } }
  OPTIONAL { ?fact zs:value|zs:memberCount|zs:projectCount|zs:appointeeCount ?value }"""


def figures_query(places: list[Entity], span: tuple[str, str] | None = None) -> Composed:
    """Every figure about the places (or reported at all, with none), in the time span when given; the
    caller ranks them by how well their words fit the question."""
    bindings: dict[str, Binding] = {}
    where = []
    for i, place in enumerate(places):  # the first place finds the figures, the others are checked row by row
        var = f"a{i}"
        bindings[var] = ox.NamedNode(place.iri)
        if i == 0:
            where.append(f"""  {{ ?area{i} zs:withinRegion ?{var} . ?fact zs:refArea|zs:originRegion ?area{i} . }}
  UNION {{ ?reg{i} zs:withinRegion ?{var} . ?gov{i} zs:governs ?reg{i} .
          ?fact zs:designatedBy|zs:establishedBy|org:organization ?gov{i} . }}
  UNION {{ ?reg{i}b zs:withinRegion ?{var} . ?gov{i}b zs:governs ?reg{i}b . ?unit{i} org:unitOf ?gov{i}b .
          ?fact zs:designatedBy|zs:establishedBy|org:organization ?unit{i} . }}""")
        else:
            where.append(f"""  FILTER EXISTS {{
  {{ ?fact zs:refArea|zs:originRegion ?area{i} . ?area{i} zs:withinRegion ?{var} . }}
  UNION {{ ?fact zs:designatedBy|zs:establishedBy|org:organization ?gov{i} . ?gov{i} org:unitOf?/zs:governs ?reg{i} .
          ?reg{i} zs:withinRegion ?{var} . }}
  }}""")
    if places:
        where.append(_FIGURE_CHECK)
    else:
        where.append(_FIGURES.format())
    if span:
        where.append(time_fragment("fact"))
        _time_bindings(span, bindings)
    sparql = "\n".join([
        "SELECT DISTINCT ?fact ?factLabel ?value ?unit ?qualifierLabel ?indicatorLabel ?amount ?amountLabel "
        "?amountForm ?periodLabel ?quote ?factEn ?indicatorEn",
        "WHERE {",
        *where,
        "  " + _ZH_LABEL.format(var="?fact", name="factLabel"),
        "  OPTIONAL { ?fact rdfs:label ?factEn . FILTER (LANG(?factEn) = \"en\") }",
        "  OPTIONAL { ?fact zs:unit ?unit }",
        "  OPTIONAL { ?fact zs:qualifier ?qualifier . " + _ZH_LABEL.format(var="?qualifier", name="qualifierLabel")
        + " }",
        "  OPTIONAL { ?fact zs:indicator ?indicator . " + _ZH_LABEL.format(var="?indicator", name="indicatorLabel")
        + " OPTIONAL { ?indicator rdfs:label ?indicatorEn . FILTER (LANG(?indicatorEn) = \"en\") } }",
        "  OPTIONAL { ?fact zs:investment ?money . OPTIONAL { ?money schema:value ?amount } "
        + _ZH_LABEL.format(var="?money", name="amountLabel") + " OPTIONAL { ?money zs:surfaceForm ?amountForm } }",
        "  OPTIONAL { ?fact zs:refPeriod ?period . " + _ZH_LABEL.format(var="?period", name="periodLabel") + " }",
        "  " + _QUOTE.format(n="fact", q="quote"),
        "}",
        "LIMIT 5000",
    ])
    return Composed("figures", sparql, bindings)


def list_query(classes: list[str], anchors: list[Entity], span: tuple[str, str] | None = None,
               threshold: tuple[str, Decimal] | None = None) -> Composed:
    """The things of *classes* that the anchors reach, in the span, with an amount beyond the threshold."""
    bindings: dict[str, Binding] = {}
    branches = []
    for i, cls in enumerate(classes):
        bindings[f"c{i}"] = iri(cls)
        branches.append(f"{{ ?subject a ?c{i} . }}")
    classes_check = "\n    UNION ".join(branches)
    if anchors:  # the anchors find the subjects, and their class is checked row by row
        where = _anchors(anchors, "subject", bindings)
        where.append(f"  FILTER EXISTS {{\n    {classes_check}\n  }}")
    else:
        where = [f"  {{\n    {classes_check}\n  }}"]
    if span:
        where.append(time_fragment("subject"))
        _time_bindings(span, bindings)
    money = "OPTIONAL { ?subject zs:investment ?money . OPTIONAL { ?money schema:value ?amount } " + _ZH_LABEL.format(
        var="?money", name="amountLabel") + " }"
    if threshold:
        op, value = threshold
        if op not in (">", ">=", "<", "<="):  # the one piece of text chosen by the question: from this set only
            raise ValueError(f"not a comparison: {op!r}")
        bindings["min"] = ox.Literal(format(value, "f"), datatype=ox.NamedNode(PREFIXES["xsd"] + "decimal"))
        money = ("?subject zs:investment ?money . ?money schema:value ?amount . "
                 + _ZH_LABEL.format(var="?money", name="amountLabel") + f" FILTER (?amount {op} ?min)")
    sparql = "\n".join([
        "SELECT DISTINCT ?subject ?subjectLabel ?date ?periodLabel ?placeLabel ?amount ?amountLabel ?subjectQuote",
        "WHERE {",
        *where,
        "  " + money,
        "  " + _ZH_LABEL.format(var="?subject", name="subjectLabel"),
        "  OPTIONAL { ?subject schema:startDate|zs:stageDate|dcterms:issued|dcterms:date ?date }",
        "  OPTIONAL { ?subject zs:refPeriod ?period . " + _ZH_LABEL.format(var="?period", name="periodLabel") + " }",
        "  OPTIONAL { ?subject schema:location ?place . " + _ZH_LABEL.format(var="?place", name="placeLabel") + " }",
        "  " + _QUOTE.format(n="subject", q="subjectQuote"),
        "}",
        "LIMIT 5000",
    ])
    return Composed("list", sparql, bindings)
