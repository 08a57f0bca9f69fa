"""The ``kg`` command line: thin wrappers that parse options, call one library function and print."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.errors import KGError
from kg.paths import Paths, make_paths

if TYPE_CHECKING:
    from kg.store.build import BuildReport


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
@click.option("--endpoint", envvar="KG_ENDPOINT", metavar="URL",
              help="Use this SPARQL 1.1 endpoint instead of the embedded store. Also KG_ENDPOINT.")
@click.option("--update-endpoint", envvar="KG_UPDATE_ENDPOINT", metavar="URL",
              help="Where updates go. Default: derived from --endpoint (Virtuoso: /sparql-auth). "
                   "Also KG_UPDATE_ENDPOINT.")
@click.option("--user", envvar="KG_USER", help="User for writes to the endpoint (HTTP Digest). Also KG_USER.")
@click.option("--password", envvar="KG_PASSWORD", help="Password for --user. Prefer KG_PASSWORD.")
@click.version_option(package_name="zhaoshang-kg")
@click.pass_context
def cli(ctx: click.Context, project: Path | None, store: Path | None, endpoint: str | None,
        update_endpoint: str | None, user: str | None, password: str | None) -> None:
    """zhaoshang-kg: a provenance-backed knowledge graph of investment attraction (招商引资)."""
    ctx.obj = make_paths(project, store, endpoint=endpoint, update_endpoint=update_endpoint,
                         user=user, password=password)


@cli.command()
@click.option("--full", is_flag=True, help="Check and reload every graph, not only those whose files changed.")
@click.option("--warm/--no-warm", default=None,
              help="--warm: keep the answers of every catalogue question without parameters before returning; "
                   "--no-warm: do not keep them. Default (or KG_WARM=background|wait|off): keep them in a "
                   "background process, so that `kg query -q` and `kg serve` read them back from the first ask.")
@click.pass_obj
def build(paths: Paths, full: bool, warm: bool | None) -> None:
    """Parse, validate and load ontology/ and data/ into the store (all or nothing, only what changed)."""
    from kg.backend import build as run_build
    from kg.query.warmer import warming_status

    mode = _warm_mode(warm)
    report = run_build(paths, full=full)
    if report.up_to_date:
        click.echo(f"Up to date: {report.triples} triples in {report.target}; no file changed.")
    else:
        _print_build(report)
    if paths.endpoint or mode == "off":
        return
    if mode == "wait":
        from kg.query.runner import warm_catalogue

        started = time.perf_counter()
        warmed = warm_catalogue(paths)
        failed = [w for w in warmed if w.error]
        kept = [w for w in warmed if not w.error]
        fresh = sum(not w.was_kept for w in kept)
        click.echo(f"Answers kept for {len(kept)} catalogue questions ({fresh} asked now, "
                   f"{len(kept) - fresh} already kept) in {time.perf_counter() - started:.2f} s.")
        for w in failed:
            click.echo(f"Not kept: {w.name}: {w.error}", err=True)
        from kg.query.ahead import keep_ahead
        from kg.store.generations import current_generation

        for k in keep_ahead(paths, current_generation(paths.store)):
            click.echo(f"Answers kept ahead for {k.answers} values of {k.name} in {k.seconds:.2f} s."
                       + (f" Stopped: {k.error}" if k.error else ""))
    elif not report.up_to_date or warming_status(paths.store) is None:
        _start_warming(paths, "; `kg build --warm` waits for them, --no-warm skips them")


def _warm_mode(warm: bool | None = None) -> str:
    """The warming mode: ``--warm`` (wait) or ``--no-warm`` (off) when given, else ``KG_WARM``, else background."""
    from kg.query.warmer import warm_mode

    if warm is not None:
        return warm_mode("wait" if warm else "off")
    return warm_mode(os.environ.get("KG_WARM"), setting="KG_WARM")


def _start_warming(paths: Paths, hint: str = "") -> None:
    """Start keeping the catalogue's answers in the background (:mod:`kg.query.warmer`), and say so."""
    from kg.query.warmer import start_warming

    pid = start_warming(paths)
    if pid is not None:
        click.echo(f"Keeping the catalogue's answers in the background (process {pid}){hint}.")


