"""The command line: documented, runnable as `python -m kg`, and the main job prints the chambers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from kg.cli import cli
from kg.paths import Paths
from tests.conftest import ROOT


def _documents() -> dict[str, str]:
    """The README and every page of docs/, by path."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in pages}


def _names(text: str, word: str) -> bool:
    """Whether *word* (a command or an option) occurs in *text* as a whole word, not inside a longer one."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, f"kg {name} has no help text"
        assert f"`kg {name}" in readme, f"kg {name} is not in the README's table of commands"


def test_every_option_is_documented_beside_its_command() -> None:
    """Each option of a command is named on a page that documents the command (README or docs/), and each
    global option and its environment variable somewhere."""
    docs = _documents()
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        pages = [text for text in docs.values() if _names(text, f"kg {name}")]
        assert pages, f"kg {name} is documented nowhere"
        for param in command.params:
            if isinstance(param, click.Option):
                spellings = param.opts + param.secondary_opts
                assert any(_names(text, o) for text in pages for o in spellings), (
                    f"kg {name} {'/'.join(spellings)} is not on a page that documents kg {name}")
    everything = "\n".join(docs.values())
    for param in cli.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert any(_names(everything, o) for o in param.opts), f"kg {'/'.join(param.opts)} is not documented"
            envvar = param.envvar if isinstance(param.envvar, str) else None
            assert envvar is None or envvar in everything, f"{envvar} is not documented"


def test_python_dash_m_kg_works() -> None:
    out = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, check=True)
    assert "Usage: kg" in out.stdout and "build" in out.stdout


def test_readme_quick_start_names_the_scripts_ci_uses() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_main_job_prints_the_four_chambers(project: Paths, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store), "run"])
    assert result.exit_code == 0, result.output
    for chamber, host, origin in [("北京辰溪商会", "北京市", "辰溪县"), ("浙江湖南商会", "浙江省", "湖南省"),
                                  ("上海怀化商会", "上海市", "怀化市"), ("深圳辰溪商会", "深圳市", "辰溪县")]:
        line = next(x for x in result.output.splitlines() if x.startswith(chamber))
        assert host in line and origin in line


def test_stats_counts_entities_and_facts(built: Paths, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--store", str(built.store), "stats"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("zs:ChamberOfCommerce"))
    assert line.split()[-1] == "4"
    assert "rednet-2024-03-13-sanzhangpai" in result.output


def test_segment_writes_the_sentence_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "s.ttl"
    src = ROOT / "data" / "sources" / "rednet-2024-03-13-sanzhangpai.txt"
    result = runner.invoke(cli, ["segment", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "oa:exact" in out.read_text(encoding="utf-8")
