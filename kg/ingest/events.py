"""Counted metrics, dates (relative ones resolved against the article date), events, policy documents,
projects and signing totals in a sentence. Linear patterns only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kg.ingest.model import Finding
from kg.ingest.money import NUMBER, Amount, parse_number
from kg.sources.sentences import Span

if TYPE_CHECKING:
    from kg.ingest.vocabulary import ReviewedTerm

_METRIC = re.compile(
    r"(?<![0-9.第])(?P<num>[0-9]{1,9}(?:\.[0-9]{1,4})?)(?P<q>余|多)?"
    r"(?P<unit>个工作日|个城市|个月|场次|人次|个|家|场|人|次|项|名|支|年(?!前|代|[0-9])|天|批|所|座|户|条|项次)"
    r"(?![0-9万亿元])"
)
_DATE_FULL = re.compile(r"(?P<y>20[0-9]{2})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日")
_DATE_MD = re.compile(r"(?<![0-9年])(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日")
_DATE_REL = re.compile(r"(?P<rel>去年|今年|前年|明年)(?:(?P<m>[0-9]{1,2})月(?P<part>底|初|中旬|上旬|下旬)?)?")
_DATE_YEAR = re.compile(r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})年(?P<since>以来)?(?![0-9])")
_EVENT = re.compile(r"(?<=[\u4e00-\u9fff])博会|推介会|招商会|博览会|座谈会|恳谈会|训练营|峰会|论坛|洽谈会|推进会|"
                    r"招商引资大会|大会|第一会|对接会|"
                    r"交易会|展销会|发布会|签约仪式")
#: Verbs and roles before an event's name that are not part of it.
_EVENT_VERBS = re.compile(r"举行|举办|召开|出席|参加|主办|承办|开展|组织|相关负责人|负责人|现场|"
                          r"在[\u4e00-\u9fff]{2,4}?(?=举)")
#: Event words that name no event on their own.
_BARE_EVENTS = {"推介会", "招商会", "博览会", "座谈会", "恳谈会", "训练营", "峰会", "论坛", "洽谈会", "推进会", "大会",
                "对接会", "交易会", "展销会", "发布会", "签约仪式", "博会", "第一会"}
_POLICY = re.compile(r"《(?P<title>[^《》\n]{2,60})》")
_POLICY_WORDS = ("办法", "通知", "意见", "规定", "方案", "措施", "条例", "决定", "细则", "政策", "若干")
_LIST_PROJECTS = re.compile(r"等(?:一批|[0-9]{1,3}个)?[\u4e00-\u9fff]{0,6}?项目(?!对接)")
_COUNT = re.compile(r"(?<![0-9.])(?P<n>[0-9]{1,4})个")
_STAGES = (("投产", "InProduction"), ("开工", "UnderConstruction"), ("落地", "Landed"), ("签约", "Signed"),
           ("意向", "Intent"), ("引进", "Introduced"), ("招引", "Introduced"))


@dataclass(frozen=True)
class When:
    """A date at the precision the text gives: ``value`` is ISO, ``datatype`` date, gYearMonth or gYear."""

    value: str
    datatype: str
    surface: str
    since: bool = False


def find_dates(t: str, today: date | None) -> list[tuple[int, When]]:
    """Dates in *t*, relative ones resolved against *today* (the article date); (offset, date) pairs."""
    out: list[tuple[int, When]] = []
    for m in _DATE_FULL.finditer(t):
        out.append((m.start(), When(f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}", "date", m.group())))
    if today is not None:
        for m in _DATE_MD.finditer(t):
            if t[max(0, m.start() - 1):m.start()] == "年":
                continue
            y = today.year if (int(m["m"]), int(m["d"])) <= (today.month, today.day) else today.year - 1
            out.append((m.start(), When(f"{y}-{int(m['m']):02d}-{int(m['d']):02d}", "date", m.group())))
        for m in _DATE_REL.finditer(t):
            y = today.year + {"去年": -1, "今年": 0, "前年": -2, "明年": 1}[m["rel"]]
            if m["m"]:
                out.append((m.start(), When(f"{y}-{int(m['m']):02d}", "gYearMonth", m.group())))
            else:
                out.append((m.start(), When(str(y), "gYear", m.group())))
    for m in _DATE_YEAR.finditer(t):
        if _DATE_FULL.match(t, m.start()):
            continue
        out.append((m.start(), When(m["y"], "gYear", m.group(), since=bool(m["since"]))))
    return sorted(out, key=lambda x: x[0])


def unresolved_dates(t: str) -> list[str]:
    """The relative dates of *t* (今年, 去年3月 …) as written: what cannot be resolved without a date."""
    return [m.group() for m in _DATE_REL.finditer(t)]


def find_metrics(t: str, base: int, sent: Span, amounts: list[Amount],
                 reviewed: tuple[ReviewedTerm, ...] = ()) -> list[Finding]:
    """Counted figures (166场次, 3300余人, 40多个城市, 0.5个工作日) whose indicator the vocabulary knows (the
    *reviewed* terms of :mod:`kg.ingest.vocabulary` first); the others become review items (a figure without a
    known indicator is not a fact anyone can query)."""
    from kg.ingest.facts.metrics import indicator_of
    from kg.ingest.vocabulary import match

    out = []
    taken = [(a.start - base, a.end - base) for a in amounts]
    for m in _METRIC.finditer(t):
        if any(s <= m.start() < e for s, e in taken):
            continue
        if m["unit"] == "年" and not m["q"]:
            continue  # 2023年 is a date, 13年前 a time ago; only "20多年" counts
        value = parse_number(m["num"])
        cc = max(t.rfind(c, 0, m.start()) for c in ",，。;；") + 1
        term = match(reviewed, t[cc:m.start()], m["unit"]) or indicator_of(t[cc:m.start()], t[m.end():m.end() + 20],
                                                                        m["unit"])
        surface = t[cc:m.end()].strip()
        if term is None:
            out.append(Finding("review", surface, sent, base + m.start(), base + m.end(),
                               key=f"{sent.index}:{m.start()}",
                               note=f"figure {m.group()!r} in {surface!r}: no indicator of the vocabulary "
                               "(kg/ingest/data/indicators.tsv) fits it; add one if it matters"))
            continue
        out.append(Finding("metric", f"{term.zh} {m.group()}", sent, base + m.start(), base + m.end(), cls="Metric",
                           key=f"{sent.index}:{m.start()}",
                           attrs={"value": value, "unit": m["unit"], "qualifier": "MoreThan" if m["q"] else "Exact",
                                  "indicator": term.zh, "indicator_en": term.en, "surface": surface or m.group(),
                                  "rule": f"indicator:{term.zh}", "confidence": 0.85}))
    return out


def find_events(t: str, base: int, sent: Span, dates: list[tuple[int, When]]) -> list[Finding]:
    """Named events (推介会, 座谈会, 训练营 …) with the date nearest before them in the sentence."""
    from kg.ingest.orgs import left_name

    out = []
    for m in _EVENT.finditer(t):
        s = left_name(t, m.start(), 24, allow="“”")
        close = t.rfind("”", s, m.start())
        if close >= 0 and "“" not in t[s:close]:
            # “迎老乡、回故乡、建家乡”新春座谈会: the slogan in quotes is part of the name, all of it.
            opening = t.rfind("“", max(0, m.start() - 40), s)
            if opening >= 0:
                s = opening
        elif t[s:s + 1] == "“" or (s > 0 and t[s - 1] == "“"):
            s = max(0, s - 1)
        verbs = [v.end() for v in _EVENT_VERBS.finditer(t, s, m.start())]
        if verbs:
            s = verbs[-1]  # 张家界市举行招商引资推介会 → 招商引资推介会
        label = t[s:m.end()]
        if label.count("“") != label.count("”"):
            label = label.strip("“”")
        if len(label.strip("“”")) < 3 or label in _BARE_EVENTS:
            continue  # a bare 推介会 names no event
        when = [d for off, d in dates if off <= m.start()]
        out.append(Finding("event", label, sent, base + s, base + m.end(), cls="PromotionEvent", key=label,
                           attrs={"date": when[-1] if when else None}))
    return out


def find_policies(t: str, base: int, sent: Span, dates: list[tuple[int, When]]) -> list[Finding]:
    """Documents in book-title marks: policies (办法, 通知 …) or plans (图谱, 规划)."""
    out = []
    for m in re.finditer(r"制定(?:了)?(?P<name>[\u4e00-\u9fff]{2,12}?图谱)", t):
        out.append(Finding("policy", m["name"], sent, base + m.start("name"), base + m.end("name"),
                           cls="PlanningDocument", key=m["name"], attrs={"issued": None, "prefix_topic": True}))
    for m in _POLICY.finditer(t):
        title = m["title"]
        cls = "PolicyDocument" if any(w in title for w in _POLICY_WORDS) else "PlanningDocument"
        when = [d for off, d in dates if off <= m.start()]
        out.append(Finding("policy", title, sent, base + m.start(), base + m.end(), cls=cls, key=title,
                           attrs={"issued": when[-1] if when else None}))
    return out


def stage_of(t: str) -> str:
    """The project stage a sentence reports (投产, 开工, 落地, 签约 …), as a local name of zs:ProjectStage."""
    return next((s for w, s in _STAGES if w in t), "")


def find_projects(t: str, base: int, sent: Span, amounts: list[Amount]) -> list[Finding]:
    """Listed projects (A、B等一批项目); projects with an amount and signing totals are
    :func:`kg.ingest.facts.amounts.find_investments`'s."""
    out = []
    stage = next((s for w, s in _STAGES if w in t), "")
    for m in _LIST_PROJECTS.finditer(t):
        head_start = max(0, m.start() - 80)
        head = t[head_start:m.start()]
        cut = max(head.rfind(c) for c in ",，。;；")
        items = head[cut + 1:]
        if "、" not in items:
            continue
        from kg.ingest.orgs import left_name

        first_end = items.find("、")
        s0 = left_name(items, first_end, 30)
        pos = head_start + cut + 1 + s0
        for item in items[s0:].split("、"):
            if 2 <= len(item) <= 24:
                out.append(Finding("project", item, sent, base + pos, base + pos + len(item),
                                   cls="InvestmentProject", key=item, attrs={"amount": None, "stage": stage,
                                                                           "listed": True}))
            pos += len(item) + 1
    return out


__all__ = ["NUMBER", "When", "find_dates", "find_events", "find_metrics", "find_policies", "find_projects"]
