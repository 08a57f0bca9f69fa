"""The same figure from two sources is one figure, counted once; figures that disagree are a conflict that
``kg conflicts`` lists with sources and sentences, and the rollups count once, at the lowest, saying so."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest.run import ingest
from kg.paths import Paths
from kg.query.catalogue import select
from kg.store.figures import Figure, agree
from kg.store.generations import open_store

ROOT = Path(__file__).resolve().parent.parent

# Invented for the tests, in the style of local news; not copied from any publication. A and B report one
# figure (86.5亿, 约87亿); C reports another (96.5亿) for the same city, measure, year and project count.
ARTICLES = {
    "yiyang-a": "益阳日报1月8日讯(记者 周明远)2023年,益阳市新签约项目32个,合同引资86.5亿元。\n"
                "该市组建6支招商小分队,分赴上海、重庆开展驻点招商。\n",
    "yiyang-b": "湖南经济报道1月15日讯 在全省招商工作会上,益阳市作典型发言。\n"
                "2023年,益阳市新签约项目32个,合同引资约87亿元。\n会议要求各地持续优化营商环境,抓好项目落地。\n",
    "yiyang-c": "资阳新闻1月20日讯 记者从市商务局获悉,2023年,益阳市新签约项目32个,合同引资96.5亿元。\n"
                "下一步,益阳将聚焦先进制造业开展精准招商。\n",
}
Z = "https://w3id.org/zhaoshang-kg/def#"


def _figure(value: str, qualifier: str = "Exact") -> Figure:
    return Figure(ox.NamedNode(f"https://example.org/{value}"), ("total",), Decimal(value), f"{Z}{qualifier}",
                  frozenset(), ())


@pytest.mark.parametrize(("a", "qa", "b", "qb", "same"), [
    ("109.8", "Exact", "109.80", "Reaching", True),
    ("109.8", "Exact", "110", "Exact", True),  # rounding, within 0.5%
    ("109.8", "Exact", "112", "Exact", False),
    ("87", "Approximately", "86.5", "Exact", True),
    ("87", "Approximately", "96.5", "Exact", False),
    ("100", "MoreThan", "103", "Exact", True),
    ("100", "MoreThan", "98", "Exact", False),
    ("100", "MoreThan", "150", "Exact", False),
    ("100", "MoreThan", "105", "MoreThan", True),
    ("50", "UpTo", "45", "Exact", True),
    ("50", "UpTo", "52", "Exact", False),
])
def test_values_agree_within_their_qualifiers(a: str, qa: str, b: str, qb: str, same: bool) -> None:
    assert agree(_figure(a, qa), _figure(b, qb)) is same
    assert agree(_figure(b, qb), _figure(a, qa)) is same


def _merge(project: Paths, runner: CliRunner, tmp_path: Path, sid: str) -> None:
    draft = _draft(project, tmp_path, sid)
    res = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store),
                              "merge", str(draft), "--accept-all"])
    assert res.exit_code == 0, res.output


def _draft(project: Paths, tmp_path: Path, sid: str) -> Path:
    src = tmp_path / f"{sid}.txt"
    src.write_text(ARTICLES[sid], encoding="utf-8")
    draft = tmp_path / f"{sid}.ttl"
    ingest(project, [src], draft, {"year": "2024"}, workers=1)
    text = draft.read_text(encoding="utf-8")
    # the extractor reads the period (2023年, at the head of the sentence; kg.ingest.periods)
    assert "a zs:SigningTotal ;" in text and "zs:refPeriod period:2023 ;" in text
    return draft


def _yiyang(project: Paths) -> list[dict[str, str]]:
    """The rows of investment_by_region (as the catalogue runs it) for 益阳市, 合同引资, 2023."""
    sparql = (ROOT / "queries" / "investment_by_region.rq").read_text(encoding="utf-8")
    rows = select(open_store(project.store), sparql,
                  {"region": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430900")})
    out = [{k: getattr(r.get(k), "value", "") for k in ("measure", "year", "amountAtLeast", "counted", "sources")}
           for r in rows.rows]
    return [r for r in out if r["measure"].endswith("ContractedInvestment") and r["year"] == "2023"]


def test_a_repeat_counts_once_and_a_conflict_at_its_lowest(project: Paths, runner: CliRunner,
                                                          tmp_path: Path) -> None:
    args = ["--project", str(project.project), "--store", str(project.store)]
    _merge(project, runner, tmp_path, "yiyang-a")
    _merge(project, runner, tmp_path, "yiyang-b")
    rows = _yiyang(project)
    assert len(rows) == 1
    assert Decimal(rows[0]["amountAtLeast"]) == Decimal("8650000000")  # not 173.5亿
    assert rows[0]["counted"] == "1" and rows[0]["sources"] == "2"
    res = runner.invoke(cli, [*args, "conflicts"])
    assert res.exit_code == 0 and "No conflicting figures" in res.output
    res = runner.invoke(cli, [*args, "review", str(tmp_path / "yiyang-b.ttl")])
    assert "FIGURES THE GRAPH ALREADY HAS FROM OTHER SOURCES" in res.output  # re-read: a, the one it agrees with
    res = runner.invoke(cli, [*args, "conflicts", "--repeats", "--format", "json"])
    groups = json.loads(res.output)
    assert [g["kind"] for g in groups] == ["repeat"] and groups[0]["sources"] == [
        "https://w3id.org/zhaoshang-kg/id/source/yiyang-a", "https://w3id.org/zhaoshang-kg/id/source/yiyang-b"]
    assert sum(f["counted"] for f in groups[0]["figures"]) == 1

    draft = _draft(project, tmp_path, "yiyang-c")
    res = runner.invoke(cli, [*args, "review", str(draft)])  # the reviewer sees the conflict before merging
    assert res.exit_code == 0 and "CONFLICTS THIS DRAFT WOULD CREATE (1)" in res.output
    assert res.output.index("CONFLICTS THIS DRAFT") < res.output.index("96.5亿元  source yiyang-c")
    _merge(project, runner, tmp_path, "yiyang-c")
    rows = _yiyang(project)
    assert len(rows) == 1 and Decimal(rows[0]["amountAtLeast"]) == Decimal("8650000000")  # never 96.5 + 86.5
    assert rows[0]["sources"] == "3"
    res = runner.invoke(cli, [*args, "conflicts"])
    assert res.exit_code == 0
    assert "CONFLICT 1: 益阳市 · 合同引资 · 2023年 · 32 projects" in res.output
    assert "96.5亿元  source yiyang-c" in res.output and "(these sources agree)" in res.output
    assert "合同引资96.5亿元。」" in res.output and "at the lowest value (86.5亿元)" in res.output
    store = open_store(project.store)
    notes = [q.object.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote"), None)
        if "conflict between sources" in str(q.object.value)]
    assert notes and notes[0].startswith("3 figure(s)")


def test_the_founding_article_alone_has_no_conflicts(built: Paths, runner: CliRunner) -> None:
    res = runner.invoke(cli, ["--project", str(built.project), "--store", str(built.store), "conflicts",
                              "--repeats"])
    assert res.exit_code == 0 and "No conflicting figures" in res.output
