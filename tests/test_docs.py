"""The README and docs/ tell the truth: the session shows what the commands print, every command shown parses,
every link, file and module named exists, and the README leads to every page."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.paths import Paths
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: The folder the README's session shows in place of the project's (the only edit made to its output).
SHOWN_PROJECT = "/path/to/zhaoshang-kg"


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _prose(page: Path) -> str:
    """The page without its fenced code blocks."""
    return _FENCE.sub("", _text(page))


def _blocks(page: Path, *kinds: str) -> list[str]:
    return [m.group(2) for m in _FENCE.finditer(_text(page)) if m.group(1) in kinds]


def _command_lines(page: Path) -> list[str]:
    """Every ``$ kg …`` line of the page's console and bash blocks, without the prompt."""
    return [line[2:] for block in _blocks(page, "console", "bash")
            for line in block.splitlines() if line.startswith("$ kg ")]


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", _prose(page), re.MULTILINE)}


def test_the_readme_links_every_docs_page() -> None:
    readme = _text(ROOT / "README.md")
    for page in PAGES[1:]:
        assert f"](docs/{page.name})" in readme, f"the README does not link docs/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", _prose(page))
    assert links or page.name == "gold-format.md", f"{page.name} links nowhere"
    for link in links:
        if re.match(r"^[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name}: {link} does not exist"
        if anchor:
            assert anchor in _anchors(path), f"{page.name}: {link}: no such heading in {path.name}"


def _named_paths(page: Path) -> list[str]:
    """The project files and folders a page names in backticks (placeholders such as NAME or <id> aside)."""
    roots = ("kg/", "data/", "ontology/", "queries/", "tests/", "benchmarks/", "scripts/", "docs/", "notebooks/",
             ".ci/")
    tokens = re.findall(r"`([^`\n]+)`", _prose(page))
    return [t for t in tokens if t.startswith(roots) and " " not in t
            and not any(mark in t for mark in ("NAME", "<", "…", "{"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_file_and_folder_named_exists(page: Path) -> None:
    for name in _named_paths(page):
        found = list(ROOT.glob(name)) if "*" in name else [ROOT / name] if (ROOT / name).exists() else []
        assert found, f"{page.name} names {name}, which does not exist"


def _resolve(dotted: str) -> object:
    """The module, or the attribute of a module, that a dotted name such as kg.query.kept.X stands for."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            found = getattr(found, attr)
        return found
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_module_and_name_named_exists(page: Path) -> None:
    tokens = re.findall(r"`([^`\n]+)`", _prose(page))
    dotted = {m for t in tokens for m in re.findall(r"(?<![\w/-])(?:kg|benchmarks)(?:\.[A-Za-z_]\w*)+", t)}
    for name in sorted(dotted):
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError) as exc:
            pytest.fail(f"{page.name} names {name}: {exc}")


def test_the_pages_show_commands() -> None:
    """The parsing test below has something to parse on every page that documents commands."""
    shown = {page.name: len(_command_lines(page)) for page in PAGES}
    assert all(shown[name] for name in ("README.md", "asking.md", "views.md", "ingest.md", "stores-and-scale.md"))


@pytest.mark.parametrize("line", [(p.name, line) for p in PAGES for line in _command_lines(p)],
                         ids=lambda pl: f"{pl[0]}: {pl[1][:40]}")
def test_every_command_shown_parses(line: tuple[str, str]) -> None:
    """Every ``kg`` line of a code block names a command, options it has and values it accepts."""
    page, text = line
    args = shlex.split(text, comments=True)[1:]
    assert isinstance(cli, click.Group)
    at = next((i for i, a in enumerate(args) if a in cli.commands), None)
    assert at is not None, f"{page}: {text}: no kg command"
    try:
        with cli.make_context("kg", args[:at + 1]) as ctx:
            cli.commands[args[at]].make_context(args[at], args[at + 1:], parent=ctx).close()
    except click.UsageError as exc:
        pytest.fail(f"{page}: kg {' '.join(args)}: {exc.format_message()}")


def _session() -> list[tuple[str, list[str]]]:
    """The README's session: each command with the lines it shows."""
    readme = _text(ROOT / "README.md")
    section = readme.split("\n## A session\n", 1)[1].split("\n## ", 1)[0]
    block = _FENCE.search(section)
    assert block is not None and block.group(1) == "console"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(2).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def _same(line: str, project: Path) -> str:
    """A line with what differs from run to run made equal: the project's folder and the seconds."""
    line = line.replace(str(project), "PROJECT").replace(SHOWN_PROJECT, "PROJECT")
    return re.sub(r"\b\d+\.\d+ s\b", "N s", line).rstrip()


def test_the_readme_session_prints_what_it_shows(project: Paths, runner: CliRunner,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the session on a copy of the project and compare every line. The tests build without keeping answers
    in the background (conftest), so the line that reports the background process is the one not compared."""
    steps = _session()
    assert len(steps) >= 5
    monkeypatch.chdir(project.project)
    store = project.project / ".kg" / "store"
    for command, shown in steps:
        args = shlex.split(command)
        assert args[0] == "kg"
        result = runner.invoke(cli, ["--project", str(project.project), "--store", str(store), *args[1:]])
        assert result.exit_code == 0, (command, result.output)
        expected = [_same(x, project.project) for x in shown if "in the background (process " not in x]
        printed = [_same(x, project.project) for x in result.output.splitlines()]
        while printed and not printed[-1]:
            printed.pop()
        assert printed == expected, command
