"""Check untrusted SPARQL before any engine sees it: refuse what could reach outside the store, bound its size.

The embedded engine reaches the network for ``SERVICE`` (and ``LOAD``) from native code that Python cannot
intercept, and overflows its stack (killing the process) on queries nested about 3,000 levels deep. So a query
typed by a user is first read by the small lexer below, which never recurses:

- its length and bracket nesting depth are bounded, and so is nesting without brackets: the engine parses and
  evaluates operators recursively too, so ``!!!…true``, ``1+1+1…`` and a property path of thousands of steps
  crash it like brackets do, and so do thousands of BINDs or MINUSes; the operators and nesting keywords of a
  query (:data:`MAX_OPERATORS`) and a run of unary operators (:data:`MAX_UNARY_RUN`) are counted and bounded;
- ``SERVICE``, ``FROM`` / ``FROM NAMED``, ``LOAD`` and every update keyword are refused wherever they appear
  as keywords (not inside strings, IRIs, comments, variables or prefixed names);
- ``\\u`` escapes outside string literals are refused, so a keyword cannot be spelled in escapes.

Only a query that passes is handed to the engine, in a worker process (see :mod:`kg.query.runner`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryRefused

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 100_000
#: Deepest nesting of ``{ ( [ <<`` accepted. Real questions stay under 20; the engine crashes near 3,000.
MAX_DEPTH = 128

#: Keywords refused in untrusted queries, with the reason given to the user.
REFUSED_KEYWORDS: dict[str, str] = {
    "SERVICE": "federated SERVICE calls would send requests to other servers",
    "FROM": "FROM and FROM NAMED choose datasets; every graph of the store is already queried",
    "LOAD": "LOAD fetches data from the network or disk",
    "INSERT": "updates are not allowed; the store is read-only for queries",
    "DELETE": "updates are not allowed; the store is read-only for queries",
    "CLEAR": "updates are not allowed; the store is read-only for queries",
    "DROP": "updates are not allowed; the store is read-only for queries",
    "CREATE": "updates are not allowed; the store is read-only for queries",
    "ADD": "updates are not allowed; the store is read-only for queries",
    "MOVE": "updates are not allowed; the store is read-only for queries",
    "COPY": "updates are not allowed; the store is read-only for queries",
    "WITH": "updates are not allowed; the store is read-only for queries",
    "USING": "updates are not allowed; the store is read-only for queries",
}

#: Most operators (``! + - * / | ^ && || = != < > <= >=``, path steps included) in one query. The project's
#: largest catalogue question has under 60; the engine overflows its stack on chains of a few thousand.
MAX_OPERATORS = 1_000
#: Longest run of unary operators (``!``, ``-``, ``+``, ``^`` with nothing between them).
MAX_UNARY_RUN = 16

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

# An IRI reference as the SPARQL grammar defines it; a '<' that does not start one is an operator.
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# Names: keywords, prefixed names (with their local part), blank node labels. Linear: no nested quantifiers.
_NAME = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*(?::[\w\-.:%\\\u00B7\u00C0-\uFFFF]*)?")
_PNAME_NO_PREFIX = re.compile(r":[\w\-.:%\\\u00B7\u00C0-\uFFFF]*")
_VAR = re.compile(r"[?$][\w\u00B7\u00C0-\uFFFF]*")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")

_OPEN = {"{": "}", "(": ")", "[": "]"}
#: Characters that are (part of) an operator or a path step outside IRIs, strings and names.
_OPERATOR_CHARS = frozenset("!+-*/|^&=>")
_UNARY = frozenset("!+-^")
#: Keywords that nest the query's algebra one level each, as operators do: four thousand BINDs or MINUSes in a row
#: crash the engine too. They count towards MAX_OPERATORS.
_NESTING_KEYWORDS = frozenset({"OPTIONAL", "MINUS", "BIND", "UNION", "FILTER", "GRAPH", "EXISTS"})
#: A run of unary operators, spaces allowed between them.
_UNARY_RUN = re.compile(r"[!+\-^](?:\s*[!+\-^])*")


def _unary_length(run: str) -> int:
    return sum(not c.isspace() for c in run)


def _count(text: str, i: int, seen: int, limit: int) -> int:
    """One more operator at *i*; refused past *limit*."""
    seen += 1
    if seen > limit:
        raise _refuse(text, i, f"more than {limit:,} operators, path steps or nesting keywords (OPTIONAL, MINUS, "
                               "BIND, UNION, FILTER…); the engine nests them as deeply as brackets. Split the "
                               "query, or use VALUES or --param for long lists")
    return seen


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard: its text, its form (select, ask, construct, describe) and depth."""

    text: str
    form: str
    depth: int


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of *index* in *text*."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _refuse(text: str, index: int, message: str) -> QueryRefused:
    line, column = _position(text, index)
    return QueryRefused(f"Query refused at line {line}, column {column}: {message}.")


