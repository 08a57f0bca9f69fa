"""A deterministic generator of domain-shaped graphs for the scale benchmarks.

Run: ``.venv/bin/python -m benchmarks.synth --triples 100000 --out /tmp/synth-100k [--seed 7]``.

The output is a project folder that ``kg build`` and ``kg validate`` accept as it is:

- ``ontology/``: the project's ontology and shapes, copied;
- ``data/facts/gazetteer.ttl``: the real gazetteer (provinces, prefectures, counties with GB/T 2260 codes,
  economic and world regions, zones and ports), copied;
- ``data/facts/synth-regions.ttl``: generated county-level divisions with valid 6-digit codes under the real
  prefectures, each with a centroid near its prefecture's;
- ``data/facts/synth-concepts.ttl``: the industry chains, indicators and the metrics data set of the founding
  article, copied without their provenance (concepts need none);
- ``data/facts/synth-registry.ttl``: the authority file of the entities many articles name (governments,
  chambers of commerce, periods): each is described once, there, and the articles only cite it. A description
  repeated in every source graph would be stored once per graph, and Oxigraph and Virtuoso both answer a
  pattern over the union of the graphs once per copy, so every join through a shared entity would multiply;
- ``data/sources/synth-NNNNNN.txt`` and ``.meta.json``: generated articles, and
  ``data/facts/synth-NNNNNN.ttl``: the article, its sentences (exact text and code-point offsets) and the facts
  each sentence states, in the modelling of ``data/facts/rednet-2024-03-13-sanzhangpai.ttl``: governments,
  task forces, chambers with host and origin, people and appointments, enterprises, projects with
  ``xsd:decimal`` CNY amounts and qualifiers, signing totals in overlap groups, metrics, events, initiatives
  and practices under the three cards. Every fact ``prov:wasDerivedFrom`` the sentence that says it (a shared
  entity: the sentences of every article that names it, each in that article's graph).

One article per file, so each lands in its own named graph. Articles are written one at a time (nothing holds
the whole graph), and the statement count (quads, as the store counts them) is kept exactly, so the corpus
hits the target within a few dozen statements. The same seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import PREFIXES as NAMESPACES

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/zhaoshang-kg/"
ID = BASE + "id/"
REAL_ARTICLE = "rednet-2024-03-13-sanzhangpai"
#: The version of what is generated: corpora kept by an older version are generated again (2: every amount
#: has its zs:measure; 3: a project's stage is a zs:ProjectMilestone).
FORMAT = 3

PREFIXES: dict[str, str] = {
    **NAMESPACES,  # the project's own table, plus the instance namespaces the articles use
    "region": ID + "region/",
    "place": ID + "place/",
    "agent": ID + "agent/",
    "person": ID + "person/",
    "project": ID + "project/",
    "milestone": ID + "milestone/",
    "amount": ID + "amount/",
    "total": ID + "total/",
    "overlap": ID + "overlap/",
    "event": ID + "event/",
    "doc": ID + "doc/",
    "initiative": ID + "initiative/",
    "practice": ID + "practice/",
    "group": ID + "group/",
    "metric": ID + "metric/",
    "period": ID + "period/",
    "appointment": ID + "appointment/",
    "chain": ID + "chain/",
    "indicator": ID + "indicator/",
    "dataset": ID + "dataset/",
}

# Characters for generated place, firm and person names, with their pinyin for the English labels.
SYLLABLES = [
    ("清", "Qing"), ("河", "He"), ("青", "Qing"), ("山", "Shan"), ("安", "An"), ("平", "Ping"), ("新", "Xin"),
    ("华", "Hua"), ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("阳", "Yang"), ("江", "Jiang"),
    ("湖", "Hu"), ("云", "Yun"), ("龙", "Long"), ("凤", "Feng"), ("兴", "Xing"), ("宁", "Ning"), ("石", "Shi"),
    ("桃", "Tao"), ("源", "Yuan"), ("泉", "Quan"), ("林", "Lin"), ("丰", "Feng"), ("永", "Yong"), ("长", "Chang"),
    ("德", "De"), ("望", "Wang"), ("溪", "Xi"), ("桂", "Gui"), ("岭", "Ling"), ("梅", "Mei"), ("金", "Jin"),
    ("沙", "Sha"), ("洲", "Zhou"), ("明", "Ming"), ("乐", "Le"), ("昌", "Chang"), ("嘉", "Jia"), ("宝", "Bao"),
]
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("黄", "Huang"), ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun")]
COUNTY_SUFFIX = [("县", "County"), ("区", "District"), ("市", "City")]
FIRM_KINDS = [
    ("科技", "Technology", "sci-tech-innovation"), ("新材料", "New Materials", "new-materials"),
    ("制药", "Pharmaceutical", "pharmaceuticals"), ("能源", "Energy", "wind-power"),
    ("光伏", "Solar", "distributed-pv"), ("储能", "Energy Storage", "portable-energy-storage"),
    ("冷链", "Cold Chain", "cold-chain-logistics"), ("石化", "Petrochemical", "modern-petrochemicals"),
    ("粉体", "Powder Materials", "powder-materials"), ("物流", "Logistics", "port-industry"),
]
STAGES = ["Signed", "Introduced", "Landed", "UnderConstruction", "InProduction", "Planned", "Intent"]
STAGE_ZH = {"Signed": "签约", "Introduced": "引进", "Landed": "落地", "UnderConstruction": "开工建设",
            "InProduction": "投产", "Planned": "规划", "Intent": "达成意向"}
# qualifier -> (Chinese before the number, Chinese after it, English)
QUALIFIERS = {"Exact": ("", "", ""), "Approximately": ("约", "", "about "), "MoreThan": ("", "余", "more than "),
              "Reaching": ("达", "", "")}
CARDS = [("ProactiveCard", "主动牌"), ("PrecisionCard", "精准牌"), ("AffinityCard", "感情牌"),
         ("PrecisionChain", "精准牌"), ("AffinityHometown", "感情牌"), ("AffinityService", "感情牌")]
ROLES = [("InvestmentAmbassador", "招商大使", "investment ambassador"),
         ("InvestmentAdviser", "招商顾问", "investment adviser"),
         ("InvestmentCommissioner", "招商专员", "investment commissioner")]
INITIATIVE_KINDS = [("Reform", "改革"), ("ServiceMeasure", "服务举措"), ("Campaign", "专项行动")]
# stations of task forces: (region code, short name, economic region it targets)
STATIONS = [("110000", "北京", "jing-jin-ji"), ("310000", "上海", "yangtze-river-delta"),
            ("440100", "广州", "greater-bay-area"), ("440300", "深圳", "greater-bay-area")]
HOSTS = ["110000", "310000", "320000", "330000", "440000", "440100", "440300", "350200", "420000", "510000"]
METRICS = [  # indicator, unit, Chinese phrase
    ("docking-events", "场次", "开展对接活动"), ("entrepreneurs-visited", "人", "走访企业家"),
    ("liaison-station-cities", "个城市", "建立异地联络站的城市"), ("chambers-designated", "家", "颁授联络服务站的商会"),
]
YEARS = [2021, 2022, 2023, 2024]


@dataclass
class Region:
    """A division the articles can be about: its code, names, parent and level."""

    code: str
    zh: str
    en: str
    parent: str
    lon: float
    lat: float


def _esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def zh(text: str) -> str:
    """A Chinese literal."""
    return f'"{_esc(text)}"@zh'


def en(text: str) -> str:
    """An English literal."""
    return f'"{_esc(text)}"@en'


def lit(text: str, datatype: str | None = None) -> str:
    """A plain or typed literal (*datatype* as a CURIE)."""
    return f'"{_esc(text)}"' + (f"^^{datatype}" if datatype else "")


@dataclass
class TurtleFile:
    """Statements grouped by subject, written as Turtle; counts distinct statements exactly."""

    subjects: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, s: str, p: str, o: str) -> None:
        """Add one statement (terms already in Turtle syntax); duplicates are ignored."""
        if (s, p, o) in self.seen:
            return
        self.seen.add((s, p, o))
        self.subjects.setdefault(s, []).append((p, o))

    def __len__(self) -> int:
        return len(self.seen)

    def text(self, header: str) -> str:
        """The file: a header comment, the prefixes, then one block per subject."""
        out = [header, *(f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items()), ""]
        for s, pos in self.subjects.items():
            lines = [f"{s} {pos[0][0]} {pos[0][1]}"]
            lines += [f"    {p} {o}" for p, o in pos[1:]]
            out.append(" ;\n".join(lines) + " .\n")
        return "\n".join(out)


def count_statements(path: Path) -> int:
    """The number of distinct triples of a Turtle file."""
    return len(set(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))


def real_regions(gazetteer: Path) -> tuple[dict[str, Region], list[str]]:
    """The administrative divisions of the gazetteer, and the codes of its prefectures."""
    store = ox.Store()
    store.bulk_load(path=str(gazetteer), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX zs: <https://w3id.org/zhaoshang-kg/def#> PREFIX schema: <https://schema.org/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT ?code ?zh ?en ?pcode ?wkt ?level WHERE {
          ?r zs:adminCode ?code ; a ?level ; rdfs:label ?zh, ?en ; geo:hasCentroid/geo:asWKT ?wkt .
          FILTER (?level IN (zs:ProvinceLevelDivision, zs:PrefectureLevelDivision, zs:CountyLevelDivision))
          FILTER (LANG(?zh) = "zh" && LANG(?en) = "en")
          OPTIONAL { ?r schema:containedInPlace/zs:adminCode ?pcode }
        } ORDER BY ?code""")
    assert isinstance(rows, ox.QuerySolutions)
    regions: dict[str, Region] = {}
    prefectures: list[str] = []
    for row in rows:
        code = row["code"].value
        lon, lat = (float(x) for x in row["wkt"].value[6:-1].split())
        pcode = row["pcode"]
        regions[code] = Region(code, row["zh"].value, row["en"].value, pcode.value if pcode else "", lon, lat)
        if row["level"].value.endswith("PrefectureLevelDivision"):
            prefectures.append(code)
    return regions, sorted(set(prefectures))


