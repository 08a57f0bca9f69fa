"""Region profiles (招商画像): one offline page per region, every figure linked to the sentence it comes from.

A profile gathers what the store says happens in a region or comes from it: its chambers of commerce (those it
hosts and those of its people elsewhere), its task forces (sent out and stationed there), ambassadors and
advisers, projects by stage and year, amounts by measure and year (never added across measures, nor where
adding could count twice: :func:`kg.views.regions.total`), metrics, events and policies; two charts (amounts
by measure and year, facts by industry chain) and a small map.

The page is static HTML: every text is escaped here, there is no script at all, and the page policy forbids
any fetch. What it reads is scoped to the region's places, so its cost follows the region, not the store.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg.backend import AnyStore
from kg.errors import InputError
from kg.namespaces import PREFIXES, ZS
from kg.query.catalogue import select
from kg.store.samples import mark_quotes, sample_quotes
from kg.views.graphpage import CSP, HTMLView, asset, write_view
from kg.views.overview import format_cny
from kg.views.regions import Figure, Places, _labels, _quotes, _values, read_figures, read_places, resolve_region, total
from kg.views.smallmap import small_map

SCHEMA, ORG = PREFIXES["schema"], PREFIXES["org"]
#: Links from an entity to a place that put it in the place's region, and the role each gives.
ROLES: dict[str, str] = {
    str(ZS.hostRegion): "host", str(ZS.originRegion): "origin", str(ZS.stationedIn): "station",
    str(ZS.governs): "governs", str(ZS.refArea): "in", str(ZS.region): "in", SCHEMA + "location": "in",
    SCHEMA + "legislationJurisdiction": "in", str(ZS.involves): "in",
}
#: Links from an entity to an organisation whose region it shares (a unit, an appointment, an organiser).
#: Classes listed by name only: no stage, value, period or chain is read for them, nor amounts (at a million
#: statements a busy region hosts thousands of chambers; reading nothing more about them keeps its page quick).
AGENTS = frozenset(str(ZS[n]) for n in ("ChamberOfCommerce", "TaskForce", "Government", "GovernmentUnit",
                                        "ServiceCentre", "LiaisonStation"))
#: Classes listed with a date but no amount of their own: listed up to the cap too (their figures, if any, are
#: read before the cap, so that no total ever misses one).
DATED = frozenset(str(ZS[n]) for n in ("PromotionEvent",)) | {SCHEMA + "Event"}
#: At most this many entities of one such class are listed (the first by IRI); the page says how many more.
LIST_CAP = 300
THROUGH = (ORG + "unitOf", str(ZS.actor), ORG + "organization", SCHEMA + "organizer", SCHEMA + "legislationPassedBy")

#: Sections of the page: (class local names, zh title, en title).
SECTIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("Appointment",), "招商大使与顾问", "Ambassadors and advisers"),
    (("Metric",), "指标", "Metrics"),
    (("PromotionEvent", "Event"), "活动", "Events"),
    (("PolicyDocument", "PlanningDocument"), "政策与规划", "Policies and plans"),
    (("Practice", "Initiative", "Reform", "ServiceMeasure", "Campaign"), "做法与举措", "Practices and initiatives"),
)
TEXT = {
    "zh": {"title": "{name} 招商画像", "chambers_here": "在本地的异地商会", "chambers_out": "在外地的本地商会",
           "tf_out": "本地派出的驻点专班", "tf_here": "驻本地的外地专班", "projects": "招商项目(按阶段与年份)",
           "amounts": "金额(按口径与年份)", "charts": "图表", "by_year": "金额:按口径与年份",
           "by_chain": "事实数:按产业链", "map": "位置", "sources": "原文句子", "none": "图谱中没有。",
           "name": "名称", "stage": "阶段", "year": "年份", "amount": "金额", "source": "出处", "measure": "口径",
           "figures": "数额", "sum": "合计", "not_added": "可能重叠或为区间,不相加", "undated": "未注明",
           "code": "行政区划代码", "within": "上级", "note": "同一口径内可相加时才显示合计;不同口径从不相加。",
           "index": "地区招商画像", "regions": "地区", "facts": "事实数", "value": "数值",
           "omitted": "此类只列出前 {cap} 个(按标识排序),另有 {n} 个未列出。"},
    "en": {"title": "{name}: investment-attraction profile", "chambers_here": "Chambers of commerce hosted here",
           "chambers_out": "Chambers of its people elsewhere", "tf_out": "Task forces it sends",
           "tf_here": "Task forces stationed here", "projects": "Projects (by stage and year)",
           "amounts": "Amounts (by measure and year)", "charts": "Charts", "by_year": "Amounts by measure and year",
           "by_chain": "Facts by industry chain", "map": "Location", "sources": "Source sentences",
           "none": "None in the graph.", "name": "Name", "stage": "Stage", "year": "Year", "amount": "Amount",
           "source": "Source", "measure": "Measure", "figures": "Figures", "sum": "Total",
           "not_added": "may overlap or be bounds: not added", "undated": "undated", "code": "Code",
           "within": "Within", "note": "A total is shown only where figures of one measure can be added; "
           "different measures are never added.", "index": "Region profiles", "regions": "Regions",
           "facts": "Facts", "value": "Value",
           "omitted": "Only the first {cap} of this kind are listed (by identifier); {n} more are not."},
}


@dataclass
class Item:
    """An entity on the profile, with the role that put it there and its source sentences."""

    iri: str
    label: str
    classes: set[str]
    roles: set[str] = field(default_factory=set)
    detail: dict[str, str] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)


@dataclass
class Profile:
    """Everything one region's page shows."""

    region: str
    label: str
    code: str
    kind: str
    parents: list[str]
    items: dict[str, Item]
    figures: list[Figure]
    lang: str
    places: Places
    omitted: dict[str, int] = field(default_factory=dict)  # class -> entities of it not listed (LIST_CAP)

    def of(self, *names: str, role: str | None = None) -> list[Item]:
        wanted = {str(ZS[n]) for n in names} | {SCHEMA + n for n in names}
        return sorted((i for i in self.items.values() if i.classes & wanted and (role is None or role in i.roles)),
                      key=lambda i: (i.label, i.iri))


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else str(term.value)