def _print_build(report: BuildReport) -> None:
    what = "" if report.full else f" ({len(report.changed)} graph(s) reloaded, {len(report.removed)} removed)"
    click.echo(f"Loaded {report.triples} triples from {len(report.files)} files "
               f"in {report.seconds:.2f} s into {report.target or report.store}{what}")
    for graph, n in sorted(report.graphs.items()):
        mark = "*" if graph in report.changed and not report.full else " "
        click.echo(f"  {n:>7} {mark}{graph}")
    for graph in report.removed:
        click.echo(f"  removed  {graph}")
    if report.checkpointed is False:
        click.echo("Note: the server offered no checkpoint; it keeps the load in its transaction log.")


@cli.command()
@click.pass_obj
def validate(paths: Paths) -> None:
    """Check data/ against the SHACL shapes and the quotes against their sources (exit 1 if not)."""
    from kg.store.build import check

    report = check(paths)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.pass_obj
def stats(paths: Paths) -> None:
    """Entities per class and facts per source in the store."""
    from kg.backend import connect
    from kg.query.tables import format_table
    from kg.store.stats import compute_stats

    s = compute_stats(connect(paths))
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
    from kg.backend import connect
    from kg.store.export import export as run_export

    n = run_export(connect(paths), fmt, output)
    click.echo(f"Wrote {n} statements to {output}")


@cli.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Turtle file to write. Default: standard output.")
def segment(source: Path, output: Path | None) -> None:
    """Split a source article into sentences with offsets, as Turtle for data/facts/."""
    from kg.sources.articles import load_source, sentences_turtle
    from kg.store.export import write_atomic

    text = sentences_turtle(load_source(source))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
        click.echo(f"Wrote {output}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the store to your network.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: any).")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(0),
              help="Most rows a query returns (0: no limit); cut answers carry an X-KG-Truncated header.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds a query may run before its worker is killed.")
@click.option("--workers", default=None, type=click.IntRange(1), help="Queries evaluated at once. Default: CPUs.")
@click.pass_obj
def serve(paths: Paths, host: str, port: int, limit: int, timeout: float, workers: int | None) -> None:
    """Serve the store as a read-only SPARQL endpoint, with a query page and the HTML views."""
    from kg.query.warmer import warming_status
    from kg.serve import ServeOptions, make_server

    options = ServeOptions(host=host, port=port, limit=limit, timeout=timeout)
    if workers:
        options = ServeOptions(host=host, port=port, limit=limit, timeout=timeout, workers=workers)
    server = make_server(paths, options)
    click.echo(f"Serving {paths.store} at {server.url}/ (SPARQL: {server.url}/sparql). Ctrl-C stops.")
    if not paths.endpoint and _warm_mode() != "off" and warming_status(paths.store) is None:
        _start_warming(paths)  # a store built without `kg build` (kg run, a script): keep its answers now
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write, inside an existing folder (written to a temporary name, then renamed).")
@click.option("--focus", metavar="ENTITY",
              help="Show only this entity (a label, alias, prefix:name or IRI) and its neighbourhood.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(0, 10),
              help="How many links away from --focus the view reaches.")
@click.option("--class", "classes", multiple=True, metavar="C",
              help="Show only nodes of this class (zs:Enterprise, Enterprise or 企业); repeat for more.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of labels.")
@click.option("--max-nodes", default=2000, show_default=True, type=click.IntRange(1),
              help="Refuse views with more nodes than this.")
@click.option("--all", "whole", is_flag=True,
              help="Draw every entity (for checking provenance) instead of the region network.")
@click.pass_obj
def viz(paths: Paths, output: Path, focus: str | None, hops: int, classes: tuple[str, ...], lang: str,
        max_nodes: int, whole: bool) -> None:
    """Write the graph as an interactive HTML page that works offline.

    With no --focus and no --class: the region network (regions linked through chambers of commerce and task
    forces). With --class, links through the hidden classes stay, dashed."""
    from kg.backend import connect
    from kg.views.graphpage import graph_page, write_view

    page = graph_page(connect(paths), focus=focus, hops=hops, classes=classes, lang=lang,
                      max_nodes=max_nodes, whole=whole)
    click.echo(f"Wrote {write_view(page, output)}")


