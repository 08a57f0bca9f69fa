"""Consolidation at corpus scale: planted repeated figures, conflicts and reposts found, and one merge timed.

Run: ``.venv/bin/python -m benchmarks.corpus --triples 100k --out /tmp/corpus-100k [--plant 20] [--seed 7]``.

On a corpus of :mod:`benchmarks.synth` (written into the empty folder *out*), it plants

- *repeats*: short articles that restate a signing total of another article (same region, year, project count
  and measure) as 约 its value + 4%: one figure with two sources;
- *conflicts*: short articles that restate one at 1.5 times its value;
- *reposts*: copies of generated articles in traditional script, with full-width punctuation, spaces and an
  editor's line added (kept outside ``data/sources/``, as an analyst would bring them);

then builds the store and measures what :mod:`kg.store.figures` and :mod:`kg.ingest.duplicates` find. Targets
(issue 16): every planted repeat and conflict found (recall 1.0), precision at least 0.95. A found group that was
not planted counts as right only when a plain check agrees (all its figures share region, measure, currency,
period and count, come from two or more sources, and the values agree or not as its kind says): the generator
also repeats region, year and count by chance. Last, it times ``kg merge --accept-all`` of one small article
into the built store (a process, as a user runs it).

``--reuse`` takes a folder this benchmark built before and only times the merge again (the articles merged last
time are taken out and the store rebuilt first, untimed), and a second merge: of an article that restates a
total of the corpus (a repeat in a region and year with figures, so the investment rollups change). Each row
gives the seconds of each step (:mod:`benchmarks.merge_steps`). ``--before DIR`` times the same merges with the
``kg`` of another checkout too (``--before ../zhaoshang-kg-main``, a clone of the commit to compare with), so
one run prints them before and after a change.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from benchmarks.synth import ID, Article, Generator, generate, parse_size
from kg.backend import build
from kg.ingest.duplicates import compare, fingerprint, known_sources
from kg.ingest.run import SOURCE_LINE
from kg.ingest.text import read_article
from kg.paths import make_paths
from kg.store.figures import FigureGroup, agree, figure_groups
from kg.store.generations import open_store, read_manifest

ROOT = Path(__file__).resolve().parent.parent
ZS = "https://w3id.org/zhaoshang-kg/def#"
_TOTALS = f"""
SELECT ?item ?area ?areaLabel ?period ?year ?count ?value WHERE {{
  ?item a <{ZS}SigningTotal> ; <{ZS}refArea> ?area ; <{ZS}refPeriod> ?period ; <{ZS}projectCount> ?count ;
        <{ZS}investment> ?m .
  ?m <https://schema.org/value> ?value ; <{ZS}measure> <{ZS}SignedInvestment> .
  ?period <{ZS}periodStart> ?year .
  ?area <http://www.w3.org/2000/01/rdf-schema#label> ?areaLabel . FILTER (LANG(?areaLabel) = "zh")
}}"""
#: An invented article for the merge timing (not copied from any publication).
MERGE_ARTICLE = "青松县融媒体中心3月2日讯 今年以来,青松县新签约招商项目14个,签约资金52.6亿元。\n" \
                "该县组建4支驻点招商小分队,分赴深圳、苏州开展产业链招商。\n"


def _load(out: Path) -> ox.Store:
    store = ox.Store()
    for f in sorted((out / "data" / "facts").glob("*.ttl")):
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:file:{f.name}"))
    return store


def plant_figures(out: Path, n: int, rng: random.Random, store: ox.Store | None = None,
                  into: Path | None = None, prefix: str = "plant") -> dict[str, str]:
    """Write *n* repeat and *n* conflict articles; return {total item IRI restated: kind}.

    *store*: the built store of *out* to find the totals in (else the files are loaded); *into*: the folder
    the articles are written to (*out* by default), with *prefix* starting their source ids."""
    store = store if store is not None else _load(out)
    rows = list(store.query(_TOTALS, use_default_graph_as_union=True))  # type: ignore[union-attr]
    keys: dict[tuple[str, str, str], list[ox.QuerySolution]] = {}
    for r in rows:
        keys.setdefault((r["area"].value, r["period"].value, r["count"].value), []).append(r)
    unique = sorted((v[0] for v in keys.values() if len(v) == 1), key=lambda r: r["item"].value)
    chosen = rng.sample(unique, 2 * n)
    gen = Generator(out)
    gen.out = into or out
    planted = {}
    for i, r in enumerate(chosen):
        kind = "repeat" if i < n else "conflict"
        value = Decimal(r["value"].value) * (Decimal("1.04") if kind == "repeat" else Decimal("1.5"))
        value = value.quantize(Decimal(1))
        zh_num = f"{value / Decimal(10) ** 8:.4f}".rstrip("0").rstrip(".") + "亿元"
        qualifier, surface = (("Approximately", f"签约资金约{zh_num}") if kind == "repeat"
                              else ("Exact", f"签约资金{zh_num}"))
        year, area, count = r["year"].value, r["areaLabel"].value, r["count"].value
        a = Article(f"{prefix}-{kind}-{i:04d}", f"{area}签约快讯(合成第{i}篇)", f"{int(year) + 1}-01-15T09:00:00+08:00")
        a.say(a.title)
        s = a.say(f"记者获悉,{year}年,{area}签约引进产业项目{count}个,{surface}。", new_paragraph=True)
        tot, amt = f"<{ID}total/{a.sid}>", f"<{ID}amount/{a.sid}>"
        t = a.facts
        for p, o in (("a", "zs:SigningTotal"), ("rdfs:label", f'"{area}{year}年签约{count}个项目,{surface}"@zh'),
                     ("rdfs:label", f'"{a.sid}"@en'), ("zs:refArea", f"<{r['area'].value}>"),
                     ("zs:refPeriod", f"<{r['period'].value}>"), ("zs:projectCount", count),
                     ("zs:investment", amt), ("zs:stage", "zs:Signed"), ("prov:wasDerivedFrom", s)):
            t.add(tot, p, o)
        gen._amount(a, amt, int(value), zh_num, f"CNY {value}", qualifier, surface, s, "SignedInvestment")
        gen._write_article(a)
        planted[r["item"].value] = kind
    return planted


def plant_reposts(out: Path, n: int, rng: random.Random) -> list[Path]:
    """Write *n* reposts of generated articles into ``out/reposts/``; return their paths."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    folder = out / "reposts"
    folder.mkdir()
    originals = sorted((out / "data" / "sources").glob("synth-*.txt"))
    paths = []
    for i, src in enumerate(rng.sample(originals, n)):
        text = to_traditional.convert(src.read_text(encoding="utf-8"))
        text = text.replace(",", "，").replace(":", "：").replace("。", "。 ") + "\n（轉載自合成數據）\n"
        path = folder / f"repost-{i:04d}-of-{src.stem}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _checked(g: FigureGroup) -> bool:
    """The plain check of a found group: one key, two or more sources, values agreeing as its kind says."""
    if len({f.key for f in g.figures}) != 1 or len(g.sources) < 2:
        return False
    across = [(a, b) for i, a in enumerate(g.figures) for b in g.figures[i + 1:] if not (a.sources & b.sources)]
    agreeing = [agree(a, b) for a, b in across]
    return any(agreeing) if g.kind == "repeat" else not all(agreeing)


