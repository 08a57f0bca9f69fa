"""Run every extractor over an article, sentence by sentence, and resolve what it finds."""

from __future__ import annotations

import re
from datetime import date

from kg.ingest.clauses import IDIOMS, Owner, Places, home_place, owner_at, owners_in
from kg.ingest.events import (
    find_dates,
    find_events,
    find_metrics,
    find_policies,
    find_projects,
    stage_of,
    unresolved_dates,
)
from kg.ingest.facts.amounts import find_investments
from kg.ingest.facts.metrics import place_listed
from kg.ingest.facts.people import find_appointments
from kg.ingest.facts.stages import Carry, find_stages, group_stage, one_per_stage, project_key
from kg.ingest.facts.taskforces import find_taskforces
from kg.ingest.gazetteer import Mention, Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.money import Amount, scan_amounts
from kg.ingest.orgs import find_organisations, find_people
from kg.ingest.resolve import ORGANISATION_CLASSES, KnownGraph
from kg.ingest.text import Article
from kg.namespaces import ZS
from kg.sources.sentences import Span

#: Sentences longer than this (code points) are cut for extraction: no sentence of a report is that long,
#: and it bounds the work any one pattern does on hostile text.
MAX_SENTENCE = 2000


def article_date(article: Article) -> date | None:
    """The publication date, from the metadata."""
    raw = article.meta.get("date") or article.meta.get("published") or ""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _idiom(text: str, m: Mention) -> bool:
    """True when a place name is part of an idiom (真金白银 is not 白银市)."""
    return any(w in text[max(0, m.start - 3):m.end + 3] for w in IDIOMS)


