"""The catalogue of named questions (``queries/*.rq``) and running SPARQL on a store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.remote.endpoint import RemoteStore

_HEADER = re.compile(r"^#\s*([A-Za-z_@-]+)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*(?:\(([^)]*)\))?\s*(?:[-—:]\s*(.*))?$")
_KEEP = re.compile(r"^(\w+)\s*\(\s*([A-Za-z][\w-]*):([\w-]+)\s*\)")


@dataclass(frozen=True)
class Param:
    """A parameter of a named question: a variable bound safely, never pasted into the text."""

    name: str
    kind: str = "iri"
    description: str = ""
    #: False for a filter that may be left out (``# param: region (region, optional) — …``).
    required: bool = True


@dataclass(frozen=True)
class Question:
    """A named question: one ``.rq`` file with a header of ``# key: value`` lines."""

    name: str
    path: Path
    sparql: str
    title_zh: str = ""
    title_en: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    #: Columns holding places, cards or chains that rows may be narrowed by (``# filter: host origin — …``).
    filters: list[str] = field(default_factory=list)
    #: Answers kept ahead after a build (``# keep: region (zs:ProvinceLevelDivision) — …``): the parameter and
    #: the class whose every instance it is asked about (:mod:`kg.query.ahead`).
    keep: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """The rows of a SELECT, as RDF terms keyed by variable name."""

    variables: list[str]
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]

    def to_pandas(self, decimal: bool = True) -> Any:
        """The rows as a pandas DataFrame with typed columns (:func:`kg.query.frames.frame`); needs the
        ``analysis`` extra."""
        from kg.query.frames import frame

        return frame(self.variables, self.rows, decimal=decimal)


def load_catalogue(folder: Path) -> dict[str, Question]:
    """Read every ``*.rq`` in *folder*; the file name is the question's name."""
    if not folder.is_dir():
        raise QueryError(f"{folder}: no queries folder.")
    return {p.stem: parse_question(p) for p in sorted(folder.glob("*.rq"))}


def parse_question(path: Path) -> Question:
    """Read one ``.rq`` file and its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    filters: list[str] = []
    keep: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "param":
            pm = _PARAM.match(value)
            if pm:
                flags = [f.strip() for f in (pm.group(2) or "iri").split(",")]
                params.append(Param(pm.group(1), flags[0] or "iri", (pm.group(3) or "").strip(),
                                    required="optional" not in flags[1:]))
        elif key == "keep":
            km = _KEEP.match(value)
            if not km or km.group(2) not in PREFIXES:
                raise QueryError(f"{path}: write '# keep: PARAM (prefix:Class) — why', not {value!r}.")
            keep.append((km.group(1), PREFIXES[km.group(2)] + km.group(3)))
        elif key == "filter":
            filters += re.split(r"\s+", re.split(r"\s[—-]\s", value, maxsplit=1)[0].strip().lstrip("?"))
        else:
            meta[key] = value
    return Question(
        name=path.stem,
        path=path,
        sparql=text,
        title_zh=meta.get("title@zh", ""),
        title_en=meta.get("title@en", ""),
        description=meta.get("description", ""),
        params=params,
        filters=[f.lstrip("?") for f in filters if f],
        keep=keep,
    )


def get_question(catalogue: dict[str, Question], name: str) -> Question:
    """Look a question up by name, with a helpful error."""
    try:
        return catalogue[name]
    except KeyError:
        known = ", ".join(sorted(catalogue)) or "(none)"
        raise QueryError(f"No query {name!r} in queries/. Known: {known}") from None


def select(
    store: ox.Store | RemoteStore,
    sparql: str,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
) -> Table:
    """Run a SELECT over the union of all graphs; *bindings* are substituted as RDF terms (SEP-0007)."""
    try:
        result = store.query(
            sparql,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): v for k, v in (bindings or {}).items()},
        )
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("Expected a SELECT query.")
    variables = [v.value for v in result.variables]
    rows = [{name: sol[name] for name in variables} for sol in result]
    return Table(variables=variables, rows=rows)


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as plain text: a literal's value, an IRI as is, nothing as the empty string."""
    if term is None:
        return ""
    return str(term.value)