@cli.command("map")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write, inside an existing folder (written to a temporary name, then renamed).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of labels.")
@click.pass_obj
def map_view(paths: Paths, output: Path, lang: str) -> None:
    """Write a map of regions, chambers, task forces and projects as an offline HTML page."""
    from kg.backend import connect
    from kg.views.graphpage import write_view
    from kg.views.mappage import map_page

    click.echo(f"Wrote {write_view(map_page(connect(paths), lang), output)}")


@cli.command()
@click.argument("region", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="HTML file to write (a folder with --all), inside an existing folder.")
@click.option("--all", "every", is_flag=True, help="One page per region with facts, and index.html, into -o DIR.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of labels.")
@click.pass_obj
def profile(paths: Paths, region: str | None, output: Path, every: bool, lang: str) -> None:
    """Write a region's profile (招商画像) as an offline HTML page: chambers, task forces, projects, amounts."""
    from kg.backend import connect
    from kg.views.graphpage import write_view
    from kg.views.profile import profile_page, write_all

    if every == bool(region):
        raise click.UsageError("Give either a REGION or --all.")
    if every:
        written = write_all(connect(paths), output, lang)
        click.echo(f"Wrote {len(written) - 1} profiles and {output / 'index.html'}")
    else:
        click.echo(f"Wrote {write_view(profile_page(connect(paths), region or '', lang), output)}")


@cli.command("run")
@click.option("--sample", is_flag=True,
              help="Build the founding article plus the invented sample corpus (data/sample/) into a project "
                   "folder of its own (--out), through kg ingest, the review gate and kg merge; data/ is only read.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --sample: the folder to write (replaced whole on the next run). Default: sample/ in the "
                   "project.")
@click.pass_obj
def run_main(paths: Paths, sample: bool, out: Path | None) -> None:
    """The main job: build the graph, print a summary and answer the headline questions."""
    if sample:
        from kg.pipeline import SAMPLE_OUT, run_sample

        target = out or paths.project / SAMPLE_OUT
        shown = str(out) if out else SAMPLE_OUT if Path.cwd().resolve() == paths.project else str(target)
        click.echo(run_sample(paths, target).render(shown), nl=False)
        return
    if out is not None:
        raise click.UsageError("--out goes with --sample.")
    from kg.pipeline import run_main as run

    click.echo(run(paths).render(), nl=False)


@cli.command()
@click.argument("sparql", required=False, metavar="[QUERY]")
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"),
              help="Read the query from a file ('-' for standard input).")
@click.option("-q", "--question", metavar="NAME", help="Run the catalogue question NAME (see `kg queries`).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE: an IRI as printed (<https://…>, https://…, zr:region/430100), a name "
                   "such as 长沙市 (resolved as kg ask does), a number (1e10, 100亿), a date, or a Turtle literal; "
                   "a catalogue question reads it by the parameter's declared type. Repeatable. Bound by the "
                   "engine, never pasted into the query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "ttl", "nt"]),
              help="Output format. Default: table, or ttl for CONSTRUCT and DESCRIBE. json is SPARQL 1.1 JSON.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(0),
              help="Most rows (or triples) returned; 0 for no limit. A cut result says so.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds before the query is stopped (its worker process is killed).")
