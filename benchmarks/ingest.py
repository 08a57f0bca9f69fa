"""Benchmark ``kg ingest``: 1,000 synthetic articles of about 3,000 characters each.

Run: ``.venv/bin/python -m benchmarks.ingest [--articles N] [--chars N]``. Target: under 60 s on 2 cores.

``--drafts FOLDER`` instead writes, in one process, the drafts of the evaluation articles and of *--articles*
synthetic ones into FOLDER, to check that a speed-up changes no byte of a draft: run it with the code before
(``PYTHONPATH=OLD_CHECKOUT python benchmarks/ingest.py --drafts A``) and after, then ``diff -r A B``.
It prints a table comparing, in the same run, the baseline (reading and sentence splitting only, what
``kg segment`` does) with the whole pipeline (read, extract, resolve, write one draft), plus the peak
memory of the process.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kg.ingest.gazetteer import division_table
from kg.ingest.resolve import load_known
from kg.ingest.run import ingest
from kg.ingest.text import read_article
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [
    "{year}年以来,{a}先后到长三角、京津冀、粤港澳大湾区等地“敲门招商”,开展对接活动{n}场次,走访湘商{m}余人。",
    "{a}印发《{a}招商引资奖励办法》,对协助成功引进项目的招商大使,最高奖励可达{k}万元。",
    "在{a},通过发挥北京{b}商会、浙江{b}商会等异地商会人脉资源优势,聘任{s}名{b}籍优秀企业家为招商大使。",
    "{a}成功引进风力发电、分布式光伏等{s}个重大招商项目,签约资金达{x}亿元。",
    "去年{mo}月,投资约{k}亿元的{b}先进材料产业园项目正式开工建设,这是{b}集团与{a}第三次牵手合作。",
    "今年{mo}月底,{a}在深圳举办招商推介会,吸引{m}多家企业参加,其中{s}家企业初步达成落户意向。",
    "{a}向产业开发区赋权事项{n}项,企业开办时间缩减至0.5个工作日。",
    "招商引资是一场持久战,{a}坚持有事必应、无事不扰的原则,让企业轻装上阵、安心发展。",
]


def make_corpus(folder: Path, articles: int, chars: int, seed: int = 7) -> int:
    """Write *articles* synthetic reports into *folder*; return the total number of characters."""
    rng = random.Random(seed)
    rows = division_table()
    names = [r[1] for r in rows if r[2] in ("prefecture", "county")]
    total = 0
    for i in range(articles):
        parts = [f"标题: 招商引资观察 第{i + 1}期\n日期: 2024-03-13\n来源: 基准测试\n\n当前位置:\n图片\n"]
        size = 0
        while size < chars:
            a, b = rng.choice(names), rng.choice(names)
            s = rng.choice(TEMPLATES).format(
                a=a, b=b.removesuffix("市").removesuffix("县"), year=rng.choice([2022, 2023]),
                n=rng.randint(10, 300), m=rng.randint(100, 5000), k=rng.randint(10, 2000), s=rng.randint(2, 20),
                x=f"{rng.randint(1, 500)}.{rng.randint(1, 99)}", mo=rng.randint(1, 12))
            parts.append(s + ("\n\n" if rng.random() < 0.3 else ""))
            size += len(s)
        parts.append("\n阅读下一篇\n")
        text = "".join(parts)
        total += len(text)
        (folder / f"bench-{i:04d}.txt").write_text(text, encoding="utf-8")
    return total


def peak_mb() -> float:
    """Peak resident memory so far, in MB: this process or its largest worker, whichever is more."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def cpu() -> float:
    """CPU seconds of this process and its finished workers."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def write_drafts(folder: Path, articles: int, chars: int) -> None:
    """Deterministic drafts (one process, fixed article paths) of the evaluation and synthetic articles."""
    corpus = Path(tempfile.gettempdir()) / "kg-bench-drafts-corpus"  # fixed: the path is in every draft
    shutil.rmtree(corpus, ignore_errors=True)
    (corpus / "synthetic").mkdir(parents=True)
    make_corpus(corpus / "synthetic", articles, chars)
    shutil.copytree(ROOT / "tests" / "data" / "articles", corpus / "eval")
    folder.mkdir(parents=True, exist_ok=True)
    paths = make_paths(ROOT, corpus / "store")
    known = load_known(paths)
    ingest(paths, [corpus / "eval"], folder / "eval-all.ttl", known=known, workers=1)
    for p in sorted((corpus / "eval").glob("*.txt")):
        ingest(paths, [p], folder / f"eval-{p.stem}.ttl", known=known, workers=1)
    ingest(paths, [corpus / "synthetic"], folder / "synthetic-all.ttl", known=known, workers=1)
    for p in sorted((corpus / "synthetic").glob("*.txt"))[:20]:
        ingest(paths, [p], folder / f"synthetic-{p.stem}.ttl", known=known, workers=1)
    shutil.rmtree(corpus, ignore_errors=True)
    print(f"drafts written to {folder}")


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, time both stages, print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--chars", type=int, default=3000)
    ap.add_argument("--drafts", type=Path, help="write comparable drafts into this folder instead of timing")
    args = ap.parse_args(argv)
    if args.drafts:
        write_drafts(args.drafts, args.articles, args.chars)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus = tmp / "corpus"
        corpus.mkdir()
        total = make_corpus(corpus, args.articles, args.chars)
        files = sorted(corpus.glob("*.txt"))
        paths = make_paths(ROOT, tmp / "store")
        rows = []
        t0, c0 = time.perf_counter(), time.process_time()
        sentences = sum(len(read_article(p).sentences) for p in files)
        rows.append(("baseline: read + split", time.perf_counter() - t0, time.process_time() - c0, peak_mb()))
        known = load_known(paths)
        t0, c0 = time.perf_counter(), cpu()
        report = ingest(paths, files, tmp / "draft.ttl", known=known)
        rows.append((f"kg ingest ({os.cpu_count()} processes)", time.perf_counter() - t0, cpu() - c0, peak_mb()))
        print(f"{len(files)} articles, {total} characters, {sentences} sentences; "
              f"draft {report.triples} triples, {(tmp / 'draft.ttl').stat().st_size // 1024} KB")
        # Wall time is what the user waits; CPU time is what it costs when the machine is shared.
        print(f"{'stage':<26}{'wall s':>8}{'CPU s':>8}{'articles/s':>12}{'chars/s':>12}{'peak MB':>9}")
        for name, secs, cpu_s, mb in rows:
            print(f"{name:<26}{secs:>8.2f}{cpu_s:>8.2f}{len(files) / secs:>12.0f}{total / secs:>12.0f}{mb:>9.0f}")
        load = os.getloadavg()[0]
        print(f"load average during the run: {load:.1f} on {os.cpu_count()} CPUs (wall time stretches when it "
              "is above the CPU count; CPU s is the cost on an idle machine)")
        verdict = "within" if rows[-1][1] < 60 else "OVER"
        print(f"target: 1,000 articles under 60 s -> {verdict} target ({rows[-1][1]:.1f} s)")
        return 0 if rows[-1][1] < 60 else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
