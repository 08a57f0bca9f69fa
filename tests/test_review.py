"""Review before merge: deterministic drafts, the review table, decisions checked against their draft, and
``kg merge`` that refuses open review items unless it is given decisions or ``--accept-all``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from kg.cli import cli
from kg.errors import InputError
from kg.ingest.decisions import apply, decisions_template, read_decisions, to_graph
from kg.ingest.review import format_review, load_review
from kg.ingest.run import ingest
from kg.paths import Paths, make_paths
from kg.query.catalogue import select
from kg.store.generations import open_store

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = """益阳日报2月21日讯(记者 周明远)今年以来,益阳市新签约项目32个,合同引资86.5亿元。
该市组建6支招商小分队,分赴上海、重庆开展驻点招商。
益阳市聘任李振华、陈思远等8人为益阳市招商大使。
"""


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    src = tmp_path / "yiyang-2024-02-21.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "draft.ttl"
    ingest(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), [src], out, {"year": "2024"}, workers=1)
    return out


def test_drafts_are_deterministic_and_readable(draft: Path, tmp_path: Path) -> None:
    first = draft.read_bytes()
    again = tmp_path / "again.ttl"
    src = tmp_path / "yiyang-2024-02-21.txt"
    ingest(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), [src], again, {"year": "2024"}, workers=1)
    assert again.read_bytes() == first
    text = first.decode("utf-8")
    # the sentence above the fact, its rule and confidence, the place's name beside its code
    block = text[text.index("# s001: 益阳日报"):]
    block = block[:block.index("\n\n")]
    assert "#@ {" in block and '"rule": "measure:合同引资' in block
    assert "zs:refArea region:430900 ;  # 益阳市" in block
    assert "# REVIEW: 2 open item(s)" in text and "[r1]" in text


def test_review_table_lists_open_items_first_and_places_by_name(draft: Path) -> None:
    review = load_review(draft)
    assert [i.id for i in review.items] == ["r1", "r2"]
    table = format_review(review)
    assert table.index("OPEN REVIEW ITEMS") < table.index("SigningTotal") < table.index("CountedGroup")
    assert "refArea=益阳市" in table and "430900" not in table
    assert "targetRegion=上海市" in table and "Appointment" in table
    res = CliRunner().invoke(cli, ["review", str(draft)])
    assert res.exit_code == 0 and "OPEN REVIEW ITEMS" in res.output


def test_decisions_that_do_not_match_their_draft_are_refused(draft: Path, tmp_path: Path) -> None:
    review = load_review(draft)
    good = decisions_template(review)
    path = tmp_path / "d.json"

    def refused(data: object, why: str) -> None:
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(InputError, match=why):
            read_decisions(path, review)

    bad = json.loads(json.dumps(good))
    bad["facts"][0]["id"] = "https://w3id.org/zhaoshang-kg/id/total/not-there"
    refused(bad, "is not a fact of")
    bad = json.loads(json.dumps(good))
    bad["facts"][0]["sentence"] = "另一句话。"
    refused(bad, "differs from the draft")
    bad = json.loads(json.dumps(good))
    bad["facts"][0]["decision"] = "maybe"
    refused(bad, "is not one of")
    bad = json.loads(json.dumps(good))
    bad["draft_sha256"] = "0" * 64
    refused(bad, "another version")
    refused({"facts": []}, "is not a decisions file")
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_decisions(path, review)


def test_rejecting_a_government_drops_what_depends_on_it(draft: Path, tmp_path: Path) -> None:
    review = load_review(draft)
    data = decisions_template(review)
    gov = next(c.id for c in review.candidates if c.type == "Government")
    for f in data["facts"]:
        if f["id"] == gov:
            f["decision"] = "reject"
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    text, dropped = apply(draft, review, read_decisions(path, review))
    g = to_graph(text)
    assert gov in dropped
    dependent = [c.id for c in review.candidates if c.type in ("CountedGroup", "Appointment")]
    assert dependent and all(d in dropped for d in dependent)
    assert all((URIRef(d), None, None) not in g for d in dropped)
    totals = [c.id for c in review.candidates if c.type == "SigningTotal"]
    assert totals and all((URIRef(t), None, None) in g for t in totals)


def test_merge_gate_then_decisions_merge_only_what_was_accepted(project: Paths, draft: Path, tmp_path: Path,
                                                               runner: CliRunner) -> None:
    args = ["--project", str(project.project), "--store", str(project.store)]
    res = runner.invoke(cli, [*args, "merge", str(draft)])
    assert res.exit_code == 1 and "open review item" in res.output and "--accept-all" in res.output
    assert not list(project.facts.glob("yiyang-*"))
    review = load_review(draft)
    data = decisions_template(review)
    total = next(c for c in review.candidates if c.type == "SigningTotal")
    for f in data["facts"]:
        if f["id"] == total.id:
            f["decision"], f["label"] = "edit", "益阳市2024年合同引资"
        elif f["id"].split("/")[-2] == "appointment":
            f["decision"] = "reject"
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = runner.invoke(cli, [*args, "merge", str(draft), "--decisions", str(decisions), "--accept-all"])
    assert res.exit_code == 1 and "not both" in res.output
    res = runner.invoke(cli, [*args, "merge", str(draft), "--decisions", str(decisions)])
    assert res.exit_code == 0, res.output
    st = open_store(project.store)
    rows = select(st, """SELECT ?label ?value WHERE { ?t a zs:SigningTotal ; rdfs:label ?label ;
                         zs:investment/schema:value ?value ; zs:refArea/zs:adminCode "430900" }""").rows
    assert [(r["label"].value, r["value"].value) for r in rows] == [("益阳市2024年合同引资", "8650000000")]
    assert not select(st, "SELECT ?a WHERE { ?a a zs:Appointment ; prov:wasDerivedFrom ?s . "
                          "FILTER(CONTAINS(STR(?s), 'yiyang')) }").rows


def test_a_hand_edited_draft_that_changes_known_entities_is_held(project: Paths, draft: Path,
                                                                runner: CliRunner) -> None:
    text = draft.read_text(encoding="utf-8")
    text += ("\n<https://w3id.org/zhaoshang-kg/id/region/430100> <http://www.w3.org/2002/07/owl#sameAs> "
             "<https://w3id.org/zhaoshang-kg/id/region/430900> .\n"
             "<https://w3id.org/zhaoshang-kg/id/region/430100> "
             '<http://www.w3.org/2000/01/rdf-schema#label> "星城"@zh .\n')
    edited = draft.with_name("edited.ttl")
    edited.write_text(text.replace("# REVIEW: 2 open item(s)", "# REVIEW:").replace("#   - [r", "#   - [x"),
                      encoding="utf-8")
    assert not load_review(edited).items  # the header no longer lists any item ...
    args = ["--project", str(project.project), "--store", str(project.store)]
    res = runner.invoke(cli, [*args, "merge", str(edited)])
    assert res.exit_code == 1 and "open review item" in res.output  # ... but the changes to known entities do
    assert not list(project.facts.glob("yiyang-*"))


def test_unresolvable_relative_dates_stay_text_with_a_review_item(draft: Path, tmp_path: Path) -> None:
    src = tmp_path / "nodate-1.txt"
    src.write_text("今年3月,益阳市签约资金8亿元。\n", encoding="utf-8")
    out = tmp_path / "nodate.ttl"
    report = ingest(make_paths(ROOT, ROOT / ".kg" / "no-store-here"), [src], out, workers=1)
    assert any("'今年3月' cannot be resolved" in r for r in report.reviews)
    assert "gYearMonth" not in out.read_text(encoding="utf-8")
