from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import EncodingError
from kg.sources.articles import load_source, sentences_graph
from kg.sources.sentences import split_sentences
from tests.conftest import ROOT, SOURCE_ID

ARTICLE = ROOT / "data" / "sources" / f"{SOURCE_ID}.txt"


def test_offsets_are_code_points_and_slices_match() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert len(spans) > 60
    for s in spans:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    starts = [s.start for s in spans]
    assert starts == sorted(starts)


def test_sentence_boundaries() -> None:
    spans = split_sentences("今年春节期间,岳阳开展对接活动166场次。走访湘商3300余人!\n\n图片\n“好”?结束")
    assert [s.text for s in spans] == [
        "今年春节期间,岳阳开展对接活动166场次。", "走访湘商3300余人!", "图片", "“好”?", "结束"
    ]
    assert spans[1].start == len("今年春节期间,岳阳开展对接活动166场次。")


def test_yunxi_sentence_is_found() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    hits = [s for s in split_sentences(text) if "430.65亿元" in s.text]
    assert len(hits) == 1
    assert hits[0].text.startswith("比如岳阳瞄准现代石化产业链精准招商")


def test_bom_is_removed_and_reported(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + "长沙市。".encode())
    src = load_source(p)
    assert src.had_bom and src.text == "长沙市。"
    assert split_sentences(src.text)[0].start == 0


def test_gbk_article_is_refused_with_a_hint(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes("第一行\n招商引资,看看这些地方".encode("gbk"))
    with pytest.raises(EncodingError, match=r"gbk\.txt: is not UTF-8 .*line 1, column 1.*GB18030"):
        load_source(p)


def test_sentences_graph_describes_the_article() -> None:
    g = sentences_graph(load_source(ARTICLE))
    titles = {str(o) for o in g.objects(None, None) if "三张牌" in str(o) and len(str(o)) < 40}
    assert "招商引资,看看这些地方的“三张牌”丨抢跑春天里" in titles


def test_committed_sentences_file_is_current() -> None:
    """data/facts/<source>.sentences.ttl is what `kg segment` makes of the source today."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    committed = Graph().parse(ROOT / "data" / "facts" / f"{SOURCE_ID}.sentences.ttl")
    assert isomorphic(committed, sentences_graph(load_source(ARTICLE)))