def generate_counties(rng: random.Random, regions: dict[str, Region], prefectures: list[str],
                      n: int) -> list[Region]:
    """*n* generated county-level divisions under the real prefectures, with unused valid codes."""
    out: list[Region] = []
    names: set[str] = {r.zh for r in regions.values()}
    free = {p: [f"{p[:4]}{i:02d}" for i in range(1, 100) if f"{p[:4]}{i:02d}" not in regions] for p in prefectures}
    while len(out) < n and any(free.values()):
        p = prefectures[len(out) % len(prefectures)]
        if not free[p]:
            prefectures = [q for q in prefectures if free[q]]
            continue
        code = free[p].pop(0)
        while True:
            a, b = rng.sample(SYLLABLES, 2)
            suffix = rng.choice(COUNTY_SUFFIX)
            name = a[0] + b[0] + suffix[0]
            if name not in names:
                break
        names.add(name)
        parent = regions[p]
        out.append(Region(code, name, f"{a[1]}{b[1].lower()} {suffix[1]}", p,
                          round(parent.lon + rng.uniform(-0.6, 0.6), 4), round(parent.lat + rng.uniform(-0.5, 0.5), 4)))
    return out


def regions_file(counties: list[Region]) -> TurtleFile:
    """The Turtle of the generated counties, in the gazetteer's modelling."""
    t = TurtleFile()
    ds = f"<{ID}source/synth-regions>"
    t.add(ds, "a", "schema:Dataset")
    t.add(ds, "a", "prov:Entity")
    t.add(ds, "rdfs:label", zh("合成县级行政区划 (基准测试用)"))
    t.add(ds, "rdfs:label", en("Generated county-level divisions (for benchmarks)"))
    for c in counties:
        r = f"region:{c.code}"
        t.add(r, "a", "zs:CountyLevelDivision")
        t.add(r, "zs:adminCode", lit(c.code))
        t.add(r, "rdfs:label", zh(c.zh))
        t.add(r, "rdfs:label", en(c.en))
        t.add(r, "schema:containedInPlace", f"region:{c.parent}")
        t.add(r, "geo:hasCentroid", f"region:{c.code}-centroid")
        t.add(r, "prov:wasDerivedFrom", ds)
        t.add(f"region:{c.code}-centroid", "a", "geo:Geometry")
        t.add(f"region:{c.code}-centroid", "geo:asWKT", lit(f"POINT({c.lon} {c.lat})", "geo:wktLiteral"))
    return t


