"""The main job: build the graph from ``data/``, summarise it and answer the headline questions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.backend import AnyStore, build, connect
from kg.errors import InputError, ViewTooLarge
from kg.paths import Paths
from kg.query.catalogue import Question, Table, get_question, load_catalogue, select, term_text
from kg.query.tables import format_table
from kg.store.build import BuildReport
from kg.store.stats import Stats, compute_stats

#: The questions the main job answers, in order.
HEADLINE_QUESTIONS = ["chambers_linking_regions", "task_forces", "ambassadors_and_advisers",
                      "investment_by_region"]
#: Value columns shown besides the labels, the counts (``…Count``: a cell holds one name, the count says how many
#: there are) and the quote.
SHOWN_VALUES = ("year", "currency", "amountAtLeast", "projectsAtLeast", "broughtIn", "brokered", "sentences")


@dataclass
class MainReport:
    """What the main job did and found."""

    build: BuildReport
    stats: Stats
    answers: list[tuple[Question, Table]] = field(default_factory=list)
    #: The HTML views written to the project's out/ folder, and why one was not (if so).
    views: list[Path] = field(default_factory=list)
    views_note: str = ""

    def render(self) -> str:
        """The report as text for a terminal."""
        b = self.build
        lines = [
            f"Built {b.store} from {len(b.files)} files: {b.triples} triples in {b.seconds:.2f} s.",
            "",
            format_table(
                ["class", "标签", "entities"],
                [(c, label, str(n)) for c, label, n in self.stats.classes if c.startswith("zs:")],
            ),
            "",
        ]
        for q, table in self.answers:
            lines.append(f"{q.title_zh} / {q.title_en}  ({len(table.rows)} rows)")
            shown = [v for v in table.variables
                     if v.endswith(("Label", "Count")) or v == "quote" or v in SHOWN_VALUES]
            lines.append(
                format_table(shown, [[term_text(r[v]) for v in shown] for r in table.rows], max_col=40)
            )
            lines.append("")
        if self.views:
            lines.append("Views (open in a browser, no network needed):")
            lines.extend(f"  {path}" for path in self.views)
        if self.views_note:
            lines.append(self.views_note)
        return "\n".join(lines).rstrip() + "\n"


def run_main(paths: Paths) -> MainReport:
    """Build the store, compute its statistics and answer :data:`HEADLINE_QUESTIONS`."""
    report = build(paths)
    store = connect(paths)  # the embedded store, or the endpoint that --endpoint names
    catalogue = load_catalogue(paths.queries)
    answers = []
    for name in HEADLINE_QUESTIONS:
        q = get_question(catalogue, name)
        answers.append((q, select(store, q.sparql)))
    main = MainReport(build=report, stats=compute_stats(store), answers=answers)
    main.views, main.views_note = write_views(store, paths.views)
    return main


def write_views(store: AnyStore, folder: Path) -> tuple[list[Path], str]:
    """Write ``viz.html`` (the graph) and ``map.html`` into *folder*; a view too large is skipped with a note."""
    from kg.views.graphpage import graph_page, write_view
    from kg.views.mappage import map_page

    folder.mkdir(parents=True, exist_ok=True)
    written, note = [], ""
    try:
        written.append(write_view(graph_page(store), folder / "viz.html", root=folder))
    except ViewTooLarge as exc:
        note = f"Graph view not written: {exc}"
    written.append(write_view(map_page(store), folder / "map.html", root=folder))
    return written, note


# --- kg run --sample -------------------------------------------------------------------------------------------

#: The invented sample corpus, inside the project: ``NAME.txt`` articles, their ``NAME.meta.json``, and optional
#: ``NAME.decisions.json`` for the review gate.
SAMPLE_DIR = Path("data") / "sample"
#: The folder ``kg run --sample`` writes when no ``--out`` is given, inside the project (git ignores it).
SAMPLE_OUT = "sample"
#: A file in a folder ``kg run --sample`` made, so that it only ever replaces its own folders.
SAMPLE_STAMP = ".kg-sample"
#: The invented project the sample follows from its signing to its production.
FOLLOWED = "湘澜高纯氧化铝项目"


@dataclass
class SampleReport:
    """What ``kg run --sample`` did: the articles merged or refused, and what the built graph shows."""

    project: Path
    merged: list[tuple[str, str]] = field(default_factory=list)  #: (article id, date)
    refused: list[tuple[str, str]] = field(default_factory=list)  #: (article id, why)
    triples: int = 0
    repeats: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    hunan: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)  #: the followed project's milestones, in date order

    def render(self, shown: str) -> str:
        """The summary, with *shown* as the project folder in the commands to explore it."""
        n = len(self.merged) + len(self.refused)
        lines = [f"Sample corpus: {n} invented articles (data/sample/, each marked 【样例】; not real reporting),",
                 f"merged beside the founding article into {shown}/ in date order.", ""]
        lines += [f"  merged   {date}  {sid}" for sid, date in self.merged]
        for sid, why in self.refused:
            lines.append(f"  refused  {sid}:")
            lines += [f"      {line.strip()}" for line in why.splitlines() if line.strip()]
        lines += ["", f"Store: {self.triples} triples.", "",
                  f"Figures repeated by several sources (counted once): {len(self.repeats)}"]
        lines += [f"  {r}" for r in self.repeats]
        lines.append(f"Conflicts (never summed, never resolved silently): {len(self.conflicts)}")
        lines += [f"  {c}" for c in self.conflicts]
        lines.append("investment_by_region for 湖南省 (by measure and period, never added across them):")
        lines += [f"  {h}" for h in self.hunan]
        lines.append(f"Timeline of {FOLLOWED} (kg timeline), across articles:")
        lines += [f"  {t}" for t in self.timeline] or ["  no milestones (the extractor read none)"]
        lines += ["", "Explore it:"]
        lines += [f"  kg --project {shown} {c}" for c in (
            "conflicts --repeats", "query -q investment_by_region --param region=湖南省",
            f"timeline {FOLLOWED}", "timeline 株洲市 --stalled-after 6",
            "ask 株洲市的招商大使有哪些", "profile 株洲市 -o zhuzhou.html")]
        return "\n".join(lines) + "\n"


def sample_articles(project: Path) -> list[tuple[str, Path]]:
    """The sample articles of *project* as (publication date, path), oldest first (the order they are merged in)."""
    from kg.sources.articles import read_meta

    folder = project / SAMPLE_DIR
    out = []
    for path in sorted(folder.glob("*.txt")):
        published = read_meta(path).get("published")
        out.append((published[:10] if isinstance(published, str) else "", path))
    return sorted(out)


def run_sample(paths: Paths, out: Path, *, review: Callable[[Path, Path], None] | None = None) -> SampleReport:
    """Build the founding data plus the invented sample corpus into the project folder *out*, by the real path.

    Every sample article goes through ``kg ingest``, the review gate (its ``NAME.decisions.json`` when there is
    one, else every fact as drafted: ``--accept-all --confirm``) and ``kg merge``, in date order; a reviewer's
    additions (``NAME.review.ttl``: the period of a total, which the extractor does not read yet) are appended
    to the draft first, as a reviewer would, and checked by the merge like every other statement; an article the
    merge refuses (a repost) is reported, not an error of the run. The folder is made afresh beside *out* and
    swapped in at the end, so running it twice gives the same store, and the default project's ``data/`` is
    only read.

    *review*, for the maintainers' ``scripts/review_sample.py``, is called with each article and its draft
    before the gate, to write the article's decisions file afresh when the extractor has changed.
    """
    import shutil

    from kg.errors import OutputError
    from kg.ingest.decisions import merge_reviewed
    from kg.ingest.run import ingest

    out = out.resolve()
    project = paths.project.resolve()
    if out == project or out in project.parents or out.is_relative_to(project / "data") \
            or out.is_relative_to(project / "ontology") or out.is_relative_to(project / "queries"):
        raise OutputError(f"{out}: kg run --sample writes a project folder of its own; name a new folder, "
                          f"such as {project / SAMPLE_OUT}.")
    if out.exists() and any(out.iterdir()) and not (out / SAMPLE_STAMP).is_file():
        raise OutputError(f"{out}: exists and was not made by kg run --sample; name a new or empty folder.")
    articles = sample_articles(project)
    if not articles:
        raise InputError(f"{project / SAMPLE_DIR}: holds no sample articles (.txt).")
    staging = out.with_name(f".{out.name}.building")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / SAMPLE_STAMP).write_text("Made by `kg run --sample`; replaced whole on the next run.\n",
                                        encoding="utf-8")
    for name in ("ontology", "queries"):
        shutil.copytree(project / name, staging / name)
    for name in ("sources", "facts"):
        shutil.copytree(project / "data" / name, staging / "data" / name)
    sample = Paths(project=staging, store=staging / ".kg" / "store")
    report = SampleReport(project=out)
    drafts = staging / "drafts"
    drafts.mkdir()
    for date, path in articles:
        draft = drafts / f"{path.stem}.ttl"
        ingest(sample, [path], draft, workers=1)
        additions = path.with_name(f"{path.stem}.review.ttl")
        if additions.is_file():  # what the reviewer adds that the extractor does not read yet (a period)
            with draft.open("a", encoding="utf-8") as f:
                f.write("\n" + additions.read_text(encoding="utf-8"))
        if review is not None:
            review(path, draft)
        decisions = path.with_name(f"{path.stem}.decisions.json")
        try:
            if decisions.is_file():
                _check_decided(decisions, draft)
                merge_reviewed(sample, draft, decisions)
            else:
                merge_reviewed(sample, draft, accept_all=True, confirm=True)
        except StaleDecisions:
            raise
        except InputError as exc:
            report.refused.append((path.stem, str(exc).replace(str(staging), str(out))))
        else:
            report.merged.append((path.stem, date))
    _summarise(sample, report)
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    if old.exists():
        shutil.rmtree(old)
    return report


class StaleDecisions(InputError):
    """A shipped decisions file that no longer decides exactly the facts ``kg ingest`` drafts now."""


def _check_decided(decisions: Path, draft: Path) -> None:
    """Refuse a decisions file that misses a fact of *draft* or names one it no longer has.

    ``kg merge --decisions`` leaves out every fact a file does not accept, so a sample reviewed before the
    extractor changed would lose the new facts without a word: the run stops and says to review again.
    """
    import json

    from kg.files import read_bytes
    from kg.ingest.decisions import MAX_DECISIONS_BYTES
    from kg.ingest.review import load_review

    try:
        data = json.loads(read_bytes(decisions, max_bytes=MAX_DECISIONS_BYTES).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # kg merge says what is wrong with it
    facts = data.get("facts") if isinstance(data, dict) else None
    if not isinstance(facts, list):
        return
    drafted = set(load_review(draft).by_id())
    decided = {f.get("id") for f in facts if isinstance(f, dict)}
    if drafted != decided:
        new, gone = sorted(drafted - decided), sorted(str(i) for i in decided - drafted)
        raise StaleDecisions(
            f"{decisions}: was made for another draft of its article ({len(new)} fact(s) not decided"
            f"{': ' + ', '.join(new[:3]) if new else ''}; {len(gone)} no longer drafted"
            f"{': ' + ', '.join(gone[:3]) if gone else ''}). The extractor changed: review the draft {draft} "
            f"again (`kg review {draft.name} -o review.html`) and save its decisions over this file.")


def _summarise(paths: Paths, report: SampleReport) -> None:
    """Fill *report* from the built sample store: its size, repeats, conflicts and Hunan's rollup."""
    from decimal import Decimal

    import pyoxigraph as ox

    from kg.corpus.conflicts import describe_subject
    from kg.corpus.timeline import timeline
    from kg.errors import KGError
    from kg.store.figures import figure_groups
    from kg.store.generations import open_store
    from kg.views.overview import format_cny

    build(paths)  # up to date after the last merge: this only checks
    store = open_store(paths.store)
    report.triples = len(store)
    for g in figure_groups(store):
        line = f"{describe_subject(store, g.key)}  ({len(g.sources)} sources)"
        (report.repeats if g.kind == "repeat" else report.conflicts).append(line)
    sparql = get_question(load_catalogue(paths.queries), "investment_by_region")
    table = select(store, sparql.sparql)
    for row in table.rows:
        if term_text(row.get("regionLabel")) == "湖南省":
            amount = row.get("amountAtLeast")
            money = format_cny(Decimal(amount.value)) if isinstance(amount, ox.Literal) else "?"
            period = term_text(row.get("year")) or term_text(row.get("periodLabel")) or "no period stated"
            report.hunan.append(f"{term_text(row.get('measureLabel'))} · {period}: at least {money} "
                                f"({term_text(row.get('counted'))} counted, {_sources(row.get('sources'))})")
    try:
        followed = timeline(store, FOLLOWED)
    except KGError:
        return  # the extractor did not read the project: the summary says there are no milestones
    for r in followed.rows:
        date = r.date or f"({r.reported[:10]})"
        report.timeline.append(f"{date:<12} {r.stage_label} · {r.place}" + (f" · {r.amount}" if r.amount else "")
                               + f"  [{r.source.rsplit('/', 1)[-1]}]")


def _sources(count: object) -> str:
    n = term_text(count)  # type: ignore[arg-type]
    return f"{n} source" + ("" if n == "1" else "s")
