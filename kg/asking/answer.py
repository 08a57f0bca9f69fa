"""Answer a question typed in Chinese or English with a question of the catalogue.

How a phrasing is matched, with no model and no network:

1. **Entities.** Names of entities in the text are found through their labels and aliases in the store
   (:mod:`kg.names.index`): 长沙, 长沙市 and Changsha are one city, 长沙县 is a county; the longest name wins.
2. **Question.** Every catalogue question has cue words in ``kg/asking/lexicon.json``: Chinese cues match as
   substrings, English cues as word stems, each with a weight. Cue words inside the name of an entity do
   not count (北京辰溪商会 is a chamber, not a question about chambers). A question gains when the text
   names entities of the kinds it wants (a card, a chain, a role; two places for "between A and B") and
   loses for each required parameter the text does not supply. The best score wins; below a threshold the
   answer is "no match" with the closest questions.
3. **Parameters and filters.** Required parameters take the entities named, in order (places for region
   parameters). Other named places, cards or chains narrow the rows through the columns the question
   declares with ``# filter:`` (a place keeps its sub-places; a card its sub-cards). A name that fits
   several entities of the wanted kind is not guessed: the answer lists the candidates.
4. **Sources.** The ``quote`` column of the rows gives the sentences the answer rests on (one per row; its
   ``sentences`` column says how many stand behind the row).

Before the catalogue, the question is understood part by part (:mod:`kg.asking.understand`): a relation, a
count or sum, a time span, a comparison or a threshold that the catalogue cannot answer is answered by a
query composed from those parts (:mod:`kg.asking.plans`, :mod:`kg.asking.compose`), every value bound as a
parameter. A name of a place or an organisation that the graph does not hold is said to be unknown, with the
nearest names, and nothing else is answered in its place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.asking.compose import Composed
from kg.asking.plans import choose, run_plan
from kg.asking.understand import Understanding, clean, understand
from kg.errors import KGError
from kg.names.index import Entity, EntityIndex, Mention, find_mentions, load_entities, normalize, suggest, within
from kg.paths import Paths
from kg.query.catalogue import Question, Table, select
from kg.query.results import term_cell, term_json
from kg.query.tables import format_table
from kg.store.samples import SAMPLE_MARK

if TYPE_CHECKING:
    from kg.backend import AnyStore

LEXICON = Path(__file__).with_name("lexicon.json")
#: Lowest score that counts as a match.
THRESHOLD = 2.0
_MISSING_PENALTY = 3.0
_PARAM_BONUS = 2.0
_WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class Cues:
    """The cue words of one question."""

    zh: dict[str, float]
    en_words: dict[str, float]
    en_phrases: dict[str, float]
    types: dict[str, float]
    examples: list[str]


@dataclass
class Answer:
    """What ``kg ask`` found: a matched question with its answer, or why there is none.

    ``status`` is ``answered``, ``not_in_graph`` (the graph does not hold it, or a name is unknown: see
    ``message`` and ``suggestions``), ``no_match``, ``ambiguous`` (see ``candidates``), ``missing_parameter``
    or ``refused`` (a question that cannot be read: too long, empty). ``understood`` is how the question was
    read, ``queries`` the SPARQL run (with the values bound into it) and ``shape`` which kind of answer it is
    (``catalogue``, ``fact``, ``figures``, ``list``, ``compare``).
    """

    text: str
    status: str
    question: Question | None = None
    score: float = 0.0
    params: dict[str, Entity] = field(default_factory=dict)
    filters: list[Entity] = field(default_factory=list)
    ignored: list[Entity] = field(default_factory=list)
    table: Table | None = None
    sources: list[str] = field(default_factory=list)
    #: The sources that are sentences of invented sample articles: shown with the mark (sample).
    samples: frozenset[str] = frozenset()
    candidates: list[Entity] = field(default_factory=list)
    closest: list[Question] = field(default_factory=list)
    message: str = ""
    shape: str = "catalogue"
    understood: dict[str, Any] = field(default_factory=dict)
    understood_lines: list[str] = field(default_factory=list)
    queries: list[Composed] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the question was answered (even with no rows)."""
        return self.status == "answered"

    def to_pandas(self, decimal: bool = True) -> Any:
        """The answer's rows as a pandas DataFrame with typed columns, as :meth:`kg.query.catalogue.Table.to_pandas`
        gives them (amounts as Decimal, or float when *decimal* is false; dates as dates); an answer without rows
        (not in the graph, refused …) gives an empty frame. Needs the ``analysis`` extra."""
        table = self.table if self.table is not None else Table(variables=[], rows=[])
        return table.to_pandas(decimal=decimal)

    def _cut(self, limit: int) -> tuple[list[dict[str, Any]], list[str]]:
        """The rows to show (the first *limit*, all with 0) and the source sentences of those rows."""
        rows = self.table.rows if self.table is not None else []
        if limit <= 0 or len(rows) <= limit:
            return rows, self.sources
        shown = rows[:limit]
        return shown, _sources(Table(variables=self.table.variables if self.table else [], rows=shown))

    def to_json(self, limit: int = 0) -> dict[str, Any]:
        """All of the answer as one JSON-ready dict (rows in the SPARQL JSON results form); with *limit*, only
        the first *limit* rows and their sources (``rows`` says how many there are, ``truncated`` whether
        some were left out)."""
        rows, sources = self._cut(limit)
        q = self.question
        out: dict[str, Any] = {
            "question": self.text,
            "status": self.status,
            "message": self.message,
            "matched": None if q is None else {
                "name": q.name, "title_zh": q.title_zh, "title_en": q.title_en, "score": round(self.score, 2),
            },
            "params": {k: e.as_dict() for k, e in self.params.items()},
            "filters": [e.as_dict() for e in self.filters],
            "ignored": [e.as_dict() for e in self.ignored],
            "sources": sources,
            "sampleSources": [s for s in sources if s in self.samples],
            "shape": self.shape,
            "understood": self.understood,
            "sparql": [{"shape": c.shape, "query": c.sparql,
                        "bindings": {k: term_json(v) for k, v in c.bindings.items()}} for c in self.queries],
        }
        if self.suggestions:
            out["suggestions"] = self.suggestions
        if self.table is not None:
            out["answer"] = {
                "head": {"vars": self.table.variables},
                "results": {"bindings": [
                    {v: term_json(t) for v in self.table.variables if (t := row.get(v)) is not None}
                    for row in rows
                ]},
            }
            out["rows"] = len(self.table.rows)
            out["truncated"] = len(rows) < len(self.table.rows)
        if self.candidates:
            out["candidates"] = [e.as_dict() for e in self.candidates]
        if self.closest:
            out["closest"] = [{"name": c.name, "title_zh": c.title_zh, "title_en": c.title_en} for c in self.closest]
        return out

    def render(self, max_col: int = 40, limit: int = 0, explain: bool = False) -> str:
        """The answer as text: how the question was understood, matched question, parameters, table, source
        sentences; with *limit*, only the first *limit* rows and their sources; with *explain*, the SPARQL run."""
        rows, sources = self._cut(limit)
        lines: list[str] = []
        if self.understood_lines:
            lines.append("Understood:")
            lines += self.understood_lines
        q = self.question
        if q is not None:
            lines.append(f"Question: {q.title_zh} / {q.title_en}  [{q.name}]")
        elif self.queries:
            lines.append(f"Answered by a query composed from the question ({self.shape}).")
        for name, e in self.params.items():
            lines.append(f"  {name} = {e.describe()}")
        for e in self.filters:
            lines.append(f"  only rows about {e.describe()}")
        for e in self.ignored:
            lines.append(f"  (not used: {e.describe()})")
        if self.message:
            lines.append(self.message)
        if self.candidates:
            lines += [f"  - {e.describe()}" for e in self.candidates]
        if self.closest:
            lines += [f"  - {c.title_zh} / {c.title_en}  [{c.name}]" for c in self.closest]
        if self.suggestions:
            lines.append("Nearest names in the graph: " + ", ".join(self.suggestions))
        if self.table is not None and (self.table.rows or self.status == "answered"):
            shown = _shown_columns(self.table)
            lines.append("")
            lines.append(format_table(shown, [[term_cell(r.get(v)) for v in shown] for r in rows], max_col=max_col))
            total = len(self.table.rows)
            lines.append(f"({total} row{'s' if total != 1 else ''})" if len(rows) == total else
                         f"(the first {len(rows)} of {total} rows: raise --limit, 0 for all, or name a place "
                         "or an entity to narrow them)")
        if sources:
            lines.append("")
            lines.append("Sources:")
            lines += [f"  「{s}」" + (f" {SAMPLE_MARK}" if s in self.samples else "") for s in sources]
        if explain and self.queries:
            lines.append("")
            lines.append("SPARQL:")
            lines += [c.explain() for c in self.queries]
        return "\n".join(lines).rstrip() + "\n"