@click.pass_obj
def query(paths: Paths, sparql: str | None, file: Any, question: str | None, params: tuple[str, ...],
          fmt: str | None, limit: int, timeout: float) -> None:
    """Run SPARQL from QUERY, a file or standard input, safely: SERVICE, FROM, LOAD and updates are refused."""
    from kg.query.results import render, truncation_note
    from kg.query.runner import run_text

    if sparql is None and file is None and question is None and not sys.stdin.isatty():
        file = sys.stdin
    text = file.read() if file is not None else sparql
    result = run_text(paths, text, question=question, params=params, limit=limit, timeout=timeout)
    if "quote" in result.variables and result.rows:  # a sentence of an invented sample article says so
        from kg.backend import connect
        from kg.store.samples import mark_rows, sample_quotes

        mark_rows(result.rows, sample_quotes(connect(paths)))
    click.echo(render(result, fmt), nl=False)
    note = truncation_note(result)
    if note and fmt not in (None, "table"):
        click.echo(note, err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def queries(paths: Paths, fmt: str) -> None:
    """List the catalogue of named questions (queries/*.rq) with their parameters."""
    import json

    from kg.query.catalogue import load_catalogue
    from kg.query.tables import format_table

    catalogue = load_catalogue(paths.queries)
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en,
                                "description": q.description, "filters": q.filters,
                                "params": [{"name": p.name, "kind": p.kind, "required": p.required,
                                            "description": p.description} for p in q.params]}
                               for q in catalogue.values()], ensure_ascii=False, indent=2))
        return
    rows = [(q.name, q.title_zh, q.title_en, " ".join(f"{p.name}({p.kind})" for p in q.params))
            for q in catalogue.values()]
    click.echo(format_table(["name", "问题", "question", "params"], rows, max_col=50))


@cli.command()
@click.argument("question", metavar="QUESTION")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of the question (a name such as 湖南省, an <IRI> or a literal). Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv (UTF-8 with a byte-order mark) or xlsx. Default: from the file name, else csv.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write (written to a temporary file, then renamed).")
@click.option("--float", "as_float", is_flag=True, help="Write amounts as floating-point numbers, not exact decimals.")
@click.option("--limit", default=0, show_default=True, type=click.IntRange(0), help="Most rows; 0 for all.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds before the query is stopped.")
@click.pass_obj
def table(paths: Paths, question: str, params: tuple[str, ...], fmt: str | None, output: Path, as_float: bool,
          limit: int, timeout: float) -> None:
    """Write the answer of catalogue question QUESTION as a typed table for analysts (CSV or Excel)."""
    from kg.query.frames import pandas, write_table
    from kg.query.runner import run_text

    pandas()  # say which extra is missing before the question is asked
    fmt = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    result = run_text(paths, None, question=question, params=params, limit=limit, timeout=timeout)
    df = result.to_pandas(decimal=not as_float)
    write_table(df, output, fmt, sheet=question[:31])
    more = " (cut at --limit: there are more)" if result.truncated else ""
    click.echo(f"Wrote {len(df)} rows and {len(df.columns)} columns of {question} to {output}{more}.")


@cli.command()
@click.argument("text", metavar="QUESTION")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the understood question, the SPARQL, the answer rows and the sources as one object.")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(min=0),
              help="Show at most this many rows (and the sources of those rows); 0 for all.")
@click.option("--explain", is_flag=True, help="Also print the SPARQL run, with the values bound into it.")
@click.pass_obj
def ask(paths: Paths, text: str, fmt: str, limit: int, explain: bool) -> None:
    """Ask in Chinese or English: how the question was understood, its answer (a catalogue question or a query
    composed from its parts) with the source sentences, or plainly that the graph does not hold it."""
    import json

    from kg.asking.answer import ask_paths

    answer = ask_paths(paths, text)
    if fmt == "json":
        click.echo(json.dumps(answer.to_json(limit), ensure_ascii=False, indent=2))
    else:
        click.echo(answer.render(limit=limit, explain=explain), nl=False)
    if not answer.ok:
        sys.exit(1)


@cli.command()
@click.argument("entity")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(1, 6), help="How many steps away.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def neighbors(paths: Paths, entity: str, hops: int, fmt: str) -> None:
    """Entities within --hops steps of ENTITY (a name, alias or IRI), with the relation that links them."""
    import json

    from kg.graph.explore import neighbors_of
    from kg.query.tables import format_table

    rows = neighbors_of(paths, entity, hops)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(format_table(["hops", "entity", "class", "relation", "sentence"],
                            [(str(r["hops"]), r["label"], r["class"], r["relation"], r["sentence"]) for r in rows],
                            max_col=50))
    click.echo(f"({len(rows)} entities)")