def extract(article: Article, known: KnownGraph) -> Extraction:
    """Every candidate fact of *article*, each tied to its sentence."""
    out = Extraction(article, article_date(article))
    text = article.match
    all_mentions = [m for m in known.gazetteer.find(text)
                    if not any(s <= m.start and m.end <= e for s, e in article.chrome)]
    all_mentions = [m for m in all_mentions if not _idiom(text, m)]
    govs: dict[str, Finding] = {}
    places = Places(known.gazetteer)
    body = [(sent, min(sent.end, sent.start + MAX_SENTENCE)) for sent in article.body]
    first: list[Owner] = []
    carry: Carry | None = None  # a counted group's stage, for the 其中 sentence after it (kg.ingest.facts.stages)
    for sent, end in body:
        first = owners_in(text[sent.start:end], sent.start,
                          [m for m in all_mentions if sent.start <= m.start and m.end <= end], places)
        if first:
            break
    places.home = home_place(article.meta.get("title", ""), first, known.gazetteer)
    out.home = places.home
    for sent, end in body:
        t = text[sent.start:end]
        mentions = [m for m in all_mentions if sent.start <= m.start and m.end <= end]
        owners = owners_in(t, sent.start, mentions, places)
        fallback = places.carry if (t.startswith(("其中", "另外", "此外")) and places.carry) else (
            places.home or places.carry)
        lead = owners[0].place if owners else fallback
        topic = places.division(lead)

        def government(place: Place, here: Span = sent) -> Finding:
            if place.iri not in govs:
                label = f"{place.label}人民政府"
                govs[place.iri] = Finding("organisation", label, here, here.start, here.start, cls="Government",
                                          key=f"gov:{place.iri}", iri=known.governments.get(place.iri, ""),
                                          attrs={"governs": place})
            f = govs[place.iri]
            return Finding("organisation", f.label, here, here.start, here.start, cls="Government", key=f.key,
                           iri=f.iri, attrs=f.attrs)

        for m in mentions:
            if m.place is None:
                out.findings.append(Finding(
                    "review", m.surface, sent, m.start, m.end, note=f"{m.surface} is ambiguous ("
                    + ", ".join(f"{c.label} {c.code} in {c.parent}" for c in m.candidates)
                    + "); name its city or province, or add the right region by hand"))
                continue
            kind = "region" if m.place.coded else "place"
            out.findings.append(Finding(kind, m.place.label, sent, m.start, m.end, cls=m.place.kind,
                                        key=m.place.iri, iri=m.place.iri, names={article.text[m.start:m.end]}))
            if m.place.kind in ("DevelopmentZone", "Port"):
                iri = known.lookup(m.place.label + "管理机构", ORGANISATION_CLASSES) or known.lookup(
                    article.text[m.start:m.end], ORGANISATION_CLASSES - {f"{ZS}DevelopmentZone"})
                if iri and iri != m.place.iri:
                    out.findings.append(Finding("organisation", known.labels.get(iri, m.surface), sent, m.start,
                                                m.end, cls="GovernmentUnit", key=iri, iri=iri))
        amounts, refused = scan_amounts(t, sent.start)
        out.findings += [Finding("review", r.surface, sent, r.start, r.end,
                                 note=f"{r.surface} is not read as an amount ({r.reason}); add it by hand if it is one")
                         for r in refused]
        dates = find_dates(t, out.today)
        if out.today is None:
            for rel in unresolved_dates(t):  # 今年3月 with no known date: kept as text, for the reviewer
                out.findings.append(Finding("review", rel, sent, sent.start, sent.start, note=(
                    f"the relative date {rel!r} cannot be resolved (no publication date); it stays as text")))
        found: list[Finding] = []
        found += find_organisations(t, sent.start, sent, mentions, topic, government, known.gazetteer.places)
        found += find_people(t, sent.start, sent, topic, government)
        found += find_taskforces(t, sent.start, sent, mentions, owners, fallback, government, places)
        found += find_appointments(t, sent.start, sent, mentions, owners, fallback, government, places)
        stage = stage_of(t)
        for f in find_investments(t, sent.start, sent, amounts, owners, fallback):
            a = f.attrs["amount"]
            assert isinstance(a, Amount)
            found.append(Finding("amount", a.surface, sent, a.start, a.end, cls="MonetaryAmount", key=f"{a.start}",
                                 attrs={"amount": a, "measure": f.attrs["measure"]}))
            if f.kind == "amount":
                continue
            f.attrs["stage"] = stage  # below the threshold, the draft writer sends it to review
            found.append(f)
        found += place_listed(find_metrics(t, sent.start, sent, amounts, known.indicators), t, sent.start, owners)
        found += find_events(t, sent.start, sent, dates)
        found += find_policies(t, sent.start, sent, dates)
        found += find_projects(t, sent.start, sent, amounts)
        found += find_stages(t, sent.start, sent, dates, amounts, carry, out.today)
        told = group_stage(t, find_dates(t, out.today))
        if told is not None and told.date is None and carry is not None and carry.stage == told.stage:
            told = carry  # 4月1日…集中签约。株洲市签约项目15个…: the same signing, dated by the sentence before
        carry = told or (carry if t.startswith("其中") else None)
        for f in found:
            f.key = f.key or f"{sent.index}:{f.start}:{f.label}"  # one finding, one entity, unless keyed
            if f.kind == "project":
                f.key = project_key(f.key)  # 醴陵市X项目 and X项目 of one article are one project
            if f.attrs.get("prefix_topic"):  # 制定了产业招商图谱: whose? the most local place acting before it
                rank = {"county": 0, "prefecture": 1, "province": 2}
                acting = [d for o in owners if o.end <= f.start and (d := places.division(o.place)) is not None]
                here = min(acting, key=lambda p: rank.get(p.kind, 3)) if acting else places.division(fallback)
                if here is not None:
                    f.label = here.label + f.label
            if "topic" not in f.attrs:  # the place of the finding's own clause
                f.attrs["topic"] = places.division(owner_at(t, sent.start, f.start, owners, fallback)[0])
            f.attrs.setdefault("dates", dates)
            f.names.add(article.text[f.start:f.end] if f.end > f.start else f.label)
        found = _tidy(found)
        people = [(f.start, f.end) for f in found if f.kind == "person"]
        if people:  # 张锦州 is a person, not 锦州市
            out.findings = [f for f in out.findings if f.kind not in ("region", "place") or f.sentence != sent
                            or not any(s < f.end and f.start < e for s, e in people)]
        out.findings += found
        if owners:
            places.carry = owners[-1].place
    out.mentions = all_mentions
    out.findings = one_per_stage(out.findings)
    _authors(article, out)
    return out


def _tidy(found: list[Finding]) -> list[Finding]:
    """One reading per stretch of text: an organisation inside a longer one's name is part of it (长春明达科技
    of 长春明达科技(湖南)有限公司), and the same name keeps its most specific class."""
    orgs = [f for f in found if f.kind == "organisation" and f.cls != "Government" and f.end > f.start]
    drop: set[int] = set()
    for f in orgs:
        for g in orgs:
            if g is f or id(g) in drop:
                continue
            inside = g.start <= f.start and f.end <= g.end and (g.end - g.start) > (f.end - f.start) and (
                f.cls == g.cls or f.cls == "Enterprise")
            same = (g.start, g.end) == (f.start, f.end) and f.cls == "Enterprise" and g.cls != "Enterprise"
            if inside or same:
                drop.add(id(f))
                break
    return [f for f in found if id(f) not in drop]


def _authors(article: Article, out: Extraction) -> None:
    """Authors from a byline (作者:甲 乙 丙), which lives in the page chrome."""
    for sent in article.sentences:
        for role in ("作者", "编辑"):
            m = re.search(role + r"[:：]\s*(?P<names>[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4}(?![:：])){0,6})",
                          sent.text)
            if not m:
                continue
            pos = sent.start + m.start("names")
            for name in m["names"].split():
                i = article.text.index(name, pos)
                if not any(f.kind == "person" and f.label == name for f in out.findings):
                    out.findings.append(Finding("person", name, sent, i, i + len(name), cls="Person", key=name,
                                                attrs={"author" if role == "作者" else "editor": True}))
