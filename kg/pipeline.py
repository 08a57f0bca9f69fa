"""The main job: build the graph from ``data/``, summarise it and answer the headline questions."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.build import BuildReport, build
from kg.paths import Paths
from kg.queries import Question, Table, get_question, load_catalogue, select, term_text
from kg.stats import Stats, compute_stats
from kg.store import open_store
from kg.tables import format_table

#: The questions the main job answers, in order.
HEADLINE_QUESTIONS = ["chambers_linking_regions"]


@dataclass
class MainReport:
    """What the main job did and found."""

    build: BuildReport
    stats: Stats
    answers: list[tuple[Question, Table]] = field(default_factory=list)

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
            shown = [v for v in table.variables if v.endswith("Label") or v == "quote"]
            lines.append(
                format_table(shown, [[term_text(r[v]) for v in shown] for r in table.rows], max_col=40)
            )
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def run_main(paths: Paths) -> MainReport:
    """Build the store, compute its statistics and answer :data:`HEADLINE_QUESTIONS`."""
    report = build(paths)
    store = open_store(paths.store)
    catalogue = load_catalogue(paths.queries)
    answers = []
    for name in HEADLINE_QUESTIONS:
        q = get_question(catalogue, name)
        answers.append((q, select(store, q.sparql)))
    return MainReport(build=report, stats=compute_stats(store), answers=answers)