def run(out: Path, triples: int, plant: int, seed: int) -> list[tuple[str, str, str]]:
    """Generate, plant, build, measure; the rows of the table."""
    rng = random.Random(seed)
    counts = generate(out, triples, seed)
    planted = plant_figures(out, plant, rng)
    reposts = plant_reposts(out, plant, rng)
    paths = make_paths(out, out / "store")
    started = time.perf_counter()
    report = build(paths)
    build_s = time.perf_counter() - started
    store = open_store(out / "store")
    started = time.perf_counter()
    groups = figure_groups(store)
    groups_s = time.perf_counter() - started
    rows = [("corpus", f"{counts['articles']} articles + {2 * plant} planted", f"{report.triples} statements, "
             f"built in {build_s:.1f} s")]
    for kind in ("repeat", "conflict"):
        want = {i for i, k in planted.items() if k == kind}
        found = {f.item.value for g in groups if g.kind == kind for f in g.figures} & want
        rows.append((f"planted {kind}s found", f"{len(found)}/{len(want)}", f"recall {len(found) / len(want):.3f}"))
    hits = [g for g in groups if any(planted.get(f.item.value) == g.kind for f in g.figures) or _checked(g)]
    unplanted = sum(1 for g in groups if not any(f.item.value in planted for f in g.figures))
    rows.append(("figure groups found", f"{len(groups)} ({unplanted} unplanted)",
                 f"precision {len(hits) / max(1, len(groups)):.3f} (found in {groups_s:.2f} s)"))
    started = time.perf_counter()
    known = known_sources(out / "data" / "sources")
    flagged_originals = sum(1 for i, fp in enumerate(known) for old in known[:i] if compare(fp, old) is not None)
    found_reposts = 0
    for p in reposts:
        fp = fingerprint(read_article(p))
        found_reposts += any(compare(fp, old) is not None and p.stem.endswith(old.id) for old in known)
    dup_s = time.perf_counter() - started
    rows.append(("reposts refused", f"{found_reposts}/{len(reposts)}", f"recall {found_reposts / len(reposts):.3f}"))
    rows.append(("articles wrongly taken as duplicates", f"{flagged_originals}/{len(known)}",
                 f"precision {found_reposts / max(1, found_reposts + flagged_originals):.3f} ({dup_s:.1f} s, "
                 f"all pairs)"))
    rows += _consolidation(out, store, plant, rng)
    rows.append(("kg merge of one article", *_time_merge(out)))
    return rows