@cli.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--paths", "k", default=1, show_default=True, type=click.IntRange(1, 20),
              help="How many shortest paths to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def path_cmd(paths: Paths, source: str, target: str, k: int, fmt: str) -> None:
    """How SOURCE and TARGET are connected: every hop with its relation and the sentence behind it."""
    import json

    from kg.graph.explore import paths_between

    found = paths_between(paths, source, target, k)
    if fmt == "json":
        click.echo(json.dumps([[h.as_dict() for h in hops] for hops in found], ensure_ascii=False, indent=2))
        return
    for n, hops in enumerate(found, 1):
        click.echo(f"Path {n} ({len(hops)} hop{'s' if len(hops) != 1 else ''}):")
        for h in hops:
            click.echo(f"  {h.explain()}")
            click.echo(f"      「{h.sentence}」" if h.sentence else "      (no source sentence)")


@cli.command()
@click.option("--measure", type=click.Choice(["degree", "pagerank", "betweenness"]), default="degree",
              show_default=True, help="Centrality measure, on the undirected entity graph.")
@click.option("--class", "cls", metavar="CLASS",
              help="Only entities of this class: zs:ChamberOfCommerce, ChamberOfCommerce or a label (商会).")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def rank(paths: Paths, measure: str, cls: str | None, top: int, fmt: str) -> None:
    """The most central entities by degree, PageRank or betweenness, optionally of one class."""
    import json

    from kg.graph.explore import rank_entities
    from kg.query.tables import format_table

    rows = rank_entities(paths, measure, cls, top)
    if fmt == "json":
        click.echo(json.dumps([{"iri": n, "label": lb, "class": c, measure: s} for n, lb, c, s in rows],
                              ensure_ascii=False, indent=2))
        return
    click.echo(format_table(["#", "entity", "class", measure],
                            [(str(i), lb, c, f"{s:.4f}") for i, (_, lb, c, s) in enumerate(rows, 1)]))


