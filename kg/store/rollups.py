"""Shortcuts the build precomputes from the loaded data, so that the long catalogue lists take one hop, not three.

Every fact cites the sentences that state it (``?fact prov:wasDerivedFrom ?sentence``), and a sentence gives
its words through its selector (``?sentence oa:hasSelector/oa:exact ?text``). The catalogue questions that
list every task force, appointment, chamber, event, practice, initiative, project or signing total show those
words on each row: three index lookups per row, for thousands of rows, on the embedded store. The build
therefore adds

``?fact zs:quote ?text``
    for every ``?fact prov:wasDerivedFrom ?sentence`` where ``?sentence`` is a ``zs:Sentence`` with
    ``oa:hasSelector/oa:exact ?text`` (the very literal of the selector), when ``?fact`` is an instance of one
    of :data:`QUOTED_KINDS` or of a sub-class the ontology declares: the kinds of fact those lists show. Money,
    periods, people, enterprises and governments are values or actors of such facts, not rows of a list; the
    questions about one entity (``entity_facts``, ``connections_between_regions`` …) follow the three hops
    themselves, for any kind of fact. Restricting the kinds halves the work: about 0.8 s for the 40,000
    quotes of a corpus of a million statements, against 1.3 s for all 88,000.

The statements go into the derived graph (:data:`kg.store.derive.DERIVED_GRAPH`), which every build, embedded or
remote, full or incremental, recomputes from the whole data: they are never written by hand, and a source
that changes or goes away takes its quotes with it. :func:`rollups` reads only statements the derived graph
never holds, so it may run before or after the place closure of :func:`kg.store.derive.derive_store` is added, and
gives the same on a store that already holds its own statements.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import OA, PREFIXES, PROV, SCHEMA, ZS
from kg.store.derive import DERIVED_GRAPH

#: ``?fact zs:quote ?text``: the words of a sentence the fact was derived from (see the module documentation).
QUOTE = ox.NamedNode(f"{ZS}quote")

#: The kinds of fact whose instances get a zs:quote: the rows of the catalogue's lists (schema.org's event
#: classes are listed one by one, since the ontology does not declare their hierarchy).
QUOTED_KINDS = (
    f"{ZS}TaskForce", f"{ZS}Appointment", f"{ZS}ChamberOfCommerce", f"{SCHEMA}Event", f"{ZS}PromotionEvent",
    f"{ZS}Practice", f"{ZS}InvestmentProject", f"{ZS}SigningTotal", f"{ZS}Initiative", f"{ZS}PolicyDocument",
)

# Each hop is read by one scan of its predicate and joined by hashing (a sub-SELECT is never evaluated row by
# row): one pass over each predicate rather than three index seeks per fact.
_QUOTES = f"""
SELECT DISTINCT ?fact ?text WHERE {{
  {{
    SELECT DISTINCT ?fact WHERE {{
      VALUES ?kind {{ {" ".join(f"<{k}>" for k in QUOTED_KINDS)} }}
      ?class <{PREFIXES["rdfs"]}subClassOf>* ?kind .
      ?fact a ?class .
    }}
  }}
  {{ SELECT ?fact ?sentence WHERE {{ ?fact <{PROV}wasDerivedFrom> ?sentence }} }}
  {{ SELECT DISTINCT ?sentence WHERE {{ ?sentence a <{ZS}Sentence> }} }}
  {{ SELECT ?sentence ?selector WHERE {{ ?sentence <{OA}hasSelector> ?selector }} }}
  {{ SELECT ?selector ?text WHERE {{ ?selector <{OA}exact> ?text }} }}
}}
"""


def rollups(store: ox.Store) -> list[ox.Quad]:
    """The shortcut statements for the data of *store*, in :data:`~kg.store.derive.DERIVED_GRAPH`.

    *store* holds the whole data (every source graph and the ontology), with or without the derived graph.
    The caller adds the result to the store, or to the derived graph it sends to a remote endpoint.
    """
    graph = ox.NamedNode(DERIVED_GRAPH)
    result = store.query(_QUOTES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [ox.Quad(row[0], QUOTE, row[1], graph) for row in result]
