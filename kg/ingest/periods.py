"""The reporting period a figure is about (2023年, 2024年上半年, 一季度, 1—5月, 2023年以来, 截至2024年6月 …).

A region's total is compared across sources, and rolled up, by its period (``zs:refPeriod``; :mod:`kg.store.figures`,
:mod:`kg.store.investment`), so a total without one is never found as a repeat or a conflict. This module reads
the period the text states for a figure: the nearest one before it in its clause, else the nearest before it in
its sentence, else the one an earlier sentence gives the figures after it (a report announced, 通报一季度…情况;
the sentence a breakdown, 其中…, details), else none. It never guesses:

- a day (``3月18日``, ``2024年3月18日``) is the date of an event, not a reporting period; a single month
  (``2024年3月``) is not read either (a signing in March is not "the total of March");
- a year is a period only where a report states one: before a comma, ``全年``, ``以来``, or a reporting word
  (``全市``, ``新``, ``签约``, ``引进`` …); ``2023年重点项目`` is a name, ``比2023年增长`` a comparison, and
  a year inside ``《…》``, ``“…”`` or a name the extractor found (a project, an event, a policy) is never one;
- ``今年``/``去年`` and a period without its year (``一季度``, ``1—5月``) are resolved against the article's date
  (dateline or metadata); a bare period takes the year of the period stated before it, else the article's
  year, and then only when it has begun by that date; without a date, or a bare ``全年``, the period is
  *unresolved*: no ``zs:refPeriod``, and the draft gets a review item;
- the name of a batch signing (``一季度重点项目集中签约``, ``第二批重大项目集中开工``) is no period.

Identifiers are stable and shared by every source (the founding data's ``period:2023``, ``period:since-2023``):
equal periods get one IRI whatever their wording (``1—6月`` and ``上半年`` are ``2024-H1``); docs/data-model.md
lists them. Regular expressions, not a date library: the forms are few, Chinese, and relative to the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.namespaces import PROV, SCHEMA, ZR, ZS

if TYPE_CHECKING:  # kg.ingest.facts.amounts imports this module: the fact types' names are for the types only
    from kg.ingest.facts.base import DraftView, Item
    from kg.ingest.facts.base_writer import Draft
    from kg.ingest.model import Extraction, Finding
    from kg.sources.sentences import Span

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
       "十一": 11, "十二": 12}
_YEAR = r"(?:(?P<y>20[0-9]{2})年|(?P<rel>今年|去年|前年|本年))"
#: What may follow a year for it to be the period of a report (else it is part of a name or a comparison).
_REPORTING = re.compile(
    r"(?:[,，、:：]|全年|(?:[\u4e00-\u9fff]{1,6}?(?:省|市|县|区|州))?"
    r"(?:全[省市县区州]|我[省市县区州]|该[省市县区州]|本[省市县区州]|共|累计|新(?:签|引|增|落|开|招)|签约|引进|招引|实现|完成|落地|开工|"
    r"到位|成功|先后|集中|达成|合计|总计|在谈|安排|招商引资))")
#: Wrappers whose content is a title or a name, never the period of a figure.
_WRAPPED = re.compile(r"《[^《》]{0,80}》|“[^“”]{0,80}”|\"[^\"]{0,80}\"")
_DASH = r"(?:[—–\-－~～至到])"
#: After a period, the words of an event's name: 一季度重点项目集中签约, 2024年第二批重大项目集中开工.
_EVENT_AFTER = re.compile(r"(?:重点|重大|产业|招商)?(?:项目)?集中(?:签约|开工|竣工|投产)"
                          r"|第[一二三四五六七八九十0-9]+批")
_PLANS = {"十三五": 2016, "十四五": 2021, "十五五": 2026}


@dataclass(frozen=True)
class Period:
    """A reporting period: its local name under ``id/period/``, labels, and bounds as (ISO value, XSD type)."""

    key: str
    zh: str
    en: str
    start: tuple[str, str] | None
    end: tuple[str, str] | None

    @property
    def iri(self) -> str:
        return f"{ZR}period/{self.key}"


@dataclass(frozen=True)
class Stated:
    """A period as a sentence states it: offsets in the sentence, its words, and the period, or why not."""

    start: int
    end: int
    surface: str
    period: Period | None
    why: str = ""  #: when ``period`` is None: why it cannot be resolved (for the review item)


def year(y: int) -> Period:
    return Period(str(y), f"{y}年", str(y), (str(y), "gYear"), (str(y), "gYear"))


def months(y: int, m1: int, m2: int) -> Period:
    """Months *m1*..*m2* of year *y*, under the one name equal spans share (a year, a half, a quarter)."""
    if (m1, m2) == (1, 12):
        return year(y)
    bounds = ((f"{y}-{m1:02d}", "gYearMonth"), (f"{y}-{m2:02d}", "gYearMonth"))
    if (m1, m2) in ((1, 6), (7, 12)):
        first = m1 == 1
        return Period(f"{y}-H{1 if first else 2}", f"{y}年{'上' if first else '下'}半年",
                      f"{'first' if first else 'second'} half of {y}", *bounds)
    if m2 - m1 == 2 and m1 % 3 == 1:
        q = (m1 + 2) // 3
        return Period(f"{y}-Q{q}", f"{y}年第{'一二三四'[q - 1]}季度", f"{y} Q{q}", *bounds)
    return Period(f"{y}-{m1:02d}-to-{m2:02d}", f"{y}年{m1}—{m2}月", f"{y}-{m1:02d} to {y}-{m2:02d}", *bounds)


def since(y: int, m: int | None = None) -> Period:
    """From *y* (or month *m* of it) up to the report: a start, no end."""
    if m is None:
        return Period(f"since-{y}", f"{y}年以来", f"since {y}", (str(y), "gYear"), None)
    return Period(f"since-{y}-{m:02d}", f"{y}年{m}月以来", f"since {y}-{m:02d}", (f"{y}-{m:02d}", "gYearMonth"),
                  None)


def until(value: str, datatype: str) -> Period:
    """Cumulative up to a month or a day (截至2024年6月底): an end, no start."""
    parts = value.split("-")
    zh = f"截至{parts[0]}年" + "".join(f"{int(p)}{u}" for p, u in zip(parts[1:], "月日", strict=False))
    return Period(f"until-{value}", zh, f"up to {value}", None, (value, datatype))


def _num(s: str | None) -> int | None:
    if not s:
        return None
    return int(s) if s.isdigit() else _CN.get(s)


# -- the forms ------------------------------------------------------------------------------------------------

#: The forms as (pattern, reader) pairs; the year a builder gets is resolved by :func:`_resolve` (written,
#: relative, or left out). Where two forms overlap, the longer match wins (:func:`find_periods`).
Builder = Callable[[int], Period]
#: Reads one match: (builder of the period from its year, the first month it covers), or why it has no period.
Reader = Callable[[re.Match[str]], tuple[Builder, int] | str]
_FORMS: list[tuple[re.Pattern[str], Reader]] = []


def _form(pattern: str) -> Callable[[Reader], Reader]:
    """Register a reader for *pattern* (the forms are tried in the order they are registered)."""
    def add(fn: Reader) -> Reader:
        _FORMS.append((re.compile(pattern), fn))
        return fn
    return add


@_form(r"(?:自|从)?[“\"]?(?P<plan>十三五|十四五|十五五)[”\"]?(?:时期)?以来")
def _plan(m: re.Match[str]) -> tuple[Builder, int] | str:
    y = _PLANS[m["plan"]]
    return (lambda _y: since(y)), 1


@_form(r"(?:自|从)?" + _YEAR + r"(?:(?P<m>[0-9]{1,2})月(?:份)?)?(?:以来|至今)")
def _since(m: re.Match[str]) -> tuple[Builder, int] | str:
    month = _num(m["m"])
    return (lambda y: since(y, month)), month or 1


@_form(r"截[至止](?:到)?(?:" + _YEAR + r")?"
       r"(?:(?P<m>[0-9]{1,2})月(?:份)?(?:底|末)?(?:(?P<d>[0-9]{1,2})日)?|(?P<ye>底|末))")
def _until(m: re.Match[str]) -> tuple[Builder, int] | str:
    if m["ye"]:
        if not (m["y"] or m["rel"]):
            return "截至…底 without a year"
        return (lambda y: until(f"{y}-12", "gYearMonth")), 12
    month = int(m["m"])
    if not 1 <= month <= 12:
        return f"no month {month}"
    day = int(m["d"]) if m["d"] else 0
    if day:
        return (lambda y: until(f"{y}-{month:02d}-{day:02d}", "date")), month
    return (lambda y: until(f"{y}-{month:02d}", "gYearMonth")), month


@_form(_YEAR + r"?(?<![0-9.月])(?P<m1>[0-9]{1,2})(?:月(?:份)?)?" + _DASH
       + r"(?P<m2>[0-9]{1,2})月(?:份)?(?![0-9]{1,2}日)")
def _range(m: re.Match[str]) -> tuple[Builder, int] | str:
    m1, m2 = int(m["m1"]), int(m["m2"])
    if not 1 <= m1 < m2 <= 12:
        return f"no months {m1}—{m2}"
    return (lambda y: months(y, m1, m2)), m1


@_form(_YEAR + r"?前(?P<n>[0-9]{1,2}|[一二两三四五六七八九十]|十[一二])个月")
def _first_months(m: re.Match[str]) -> tuple[Builder, int] | str:
    n = _num(m["n"]) or 0
    if not 1 <= n <= 12:
        return f"no {n} months"
    return (lambda y: months(y, 1, n)), 1


@_form(_YEAR + r"?前(?P<n>[二两三])(?:个)?季度")
def _first_quarters(m: re.Match[str]) -> tuple[Builder, int] | str:
    n = _num(m["n"]) or 0
    return (lambda y: months(y, 1, 3 * n)), 1


@_form(_YEAR + r"?(?P<h>上|下)半年")
def _half(m: re.Match[str]) -> tuple[Builder, int] | str:
    first = 1 if m["h"] == "上" else 7
    return (lambda y: months(y, first, first + 5)), first


@_form(_YEAR + r"?第?(?P<q>[一二三四1-4])季度")
def _quarter(m: re.Match[str]) -> tuple[Builder, int] | str:
    q = _num(m["q"]) or 1
    return (lambda y: months(y, 3 * q - 2, 3 * q)), 3 * q - 2


@_form(_YEAR + r"(?:度)?(?P<whole>全年)?(?![0-9]|[一二三四五六七八九十]+月|底|初|末|中|前|后|同期|以前)")
def _year(m: re.Match[str]) -> tuple[Builder, int] | str:
    return year, 1


@_form(r"(?<![年])全年")
def _bare_whole(m: re.Match[str]) -> tuple[Builder, int] | str:
    return "全年 without its year: which year it is the reviewer decides"


def _resolve(m: re.Match[str], build: Builder, first_month: int, today: date | None,
             context: int | None) -> Period | str:
    """The period of a match whose year may be written (2023年), relative (今年) or left out (一季度: the year of
    the period stated before it, 去年…;其中,四季度…, else the article's)."""
    groups = m.groupdict()
    if groups.get("y"):
        return build(int(groups["y"]))
    if groups.get("plan"):
        return build(0)
    rel = groups.get("rel")
    if not rel and context is not None:
        return build(context)
    if today is None:
        return f"{m.group()!r} is relative to the article's date, which is unknown (give --date or --year)"
    if rel:
        return build(today.year + {"今年": 0, "本年": 0, "去年": -1, "前年": -2}[rel])
    if first_month > today.month:
        return f"{m.group()!r} has not begun by the article's date {today.isoformat()}: a plan, or last year's"
    return build(today.year)


def year_of(p: Period | None) -> int | None:
    """The one calendar year *p* lies in, if it starts and ends in one (not an open period)."""
    if p is None or p.start is None or p.end is None or p.start[0][:4] != p.end[0][:4]:
        return None
    return int(p.start[0][:4])


def find_periods(t: str, today: date | None, names: Iterable[tuple[int, int]] = (),
                 context: int | None = None) -> list[Stated]:
    """The periods sentence *t* states, in order, relative ones resolved against *today* (the article's date).

    *names* are [start, end) spans of *t* that are names (a project, an event, a policy): nothing inside one is
    a period. Where two forms overlap the longer wins (``2024年上半年`` over ``2024年``). A period written without
    its year takes the year of the one stated before it (*context*: of the sentence before, for 其中).
    """
    wrapped = [(m.start(), m.end()) for m in _WRAPPED.finditer(t)]
    spans = list(names)
    matches: list[tuple[re.Match[str], Reader]] = []
    for pattern, read in _FORMS:
        for m in pattern.finditer(t):
            if any(a < m.start() < b for a, b in wrapped) or any(a <= m.start() < b for a, b in spans):
                continue  # “十四五”以来 starts at its quote; 《2023年…办法》 holds a year
            if read is _year and not _REPORTING.match(t, m.end()) and not m["whole"]:
                continue  # 2023年重点项目, 比2023年增长: a name or a comparison
            if _EVENT_AFTER.match(t, m.end()):
                continue  # 一季度重点项目集中签约: the name of a signing, whose total is the event's
            matches.append((m, read))
    matches.sort(key=lambda mr: (mr[0].start(), -(mr[0].end() - mr[0].start())))
    out: list[Stated] = []
    for m, read in matches:
        if out and m.start() < out[-1].end:
            continue  # inside a longer form already taken
        got = read(m)
        if isinstance(got, str):
            out.append(Stated(m.start(), m.end(), m.group(), None, got))
            continue
        resolved = _resolve(m, got[0], got[1], today, context)
        if isinstance(resolved, Period):
            out.append(Stated(m.start(), m.end(), m.group(), resolved))
            context = year_of(resolved) or context
        else:
            out.append(Stated(m.start(), m.end(), m.group(), None, resolved))
    return out


def period_at(t: str, pos: int, stated: list[Stated]) -> Stated | None:
    """The period of a figure at offset *pos* of sentence *t*: the nearest stated before it in its clause (up to
    the last 。;； before it), else the nearest before it in the sentence; a period after a figure (将于2025年
    投产) is not its reporting period."""
    before = [s for s in stated if s.end <= pos]
    return before[-1] if before else None


# -- the draft -------------------------------------------------------------------------------------------------

_NAMES = ("project", "event", "policy")


#: A figure of money in a sentence; a day (the date of an event); words of a plan (not this period's figures).
_MONEY = re.compile(r"[0-9][0-9.]*(?:万|亿)*元")
_DAY = re.compile(r"[0-9]{1,2}月[0-9]{1,2}日|近日|日前|当天|现场")
_PLAN = re.compile(r"下一步|力争|计划|将于|预计|拟")
#: What a sentence that announces a report says (通报一季度招商引资情况, 发布上半年成绩单).
_REPORT = re.compile(r"通报|发布|公布|情况|成绩")
#: A breakdown of the sentence before it: its figures are of the same period.
_BREAKDOWN = ("其中", "分区县看", "分县市区看", "分地区看")


def _names_in(x: Extraction, sent: Span) -> list[tuple[int, int]]:
    found = x.memo.get("period-names")
    if isinstance(found, dict):
        by_sentence: dict[int, list[tuple[int, int]]] = found
    else:  # once per article: a report has dozens of totals, hundreds of names
        by_sentence = {}
        for g in x.findings:
            if g.kind in _NAMES and g.end > g.start:
                by_sentence.setdefault(g.sentence.index, []).append((g.start, g.end))
        x.memo["period-names"] = by_sentence
    return [(a - sent.start, b - sent.start) for a, b in by_sentence.get(sent.index, [])]


def _announced(x: Extraction, sent: Span) -> Stated | None:
    """:func:`_announce`, once per sentence of the article."""
    key = ("period-announced", sent.index)
    if key not in x.memo:
        x.memo[key] = _announce(x, sent)
    found = x.memo[key]
    return found if isinstance(found, Stated) else None


def _announce(x: Extraction, sent: Span) -> Stated | None:
    """The period an earlier sentence gives the figures that follow it: a sentence announcing a report
    ("湘潭市通报一季度招商引资情况。": a period, no figure of its own) carries it to the next sentences as long as each
    states no period, no day of an event and no plan; a breakdown (其中, …) takes the sentence before it's. Any
    other earlier sentence carries nothing (一年的总数 and a signing of 3月18日 are not the same period)."""
    body = x.article.body
    here = next((i for i, s in enumerate(body) if s.index == sent.index), None)
    own = x.article.match[sent.start:sent.end]
    if here is None or _DAY.search(own) or _PLAN.search(own):
        return None
    if own.startswith(_BREAKDOWN) and here > 0:
        prev = body[here - 1]
        t = x.article.match[prev.start:prev.end]
        stated = find_periods(t, x.today, _names_in(x, prev))
        return stated[-1] if stated else _announced(x, prev)
    return _carried(x, body[:here])


def _carried(x: Extraction, before: list[Span]) -> Stated | None:
    """The period a report's announcement (a sentence with a period and no figure) gives the figures after it."""
    for prev in reversed(before):
        t = x.article.match[prev.start:prev.end]
        stated = find_periods(t, x.today, _names_in(x, prev))
        if stated:
            return stated[-1] if not _MONEY.search(t) and _REPORT.search(t) else None
        if not _MONEY.search(t) or _DAY.search(t) or _PLAN.search(t):
            return None
    return None


def stated_period(x: Extraction, f: Finding) -> Stated | None:
    """The period stated for finding *f* (a total at its amount's offset): the nearest before it in its clause,
    else in its sentence, else the one an earlier sentence announces for the figures after it (:func:`_announced`).
    """
    sent = f.sentence
    t = x.article.match[sent.start:sent.end]
    before = _announced(x, sent)
    stated = period_at(t, f.start - sent.start, find_periods(t, x.today, _names_in(x, sent),
                                                             year_of(before.period) if before else None))
    return stated if stated is not None else before


def write_period(w: Draft, x: Extraction, f: Finding, fact: URIRef, s0: URIRef) -> None:
    """``zs:refPeriod`` of *fact* (a total) with the period node described in full, as every draft that uses it
    describes it (the same triples from every source: the store holds it once); an unresolvable period is a
    review item and no ``zs:refPeriod``. The words of the article (去年, 今年上半年) are no name of the period:
    they name it only from that article's date, and the sentence keeps them."""
    stated = stated_period(x, f)
    if stated is None:
        return
    p = stated.period
    if p is None:
        w.review(x, f, f"its period {stated.surface!r} is not written: {stated.why}")
        return
    iri = URIRef(p.iri)
    w.g.add((fact, ZS.refPeriod, iri))
    w.g.add((iri, RDF.type, ZS.Period))
    w.g.add((iri, RDFS.label, Literal(p.zh, lang="zh")))
    w.g.add((iri, RDFS.label, Literal(p.en, lang="en")))
    for prop, bound in ((ZS.periodStart, p.start), (ZS.periodEnd, p.end)):
        if bound is not None:
            w.g.add((iri, prop, Literal(bound[0], datatype=XSD[bound[1]])))
    w.g.add((iri, PROV.wasDerivedFrom, s0))


# -- gold ------------------------------------------------------------------------------------------------------

def read_periods(v: DraftView) -> list[Item]:
    """(value, period) for every total with a period: the period as its local name (2023, 2024-H1, since-2023)."""
    out: list[Item] = []
    for t in v.instances(ZS.SigningTotal):
        for a in v.g.objects(t, ZS.investment):
            value = v.g.value(a, SCHEMA.value)
            for p in v.g.objects(t, ZS.refPeriod):
                if value is not None:
                    out.append({"value": Decimal(str(value)), "period": str(p).removeprefix(f"{ZR}period/")})
    return out


def same_period(found: Item, gold: Item) -> bool:
    """Whether a found (value, period) is the gold one."""
    try:
        value = Decimal(str(gold["value"]))
    except (InvalidOperation, KeyError):
        return False
    return bool(found["value"] == value and found["period"] == str(gold.get("period")))
