"""The indicator terms reviewers added: a project-kept vocabulary, ``data/vocab/indicators.ttl``.

The built-in vocabulary (``kg/ingest/data/indicators.tsv``) recognises a figure by a pattern. A reviewer who
meets a figure no term fits (a review item), or a metric read with the wrong indicator, proposes a term in the
decisions file: its zh and en labels, a *cue* (words of the figure's clause that name what is counted, such
as 培训) and the figure's unit. ``kg merge --decisions`` checks it (:func:`problems_of`) and adds it here, as a
SKOS concept of ``zs:Indicators`` (cue as ``skos:hiddenLabel``, unit as ``zs:unit``), written atomically; the
next ``kg ingest`` reads the file and tries its terms before the built-in ones (:func:`match`). A cue is a
plain string, never a pattern, so a term read from the data cannot make matching slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDFS, Literal

from kg.errors import InputError
from kg.ingest.naming import slug
from kg.namespaces import SKOS, ZR, ZS
from kg.paths import Paths
from kg.store.export import write_atomic
from kg.store.rdfio import parse_file

#: Where the terms live, under the project.
VOCAB_PATH = Path("data") / "vocab" / "indicators.ttl"
#: Most terms the file may hold (a vocabulary, not a dump).
MAX_TERMS = 2000
_ZH = re.compile(r"^[\u4e00-\u9fff]{2,16}$")
_EN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,'()/-]{2,59}$")
_CUE = re.compile(r"^[\u4e00-\u9fff]{1,12}$")
_UNIT = re.compile(r"^[\u4e00-\u9fff]{1,4}$")


@dataclass(frozen=True)
class ReviewedTerm:
    """One indicator a reviewer added: labels, the cue that recognises its figures, and their unit."""

    zh: str
    en: str
    cue: str
    unit: str

    @property
    def iri(self) -> str:
        """The IRI the draft writer gives an indicator of this label (:meth:`DraftWriter._indicator`)."""
        return f"{ZR}indicator/{slug(self.zh)}"


def vocab_file(paths: Paths) -> Path:
    """The project's file of reviewed indicator terms."""
    return paths.project / VOCAB_PATH


def load_terms(paths: Paths) -> tuple[ReviewedTerm, ...]:
    """The reviewed terms, in label order; none when the file does not exist yet. A term that does not pass
    the checks a proposal passes is refused with the file named (the file is the project's, but hand-editable)."""
    path = vocab_file(paths)
    if not path.is_file():
        return ()
    by: dict[str, dict[str, str]] = {}
    for q in parse_file(path):
        if not isinstance(q.subject, ox.NamedNode) or not isinstance(q.object, ox.Literal):
            continue
        row = by.setdefault(q.subject.value, {})
        p, o = q.predicate.value, q.object
        if p == f"{SKOS}prefLabel":
            row["en" if (o.language or "").startswith("en") else "zh"] = o.value
        elif p == f"{SKOS}hiddenLabel":
            row["cue"] = o.value
        elif p == f"{ZS}unit":
            row["unit"] = o.value
    terms = []
    for iri, row in sorted(by.items()):
        term = ReviewedTerm(row.get("zh", ""), row.get("en", ""), row.get("cue", ""), row.get("unit", ""))
        bad = shape_problems(term)
        if bad:
            raise InputError(f"{path}: the term {iri} {bad[0]}; fix or remove it.")
        terms.append(term)
    if len(terms) > MAX_TERMS:
        raise InputError(f"{path}: holds {len(terms)} terms, more than {MAX_TERMS}.")
    return tuple(sorted(terms, key=lambda t: t.zh))


def shape_problems(term: ReviewedTerm) -> list[str]:
    """What is wrong with the form of *term*: lengths and characters of its labels, cue and unit."""
    out = []
    if not _ZH.match(term.zh):
        out.append(f"zh label {term.zh!r} must be 2 to 16 Chinese characters (a noun phrase, no digits)")
    if not _EN.match(term.en):
        out.append(f"en label {term.en!r} must be 3 to 60 characters: letters, digits, spaces and ,'()/-")
    if not _CUE.match(term.cue):
        out.append(f"cue {term.cue!r} must be 1 to 12 Chinese characters")
    if not _UNIT.match(term.unit):
        out.append(f"unit {term.unit!r} must be 1 to 4 Chinese characters")
    return out


def problems_of(term: ReviewedTerm, sentence: str, existing: list[tuple[str, str]]) -> list[str]:
    """Why *term*, proposed for a figure of *sentence*, cannot join the vocabulary: its form, a cue or unit the
    sentence does not hold, or the zh or en label of an existing term (*existing*: (zh, en) pairs)."""
    out = shape_problems(term)
    if term.cue and term.cue not in sentence:
        out.append(f"cue {term.cue!r} is not in the figure's sentence")
    if term.unit and term.unit not in sentence:
        out.append(f"unit {term.unit!r} is not in the figure's sentence")
    for zh, en in existing:
        if term.zh == zh:
            out.append(f"zh label {term.zh!r} is already a term of the vocabulary")
        if term.en.strip().casefold() == en.strip().casefold():
            out.append(f"en label {term.en!r} is already a term of the vocabulary ({zh})")
    return out


def match(terms: tuple[ReviewedTerm, ...], before: str, unit: str) -> ReviewedTerm | None:
    """The reviewed term of a figure with *unit* whose clause up to it (*before*) holds the term's cue; of
    several, the one with the longest cue (the most specific)."""
    found = [t for t in terms if t.unit == unit and t.cue in before]
    return max(found, key=lambda t: (len(t.cue), t.zh)) if found else None


def turtle_of(terms: list[ReviewedTerm]) -> str:
    """The vocabulary file's text: one SKOS concept per term, in label order (deterministic)."""
    lines = ["# Indicator terms added by reviewers (`kg merge --decisions`); read by `kg ingest`.",
             "# Each: zh and en labels, the cue that recognises its figures (skos:hiddenLabel) and their unit.",
             f"@prefix rdfs: <{RDFS}> .", f"@prefix skos: <{SKOS}> .", f"@prefix zs: <{ZS}> .", ""]
    for t in sorted(terms, key=lambda t: t.zh):
        zh, en = Literal(t.zh, lang="zh").n3(), Literal(t.en, lang="en").n3()
        lines += [f"<{t.iri}> a zs:Indicator, skos:Concept ;", "    skos:inScheme zs:Indicators ;",
                  f"    skos:prefLabel {zh}, {en} ;", f"    rdfs:label {zh} ;",
                  f"    skos:hiddenLabel {Literal(t.cue, lang='zh').n3()} ;",
                  f"    zs:unit {Literal(t.unit, lang='zh').n3()} .", ""]
    return "\n".join(lines)


def add_terms(paths: Paths, new: list[ReviewedTerm]) -> Path:
    """Add *new* to the project's vocabulary file (written atomically); the file's path."""
    path = vocab_file(paths)
    terms = list(load_terms(paths))
    terms += [t for i, t in enumerate(new) if t not in terms and t not in new[:i]]
    if len(terms) > MAX_TERMS:
        raise InputError(f"{path}: would hold {len(terms)} terms, more than {MAX_TERMS}; nothing was added.")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, turtle_of(terms).encode("utf-8"))
    return path