def build_profile(store: AnyStore, region: str, lang: str = "zh", places: Places | None = None,
                  figures: list[Figure] | None = None) -> Profile:
    """Read what *region* (a name, alias, code or IRI) holds into a :class:`Profile`."""
    if lang not in TEXT:
        raise InputError(f"Unknown language {lang!r}: use zh or en.")
    places = places or read_places(store, lang)
    iri = resolve_region(places, region)
    inside = places.within(iri)
    items: dict[str, Item] = {}

    def add(entity: str, role: str) -> None:
        items.setdefault(entity, Item(entity, "", set())).roles.add(role)

    rows = select(store, f"""SELECT DISTINCT ?e ?p WHERE {{ VALUES ?place {{ {_values(sorted(inside))} }}
            VALUES ?p {{ {_values(ROLES)} }} ?e ?p ?place }}""").rows
    orgs: set[str] = set()
    for r in rows:
        role = ROLES[_v(r["p"])]
        add(_v(r["e"]), role)
        if role == "governs":
            orgs.add(_v(r["e"]))
    # Entities acting through the region's government (a task force, a unit of a unit, an appointment): one
    # query per link, as a VALUES over the link makes the engine scan every statement.
    for _ in range(2):
        if not orgs:
            break
        found = []
        for link in THROUGH:
            found += select(store, f"""SELECT DISTINCT ?e WHERE {{ VALUES ?o {{ {_values(sorted(orgs))} }}
                    ?e <{link}> ?o }}""").rows
        orgs = set()
        for r in found:
            e = _v(r["e"])
            if e not in items:
                orgs.add(e)
            add(e, "home")
    # Amounts are stated by facts placed in the region (projects, totals), not by who is hosted or stationed there.
    _types(store, items)
    placed = sorted(i for i, item in items.items() if item.roles & {"in", "home"} and not item.classes & AGENTS)
    all_figures = figures if figures is not None else read_figures(store, places, lang, of=placed)
    omitted = _describe(store, items, lang)
    figs = [f for f in all_figures if f.place in inside]
    info = places.regions[iri]
    chain = [places.regions[p].label for p in places.ancestors(iri)[1:]]
    return Profile(iri, info.label, info.code, info.kind, chain, items, figs, lang, places, omitted)


def _types(store: AnyStore, items: dict[str, Item]) -> None:
    iris = sorted(items)
    for k in range(0, len(iris), 2000):
        values = _values(iris[k:k + 2000])
        for r in select(store, f"SELECT DISTINCT ?e ?t WHERE {{ VALUES ?e {{ {values} }} ?e a ?t }}").rows:
            items[_v(r["e"])].classes.add(_v(r["t"]))


