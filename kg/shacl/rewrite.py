"""Rewrites of SPARQL text: a shape's regular expression for Oxigraph, and a SPARQL-based constraint's query
into cheaper forms that have the same rows.

* ``sh:pattern`` runs as SPARQL ``REGEX`` (Rust regex syntax); ``$`` is rewritten to also match before a final
  newline, as Python's ``re`` does (pySHACL's reading), by :func:`rust_regex`.
* :func:`hash_join_form`: for a whole-store run, each triple pattern of a plain basic graph pattern goes into a
  sub-SELECT of its own, so that Oxigraph joins them by hashing instead of one index seek per row.
* :func:`always_bound`: the variables every solution of a query binds, so that an incremental run can append a
  ``VALUES`` block restricting them to its focus nodes.

Each rewrite reads the query through :func:`_blank_out` (strings, IRIs and comments masked) and gives up
(returns "" or ()) whenever the query is not plainly of the form it understands: the original query then runs.
"""

from __future__ import annotations

import re

#: The variables SHACL pre-binds in a SPARQL-based constraint (``$this`` is the only one supported).
BINDS = re.compile(r"([\s{}()])[\$\?](this|PATH|shapesGraph|currentShape)\b", flags=re.M)


def rust_regex(pattern: str) -> str:
    """Python ``re`` semantics for ``$`` in Rust regex syntax: end of text or just before a final newline."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\z" if nxt == "Z" and not in_class else c + nxt)
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                if pattern[i:i + 1] == "]":
                    out.append("]")
                    i += 1
                continue
            if pattern[i + 1:i + 2] == "]":
                out.append("[]")
                i += 2
                continue
        elif c == "$":
            out.append("(?:\\n?\\z)")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _blank_out(text: str, fill: str = " ") -> str:
    """*text* with its strings, IRIs and comments replaced by spaces (strings and IRIs by *fill*), so keywords
    and brackets can be found."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
        elif c == "<" and (m := re.match(r'<[^<>"{}|^`\\\x00-\x20]*>', text[i:])):
            j = i + m.end()
        else:
            i += 1
            continue
        out[i:j] = (" " if c == "#" else fill) * (j - i)
        i = j
    return "".join(out)


def always_bound(select: str) -> tuple[str, ...]:
    """The projected variables of a SPARQL SELECT that every solution binds, when that is plain to see: the
    query is one basic graph pattern with FILTERs (no OPTIONAL, UNION, subquery …) and the variable occurs in a
    triple pattern. A ``VALUES`` block after such a query restricts exactly those rows; () when unsure. Only
    ``?value`` and subjects of patterns are returned: those are the variables that take entities."""
    text = _blank_out(select)
    words = {w.upper() for w in re.findall(r"[A-Za-z]+", text)}
    if len(re.findall(r"\bSELECT\b", text, flags=re.I)) != 1 or words & {
        "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "SERVICE", "VALUES", "FROM", "GROUP", "HAVING", "LIMIT",
        "OFFSET", "ORDER",
    }:
        return ()
    head = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", text, flags=re.S | re.I)
    if head is None:
        return ()
    projected = re.findall(r"[?$](\w+)", head.group(1)) if "*" not in head.group(1) else None
    body = text[head.end():]
    # Drop FILTER (...) and [NOT] EXISTS {...}: what remains are the triple patterns.
    while (m := re.search(r"\b(FILTER\s*\(|EXISTS\s*\{)", body, flags=re.I)) is not None:
        open_, close = ("(", ")") if m.group(1).endswith("(") else ("{", "}")
        depth, j = 1, m.end()
        while j < len(body) and depth:
            depth += {open_: 1, close: -1}.get(body[j], 0)
            j += 1
        body = body[:m.start()] + " " + body[j:]
    in_patterns = set(re.findall(r"[?$](\w+)", body))
    # Restricting a variable to entities pays when it names entities: ?value, or a subject of a pattern.
    subjects = set(re.findall(r"(?:^|[{.])\s*[?$](\w+)", body)) | {"value"}
    candidates = in_patterns if projected is None else {v for v in projected if v in in_patterns}
    return tuple(sorted((candidates & subjects) - {"this", "path"}))


def hash_join_form(query: str) -> str:
    """*query* (a SPARQL SELECT) for a whole-store run: each triple pattern of its WHERE group in a sub-SELECT of
    its own, the FILTERs kept as written. The same solutions, as a basic graph pattern is the join of its triple
    patterns; but Oxigraph joins sub-SELECTs by hashing, where it would seek the index once per row of the
    first pattern for each further one (the selector-span shape at a million statements: 0.9 s → 0.2 s).

    "" unless the query is plainly one basic graph pattern with FILTERs, of at least two triple patterns, each
    with a constant predicate (a scan of one predicate's statements, never of the whole store), no blank nodes,
    collections or paths, and ``$this`` (pre-bound by substitution) nowhere in the group."""
    text = _blank_out(query, fill="x")
    words = {w.upper() for w in re.findall(r"[A-Za-z]+", _blank_out(query))}
    if len(re.findall(r"\bSELECT\b", text, flags=re.I)) != 1 or words & {
        "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "SERVICE", "VALUES", "FROM", "GROUP", "HAVING", "LIMIT",
        "OFFSET", "ORDER", "EXISTS",
    }:
        return ""
    head = re.search(r"\bSELECT\b.*?(\bWHERE\s*)?\{", text, flags=re.S | re.I)
    if head is None:
        return ""
    start = head.end()
    depth, end = 1, start
    while end < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        end += 1
    if depth or text[end:].strip():
        return ""
    body, original = text[start:end - 1], query[start:end - 1]
    filters: list[str] = []
    kept = list(body)
    for m in re.finditer(r"\bFILTER\s*\(", body, flags=re.I):
        depth, j = 1, m.end()
        while j < len(body) and depth:
            depth += {"(": 1, ")": -1}.get(body[j], 0)
            j += 1
        if depth:
            return ""
        filters.append(original[m.start():j])
        kept[m.start():j] = " " * (j - m.start())
    patterns_text = "".join(kept)
    if re.search(r"[{}()\[\]]|_:|[$?]this\b", patterns_text) or re.search(r"[$?]this\b", "".join(filters)):
        return ""
    # Tokens (strings and IRIs are one run of "x" each in *text*), and the separators . ; , between them.
    tokens = [(m.group(0), original[m.start():m.end()])
              for m in re.finditer(r"[.;,](?=\s|$)|[^\s;,]+", patterns_text)]
    triples: list[tuple[str, str, str]] = []
    subject = predicate = ""
    expect = "subject"
    for blank, tok in [*tokens, (".", ".")]:
        if blank in (".", ";", ","):
            if blank == "." and expect in ("subject", "separator"):
                expect = "subject"
            elif blank != "." and expect == "separator":
                expect = "predicate" if blank == ";" else "object"
            else:
                return ""
        elif expect == "subject":
            subject, expect = tok, "predicate"
        elif expect == "predicate":
            if not (blank == "a" or re.fullmatch(r"x+|[A-Za-z][\w.-]*:[\w.:%-]*|:[\w.:%-]*", blank)):
                return ""  # a variable, a path or something unexpected as predicate
            predicate, expect = tok, "object"
        elif expect == "object":
            triples.append((subject, predicate, tok))
            expect = "separator"
        else:
            return ""
    if len(triples) < 2:
        return ""
    groups = " ".join(f"{{ SELECT * WHERE {{ {s} {p} {o} }} }}" for s, p, o in triples)
    return query[:start] + " " + groups + " " + " ".join(filters) + " " + query[end - 1:]

