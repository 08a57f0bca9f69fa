"""SPARQL text as :class:`~kg.remote.endpoint.RemoteStore` sends it, lexed, not parsed.

A remote endpoint gets the query as text; what ``kg`` adds to it (a prologue of prefixes, ``VALUES`` blocks that
bind parameters) is written here with terms serialised by pyoxigraph and IRIs checked, so that no user string
ever becomes SPARQL. The lexer (:func:`_tokens`) skips strings, IRIs and comments, so that a ``{`` inside a
literal is never taken for a group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from kg.errors import EndpointError, QueryError

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise EndpointError(f"{iri!r} is not a valid graph IRI: {exc}") from None
    if any(c in iri for c in "<>\"{}|^`\\ \n"):
        raise EndpointError(f"{iri!r} is not a valid graph IRI.")


def valid_iri(iri: str) -> bool:
    """True when *iri* can be written as ``<iri>`` in a query (checked as :func:`check_iri` does)."""
    try:
        check_iri(iri)
    except EndpointError:
        return False
    return True


_KEYWORDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    """Yield (position, token) for the structural parts of a query: words, braces; skipping strings,
    IRIs and comments, so that a ``{`` inside a literal is never taken for a group."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif c in "\"'":
            long = text.startswith(c * 3, i)
            quote = c * 3 if long else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<":
            j = i + 1
            while j < n and text[j] not in "<>\"{}|^`\\ \t\r\n":
                j += 1
            if j < n and text[j] == ">":  # an IRI; otherwise the comparison operator
                i = j + 1
            else:
                yield i, "<"
                i += 1
        elif c in "{}":
            yield i, c
            i += 1
        elif c in "?$":  # a variable: its name is never a keyword
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            if j > i + 1:
                yield i, "?" + text[i + 1 : j]
            i = max(j, i + 1)
        elif c in "()*":
            yield i, c
            i += 1
        elif c.isalpha():
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_:-"):
                j += 1
            yield i, text[i:j]
            i = j
        else:
            i += 1


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside strings and comments."""
    for _, tok in _tokens(text):
        if tok.upper() in _KEYWORDS:
            return tok.upper()
        if tok.upper() in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"):
            raise QueryError("Updates are not accepted here: only SELECT, ASK, CONSTRUCT and DESCRIBE.")
    raise QueryError("Not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")


def bind_values(text: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """Bind variables with ``VALUES (?a ?b) { (term term) }`` blocks, as pyoxigraph's substitutions do.

    A block goes at the start of the query's WHERE group and of every sub-SELECT that projects one of the
    variables, so that the bound value restricts the subquery too (the answers are the same either way;
    servers such as Virtuoso are much faster). The terms are serialised by pyoxigraph (IRIs checked,
    literals escaped), so no user text becomes SPARQL.
    """
    for term in substitutions.values():
        if isinstance(term, ox.BlankNode):
            raise QueryError("Blank nodes cannot be sent to a remote endpoint as parameters.")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise QueryError(f"Cannot bind {term!r}: only IRIs and literals can be parameters.")
    wanted = {v.value: t for v, t in substitutions.items()}
    inserts: list[tuple[int, str]] = []
    for pos, projected in _groups(text):
        names = [v for v in wanted if projected is None or v in projected]
        if names:
            row = " ".join(str(wanted[v]) for v in names)
            inserts.append((pos, f" VALUES ({' '.join('?' + v for v in names)}) {{ ({row}) }} "))
    if not inserts:
        raise QueryError("Cannot find the WHERE clause of the query to bind its parameters.")
    for pos, block in sorted(inserts, reverse=True):
        text = text[: pos + 1] + block + text[pos + 1 :]
    return text


def _groups(text: str) -> list[tuple[int, set[str] | None]]:
    """Where each query (and sub-SELECT) opens its WHERE group, with the variables it projects.

    The top level comes first, with ``None`` (every variable is in scope there); ``SELECT *`` also gives
    ``None``.
    """
    out: list[tuple[int, set[str] | None]] = []
    depth = 0
    form: str | None = None
    pending: list[tuple[int, set[str] | None, int]] = []  # sub-SELECTs waiting for their '{': (depth, vars, paren)
    skip_template = False
    after_as = False
    for pos, tok in _tokens(text):
        up = tok.upper()
        if form is None:
            if up in _KEYWORDS:
                form = up
                skip_template = up == "CONSTRUCT"
            continue
        if up == "SELECT" and depth > 0:
            pending.append((depth, set(), 0))
            continue
        if pending and tok != "{":
            d, vars_, par = pending[-1]
            if tok == "(":
                par += 1
            elif tok == ")":
                par -= 1
            elif tok == "*" and par == 0 and vars_ is not None:
                vars_ = None
            elif up == "AS":
                after_as = True
            elif tok.startswith("?") and vars_ is not None and (par == 0 or after_as):
                vars_.add(tok[1:])
                after_as = False
            pending[-1] = (d, vars_, par)
            continue
        if up == "WHERE" and depth == 0:
            skip_template = False
        elif tok == "{":
            if pending and pending[-1][0] == depth:
                _, vars_, _ = pending.pop()
                out.append((pos, vars_))
            elif depth == 0 and not skip_template and not out:
                out.append((pos, None))
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0 and skip_template:
                skip_template = False
    return out


def with_prologue(query: str, prefixes: Mapping[str, str] | None, base_iri: str | None) -> str:
    lines = []
    if base_iri:
        check_iri(base_iri)
        lines.append(f"BASE <{base_iri}>")
    for name, iri in (prefixes or {}).items():
        if not name.replace("_", "").replace("-", "").isalnum():
            raise QueryError(f"{name!r} is not a valid prefix name.")
        check_iri(iri)
        lines.append(f"PREFIX {name}: <{iri}>")
    return "\n".join([*lines, query]) if lines else query


_INTEGER = re.compile(r"\s*([0-9]+)")


def limit_rows(text: str, most: int) -> str:
    """*text* (a SELECT query) with its outermost ``LIMIT`` at most *most*: lowered when higher, added when absent.

    The number is kg's own; no user text moves. Where the end of the query is not plain enough to be sure (a
    trailing ``VALUES`` block, a group that never closes, a ``LIMIT`` not followed by a number), the text is
    given back as it is, and the server's own row limit applies as before.
    """
    depth = 0
    form: str | None = None
    closed = False  # the outermost WHERE group has closed: what follows are the solution modifiers
    limit_at: int | None = None
    for pos, tok in _tokens(text):
        up = tok.upper()
        if form is None:
            if up in _KEYWORDS:
                form = up
            continue
        if tok == "{":
            if closed:
                return text  # a trailing VALUES block (or something unexpected) after the WHERE group
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth < 0:
                return text
            closed = closed or depth == 0
        elif closed and depth == 0 and up == "VALUES":
            return text
        elif closed and depth == 0 and up == "LIMIT":
            if limit_at is not None:
                return text
            limit_at = pos + len(tok)
    if form != "SELECT" or not closed or depth != 0:
        return text
    if limit_at is None:
        return f"{text}\nLIMIT {most}"
    number = _INTEGER.match(text, limit_at)
    if number is None:
        return text
    if int(number.group(1)) <= most:
        return text
    return text[: number.start(1)] + str(most) + text[number.end(1):]