def _describe(store: AnyStore, items: dict[str, Item], lang: str) -> dict[str, int]:
    """Classes, labels, quotes, stage, year, value and industry chains of the profile's entities; entities of a
    listed-by-name class beyond :data:`LIST_CAP` are dropped, and how many is returned by class."""
    if not items:
        return {}
    iris = sorted(items)
    omitted: dict[str, int] = {}
    for cls in sorted(AGENTS | DATED):
        of_cls = [i for i in iris if i in items and cls in items[i].classes]
        for i in of_cls[LIST_CAP:]:
            items.pop(i, None)
        if len(of_cls) > LIST_CAP:
            omitted[cls] = len(of_cls) - LIST_CAP
    iris = sorted(items)
    labels = _labels(store, iris, lang)
    quotes = _quotes(store, iris)
    for iri, item in items.items():
        item.label = labels.get(iri, iri.rsplit("/", 1)[-1])
        item.quotes = quotes.get(iri, [])[:2]
    iris = [i for i in iris if not items[i].classes & AGENTS]
    if not iris:
        return omitted
    values = _values(iris)
    tag = "zh" if lang == "zh" else "en"
    detail = select(store, f"""SELECT ?e ?stage ?date ?start ?value ?unit ?count ?qual WHERE {{ VALUES ?e {{ {values} }}
            OPTIONAL {{ ?e zs:stage ?st . ?st rdfs:label ?stage . FILTER(LANG(?stage) = "{tag}") }}
            OPTIONAL {{ ?e zs:stageDate ?date }}
            OPTIONAL {{ ?e zs:refPeriod/rdfs:label ?start . FILTER(LANG(?start) = "{tag}") }}
            OPTIONAL {{ ?e zs:value ?value . OPTIONAL {{ ?e zs:unit ?unit }}
                        OPTIONAL {{ ?e zs:qualifier ?q . ?q rdfs:label ?qual .
                                    FILTER(?q != zs:Exact && LANG(?qual) = "{tag}") }} }}
            OPTIONAL {{ ?e zs:appointeeCount ?count }} }}""").rows
    for r in detail:
        d = items[_v(r["e"])].detail
        for key in ("stage", "date", "start", "value", "unit", "count", "qual"):
            if r[key] is not None and key not in d:
                d[key] = _v(r[key])
    chains = select(store, f"""SELECT DISTINCT ?e ?c WHERE {{ VALUES ?e {{ {values} }} ?e zs:industryChain ?c }}""")
    chain_iris = sorted({_v(r["c"]) for r in chains.rows})
    chain_labels = _labels(store, chain_iris, lang)
    for r in chains.rows:
        items[_v(r["e"])].chains.append(chain_labels.get(_v(r["c"]), _v(r["c"])))
    return omitted


# ---- the page -----------------------------------------------------------------------------------------------

class _Sources:
    """Sentences numbered in the order the page first cites them; each citation links to its sentence."""

    def __init__(self, samples: frozenset[str] = frozenset()) -> None:
        self.order: dict[str, int] = {}
        self.samples = samples  #: sentences of invented sample articles, shown with their mark

    def cite(self, quotes: list[str]) -> str:
        refs = []
        for q in quotes:
            n = self.order.setdefault(q, len(self.order) + 1)
            tip = html.escape(mark_quotes(q, self.samples), quote=True)
            refs.append(f'<a class="kg-ref" href="#q{n}" title="{tip}">[{n}]</a>')
        return "".join(refs)

    def html(self, title: str) -> str:
        rows = "".join(f'<li id="q{n}"><blockquote class="kg-quote">{html.escape(mark_quotes(q, self.samples))}'
                       '</blockquote></li>' for q, n in self.order.items())
        return f"<section><h2>{html.escape(title)}</h2><ol class=\"kg-sources\">{rows}</ol></section>"


def _list(items: list[Item], t: dict[str, str], src: _Sources, extra: str = "") -> str:
    if not items:
        return f'<p class="kg-note">{html.escape(t["none"])}</p>'
    lines = []
    for i in items:
        bits = [html.escape(i.label)]
        d = i.detail
        if extra == "metric" and "value" in d:
            qual = f" ({d['qual']})" if d.get("qual") else ""  # 余 / more than: a bound stays a bound
            bits.append(f'<span class="kg-fig">{html.escape(_num(d["value"]) + d.get("unit", "") + qual)}</span>')
        if "start" in d:
            bits.append(f'<span class="kg-note">{html.escape(d["start"])}</span>')
        lines.append(f"<li>{' '.join(bits)} {src.cite(i.quotes)}</li>")
    return f"<ul>{''.join(lines)}</ul>"


def _num(text: str) -> str:
    try:
        return f"{Decimal(text).normalize():f}"
    except ArithmeticError:
        return text