_CHAMBERS = f"""
SELECT ?c ?name ?host ?hostLabel ?originLabel WHERE {{
  ?c a <{ZS}ChamberOfCommerce> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name ;
     <{ZS}hostRegion> ?host ; <{ZS}originRegion> ?origin .
  ?host <http://www.w3.org/2000/01/rdf-schema#label> ?hostLabel .
  ?origin <http://www.w3.org/2000/01/rdf-schema#label> ?originLabel .
  FILTER (LANG(?name) = "zh" && LANG(?hostLabel) = "zh" && LANG(?originLabel) = "zh")
}} ORDER BY ?c"""


def _consolidation(out: Path, store: ox.Store, n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Plant one article naming *n* chambers of the corpus another way (深圳市长沙商会 for 深圳长沙商会) and *n*
    look-alikes (the same host, another origin the corpus has no chamber of), ingest it against the built store
    and score the candidate merges (kg.corpus.consolidate)."""
    from kg.corpus.consolidate import read_graph, read_merges
    from kg.ingest.run import ingest

    rows = store.query(_CHAMBERS, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    chambers: dict[str, tuple[str, str, str, str]] = {}
    for r in rows:
        c, name, host, origin = (r[k].value for k in ("c", "name", "hostLabel", "originLabel"))  # type: ignore[union-attr]
        chambers.setdefault(c, (name, host, origin, r["host"].value))  # type: ignore[union-attr]
    names = {v[0] for v in chambers.values()}
    origins = sorted({v[2] for v in chambers.values()})
    picked = rng.sample(sorted(chambers), min(n, len(chambers)))
    lines, want, lookalikes = [], {}, 0
    for c in picked:
        name, host, origin, _ = chambers[c]
        variant = f"{host}{origin.rstrip('市县区')}商会"  # the host with its 市: 深圳市长沙商会
        if variant == name:
            continue
        want[variant] = c
        lines.append(f"{variant}组织会员企业到{origin}考察。")
        other = next((o for o in rng.sample(origins, len(origins))
                      if f"{host.rstrip('市省')}{o.rstrip('市县区')}商会" not in names and o != origin), None)
        if other is not None:
            lines.append(f"{host}{other.rstrip('市县区')}商会组织会员企业到{other}考察。")
            lookalikes += 1
    art = out / "chambers-visit-2024-05-10.txt"
    art.write_text("标题: 异地商会考察家乡(合成)\n日期: 2024-05-10\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    draft = out / "chambers-draft.ttl"
    ingest(make_paths(out, out / "store"), [art], draft, workers=1)
    seconds = time.perf_counter() - started
    text = draft.read_text(encoding="utf-8")
    found = {m.names[0]: m.into for m in read_merges(text)}
    right = sum(1 for v, c in want.items() if found.get(v) == c)
    # a variant the extractor does not find as a chamber (an invented place it does not know) cannot be proposed
    extracted = {e.label for e in read_graph(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
                 .entities.values()} & set(want)
    return [("planted chamber variants proposed", f"{right}/{len(want)} ({len(extracted)} extracted)",
             f"recall {right / max(1, len(extracted)):.3f} of those extracted (kg ingest {seconds:.1f} s)"),
            ("candidate merges right", f"{right}/{len(found)} ({lookalikes} look-alikes planted)",
             f"precision {right / max(1, len(found)):.3f}")]


def _time_merge(out: Path, code: Path = ROOT) -> tuple[str, str]:
    """Ingest one small article, then time ``kg merge --accept-all`` of it into the built store (a process, as a
    user runs it: :mod:`benchmarks.merge_steps`, which also gives the seconds per step), with the ``kg`` of the
    checkout *code*."""
    art = out / "qingsong-2024-03-02.txt"
    art.write_text(MERGE_ARTICLE, encoding="utf-8")
    kg = [sys.executable, "-m", "kg", "--project", str(out), "--store", str(out / "store")]
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run([*kg, "ingest", str(art), "-o", str(out / "draft.ttl"), "--year", "2024"], check=True,
                   capture_output=True, env=env, cwd=code)
    return _run_merge(out, out / "draft.ttl", code)


def _run_merge(out: Path, draft: Path, code: Path) -> tuple[str, str]:
    """Time ``kg merge --accept-all DRAFT`` into *out* in a process (:mod:`benchmarks.merge_steps`)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "merge_steps.py"), str(out),
                           str(draft)], capture_output=True, text=True, env=env, cwd=code)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        return f"failed: {done.stdout[-200:]}{done.stderr[-200:]}", f"{seconds:.1f} s"
    timed = json.loads(done.stdout.strip().splitlines()[-1])
    steps = {k: v for k, v in timed["steps"].items() if k not in ("merge", "process")}
    build_steps = timed["build"]
    detail = ", ".join(f"{k} {v:.2f}" for k, v in steps.items())
    detail += " (build: " + ", ".join(f"{k} {v:.2f}" for k, v in build_steps.items()) + ")"
    if timed.get("rederived"):
        detail += f"; investment rollups recomputed: {timed['rederived']}"
    return "merged", f"{seconds:.1f} s (target at 1M: 10 s); {detail}"


