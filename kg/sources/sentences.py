"""Split a source text into sentences with code-point offsets, and write them as RDF quote resources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A sentence ends at 。！？!? or ; (a closing quote or bracket stays with it) or at a line break.
_END = re.compile(r"[。！？!?；]+[”’」』）)\"]*|\n")


@dataclass(frozen=True)
class Span:
    """One sentence: its text and its [start, end) offsets in code points."""

    index: int
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Split *text* into sentences; offsets count Unicode code points, as Python's str does.

    >>> [s.text for s in split_sentences("甲。乙!\\n\\n丙")]
    ['甲。', '乙!', '丙']
    """
    spans: list[Span] = []
    start = 0
    for piece_start, piece_end in _pieces(text):
        start = piece_start
        chunk = text[start:piece_end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        s = start + lead
        e = s + len(stripped)
        spans.append(Span(len(spans) + 1, s, e, text[s:e]))
    return spans


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _END.finditer(text):
        end = m.end() if m.group() != "\n" else m.start()
        yield start, end
        start = m.end()
    yield start, len(text)
