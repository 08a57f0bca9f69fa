"""An article merged twice, or reposted with other whitespace, punctuation, script or an added line, is refused by
``kg merge`` with a message naming the earlier source; a different report on the same subject is not."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli
from kg.ingest.duplicates import compare, fingerprint
from kg.ingest.run import ingest
from kg.ingest.text import read_article
from kg.paths import Paths

# Invented for the test, in the style of a county news report; not copied from any publication.
ARTICLE = """青松县融媒体中心3月2日讯 今年以来,青松县新签约招商项目14个,签约资金52.6亿元。
该县组建4支驻点招商小分队,分赴深圳、苏州、宁波开展产业链招商。
县委书记带队走访企业23家,推动新材料产业园二期项目落地。
全年计划引进亿元以上项目30个,力争实际到位资金突破40亿元。
"""
# The same article reposted: traditional script, other spaces and punctuation, an editor's line added.
REPOST = """青松縣融媒體中心3月2日訊  今年以來，青松縣新簽約招商項目14個，簽約資金52.6億元。
該縣組建4支駐點招商小分隊，分赴深圳、蘇州、寧波開展產業鏈招商。
縣委書記帶隊走訪企業23家，推動新材料產業園二期項目落地。
全年計劃引進億元以上項目30個，力爭實際到位資金突破40億元。
（轉自青松縣融媒體）
"""
# Another report on the same county: same names and figures, other sentences.
OTHER = """青松县召开招商工作推进会。会议通报,青松县新签约招商项目14个,签约资金52.6亿元。
会议要求各乡镇围绕新材料、食品加工两条产业链,拿出招商清单,明确责任人和时间表。
下一步,该县将在长三角设立招商联络处,力争上半年再签约项目10个以上。
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fingerprints_tell_reposts_from_other_reports(tmp_path: Path) -> None:
    first = fingerprint(read_article(_write(tmp_path, "a.txt", ARTICLE)))
    same = fingerprint(read_article(_write(tmp_path, "b.txt", ARTICLE.replace(",", ", ").replace("。", "。 "))))
    repost = fingerprint(read_article(_write(tmp_path, "c.txt", REPOST)))
    other = fingerprint(read_article(_write(tmp_path, "d.txt", OTHER)))
    exact = compare(same, first)
    assert exact is not None and exact.kind == "exact" and exact.earlier == "a"
    near = compare(repost, first)
    assert near is not None and near.kind == "near" and near.containment >= 0.9
    assert compare(other, first) is None and compare(first, other) is None


def _merge(project: Paths, runner: CliRunner, article: Path, out: Path) -> tuple[int, str]:
    ingest(project, [article], out, {"year": "2024"}, workers=1)
    res = runner.invoke(cli, ["--project", str(project.project), "--store", str(project.store),
                              "merge", str(out), "--accept-all"])
    return res.exit_code, res.output


def test_merge_refuses_an_article_it_already_has(project: Paths, tmp_path: Path, runner: CliRunner) -> None:
    code, output = _merge(project, runner, _write(tmp_path, "qingsong-2024-03-02.txt", ARTICLE), tmp_path / "a.ttl")
    assert code == 0, output
    facts = sorted(p.name for p in project.facts.iterdir())
    for name, text in (("qingsong-copy.txt", ARTICLE), ("qingsong-repost.txt", REPOST)):
        code, output = _merge(project, runner, _write(tmp_path, name, text), tmp_path / f"{name}.ttl")
        assert code != 0
        assert "earlier source qingsong-2024-03-02" in output and "Nothing was merged" in output
        assert ("the same text" if name == "qingsong-copy.txt" else "near-duplicate repost") in output
        assert sorted(p.name for p in project.facts.iterdir()) == facts  # nothing written
        assert not (project.sources / name).exists()
    code, output = _merge(project, runner, _write(tmp_path, "qingsong-meeting.txt", OTHER), tmp_path / "o.ttl")
    assert "earlier source" not in output


def test_the_kept_index_gives_the_fingerprints_reading_gives_and_follows_changes(tmp_path: Path) -> None:
    from kg.ingest.duplicates import known_sources

    sources = tmp_path / "sources"
    sources.mkdir()
    _write(sources, "a.txt", ARTICLE)
    _write(sources, "d.txt", OTHER)
    index = tmp_path / "store" / "fingerprints.sqlite"
    read = known_sources(sources)
    assert known_sources(sources, index) == read  # written
    assert known_sources(sources, index) == read  # read back
    # an article edited, one added and one removed: the index follows, as reading everything would
    _write(sources, "a.txt", REPOST)
    _write(sources, "e.txt", ARTICLE)
    (sources / "d.txt").unlink()
    assert known_sources(sources, index) == known_sources(sources)
    assert [f.id for f in known_sources(sources, index)] == ["a", "e"]
    # metadata beside an article is part of what it is read with
    (sources / "e.meta.json").write_text('{"title": "青松县招商新进展"}', encoding="utf-8")
    assert known_sources(sources, index) == known_sources(sources)
    # an index that is not a database is ignored: everything is read
    index.write_bytes(b"not a database")
    assert known_sources(sources, index) == known_sources(sources)