def concepts_file(real_facts: Path) -> str:
    """The chains, indicators and metrics data set of the founding article, without their provenance."""
    quads = list(ox.parse(path=str(real_facts), format=ox.RdfFormat.TURTLE))
    keep_prefixes = (ID + "chain/", ID + "indicator/", ID + "dataset/")
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)
                and q.subject.value.startswith(keep_prefixes)}
    prov = PREFIXES["prov"] + "wasDerivedFrom"
    kept = [ox.Triple(q.subject, q.predicate, q.object) for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value in subjects and q.predicate.value != prov
            and not (isinstance(q.object, ox.NamedNode) and q.object.value.startswith(ID)
                     and q.object.value not in subjects)]
    body = ox.serialize(kept, format=ox.RdfFormat.TURTLE,
                        prefixes={k: v for k, v in PREFIXES.items() if k in ("zs", "rdfs", "skos", "qb", "xsd",
                                                                             "chain", "indicator", "dataset")})
    assert body is not None
    header = ("# Industry chains, indicators and the metrics data set of the founding article, copied for the\n"
              "# synthetic corpus (benchmarks/synth.py) without their provenance: concepts need none.\n")
    return header + body.decode("utf-8")


def yuan(rng: random.Random) -> tuple[int, str, str]:
    """An amount in CNY: value, Chinese number with unit (e.g. ``45.35亿元``), English (``CNY 4.535 billion``)."""
    if rng.random() < 0.8:
        hundredths = rng.randint(100, 50000)  # 1.00 to 500.00 亿
        value = hundredths * 1_000_000
        zh_num = f"{hundredths // 100}" + (f".{hundredths % 100:02d}".rstrip("0") if hundredths % 100 else "") + "亿元"
    else:
        wan = rng.randint(50, 9999)
        value = wan * 10_000
        zh_num = f"{wan}万元"
    billions = value / 1e9
    en_num = f"CNY {billions:.4g} billion" if value >= 1e9 else f"CNY {value / 1e6:.4g} million"
    return value, zh_num, en_num


@dataclass
class Article:
    """One generated article: its text (built sentence by sentence) and its facts."""

    sid: str
    title: str
    date: str
    facts: TurtleFile = field(default_factory=TurtleFile)
    text: str = ""
    sentences: list[tuple[int, int, int, str]] = field(default_factory=list)  # index, start, end, exact

    def say(self, sentence: str, *, new_paragraph: bool = False) -> str:
        """Append a sentence to the text; return its IRI (CURIE-free, in angle brackets)."""
        if self.text:
            self.text += "\n" if new_paragraph else ""
        start = len(self.text)
        self.text += sentence
        index = len(self.sentences) + 1
        self.sentences.append((index, start, len(self.text), sentence))
        return f"<{ID}source/{self.sid}/s{index:03d}>"


