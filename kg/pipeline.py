"""The main job: build the graph from ``data/``, summarise it and answer the headline questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.backend import AnyStore, build, connect
from kg.errors import ViewTooLarge
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
