"""Project milestones: a named project reaching a stage (签约, 开工, 投产, 竣工, 到资) on a date.

Each report becomes one ``zs:ProjectMilestone`` (see ``docs/data-model.md``): the project, the stage, the date at
the precision the text gives (relative dates resolved against the article date, as :func:`kg.ingest.events.
find_dates` does for events), the money when the text names it (到位资金), and the sentence. A project the graph
already knows by the same (normalised) name is the same project, so that articles months apart add milestones to
one project (a place before the name dropped: 醴陵市X项目 is X项目); fuzzier consolidation of names is not this
module's job.

The forms read (simplified text)::

    X项目于2024年3月签约            X项目3月18日正式开工          X项目(一期)已建成投产
    X项目竣工验收                  X项目…累计到位资金8亿元        签约仪式上,X项目、Y项目等5个项目现场签约
    与Z公司签约的X项目              3个项目集中开工。其中,X项目…  (the stage and date of the sentence before)

A stage said of the future (将于, 计划, 预计, 力争, 拟, 有望, 即将), hoped for (推动…早投产) or denied (未, 尚未) is
no milestone: the text says it has not happened. Nor is a category counted (制造业项目21个) or an intent agreement
after a signing (其中,…签订…项目投资意向协议). A dateline's date (3月12日讯) is the article's, not the stage's; a
project said twice in an article (headline and text) has one milestone per stage, the most precisely dated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import XSD, Literal, URIRef

from kg.ingest.events import When
from kg.ingest.facts.base import DraftView, FactType, Item, Relation
from kg.ingest.facts.base_writer import Draft, Get
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import Amount
from kg.ingest.orgs import left_name
from kg.ingest.resolve import norm
from kg.namespaces import SKOS, ZS
from kg.sources.sentences import Span

#: A place before a project's name (醴陵市鸿泰…项目): a later article may name the project without it.
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,5}?(?:省|市|县|区|州)(?=[\u4e00-\u9fff]{4})")

# -- gold matcher ----------------------------------------------------------------------------------------------


def project_key(name: str) -> str:
    """The name a project is one entity by, inside an article and across articles: without a place before it
    (醴陵市青岚…项目 is 青岚…项目), normalised."""
    return norm(_PLACE_PREFIX.sub("", name))


def _project_key(name: str) -> str:
    """A project's name as compared: normalised, without the 项目 it may or may not end in."""
    return norm(name).removesuffix("项目")


def read(v: DraftView) -> list[Item]:
    """(project names, stage, date) of every milestone of the source; date "" when the text gives none."""
    out: list[Item] = []
    for m in v.instances(ZS.ProjectMilestone):
        stage = v.g.value(m, ZS.stage)
        date = v.g.value(m, ZS.stageDate)
        for p in v.g.objects(m, ZS.project):
            out.append({"project": {_project_key(n) for n in v.names(p)},
                        "stage": str(stage).rsplit("#", 1)[-1] if stage is not None else "",
                        "date": str(date) if date is not None else ""})
    return out


STAGE = Relation(
    "stage", read,
    lambda d, g: _project_key(str(g["project"])) in d["project"] and d["stage"] == g["stage"]
    and d["date"] == str(g.get("date", "")),
    "a named project, the stage it reached (zs:ProjectStages) and the date at the text's precision (\"\" if none)")

# -- finder ----------------------------------------------------------------------------------------------------

#: Stage words after (or right before) a project's name, longest first, and the stage each reports.
STAGE_WORDS = (
    ("建成投产", "InProduction"), ("正式投产", "InProduction"), ("投入生产", "InProduction"), ("投产", "InProduction"),
    ("竣工验收", "Completed"), ("竣工", "Completed"),
    ("开工建设", "UnderConstruction"), ("破土动工", "UnderConstruction"), ("开工", "UnderConstruction"),
    ("动工", "UnderConstruction"),
    ("签订投资协议", "Signed"), ("签订合作协议", "Signed"), ("签约", "Signed"),
    ("到位资金", "FundsArrived"), ("资金到位", "FundsArrived"), ("到资", "FundsArrived"),
)
STAGE_ZH = {"InProduction": "投产", "Completed": "竣工", "UnderConstruction": "开工", "Signed": "签约",
            "FundsArrived": "到资"}