class Generator:
    """Writes a synthetic project folder; see the module documentation."""

    def __init__(self, out: Path, seed: int = 7) -> None:
        self.out = out
        self.seed = seed
        self.rng = random.Random(seed)
        self.regions, self.prefectures = real_regions(ROOT / "data" / "facts" / "gazetteer.ttl")
        self.counties: list[Region] = []
        self.homes: list[Region] = []
        self.registry = TurtleFile()
        self.registry_source = f"<{ID}source/synth-registry>"

    def _names(self, k: int = 2) -> tuple[str, str]:
        parts = self.rng.sample(SYLLABLES, k)
        return "".join(p[0] for p in parts), "".join(p[1] if i == 0 else p[1].lower() for i, p in enumerate(parts))

    def _person(self) -> tuple[str, str]:
        s = self.rng.choice(SURNAMES)
        g = self._names(2)
        return s[0] + g[0], f"{s[1]} {g[1]}"

    def write(self, target: int) -> dict[str, int]:
        """Write the project; return statements per file kind and the total."""
        if self.out.exists() and any(self.out.iterdir()):
            raise SystemExit(f"{self.out} is not empty; choose a new folder.")
        (self.out / "ontology").mkdir(parents=True, exist_ok=True)
        (self.out / "data" / "facts").mkdir(parents=True)
        (self.out / "data" / "sources").mkdir(parents=True)
        counts: dict[str, int] = {}
        for name in ("zhaoshang.ttl", "shapes.ttl"):
            shutil.copyfile(ROOT / "ontology" / name, self.out / "ontology" / name)
        counts["ontology"] = count_statements(self.out / "ontology" / "zhaoshang.ttl")
        shutil.copyfile(ROOT / "data" / "facts" / "gazetteer.ttl", self.out / "data" / "facts" / "gazetteer.ttl")
        counts["gazetteer"] = count_statements(self.out / "data" / "facts" / "gazetteer.ttl")
        concepts = self.out / "data" / "facts" / "synth-concepts.ttl"
        concepts.write_text(concepts_file(ROOT / "data" / "facts" / f"{REAL_ARTICLE}.ttl"), encoding="utf-8")
        counts["concepts"] = count_statements(concepts)
        self.counties = generate_counties(self.rng, self.regions, list(self.prefectures),
                                          max(20, min(1200, target // 800)))
        rf = regions_file(self.counties)
        (self.out / "data" / "facts" / "synth-regions.ttl").write_text(
            rf.text("# Generated county-level divisions (benchmarks/synth.py); codes are valid, the places are not.\n"),
            encoding="utf-8")
        counts["regions"] = len(rf)
        self.homes = self.counties + [self.regions[p] for p in self.prefectures]
        self._describe_registry()
        fixed = sum(counts.values())
        in_articles = 0
        n = 0
        while fixed + in_articles < target - 15:  # in_articles: the articles and what they added to the register
            n += 1
            budget = min(target - fixed - in_articles, self.rng.randint(600, 1400))
            before = len(self.registry)
            article = self.article(n, budget)
            in_articles += self._write_article(article) + len(self.registry) - before
        (self.out / "data" / "facts" / "synth-registry.ttl").write_text(
            self.registry.text("# Entities many synthetic articles name, described once (benchmarks/synth.py).\n"),
            encoding="utf-8")
        counts["registry"] = len(self.registry)
        counts["articles"] = n
        counts["total"] = fixed + in_articles
        return counts

    def _describe_registry(self) -> None:
        t, ds = self.registry, self.registry_source
        t.add(ds, "a", "schema:Dataset")
        t.add(ds, "a", "prov:Entity")
        t.add(ds, "rdfs:label", zh("合成机构名录 (基准测试用)"))
        t.add(ds, "rdfs:label", en("Generated register of governments, chambers and periods (for benchmarks)"))

    def _write_article(self, a: Article) -> int:
        src = self.out / "data" / "sources"
        (src / f"{a.sid}.txt").write_text(a.text, encoding="utf-8", newline="")
        meta = {"title": a.title, "publisher": "合成数据", "published": a.date, "language": "zh-Hans",
                "url": f"https://example.org/synth/{a.sid}.html", "file": f"{a.sid}.txt"}
        (src / f"{a.sid}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
        self._describe_source(a)
        (self.out / "data" / "facts" / f"{a.sid}.ttl").write_text(
            a.facts.text(f"# Synthetic article {a.sid} (benchmarks/synth.py, seed {self.seed}): the article, its\n"
                         "# sentences with code-point offsets, and the facts each sentence states.\n"),
            encoding="utf-8")
        return len(a.facts)

    def _describe_source(self, a: Article) -> None:
        t = a.facts
        art = f"<{ID}source/{a.sid}>"
        t.add(art, "a", "prov:Entity")
        t.add(art, "a", "schema:NewsArticle")
        t.add(art, "rdfs:label", zh(a.title))
        t.add(art, "dcterms:title", zh(a.title))
        t.add(art, "schema:headline", zh(a.title))
        t.add(art, "schema:datePublished", lit(a.date, "xsd:dateTime"))
        t.add(art, "schema:inLanguage", lit("zh-Hans"))
        t.add(art, "schema:url", lit(f"https://example.org/synth/{a.sid}.html", "xsd:anyURI"))
        t.add(art, "zs:characterCount", str(len(a.text)))
        t.add(art, "zs:sha256", lit(hashlib.sha256(a.text.encode("utf-8")).hexdigest()))
        t.add(art, "zs:sourceFile", lit(f"{a.sid}.txt"))
        for index, start, end, exact in a.sentences:
            s = f"<{ID}source/{a.sid}/s{index:03d}>"
            sel = f"<{ID}source/{a.sid}/s{index:03d}-selector>"
            t.add(s, "a", "zs:Sentence")
            t.add(s, "oa:hasSelector", sel)
            t.add(s, "oa:hasSource", art)
            t.add(s, "zs:sentenceIndex", str(index))
            t.add(sel, "a", "oa:TextPositionSelector")
            t.add(sel, "a", "oa:TextQuoteSelector")
            t.add(sel, "oa:end", lit(str(end), "xsd:nonNegativeInteger"))
            t.add(sel, "oa:exact", zh(exact))
            t.add(sel, "oa:start", lit(str(start), "xsd:nonNegativeInteger"))

    # -- one article -------------------------------------------------------------------------------------

    def article(self, n: int, budget: int) -> Article:
        """Article number *n*, about one home region, with about *budget* statements."""
        rng = self.rng
        home = rng.choice(self.homes)
        year = rng.choice(YEARS)
        date = f"{year + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T09:00:00+08:00"
        a = Article(f"synth-{n:06d}", f"{home.zh}招商引资打好“三张牌”(合成第{n}篇)", date)
        a.say(a.title)
        a.say(f"来源:合成数据 {date[:10]}", new_paragraph=True)
        ctx = _Context(home=home, year=year, gov=self._government(a, home))
        sections = [self._task_force, self._chambers, self._appointment, self._project, self._project,
                    self._project, self._signing_total, self._metric, self._practice, self._event, self._initiative]
        self._project(a, ctx)  # every article reports at least one project, however small its budget
        # the fixed part (source description) is about 10 + 9 per sentence; leave room for it
        while len(a.facts) + 9 * len(a.sentences) + 10 < budget - 20:
            rng.choice(sections)(a, ctx)
        return a

    def _government(self, a: Article, home: Region) -> str:
        suffix = home.zh[-1]
        gov = f"agent:gov-{home.code}"
        kind = {"县": "县", "区": "区", "市": "市"}.get(suffix, "市")
        s = a.say(f"{home.zh}人民政府把招商引资作为“一号工程”,{kind}级领导带头招商。", new_paragraph=True)
        a.facts.add(gov, "prov:wasDerivedFrom", s)
        t = self.registry
        t.add(gov, "a", "zs:Government")
        t.add(gov, "rdfs:label", zh(f"{home.zh}人民政府"))
        t.add(gov, "rdfs:label", en(f"People's Government of {home.en}"))
        t.add(gov, "skos:altLabel", zh(f"{home.zh}政府"))
        t.add(gov, "zs:governs", f"region:{home.code}")
        t.add(gov, "prov:wasDerivedFrom", self.registry_source)
        return gov

    def _slug(self, a: Article, ctx: _Context, kind: str) -> str:
        ctx.counter += 1
        return f"{a.sid}-{kind}-{ctx.counter}"

    def _period(self, a: Article, year: int, s: str) -> str:
        p = f"period:{year}"
        a.facts.add(p, "prov:wasDerivedFrom", s)
        t = self.registry
        t.add(p, "a", "zs:Period")
        t.add(p, "rdfs:label", zh(f"{year}年"))
        t.add(p, "rdfs:label", en(str(year)))
        t.add(p, "zs:periodStart", lit(str(year), "xsd:gYear"))
        t.add(p, "zs:periodEnd", lit(str(year), "xsd:gYear"))
        t.add(p, "prov:wasDerivedFrom", self.registry_source)
        return p

    def _task_force(self, a: Article, ctx: _Context) -> None:
        code, short, target = self.rng.choice(STATIONS)
        tf = f"agent:{self._slug(a, ctx, 'tf')}"
        label = f"{ctx.home.zh}驻{short}招商工作专班"
        s = a.say(f"{ctx.home.zh}组建{label},集结优势招商资源驻点招商。", new_paragraph=True)
        t = a.facts
        t.add(tf, "a", "zs:TaskForce")
        t.add(tf, "rdfs:label", zh(label))
        t.add(tf, "rdfs:label", en(f"{ctx.home.en} investment task force in {self.regions[code].en}"))
        t.add(tf, "org:unitOf", ctx.gov)
        t.add(tf, "zs:stationedIn", f"region:{code}")
        t.add(tf, "zs:targetRegion", f"place:{target}")
        t.add(tf, "prov:wasDerivedFrom", s)
        ctx.actors.append(tf)

    def _chambers(self, a: Article, ctx: _Context) -> None:
        hosts = self.rng.sample(HOSTS, self.rng.randint(1, 3))
        chambers: list[tuple[str, str, Region, str]] = []
        origin = ctx.home if self.rng.random() < 0.7 else self.regions.get(ctx.home.parent, ctx.home)
        for h in hosts:
            host = self.regions[h]
            name = f"{host.zh.rstrip('市省')}{origin.zh.rstrip('市县区')}商会"
            chambers.append((f"agent:chamber-{h}-{origin.code}", name, host, h))
        s = a.say(f"{ctx.home.zh}充分发挥{'、'.join(n for _, n, _, _ in chambers)}的人脉资源优势,引导湘商回归。",
                  new_paragraph=True)
        t, r = a.facts, self.registry
        for c, name, host, h in chambers:
            r.add(c, "a", "zs:ChamberOfCommerce")
            r.add(c, "rdfs:label", zh(name))
            r.add(c, "rdfs:label", en(f"{host.en} {origin.en} Chamber of Commerce"))
            r.add(c, "zs:hostRegion", f"region:{h}")
            r.add(c, "zs:originRegion", f"region:{origin.code}")
            r.add(c, "prov:wasDerivedFrom", self.registry_source)
            t.add(c, "prov:wasDerivedFrom", s)
            t.add(ctx.gov, "zs:worksWith", c)
            ctx.actors.append(c)
        t.add(ctx.gov, "prov:wasDerivedFrom", s)

    def _policy(self, a: Article, ctx: _Context) -> str:
        if ctx.policy:
            return ctx.policy
        d = f"doc:{self._slug(a, ctx, 'measures')}"
        title = f"{ctx.home.zh}招商大使、招商顾问聘用办法"
        value, zh_num, en_num = yuan(self.rng)
        s = a.say(f"{ctx.home.zh}印发《{title}》,对协助成功引进项目者最高奖励{zh_num}。", new_paragraph=True)
        amt = f"amount:{self._slug(a, ctx, 'reward')}"
        t = a.facts
        t.add(d, "a", "zs:PolicyDocument")
        t.add(d, "rdfs:label", zh(title))
        t.add(d, "rdfs:label", en(f"Measures of {ctx.home.en} for engaging investment ambassadors and advisers"))
        t.add(d, "dcterms:title", zh(title))
        t.add(d, "schema:legislationPassedBy", ctx.gov)
        t.add(d, "schema:legislationJurisdiction", f"region:{ctx.home.code}")
        t.add(d, "dcterms:issued", lit(f"{ctx.year}-{self.rng.randint(1, 12):02d}", "xsd:gYearMonth"))
        t.add(d, "zs:maxReward", amt)
        t.add(d, "prov:wasDerivedFrom", s)
        self._amount(a, amt, value, zh_num, en_num, "UpTo", f"最高奖励{zh_num}", s, "RewardCap")
        ctx.policy = d
        return d

    def _amount(self, a: Article, amt: str, value: int, zh_num: str, en_num: str, qualifier: str,
                surface: str, s: str, measure: str) -> None:
        t = a.facts
        before, after, en_q = QUALIFIERS.get(qualifier, ("最高", "", "up to "))
        t.add(amt, "a", "schema:MonetaryAmount")
        t.add(amt, "rdfs:label", zh(f"{before}{zh_num}{after}" if qualifier != "UpTo" else f"最高{zh_num}"))
        t.add(amt, "rdfs:label", en(f"{en_q}{en_num}"))
        t.add(amt, "schema:value", lit(str(value), "xsd:decimal"))
        t.add(amt, "schema:currency", lit("CNY"))
        t.add(amt, "zs:qualifier", f"zs:{qualifier}")
        t.add(amt, "zs:measure", f"zs:{measure}")
        t.add(amt, "zs:surfaceForm", zh(surface))
        t.add(amt, "prov:wasDerivedFrom", s)

    def _appointment(self, a: Article, ctx: _Context) -> None:
        policy = self._policy(a, ctx)
        name_zh, name_en = self._person()
        role, role_zh, role_en = self.rng.choice(ROLES)
        p = f"person:{self._slug(a, ctx, 'person')}"
        ap = f"appointment:{self._slug(a, ctx, 'appointment')}"
        s = a.say(f"{ctx.home.zh}聘请企业家{name_zh}为{role_zh},借助其人脉推荐好项目。")
        t = a.facts
        t.add(p, "a", "schema:Person")
        t.add(p, "a", "foaf:Person")
        t.add(p, "rdfs:label", zh(name_zh))
        t.add(p, "rdfs:label", en(name_en))
        t.add(p, "schema:name", zh(name_zh))
        t.add(p, "prov:wasDerivedFrom", s)
        t.add(ap, "a", "zs:Appointment")
        t.add(ap, "rdfs:label", zh(f"{name_zh}受聘{ctx.home.zh}{role_zh}"))
        t.add(ap, "rdfs:label", en(f"{name_en} appointed {role_en} of {ctx.home.en}"))
        t.add(ap, "org:member", p)
        t.add(ap, "org:organization", ctx.gov)
        t.add(ap, "org:role", f"zs:{role}")
        t.add(ap, "zs:underPolicy", policy)
        t.add(ap, "prov:wasDerivedFrom", s)
        ctx.people.append(p)

    def _enterprise(self, a: Article, ctx: _Context) -> tuple[str, str, str, str]:
        kind_zh, kind_en, chain = self.rng.choice(FIRM_KINDS)
        brand_zh, brand_en = self._names(2)
        e = f"agent:{self._slug(a, ctx, 'firm')}"
        return e, f"{brand_zh}{kind_zh}集团", f"{brand_en} {kind_en} Group", chain

    def _project(self, a: Article, ctx: _Context) -> None:
        e, firm_zh, firm_en, chain = self._enterprise(a, ctx)
        location = self.rng.choice([c for c in self.counties if c.parent == ctx.home.code] or [ctx.home])
        value, zh_num, en_num = yuan(self.rng)
        qualifier = self.rng.choice(list(QUALIFIERS))
        before, after, _ = QUALIFIERS[qualifier]
        stage = self.rng.choice(STAGES[:6])
        name_zh = f"{firm_zh}{location.zh}产业园项目"
        surface = f"投资{before}{zh_num}{after}"
        broker = self.rng.choice(ctx.people + ctx.actors) if (ctx.people or ctx.actors) else None
        via = ""
        if broker:
            via = "经招商人员牵线,"
        s = a.say(f"{via}{firm_zh}{surface}的{name_zh}在{location.zh}{STAGE_ZH[stage]}。")
        p = f"project:{self._slug(a, ctx, 'project')}"
        amt = f"amount:{p.split(':', 1)[1]}"
        t = a.facts
        t.add(e, "a", "zs:Enterprise")
        t.add(e, "rdfs:label", zh(firm_zh))
        t.add(e, "rdfs:label", en(firm_en))
        t.add(e, "prov:wasDerivedFrom", s)
        t.add(p, "a", "zs:InvestmentProject")
        t.add(p, "rdfs:label", zh(name_zh))
        t.add(p, "rdfs:label", en(f"{firm_en} industrial park in {location.en}"))
        t.add(p, "zs:investor", e)
        t.add(p, "schema:location", f"region:{location.code}")
        t.add(p, "zs:industryChain", f"chain:{chain}")
        t.add(p, "zs:investment", amt)
        m = f"milestone:{p.split(':', 1)[1]}"  # the stage the sentence reports, as a milestone of the project
        t.add(m, "a", "zs:ProjectMilestone")
        t.add(m, "rdfs:label", zh(f"{name_zh} {STAGE_ZH[stage]}"))
        t.add(m, "zs:project", p)
        t.add(m, "zs:stage", f"zs:{stage}")
        t.add(m, "zs:stageDate", lit(f"{ctx.year}-{self.rng.randint(1, 12):02d}", "xsd:gYearMonth"))
        t.add(m, "prov:wasDerivedFrom", s)
        if broker:
            t.add(p, "zs:facilitatedBy", broker)
        t.add(p, "prov:wasDerivedFrom", s)
        self._amount(a, amt, value, zh_num, en_num, qualifier, surface, s, "InvestmentAmount")
        ctx.projects.append(p)

    def _signing_total(self, a: Article, ctx: _Context) -> None:
        count = self.rng.randint(3, 60)
        value, zh_num, en_num = yuan(self.rng)
        chain = self.rng.choice(FIRM_KINDS)[2]
        s = a.say(f"{ctx.year}年,{ctx.home.zh}签约引进产业项目{count}个,签约资金达{zh_num}。", new_paragraph=True)
        tot = f"total:{self._slug(a, ctx, 'total')}"
        amt = f"amount:{tot.split(':', 1)[1]}"
        t = a.facts
        if ctx.overlap is None:
            ctx.overlap = f"overlap:{self._slug(a, ctx, 'signing')}"
            t.add(ctx.overlap, "a", "zs:OverlapGroup")
            t.add(ctx.overlap, "rdfs:label", zh(f"{ctx.home.zh}签约汇总(可能重叠)"))
            t.add(ctx.overlap, "rdfs:label", en(f"{ctx.home.en} signing totals (may overlap)"))
        t.add(ctx.overlap, "prov:wasDerivedFrom", s)
        t.add(tot, "a", "zs:SigningTotal")
        t.add(tot, "rdfs:label", zh(f"{ctx.home.zh}{ctx.year}年签约引进产业项目{count}个,签约资金达{zh_num}"))
        t.add(tot, "rdfs:label", en(f"{ctx.home.en} {ctx.year}: {count} projects signed, {en_num}"))
        t.add(tot, "zs:refArea", f"region:{ctx.home.code}")
        t.add(tot, "zs:refPeriod", self._period(a, ctx.year, s))
        t.add(tot, "zs:projectCount", str(count))
        t.add(tot, "zs:investment", amt)
        t.add(tot, "zs:stage", "zs:Signed")
        t.add(tot, "zs:industryChain", f"chain:{chain}")
        t.add(tot, "zs:inOverlapGroup", ctx.overlap)
        t.add(tot, "prov:wasDerivedFrom", s)
        self._amount(a, amt, value, zh_num, en_num, "Reaching", f"签约资金达{zh_num}", s, "SignedInvestment")

    def _metric(self, a: Article, ctx: _Context) -> None:
        indicator, unit, phrase = self.rng.choice(METRICS)
        value = self.rng.randint(5, 5000)
        more = self.rng.random() < 0.4
        surface = f"{phrase}{value}{'余' if more else ''}{unit}"
        s = a.say(f"{ctx.year}年,{ctx.home.zh}{surface}。")
        m = f"metric:{self._slug(a, ctx, 'metric')}"
        t = a.facts
        t.add(m, "a", "zs:Metric")
        t.add(m, "qb:dataSet", "dataset:metrics")
        t.add(m, "rdfs:label", zh(f"{ctx.home.zh}{ctx.year}年{surface}"))
        t.add(m, "rdfs:label", en(f"{ctx.home.en} {ctx.year}: {indicator.replace('-', ' ')} {value}"))
        t.add(m, "zs:refArea", f"region:{ctx.home.code}")
        t.add(m, "zs:refPeriod", self._period(a, ctx.year, s))
        t.add(m, "zs:indicator", f"indicator:{indicator}")
        t.add(m, "zs:value", lit(str(value), "xsd:decimal"))
        t.add(m, "zs:unit", zh(unit))
        t.add(m, "zs:qualifier", "zs:MoreThan" if more else "zs:Exact")
        t.add(m, "zs:surfaceForm", zh(surface))
        t.add(m, "prov:wasDerivedFrom", s)
        ctx.metrics.append(m)

    def _practice(self, a: Article, ctx: _Context) -> None:
        card, card_zh = self.rng.choice(CARDS)
        s = a.say(f"打好“{card_zh}”,{ctx.home.zh}以商招商、以情招商,持续优化营商环境。", new_paragraph=True)
        pr = f"practice:{self._slug(a, ctx, 'practice')}"
        t = a.facts
        t.add(pr, "a", "zs:Practice")
        t.add(pr, "rdfs:label", zh(f"{ctx.home.zh}打好“{card_zh}”"))
        t.add(pr, "rdfs:label", en(f"{ctx.home.en} plays the {card} card"))
        t.add(pr, "zs:card", f"zs:{card}")
        t.add(pr, "zs:region", f"region:{ctx.home.code}")
        t.add(pr, "zs:actor", ctx.gov)
        for x in (ctx.projects + ctx.metrics + ctx.people)[-3:]:
            t.add(pr, "zs:involves", x)
        t.add(pr, "prov:wasDerivedFrom", s)

    def _event(self, a: Article, ctx: _Context) -> None:
        code, short, target = self.rng.choice(STATIONS)
        day = f"{ctx.year}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        label = f"{ctx.home.zh}({short})招商引资推介会"
        s = a.say(f"{day[:4]}年{int(day[5:7])}月{int(day[8:])}日,{label}举行。")
        ev = f"event:{self._slug(a, ctx, 'event')}"
        t = a.facts
        t.add(ev, "a", "zs:PromotionEvent")
        t.add(ev, "rdfs:label", zh(label))
        t.add(ev, "rdfs:label", en(f"{ctx.home.en} investment promotion conference in {self.regions[code].en}"))
        t.add(ev, "schema:startDate", lit(day, "xsd:date"))
        t.add(ev, "schema:location", f"region:{code}")
        t.add(ev, "schema:organizer", ctx.gov)
        t.add(ev, "zs:targetRegion", f"place:{target}")
        t.add(ev, "prov:wasDerivedFrom", s)

    def _initiative(self, a: Article, ctx: _Context) -> None:
        kind, kind_zh = self.rng.choice(INITIATIVE_KINDS)
        days = self.rng.randint(1, 9)
        label = f"{ctx.home.zh}企业开办{days}个工作日办结{kind_zh}"
        s = a.say(f"{ctx.home.zh}推行{kind_zh},企业开办时间压缩至{days}个工作日。")
        it = f"initiative:{self._slug(a, ctx, 'initiative')}"
        t = a.facts
        t.add(it, "a", f"zs:{kind}")
        t.add(it, "rdfs:label", zh(label))
        t.add(it, "rdfs:label", en(f"{ctx.home.en}: businesses set up in {days} working days"))
        t.add(it, "zs:region", f"region:{ctx.home.code}")
        t.add(it, "zs:actor", ctx.gov)
        t.add(it, "prov:wasDerivedFrom", s)


@dataclass
class _Context:
    home: Region
    year: int
    gov: str
    counter: int = 0
    policy: str | None = None
    overlap: str | None = None
    actors: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)


def iter_files(folder: Path) -> Iterator[Path]:
    """Every file of a generated project, in a stable order."""
    return iter(sorted(p for p in folder.rglob("*") if p.is_file()))


def generate(out: Path, triples: int, seed: int = 7) -> dict[str, int]:
    """Write a synthetic project of about *triples* statements into the empty folder *out*."""
    return Generator(out, seed).write(triples)


def parse_size(text: str) -> int:
    """``10k``, ``1M``, ``5M`` or a plain number."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus and print its counts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--triples", type=parse_size, required=True, help="target statements: 10k, 100k, 1M, 5M …")
    ap.add_argument("--out", type=Path, required=True, help="an empty folder (keep it outside the repository)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out, args.triples, args.seed)
    print(f"Wrote {counts['total']} statements ({counts['articles']} articles) to {args.out} "
          f"in {time.perf_counter() - started:.1f} s: {json.dumps(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