def _unmerge(out: Path) -> None:
    """Take the articles merged by an earlier run out of *out* and bring the store back to the data (untimed)."""
    for name in ("qingsong-*", "merged-*"):
        for p in [*(out / "data" / "facts").glob(name), *(out / "data" / "sources").glob(name)]:
            p.unlink()
    build(make_paths(out, out / "store"))


def _time_repeat_merge(out: Path, code: Path = ROOT) -> tuple[str, str]:
    """Time ``kg merge`` of an article that restates a total of the corpus (a repeat of a figure another source
    gave, in a region and year that have figures): its draft is written as ``kg ingest`` writes one (the
    facts under a ``# kg-ingest-source:`` line naming the article and its sha256)."""
    scratch = out / "repeat-draft"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "data" / "facts").mkdir(parents=True)
    (scratch / "data" / "sources").mkdir(parents=True)
    plant_figures(out, 1, random.Random(11), store=open_store(out / "store"), into=scratch, prefix="merged")
    article = next((scratch / "data" / "sources").glob("merged-repeat-*.txt"))
    facts = (scratch / "data" / "facts" / f"{article.stem}.ttl").read_text(encoding="utf-8")
    sha = hashlib.sha256(article.read_bytes()).hexdigest()
    draft = scratch / "draft.ttl"
    draft.write_text(f"{SOURCE_LINE} {article.stem}\t{article.resolve()}\tutf-8\t{sha}\n{facts}", encoding="utf-8")
    return _run_merge(out, draft, code)


def rerun(out: Path, before: Path | None) -> list[tuple[str, str, str]]:
    """``--reuse``: time the merge again on a corpus built before (and with the checkout *before*, if given)."""
    manifest = read_manifest(out / "store")
    rows = [("corpus", f"{out} (reused)", f"{manifest.get('quads', 0)} statements")]
    if before is not None:
        _unmerge(out)
        status, seconds = _time_merge(out, before.resolve())
        rows.append((f"kg merge of one article, before ({before})", status, seconds))
        _unmerge(out)
        status, seconds = _time_repeat_merge(out, before.resolve())
        rows.append((f"kg merge of a restated total, before ({before})", status, seconds))
    _unmerge(out)
    rows.append(("kg merge of one article", *_time_merge(out)))
    rows.append(("kg merge of a restated total", *_time_repeat_merge(out)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--triples", type=parse_size, default=parse_size("100k"))
    ap.add_argument("--out", type=Path, required=True, help="an empty folder (keep it outside the repository)")
    ap.add_argument("--plant", type=int, default=20, help="repeats, conflicts and reposts planted (each)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reuse", action="store_true", help="only time the merge again, on a folder built before")
    ap.add_argument("--before", type=Path, help="with --reuse: also time the merge with the kg of this checkout")
    args = ap.parse_args(argv)
    rows = rerun(args.out, args.before) if args.reuse else run(args.out, args.triples, args.plant, args.seed)
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