def _projects(p: Profile, t: dict[str, str], src: _Sources) -> str:
    projects = p.of("InvestmentProject")
    if not projects:
        return f'<p class="kg-note">{html.escape(t["none"])}</p>'
    amounts = {f.fact: f for f in p.figures if f.fact_class == str(ZS.InvestmentProject)}
    rows = sorted(projects, key=lambda i: (i.detail.get("stage", "~"), i.detail.get("date", "~"), i.label))
    body = "".join(
        f"<tr><td>{html.escape(i.label)}</td><td>{html.escape(i.detail.get('stage', ''))}</td>"
        f"<td>{html.escape(i.detail.get('date', '')[:4])}</td>"
        f"<td class=\"kg-fig\">{html.escape(amounts[i.iri].text if i.iri in amounts else '')}</td>"
        f"<td>{src.cite(i.quotes)}</td></tr>" for i in rows)
    head = "".join(f"<th>{html.escape(t[k])}</th>" for k in ("name", "stage", "year", "amount", "source"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _amounts(p: Profile, t: dict[str, str], src: _Sources) -> str:
    if not p.figures:
        return f'<p class="kg-note">{html.escape(t["none"])}</p>'
    by: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in p.figures:
        by[(f.measure, f.year)].append(f)
    body = []
    for (measure, year), group in sorted(by.items()):
        figs = "<br>".join(f'<span class="kg-fig">{html.escape(f.text)}</span> {html.escape(f.fact_label)} '
                           f"{src.cite(f.quotes)}" for f in sorted(group, key=lambda f: (-f.value, f.fact)))
        summed = total(group)
        if len(group) == 1:
            note = ""
        elif summed is not None:
            note = f'{html.escape(t["sum"])}: <span class="kg-fig">{html.escape(format_cny(summed, p.lang))}</span>'
        else:
            note = f'<span class="kg-note">{html.escape(t["not_added"])}</span>'
        body.append(f"<tr><td>{html.escape(measure)}</td><td>{html.escape(year or t['undated'])}</td>"
                    f"<td>{figs}</td><td>{note}</td></tr>")
    head = "".join(f"<th>{html.escape(t[k])}</th>" for k in ("measure", "year", "figures", "sum"))
    return (f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="kg-note">{html.escape(t["note"])}</p>')


def bar_chart(bars: list[tuple[str, float, str]], width: int = 460) -> str:
    """A horizontal bar chart as inline SVG: (label, value, text shown at the bar's end), scaled to the largest."""
    if not bars:
        return ""
    top = max(v for _, v, _ in bars) or 1.0
    row = 22
    parts = [f'<svg class="kg-chart" role="img" width="{width}" height="{row * len(bars) + 6}" '
             f'viewBox="0 0 {width} {row * len(bars) + 6}">']
    for k, (label, value, text) in enumerate(bars):
        y = 3 + k * row
        w = max(1.0, (width - 300) * value / top)
        parts.append(f'<text x="0" y="{y + 14}" class="kg-chart-label">{html.escape(label[:22])}</text>'
                     f'<rect data-bar="{k}" x="160" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="#5c6bc0"/>'
                     f'<text x="{166 + w:.1f}" y="{y + 14}" class="kg-chart-value">{html.escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _charts(p: Profile, t: dict[str, str]) -> str:
    # One bar per figure (never a sum across measures), grouped by measure then year.
    bars = [(f"{f.measure.split(' · ')[0]} {f.year or t['undated']}", float(f.value), f.text)
            for f in sorted(p.figures, key=lambda f: (f.measure, f.year, -f.value, f.fact))]
    counts: dict[str, int] = defaultdict(int)
    for item in p.items.values():
        for chain in set(item.chains):
            counts[chain] += 1
    chain_bars = [(c, float(n), str(n)) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:15]
    out = []
    if bars:
        out.append(f"<figure><figcaption>{html.escape(t['by_year'])}</figcaption>{bar_chart(bars)}</figure>")
    if chain_bars:
        out.append(f"<figure><figcaption>{html.escape(t['by_chain'])}</figcaption>{bar_chart(chain_bars)}</figure>")
    return "".join(out) or f'<p class="kg-note">{html.escape(t["none"])}</p>'


def render_profile(p: Profile, store: AnyStore | None = None, outlines: bool = True) -> str:
    """The profile page of *p*, as one self-contained HTML document (no script)."""
    t = TEXT[p.lang]
    src = _Sources(sample_quotes(store) if store is not None else frozenset())
    title = t["title"].format(name=p.label)
    def more(cls: str) -> str:
        n = p.omitted.get(str(ZS[cls]), 0)
        return f'<p class="kg-note">{html.escape(t["omitted"].format(n=n, cap=LIST_CAP))}</p>' if n else ""

    sections = [
        (t["chambers_here"], _list(p.of("ChamberOfCommerce", role="host"), t, src) + more("ChamberOfCommerce")),
        (t["chambers_out"], _list(p.of("ChamberOfCommerce", role="origin"), t, src)),
        (t["tf_out"], _list(p.of("TaskForce", role="home"), t, src) + more("TaskForce")),
        (t["tf_here"], _list(p.of("TaskForce", role="station"), t, src)),
        (t["projects"], _projects(p, t, src)),
        (t["amounts"], _amounts(p, t, src)),
    ]
    for names, zh, en in SECTIONS:
        kind = "metric" if "Metric" in names else ""
        sections.append((zh if p.lang == "zh" else en, _list(p.of(*names), t, src, kind)))
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{content}</section>" for h, content in sections)
    facts = f"{html.escape(t['code'])} {html.escape(p.code)}" if p.code else ""
    within = f" · {html.escape(t['within'])}: {html.escape(' › '.join(p.parents))}" if p.parents else ""
    side = (f"<section><h2>{html.escape(t['map'])}</h2>{small_map(store, p.places, p.region, outlines)}</section>"
            f"<section><h2>{html.escape(t['charts'])}</h2>{_charts(p, t)}</section>")
    return (f'<!DOCTYPE html><html lang="{p.lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="zhaoshang-kg"><title>{html.escape(title)}</title>'
            f"<style>{asset('page.css')}{asset('profile.css')}</style></head><body class=\"kg-profile\">"
            f"<header><h1>{html.escape(title)}</h1><span>{facts}{within}</span></header>"
            f'<div class="kg-cols"><main>{body}</main><aside>{side}</aside></div>'
            f"{src.html(t['sources'])}</body></html>")


def profile_page(store: AnyStore, region: str, lang: str = "zh", outlines: bool = True) -> str:
    """What ``kg profile REGION`` writes."""
    return render_profile(build_profile(store, region, lang), store, outlines)


def show_profile(store: AnyStore, region: str, lang: str = "zh") -> HTMLView:
    """A region's profile as an object that Jupyter shows inline (``kg.show_profile(store, "辰溪县")``)."""
    return HTMLView(profile_page(store, region, lang), height=900)


def profile_regions(store: AnyStore, places: Places, figures: list[Figure]) -> list[str]:
    """The regions worth a profile: those with a chamber, a task force, a project, an amount or a metric."""
    rows = select(store, f"""SELECT DISTINCT ?place WHERE {{ VALUES ?p {{ {_values(ROLES)} }} ?e ?p ?place .
            ?place schema:containedInPlace|zs:adminCode ?x }}""").rows
    touched = {_v(r["place"]) for r in rows} | {f.place for f in figures if f.place}
    out = set()
    for place in touched:
        out.update(places.ancestors(place))
    return sorted(out, key=lambda r: (places.regions[r].code or "~", r))


def write_all(store: AnyStore, folder: Path, lang: str = "zh", outlines: bool = True) -> list[Path]:
    """``kg profile --all -o DIR``: one page per region worth one, and ``index.html`` linking them."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; create it first or choose another -o folder.")
    places = read_places(store, lang)
    figures = read_figures(store, places, lang)
    t = TEXT[lang]
    written, rows = [], []
    for region in profile_regions(store, places, figures):
        p = build_profile(store, region, lang, places, figures)
        name = f"{p.code or _slug(region)}.html"
        written.append(write_view(render_profile(p, store, outlines), folder / name, folder))
        rows.append(f'<tr><td><a href="{html.escape(name, quote=True)}">{html.escape(p.label)}</a></td>'
                    f"<td>{html.escape(p.code)}</td><td>{len(p.items) + len(p.figures)}</td></tr>")
    head = "".join(f"<th>{html.escape(t[k])}</th>" for k in ("regions", "code", "facts"))
    index = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><title>{html.escape(t["index"])}</title>'
             f"<style>{asset('page.css')}{asset('profile.css')}</style></head><body class=\"kg-profile\">"
             f"<header><h1>{html.escape(t['index'])}</h1></header><main><table><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table></main></body></html>")
    written.append(write_view(index, folder / "index.html", folder))
    return written


def _slug(iri: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in iri.rsplit("/", 1)[-1])[:60] or "region"