@cli.command()
@click.option("--repeats", is_flag=True, help="Also list the figures two or more sources agree on (counted once).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def conflicts(paths: Paths, repeats: bool, fmt: str) -> None:
    """Figures of one subject (project, or region, measure and period) that two sources report differently."""
    from kg.corpus.conflicts import format_groups, groups_json, load_groups

    store, groups = load_groups(paths.store, repeats=repeats)
    click.echo(groups_json(store, groups) if fmt == "json" else format_groups(store, groups), nl=fmt == "json")


@cli.command()
@click.argument("entity")
@click.option("--stalled-after", "stalled_after", type=click.IntRange(1, 600), metavar="N",
              help="Also list the projects seen signed and not seen started N months or more before the newest "
              "article date in the graph.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def timeline(paths: Paths, entity: str, stalled_after: int | None, fmt: str) -> None:
    """A project's stages (签约, 开工, 投产, 竣工, 到资), or a region's projects', in date order with sources."""
    from kg.backend import connect
    from kg.corpus.timeline import format_timeline, timeline_json
    from kg.corpus.timeline import timeline as make_timeline

    t = make_timeline(connect(paths), entity, stalled_after)
    click.echo(timeline_json(t) if fmt == "json" else format_timeline(t), nl=fmt == "json")


@cli.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Draft Turtle file to write (only when every article succeeded).")
@click.option("--title", help="Title, when the article has no header or .meta.json.")
@click.option("--date", "date_", metavar="YYYY-MM-DD", help="Publication date; relative dates resolve against it.")
@click.option("--year", type=click.IntRange(1990, 2100), help="Year of a dateline without one (2月21日讯).")
@click.option("--publisher", help="Publisher, e.g. 红网.")
@click.option("--url", help="Where the article was published.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Candidates below this confidence go to review, not into the facts. Default: 0.7.")
@click.pass_obj
def ingest(paths: Paths, articles: tuple[Path, ...], output: Path, title: str | None, date_: str | None,
           year: int | None, publisher: str | None, url: str | None, min_confidence: float | None) -> None:
    """Extract candidate facts from articles (.txt files or a folder) into a draft for review."""
    from collections.abc import Iterator

    from kg.ingest.facts.base_writer import MIN_CONFIDENCE
    from kg.ingest.run import Chunk, article_files
    from kg.ingest.run import ingest as run_ingest

    files = article_files(articles)

    def progress(chunks: Iterator[Chunk], n: int) -> Iterator[Chunk]:
        with click.progressbar(chunks, length=n, label="Ingesting", file=sys.stderr,
                               item_show_func=lambda c: c.info.id if c else "") as bar:
            yield from bar

    meta = {"title": title or "", "date": date_ or "", "publisher": publisher or "", "url": url or "",
            "year": str(year or "")}
    report = run_ingest(paths, files, output, meta, progress=progress if len(files) > 1 else None,
                        min_confidence=MIN_CONFIDENCE if min_confidence is None else min_confidence)
    click.echo(report.summary())


@cli.command()
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an offline review page (HTML) that saves a decisions file, instead of the table.")
@click.pass_obj
def review(paths: Paths, draft: Path, output: Path | None) -> None:
    """Show a draft's candidate facts and open review items, as a table or as an offline page."""
    from kg.corpus.conflicts import draft_section
    from kg.ingest.review import format_review, load_review

    rev = load_review(draft)
    if output is None:
        click.echo(format_review(rev) + draft_section(paths.store, draft))
        return
    from kg.ingest.review import draft_conflicts
    from kg.ingest.reviewpage import write_review_page

    found = draft_conflicts(paths.store, draft)
    written = write_review_page(rev, output, found)
    click.echo(f"Wrote {written}: {len(rev.candidates)} facts, {len(rev.items)} open review items"
               + (f", {len(found)} conflict(s) with the graph to decide" if found else "") + ". "
               "Open it in a browser, decide, and save the decisions for `kg merge --decisions`.")


@cli.command()
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--decisions", type=click.Path(dir_okay=False, path_type=Path),
              help="Decisions file from `kg review -o`: merge only the facts it accepts (or edits).")
@click.option("--accept-all", is_flag=True, help="Merge every fact as drafted, open review items included.")
@click.option("--confirm", is_flag=True,
              help="With --accept-all: merge even though the draft renames entities the graph has, or declares two "
                   "of them the same (a decisions file that accepts such facts confirms them).")
@click.pass_obj
def merge(paths: Paths, draft: Path, decisions: Path | None, accept_all: bool, confirm: bool) -> None:
    """Validate a reviewed draft with the shapes, merge it into data/ and rebuild the store (all or nothing)."""
    from kg.ingest.decisions import merge_reviewed

    report = merge_reviewed(paths, draft, decisions, accept_all, confirm=confirm)
    for p in report.written:
        click.echo(f"Wrote {p}")
    click.echo(f"Rebuilt the store: {report.build.triples} triples in {report.build.seconds:.2f} s.")


@cli.command("eval")
@click.argument("draft", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("gold", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["dev", "test"]), multiple=True,
              help="Score the evaluation set's split (ingesting its articles) instead of one draft.")
@click.option("--set", "set_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("tests/data"),
              show_default=True, help="Folder with articles/ and gold/ of the evaluation set.")
@click.pass_obj
def eval_cmd(paths: Paths, draft: Path | None, gold: Path | None, split: tuple[str, ...], set_dir: Path) -> None:
    """Precision and recall per fact type and relation: a draft against a gold reading (docs/gold-format.md),
    or a split of the evaluation set."""
    from kg.ingest.evaluate import evaluate, format_scores

    if split:
        from kg.ingest.evalset import evaluate_set, format_set

        for name in split:
            click.echo(format_set(evaluate_set(paths, set_dir / "articles", set_dir / "gold", name)))
        return
    if draft is None or gold is None:
        raise click.UsageError("Give DRAFT and GOLD, or --split dev|test.")
    facts = sorted(p for p in paths.facts.glob("*.ttl")) if paths.facts.is_dir() else []
    click.echo(format_scores(evaluate(draft, gold, facts)))


def main() -> None:
    """Entry point of the ``kg`` console script."""
    cli(prog_name="kg")