_STAGE = re.compile("|".join(w for w, _ in STAGE_WORDS))
_STAGE_OF = dict(STAGE_WORDS)
#: Words that make the stage a plan or a denial, not a report.
_NOT_YET = re.compile(r"将于|将在|将|计划|预计|力争|争取|拟|有望|即将|未|尚未|待|准备|推动|加快|确保|早|尽快|避免|"
                      r"需要|要")
#: What ends or fills no project's name but a clause about projects in general (举行重点项目, 做好项目服务).
_GENERIC = re.compile(r"(?:重点|重大|招商引资|招商|签约|意向|一批|这些|相关|产业|好)项目$|做好|举行|召开|推动|推进|"
                      r"关注|需要|要求|签订|签署|与")
#: A count right after a name: the name is a category (制造业项目21个).
_COUNTED = re.compile(r"(?:[0-9]{1,4}|[一二两三四五六七八九十]{1,3})个")
#: A dateline's date (3月12日讯, 1月8日电) is the article's, not the stage's.
_DATELINE = re.compile(r"讯|电")
#: A sentence about another act than the stage the sentence before reports (an intent, a framework agreement).
_OTHER_ACT = re.compile(r"意向|框架协议|备忘录|洽谈|考察")
#: A project's name: up to 30 characters ending in 项目, an optional phase after it.
_NAME = re.compile(r"(?P<name>[^,，。;；:：、“”\"()（）]{2,30}?项目)(?P<phase>[(（][一二三四五六七八九十0-9]+期[)）])?")
#: What is no project's name (3个项目, 重点项目, 签约项目 …).
_NOT_A_NAME = re.compile(r"^(?:[0-9一二两三四五六七八九十百]+个|这|该|此|各|其|重点|重大|签约|意向|合作|引进|招商|"
                         r"产业|新|等|一批|多个|全市|全县|全区|共|现场|上半年|下半年|今年|去年|全年)")
#: Joins a name to the next one of a list (A项目、B项目和C项目).
_JOIN = re.compile(r"^\s*(?:、|和|及|与|以及)\s*$")
#: A counted group of projects that reached a stage together (3个重大项目集中开工); the 其中 sentence names them.
_GROUP = re.compile(r"(?:(?:[0-9]{1,4}|[一二两三四五六七八九十]{1,3})个[\u4e00-\u9fff]{0,8}?|重点|重大|产业)项目"
                    rf"[\u4e00-\u9fff]{{0,4}}?(?P<word>{_STAGE.pattern})")
#: A sentence that goes on about the projects of the one before (其中, 签约仪式上, 会上).
_FOLLOWS = re.compile(r"^(?:其中|会上|现场)|仪式上|活动上")
#: Dates the event finder reads as a year only or not at all: 2024年3月, 3月 (a month of the article's year).
_YEAR_MONTH = re.compile(r"(?P<y>20[0-9]{2})年(?P<m>[0-9]{1,2})月(?![0-9]{1,2}日)")
_MONTH = re.compile(r"(?<![0-9年])(?P<m>[0-9]{1,2})月(?![0-9]{1,2}日|底|初|中旬|上旬|下旬)")


@dataclass(frozen=True)
class Carry:
    """The stage and date a sentence gives a counted group of projects, for the 其中 sentence after it."""

    stage: str
    date: When | None


