"""The ``kg`` command line: thin wrappers that parse options, call one library function and print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError
from kg.paths import Paths, make_paths


class _Group(click.Group):
    """Turn every :class:`KGError` into a one-line ``Error:`` message and exit status 1, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group)
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), envvar="KG_PROJECT",
              help="Project folder (holds ontology/, data/, queries/). Default: found from the current folder.")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), envvar="KG_STORE",
              help="Store folder. Default: .kg/store inside the project. Also KG_STORE.")
@click.version_option(package_name="zhaoshang-kg")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, store: Path | None) -> None:
    """zhaoshang-kg: a provenance-backed knowledge graph of investment attraction (招商引资)."""
    ctx.obj = make_paths(project, store)


@cli.command()
@click.pass_obj
def build(paths: Paths) -> None:
    """Parse, validate and load ontology/ and data/ into the store (all or nothing)."""
    from kg.build import build as run_build

    report = run_build(paths)
    click.echo(f"Loaded {report.triples} triples from {len(report.files)} files "
               f"in {report.seconds:.2f} s into {report.store}")
    for graph, n in sorted(report.graphs.items()):
        click.echo(f"  {n:>7}  {graph}")


@cli.command()
@click.pass_obj
def validate(paths: Paths) -> None:
    """Check data/ against the SHACL shapes and the quotes against their sources (exit 1 if not)."""
    from kg.build import check

    report = check(paths)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.pass_obj
def stats(paths: Paths) -> None:
    """Entities per class and facts per source in the store."""
    from kg.stats import compute_stats
    from kg.store import open_store
    from kg.tables import format_table

    s = compute_stats(open_store(paths.store))
    click.echo(f"{s.triples} triples in {len(s.graphs)} named graphs\n")
    click.echo(format_table(["class", "标签", "entities"], [(c, lb, str(n)) for c, lb, n in s.classes]))
    click.echo()
    click.echo(format_table(["source", "facts", "sentences cited"],
                            [(src, str(f), str(n)) for src, f, n in s.facts_per_source], max_col=80))
    click.echo()
    click.echo(format_table(["named graph", "triples"], [(g, str(n)) for g, n in s.graphs.items()], max_col=80))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "trig", "nq", "jsonld"]), default="ttl",
              show_default=True, help="ttl and nt merge the named graphs; trig, nq and jsonld keep them.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (written to a temporary name first, then renamed).")
@click.pass_obj
def export(paths: Paths, fmt: str, output: Path) -> None:
    """Write the store to a file."""
    from kg.export import export as run_export
    from kg.store import open_store

    n = run_export(open_store(paths.store), fmt, output)
    click.echo(f"Wrote {n} statements to {output}")


@cli.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Turtle file to write. Default: standard output.")
def segment(source: Path, output: Path | None) -> None:
    """Split a source article into sentences with offsets, as Turtle for data/facts/."""
    from kg.export import write_atomic
    from kg.sources import load_source, sentences_turtle

    text = sentences_turtle(load_source(source))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
        click.echo(f"Wrote {output}")


@cli.command("run")
@click.pass_obj
def run_main(paths: Paths) -> None:
    """The main job: build the graph, print a summary and answer the headline questions."""
    from kg.pipeline import run_main as run

    click.echo(run(paths).render(), nl=False)


def main() -> None:
    """Entry point of the ``kg`` console script."""
    cli(prog_name="kg")
