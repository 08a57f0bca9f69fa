"""The years a view's entities belong to, for the pages' year slider.

An entity is dated by what it says about time: its period (``zs:refPeriod``: from the start's year to the end's,
an open period to the article's year), its stage date, start date or founding date; failing those, by the
publication year of the article its sentences come from. Places and concepts, which no article dates, stay
undated and are always shown.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kg.backend import AnyStore
from kg.query.catalogue import select
from kg.views.model import ViewGraph
from kg.views.regions import _v, _values

_YEAR = re.compile(r"^(\d{4})")
#: The most entities dated in one query (a VALUES clause of IRIs read from the store).
CHUNK = 500


def years_of(store: AnyStore, iris: list[str]) -> dict[str, tuple[int, int]]:
    """(first year, last year) of each entity of *iris* that something dates."""
    own: dict[str, list[int]] = defaultdict(list)
    article: dict[str, list[int]] = defaultdict(list)
    open_start: dict[str, list[int]] = defaultdict(list)
    for k in range(0, len(iris), CHUNK):
        values = _values(iris[k:k + CHUNK])
        for r in select(store, f"""SELECT ?e ?start ?end WHERE {{ VALUES ?e {{ {values} }}
                ?e zs:refPeriod ?p . OPTIONAL {{ ?p zs:periodStart ?start }}
                OPTIONAL {{ ?p zs:periodEnd ?end }} }}""").rows:
            start, end = _year(_v(r["start"])), _year(_v(r["end"]))
            e = _v(r["e"])
            if start is not None and end is None:
                open_start[e].append(start)
            own[e] += [y for y in (start, end) if y is not None]
        for r in select(store, f"""SELECT ?e ?d WHERE {{ VALUES ?e {{ {values} }}
                VALUES ?p {{ zs:stageDate schema:startDate schema:foundingDate schema:datePublished }}
                ?e ?p ?d }}""").rows:
            y = _year(_v(r["d"]))
            if y is not None:
                own[_v(r["e"])].append(y)
        for r in select(store, f"""SELECT ?e ?d WHERE {{ VALUES ?e {{ {values} }}
                ?e prov:wasDerivedFrom ?s . ?s oa:hasSource ?a . ?a schema:datePublished ?d }}""").rows:
            y = _year(_v(r["d"]))
            if y is not None:
                article[_v(r["e"])].append(y)
    out: dict[str, tuple[int, int]] = {}
    for e in set(own) | set(article):
        years = own.get(e) or article[e]
        last = max(years)
        if e in open_start and article.get(e):  # "since 2023": up to the article that says so
            last = max(last, max(article[e]))
        out[e] = (min(years), last)
    return out


def date_view(store: AnyStore, view: ViewGraph) -> ViewGraph:
    """Set the years of *view*'s nodes (:attr:`ViewGraph.years`) and return it."""
    view.years = years_of(store, sorted(view.nodes))
    return view


def _year(text: str) -> int | None:
    m = _YEAR.match(text)
    return int(m.group(1)) if m else None