def _names(t: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of the projects named in *t*: a name ends in 项目 (and its phase, if given)."""
    out: list[tuple[int, int, str]] = []
    for m in _NAME.finditer(t):
        end = m.end("name")
        start = max(left_name(t, end, 30), m.start("name"))  # never across a bracket: (记者 向晓岚)X项目
        # 与Z公司签约的X项目: the name starts after the last 的
        k = t.rfind("的", start, end)
        if k >= 0:
            start = k + 1
        for lead in ("其中", "此外", "另外", "目前", "据悉", "同时"):
            if t.startswith(lead, start):
                start += len(lead)
        name = t[start:end]
        short = _PLACE_PREFIX.sub("", name)
        if len(short) < 4 or _NOT_A_NAME.match(short) or _STAGE.search(name) or re.search(r"[0-9]个", name) \
                or _GENERIC.search(name) or _COUNTED.match(t, m.end()):
            continue  # 先进制造业项目21个 is a category counted, not a project named
        out.append((start, m.end(), name))
    return out


def _groups(names: list[tuple[int, int, str]], t: str) -> list[list[tuple[int, int, str]]]:
    """Names of one list (A项目、B项目等) together: they share the stage said after the last."""
    groups: list[list[tuple[int, int, str]]] = []
    for n in names:
        if groups and _JOIN.match(t[groups[-1][-1][1]:n[0]]):
            groups[-1].append(n)
        else:
            groups.append([n])
    return groups


def _date_before(dates: list[tuple[int, When]], lo: int, hi: int) -> When | None:
    """The last date that starts in [lo, hi) and is a point in time (not 2023年以来)."""
    found = [d for off, d in dates if lo <= off < hi and not d.since]
    return found[-1] if found else None


def group_stage(t: str, dates: list[tuple[int, When]]) -> Carry | None:
    """The stage (and date) a sentence reports for projects it does not name (4月24日,3个项目集中开工; 3月20日,
    举行签约仪式,共签约项目6个): the sentence after it may name them (其中 …, 签约仪式上 …)."""
    m = _GROUP.search(t)
    if m is not None and not _NOT_YET.search(t[max(0, m.start() - 6):m.start("word")]):
        return Carry(_STAGE_OF[m["word"]], _date_before(dates, 0, m.start("word")))
    if _names(t):
        return None
    for w in _STAGE.finditer(t):
        if not _NOT_YET.search(t[max(0, w.start() - 8):w.start()]):
            return Carry(_STAGE_OF[w.group()], _date_before(dates, 0, w.start()))
    return None


def month_dates(t: str, today: date | None) -> list[tuple[int, When]]:
    """2024年3月 and 3月 (resolved against *today*, the article date: a later month is last year's) as year-months,
    which :func:`kg.ingest.events.find_dates` reads as a year or not at all."""
    out = [(m.start(), When(f"{m['y']}-{int(m['m']):02d}", "gYearMonth", m.group())) for m in _YEAR_MONTH.finditer(t)
           if 1 <= int(m["m"]) <= 12]
    if today is not None:
        for m in _MONTH.finditer(t):
            month = int(m["m"])
            if 1 <= month <= 12 and not re.search(r"(?:今年|去年|前年|明年)$", t[:m.start()]):
                year = today.year if month <= today.month else today.year - 1
                out.append((m.start(), When(f"{year}-{month:02d}", "gYearMonth", m.group())))
    return out


def find_stages(t: str, base: int, sent: Span, dates: list[tuple[int, When]], amounts: list[Amount],
                carry: Carry | None = None, today: date | None = None) -> list[Finding]:
    """One milestone per named project and stage word after it (or 签约的 before it) in the sentence *t*."""
    out: list[Finding] = []
    years = {off for off, d in dates if d.datatype == "gYear"}
    dates = sorted([d for d in dates if not (d[0] in years and _YEAR_MONTH.match(t, d[0]))]
                   + month_dates(t, today), key=lambda d: d[0])
    dates = [(off, d) for off, d in dates if not _DATELINE.match(t, off + len(d.surface))]
    names = _names(t)
    groups = _groups(names, t)
    for gi, group in enumerate(groups):
        first, last = group[0][0], group[-1][1]
        stop = groups[gi + 1][0][0] if gi + 1 < len(groups) else len(t)
        lo = groups[gi - 1][-1][1] if gi else 0
        window = t[last:stop]
        hits: list[tuple[str, int, int]] = []  # (stage, start, end) in t
        for m in _STAGE.finditer(window):
            stage = _STAGE_OF[m.group()]
            if any(s == stage for s, _, _ in hits):
                continue
            if _NOT_YET.search(window[:m.start()][-8:]):
                continue  # 将于6月开工, 预计年底投产: not reached
            hits.append((stage, last + m.start(), last + m.end()))
        before = t[max(lo, first - 4):first]
        if re.search(r"签约的$", before) and not any(h[0] == "Signed" for h in hits) \
                and not _NOT_YET.search(t[max(lo, first - 12):first]):
            hits.append(("Signed", t.rfind("签约", lo, first), t.rfind("签约", lo, first) + 2))
        rule = "after-name"
        if not hits and carry is not None and t.startswith("其中") and not _OTHER_ACT.search(t):
            rule = "group-before"
        for name_start, name_end, name in group:
            if rule == "group-before" and carry is not None:
                out.append(_finding(name, name_start, name_end, base, sent, carry.stage, carry.date, None, rule))
                continue
            for stage, s, e in hits:
                when = _date_before(dates, lo, s)
                if when is None and carry is not None and carry.stage == stage and _FOLLOWS.search(t):
                    when = carry.date  # 其中,…签约的X项目 / 签约仪式上,X项目签约: the date the sentence before gives
                money = None
                if stage == "FundsArrived":
                    money = next((a for a in amounts if e <= a.start - base and a.start - base - e <= 12), None)
                    if money is None:
                        continue  # 到资 without the money is not a figure anyone can quote
                # a list's names share the stage word: each milestone is placed at its name, each stage at its word
                at = (s, e) if len(group) == 1 else (name_start, name_end)
                out.append(_finding(name, *at, base, sent, stage, when, money, rule))
    return out


def one_per_stage(findings: list[Finding]) -> list[Finding]:
    """One milestone per project and stage in an article (a headline and its first sentence say it twice): the
    one with the most precise date, else the first."""
    best: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.kind != "stage":
            continue
        key = (project_key(str(f.attrs["project"])), str(f.attrs["stage"]))
        when = f.attrs.get("date")
        old = best.get(key)
        old_when = old.attrs.get("date") if old is not None else None
        if old is None or len(getattr(when, "value", "")) > len(getattr(old_when, "value", "")):
            best[key] = f
    keep = {id(f) for f in best.values()}
    return [f for f in findings if f.kind != "stage" or id(f) in keep]


def _finding(name: str, start: int, end: int, base: int, sent: Span, stage: str, when: When | None,
             money: Amount | None, rule: str) -> Finding:
    return Finding("stage", f"{name} {STAGE_ZH[stage]}", sent, base + start, base + end, cls="ProjectMilestone",
                   attrs={"project": name, "short": _PLACE_PREFIX.sub("", name), "stage": stage, "date": when,
                          "money": money, "rule": f"stage:{rule}",
                          "confidence": 0.85 if rule == "after-name" else 0.75})


# -- writer ----------------------------------------------------------------------------------------------------

def write_milestone(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                    topic: object) -> bool:
    """A ``zs:ProjectMilestone`` of the project the graph knows by that name, else of this article's project."""
    name, short = str(f.attrs["project"]), str(f.attrs.get("short") or f.attrs["project"])
    project = w.known_project(name) or w.known_project(short)
    if project is None:
        project = get(Finding("project", short, f.sentence, f.start, f.end, cls="InvestmentProject",
                              key=project_key(name), attrs={"amount": None, "topic": topic}, names={name}))
        if project is not None and short != name:
            w.g.add((project, SKOS.altLabel, Literal(name, lang="zh")))  # as this sentence names it
    if project is None:
        w.review(x, f, f"no project {name} could be written (no place for it)")
        return False
    w.fact(iri, ZS.ProjectMilestone, f.label, s0)
    w.g.add((iri, ZS.project, project))
    w.g.add((iri, ZS.stage, ZS[str(f.attrs["stage"])]))
    when = f.attrs.get("date")
    if isinstance(when, When):
        dt = {"date": XSD.date, "gYearMonth": XSD.gYearMonth, "gYear": XSD.gYear}[when.datatype]
        w.g.add((iri, ZS.stageDate, Literal(when.value, datatype=dt)))
    money = f.attrs.get("money")
    if isinstance(money, Amount):
        amount = w.mint(x, Finding("amount", money.surface, f.sentence, money.start, money.end), scoped=True)
        w.amount(amount, money, x.article.text[money.start:money.end], s0, "FundsInPlace")
        w.g.add((iri, ZS.investment, amount))
    return True


FACT = FactType("stages", find_stages, {"stage": write_milestone}, (STAGE,))

__all__ = ["FACT", "STAGE", "Carry", "find_stages", "group_stage", "one_per_stage", "project_key",
           "write_milestone"]