def _shown_columns(table: Table) -> list[str]:
    """Readable columns: labels and values, not IRIs or the quotes (they are listed below the table)."""
    shown = []
    for v in table.variables:
        if v == "quote":
            continue
        sample = next((r[v] for r in table.rows if r.get(v) is not None), None)
        if isinstance(sample, ox.NamedNode) and any(f"{v}Label" == w or w == f"{v}Name" for w in table.variables):
            continue
        if isinstance(sample, ox.NamedNode) and v in {"a", "b", "region", "entity", "root"}:
            continue
        shown.append(v)
    return shown or table.variables


@cache
def load_cues(path: Path = LEXICON) -> dict[str, Cues]:
    """Read the cue words of every question from the lexicon file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cues = {}
    for name, entry in data["questions"].items():
        en = {k.lower(): float(v) for k, v in entry.get("en", {}).items()}
        cues[name] = Cues(
            zh={k: float(v) for k, v in entry.get("zh", {}).items()},
            en_words={stem(k): v for k, v in en.items() if " " not in k},
            en_phrases={k: v for k, v in en.items() if " " in k},
            types={k: float(v) for k, v in entry.get("types", {}).items()},
            examples=list(entry.get("examples", [])),
        )
    return cues


def stem(word: str) -> str:
    """A crude English stem: enough to equate chamber/chambers, connect/connects/connected, policy/policies."""
    w = word.lower().strip("'")
    w = w.removesuffix("'s")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and (w.endswith(("sses", "xes", "zes", "ches", "shes"))):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    return w


def score_questions(
    text: str, mentions: list[Mention], index: EntityIndex, catalogue: dict[str, Question]
) -> list[tuple[float, Question]]:
    """Every catalogue question with its score for *text*, best first."""
    norm = normalize(text)
    # Names of instances hide their cue words; names of concepts (cards, chains, roles) do not.
    hidden = list(norm)
    for m in mentions:
        if not all(index.entities[i].is_concept for i in m.iris):
            for i in range(m.start, m.end):
                hidden[i] = " "
    visible = "".join(hidden)
    words = {stem(w) for w in _WORD.findall(visible)}
    named = [index.entities[i] for m in mentions for i in m.iris]
    places = [m for m in mentions if any(index.entities[i].is_place for i in m.iris)]
    cues = load_cues()
    scored = []
    for name, q in catalogue.items():
        c = cues.get(name)
        if c is None:
            continue
        s = sum(w for cue, w in c.zh.items() if cue in visible)
        s += sum(w for cue, w in c.en_words.items() if cue in words)
        s += sum(w for cue, w in c.en_phrases.items() if cue in visible)
        s += max((w for t, w in c.types.items() for e in named if t in e.classes), default=0.0)
        required = [p for p in q.params if p.required]
        want_places = sum(1 for p in required if p.kind == "region")
        want_any = sum(1 for p in required if p.kind != "region")
        missing = max(want_places - len(places), want_any + want_places - len(mentions), 0)
        if required and not missing:
            s += _PARAM_BONUS * len(required)
        s -= _MISSING_PENALTY * missing
        scored.append((s, q))
    scored.sort(key=lambda item: (-item[0], item[1].name))
    return scored


#: How :func:`ask` gets the whole answer of a question: (query, bindings) -> table.
Evaluate = Callable[[str, dict[str, ox.NamedNode | ox.Literal]], Table]


def ask(store: ox.Store, catalogue: dict[str, Question], text: str, index: EntityIndex | None = None,
        evaluate: Evaluate | None = None, *, whole: Callable[[], EntityIndex] | None = None,
        now: date | None = None, run: Evaluate | None = None) -> Answer:
    """Understand *text*, answer it with a composed query or a catalogue question, and collect the sources.

    *index* defaults to every name of *store*, *evaluate* to evaluating a catalogue question on *store*
    (:func:`ask_paths` passes the ones kept for the store generation); *whole* gives the whole index of names
    (partial names and suggestions need it; *index* when not given), *now* the date the data speaks from
    (the latest publication date of its sources when not given), *run* how composed queries are evaluated.
    """
    try:
        norm = clean(text)
    except KGError as exc:
        return Answer(text=text, status="refused", message=str(exc), shape="refused")
    index = index or load_entities(store)
    whole_index = whole or (lambda: index)  # the index given is the whole one when no other is
    u = understand(text, index, now=now or data_date(store), whole=whole_index)
    lines = u.describe(index)
    if u.unknown:
        return _unknown(text, u, index, whole_index, lines)
    shape = choose(u, index)
    if shape is not None:
        planned = run_plan(shape, u, index, run or (lambda q, b: select(store, q, b)))
        return Answer(text=text, status=planned.status, table=planned.table, sources=planned.sources,
                      message=planned.message, shape=planned.shape, understood=u.as_dict(index),
                      understood_lines=lines, queries=planned.queries)
    answer = _catalogue(store, catalogue, norm, index, evaluate)
    answer.text = text
    answer.understood = u.as_dict(index)
    answer.understood_lines = lines
    return answer


def _unknown(text: str, u: Understanding, index: EntityIndex, whole: Callable[[], EntityIndex],
             lines: list[str]) -> Answer:
    """The answer to a question naming what the graph does not hold: say so, offer the nearest names."""
    everything = whole()
    near: list[str] = []
    for name in u.unknown:
        near += [n for n in suggest(everything, name) if n not in near]
        if not near and name[-1:] in "省市县区":
            # nothing spelled alike: the places of the same level the graph holds (鼓楼区 → its districts)
            near += sorted(e.label_zh for e in everything.entities.values()
                           if e.is_place and e.label_zh.endswith(name[-1]) and e.label_zh not in near)[:8]
    names = "、".join(u.unknown)
    return Answer(text=text, status="not_in_graph", shape="unknown_name", understood=u.as_dict(index),
                  understood_lines=lines, suggestions=near[:8],
                  message=f"Not in the graph: no entity is called {names}; nothing is answered in its place.")


_PUBLISHED = "SELECT (MAX(STR(?d)) AS ?now) WHERE { ?article schema:datePublished ?d }"


def data_date(store: ox.Store) -> date:
    """The date the data speaks from: the latest publication date of its sources (today when none is given).
    去年 in a question means the year before it, as 去年 in the articles does."""
    rows = select(store, _PUBLISHED).rows
    value = rows[0].get("now") if rows else None
    if value is not None:
        try:
            return date.fromisoformat(str(value.value)[:10])
        except ValueError:
            pass
    return date.today()


def _catalogue(store: ox.Store, catalogue: dict[str, Question], text: str, index: EntityIndex,
               evaluate: Evaluate | None) -> Answer:
    """Match *text* to a catalogue question, bind its parameters, run it and collect the source sentences."""
    mentions = find_mentions(index, text)
    scored = score_questions(text, mentions, index, catalogue)
    best_score, best = scored[0] if scored else (0.0, None)
    if best is None or best_score < THRESHOLD:
        if best is not None and len(mentions) == 1 and "entity_facts" in catalogue:
            best, best_score = catalogue["entity_facts"], THRESHOLD
        else:
            return Answer(
                text=text, status="no_match", score=best_score, closest=closest_questions(text, scored),
                message="No catalogue question matches, and the question names no relation, count, time or "
                        "threshold to compose one from. The closest questions:",
            )
    answer = Answer(text=text, status="answered", question=best, score=best_score)
    pending = list(mentions)
    for param in best.params:
        chosen = _take(pending, index, places=param.kind == "region")
        if chosen is None:
            if param.required:
                answer.status = "missing_parameter"
                answer.message = (f"This question needs {param.name!r} ({param.description or param.kind}); "
                                  "name it in the question, e.g. 长沙市 or Chenxi County.")
                return answer
            continue
        if isinstance(chosen, list):
            answer.status = "ambiguous"
            answer.candidates = chosen
            answer.message = (f"The name given for {param.name!r} could mean {len(chosen)} entities; "
                              "ask again with one of these names (or its IRI):")
            return answer
        answer.params[param.name] = chosen
    bindings: dict[str, ox.NamedNode | ox.Literal] = {
        k: ox.NamedNode(e.iri) for k, e in answer.params.items()
    }
    answer.queries = [Composed("catalogue", best.sparql, dict(bindings))]
    table = evaluate(best.sparql, bindings) if evaluate else select(store, best.sparql, bindings)
    if best.filters:
        table = _apply_filters(store, table, best.filters, pending, index, answer)
    else:
        answer.ignored = [index.entities[i] for m in pending for i in m.iris[:1]]
    answer.table = table
    answer.sources = _sources(table)
    return answer


def _take(pending: list[Mention], index: EntityIndex, places: bool) -> Entity | list[Entity] | None:
    """The first pending mention that fits; a list of candidates when it names several that fit."""
    for m in pending:
        fits = [index.entities[i] for i in m.iris if index.entities[i].is_place or not places]
        if not fits:
            continue
        pending.remove(m)
        return fits[0] if len(fits) == 1 else fits
    return None


def _apply_filters(
    store: ox.Store, table: Table, columns: list[str], pending: list[Mention], index: EntityIndex, answer: Answer
) -> Table:
    rows = table.rows
    for m in pending:
        entities = [index.entities[i] for i in m.iris]
        scopes = {e.iri: _scope(store, e) for e in entities}
        hits = {e.iri: [r for r in rows if _row_in(r, columns, scopes[e.iri])] for e in entities}
        matching = [e for e in entities if hits[e.iri]]
        place_like = [e for e in entities if e.is_place or e.governs]
        if len(matching) == 1:
            answer.filters.append(matching[0])
            rows = hits[matching[0].iri]
        elif len(matching) > 1:
            # Several readings of one name fit the rows: keep the rows of any of them, and say so.
            answer.filters += matching
            keep = {id(r) for e in matching for r in hits[e.iri]}
            rows = [r for r in rows if id(r) in keep]
        elif place_like:
            answer.filters.append(place_like[0])
            rows = []
        else:
            answer.ignored.append(entities[0])
    return Table(variables=table.variables, rows=rows)


def _scope(store: ox.Store, e: Entity) -> set[str]:
    scope = within(store, e.iri)
    if e.governs:
        scope |= within(store, e.governs)
    return scope


def _row_in(row: dict[str, Any], columns: list[str], scope: set[str]) -> bool:
    return any(isinstance(row.get(c), ox.NamedNode) and row[c].value in scope for c in columns)


def _sources(table: Table) -> list[str]:
    seen: dict[str, None] = {}
    for row in table.rows:
        quote = row.get("quote")
        if quote is not None:
            for part in str(quote.value).split("\n"):
                if part.strip():
                    seen.setdefault(part.strip(), None)
    return list(seen)


def closest_questions(text: str, scored: list[tuple[float, Question]], n: int = 3) -> list[Question]:
    """The catalogue questions nearest to *text*: cue score first, then shared character pairs with their
    titles and examples."""
    norm = normalize(text)
    grams = _bigrams(norm)
    cues = load_cues()

    def similarity(q: Question) -> float:
        texts = [q.title_zh, q.title_en, *(cues[q.name].examples if q.name in cues else [])]
        return max((_dice(grams, _bigrams(normalize(t))) for t in texts if t), default=0.0)

    ranked = sorted(scored, key=lambda item: (-(max(item[0], 0.0) + 3 * similarity(item[1])), item[1].name))
    return [q for _, q in ranked[:n]]


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", " ", text)
    return {text[i: i + 2] for i in range(len(text) - 1)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def ask_paths(paths: Paths, text: str) -> Answer:
    """What ``kg ask`` does: load the catalogue of *paths* and answer *text* from its store (or endpoint)."""
    from kg.backend import connect
    from kg.query.catalogue import load_catalogue

    catalogue = load_catalogue(paths.queries)
    if paths.endpoint:
        remote = connect(paths)
        return _mark_samples(remote, ask(remote, catalogue, text))  # type: ignore[arg-type]
    from kg.names.kept import kept_entities, kept_entities_for
    from kg.query.runner import whole_answer
    from kg.store.generations import current_generation, open_generation

    try:
        norm = clean(text)
    except KGError as exc:
        return Answer(text=text, status="refused", message=str(exc), shape="refused")
    # The index of names and the whole answers are kept for the store generation (kg.names.kept, kg.query.kept):
    # at a million statements, reading every name takes seconds; the kept index gives the names in the text
    # and their entities alone, in milliseconds. The whole index is read only for a partial or unknown name.
    generation = current_generation(paths.store)
    store = open_generation(generation)

    def evaluate(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> Table:
        result = whole_answer(generation, store, sparql, dict(bindings))
        return Table(variables=result.variables, rows=result.rows)

    whole_index: list[EntityIndex] = []

    def whole() -> EntityIndex:
        if not whole_index:
            whole_index.append(kept_entities(generation, store))
        return whole_index[0]

    return _mark_samples(store, ask(store, catalogue, text, index=kept_entities_for(generation, store, norm),
                                    evaluate=evaluate, whole=whole))


def _mark_samples(store: AnyStore, answer: Answer) -> Answer:
    """*answer* with every source sentence of an invented sample article marked (sample)."""
    from kg.store.samples import sample_quotes

    if answer.sources:
        answer.samples = sample_quotes(store).intersection(answer.sources)
    return answer
