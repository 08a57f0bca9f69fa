"""Places, organisations and people: look-alikes stay apart, ambiguity goes to review, chambers split."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest.extract import extract
from kg.ingest.gazetteer import division_table, load_gazetteer
from kg.ingest.resolve import KnownGraph, load_known
from kg.ingest.text import read_article
from kg.paths import make_paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def known() -> KnownGraph:
    return load_known(make_paths(ROOT, ROOT / ".kg" / "no-store-here"))


def places(text: str) -> list[tuple[str, str | None]]:
    g = load_gazetteer()
    return [(m.surface, m.place.code if m.place else None) for m in g.find(text)]


def test_current_codes_with_overrides() -> None:
    codes = {r[0]: r[1] for r in division_table()}
    assert codes["430182"] == "宁乡市" and "430124" not in codes
    assert codes["430582"] == "邵东市" and "430521" not in codes


@pytest.mark.parametrize(("text", "expected"), [
    ("长沙", [("长沙", "430100")]),
    ("长沙县", [("长沙县", "430121")]),
    ("浙江", [("浙江", "330000")]),
    ("吉林", [("吉林", "220000")]),
    ("吉林市", [("吉林市", "220200")]),
    ("吉林省", [("吉林省", "220000")]),
    ("宁乡市", [("宁乡市", "430182")]),
])
def test_short_forms_and_look_alikes(text: str, expected: list[tuple[str, str]]) -> None:
    assert places(text) == expected


def test_ambiguous_district_is_flagged_not_guessed() -> None:
    assert places("鼓楼区") == [("鼓楼区", None)]
    assert places("朝阳区") == [("朝阳区", None)]
    assert places("北京市朝阳区") == [("北京市", "110000"), ("朝阳区", "110105")]
    assert places("南京市鼓楼区") == [("南京市", "320100"), ("鼓楼区", "320106")]


def test_county_short_form_needs_its_city() -> None:
    assert places("辰溪") == []
    assert ("辰溪", "431223") in places("怀化市的辰溪")


def article(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "news-1.txt"
    p.write_text(f"标题: 测试\n日期: 2024-03-13\n\n{body}\n", encoding="utf-8")
    return p


def test_chambers_split_into_host_and_origin(tmp_path: Path, known: KnownGraph) -> None:
    x = extract(read_article(article(tmp_path, "怀化市辰溪县发挥北京辰溪商会、浙江湖南商会等异地商会优势。")), known)
    chambers = {f.label: (f.attrs["host"].label, f.attrs["origin"].label)  # type: ignore[union-attr]
                for f in x.findings if f.cls == "ChamberOfCommerce"}
    assert chambers == {"北京辰溪商会": ("北京市", "辰溪县"), "浙江湖南商会": ("浙江省", "湖南省")}


def test_people_roles_and_counted_appointees(tmp_path: Path, known: KnownGraph) -> None:
    body = "长沙首批“招商顾问”张锦州,促成项目。辰溪县聘任9名辰溪籍优秀企业家为招商大使。"
    x = extract(read_article(article(tmp_path, body)), known)
    assert [f.label for f in x.findings if f.kind == "person"] == ["张锦州"]
    roles = sorted(str(f.attrs["role"]) for f in x.findings if f.kind == "appointment")
    assert roles == ["InvestmentAdviser", "InvestmentAmbassador"]
    (group,) = [f for f in x.findings if f.kind == "group"]
    assert group.attrs["count"] == 9
    assert not [f for f in x.findings if f.kind == "region" and "锦州" in f.label]


def test_known_entities_keep_their_iri(tmp_path: Path, known: KnownGraph) -> None:
    x = extract(read_article(article(tmp_path, "长沙驻京招引专班推动项目落地长沙,长沙市印发文件。")), known)
    iris = {f.iri for f in x.findings if f.kind in ("region", "organisation")}
    assert "https://w3id.org/zhaoshang-kg/id/region/430100" in iris
    assert "https://w3id.org/zhaoshang-kg/id/agent/changsha-gov" in iris