def _skip_string(text: str, i: int) -> int:
    """Index just after the string literal starting at *i* (quotes ', ", ''' or \"\"\")."""
    quote = text[i]
    long = text.startswith(quote * 3, i)
    end_mark = quote * 3 if long else quote
    j = i + (3 if long else 1)
    n = len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if not long and ch in "\r\n":
            raise _refuse(text, i, "a string literal is not closed on its line")
        if text.startswith(end_mark, j):
            return j + len(end_mark)
        j += 1
    raise _refuse(text, i, "a string literal is never closed")


def check_query(text: str, *, max_chars: int = MAX_QUERY_CHARS, max_depth: int = MAX_DEPTH,
                max_operators: int = MAX_OPERATORS) -> CheckedQuery:
    """Refuse a query that could leave the store or overwhelm the engine; return it with its form.

    Raises :class:`~kg.errors.QueryRefused` with the line and column of the first offending token.

    >>> check_query("SELECT ?s WHERE { ?s ?p ?o }").form
    'select'
    """
    if len(text) > max_chars:
        raise QueryRefused(
            f"Query refused: it has {len(text):,} characters, more than the limit of {max_chars:,}. "
            "Shorten it, or bind values with --param instead of pasting them in."
        )
    depth = max_seen = operators = 0
    stack: list[tuple[str, int]] = []
    form = ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "#":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif ch in "\"'":
            i = _skip_string(text, i)
        elif ch == "<":
            if text.startswith("<<", i):
                stack.append((">>", i))
                depth += 1
                max_seen = max(max_seen, depth)
                if depth > max_depth:
                    raise _refuse(text, i, f"nesting deeper than {max_depth} levels")
                i += 2
                continue
            m = _IRI.match(text, i)
            if m:
                i = m.end()
            else:  # the operator < or <=
                operators = _count(text, i, operators, max_operators)
                i += 1
        elif ch in _OPEN:
            stack.append((_OPEN[ch], i))
            depth += 1
            max_seen = max(max_seen, depth)
            if depth > max_depth:
                raise _refuse(text, i, f"nesting deeper than {max_depth} levels; simplify the query")
            i += 1
        elif ch in "})]" or text.startswith(">>", i):
            closer = ">>" if ch == ">" else ch
            if stack and stack[-1][0] == closer:
                stack.pop()
                depth -= 1
            # An unbalanced closer is left for the engine to report as a syntax error.
            i += len(closer)
        elif ch == "\\":
            if i + 1 < n and text[i + 1] in "uU":
                raise _refuse(text, i, "\\u escapes are only allowed inside string literals")
            i += 1
        elif ch in "?$":
            m = _VAR.match(text, i)
            i = m.end() if m and m.end() > i + 1 else i + 1
        elif ch == "@":
            m = _LANGTAG.match(text, i)
            i = m.end() if m else i + 1
        elif ch == ":":
            m = _PNAME_NO_PREFIX.match(text, i)
            i = m.end() if m else i + 1
        elif ch.isdigit():
            m = _NUMBER.match(text, i)
            i = m.end() if m else i + 1
        elif ch in _OPERATOR_CHARS:
            operators = _count(text, i, operators, max_operators)
            if ch in _UNARY:
                run = _UNARY_RUN.match(text, i)
                if run and _unary_length(run.group()) > MAX_UNARY_RUN:
                    raise _refuse(text, i, f"more than {MAX_UNARY_RUN} unary operators in a row; "
                                           "the engine would nest them too deeply")
            i += 1
        else:
            m = _NAME.match(text, i)
            if not m:
                i += 1
                continue
            word = m.group(0)
            if ":" not in word:
                upper = word.upper()
                if upper in REFUSED_KEYWORDS:
                    shown = "FROM NAMED" if upper == "FROM" and _next_word(text, m.end()) == "NAMED" else upper
                    raise _refuse(text, i, f"{shown} is not allowed: {REFUSED_KEYWORDS[upper]}")
                if not form and upper in _FORMS:
                    form = upper.lower()
                if upper in _NESTING_KEYWORDS:
                    operators = _count(text, i, operators, max_operators)
            i = m.end()
    return CheckedQuery(text=text, form=form or "select", depth=max_seen)


def _next_word(text: str, i: int) -> str:
    m = re.compile(r"\s*([A-Za-z]+)").match(text, i)
    return m.group(1).upper() if m else ""
