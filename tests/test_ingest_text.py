"""Reading articles: encodings, bad input, chrome, simplification, money and dates."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kg.errors import EncodingError, InputError
from kg.ingest.events import find_dates, find_metrics
from kg.ingest.money import find_amounts, parse_number
from kg.ingest.text import MAX_ARTICLE_BYTES, read_article, simplify
from kg.sources.sentences import Span

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "sources" / "rednet-2024-03-13-sanzhangpai.txt"
TEXT = "标题: 测试\n日期: 2024-03-13\n\n长沙市签约资金达109.8亿元。\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8 with BOM"),
    (TEXT.encode("gb18030"), "GB18030"),
])
def test_encodings_are_detected_and_recorded(tmp_path: Path, data: bytes, encoding: str) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(data)
    a = read_article(p)
    assert a.encoding == encoding
    assert a.text == TEXT
    assert a.meta["date"] == "2024-03-13" and a.meta["title"] == "测试"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"  \n\t\n", "only white space"),
    (b"\x00\x01\x02binary\x00" * 10, "binary"),
    (TEXT.encode("utf-16"), "UTF-16"),
    ("Größe und Maß für café".encode("latin-1") * 5, "neither UTF-8"),
    ("長沙市簽約資金達到一百億元，招商引資會議在臺灣舉辦。".encode("big5") * 5, "not Chinese text"),
])
def test_bad_files_get_clear_messages(tmp_path: Path, data: bytes, message: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises((InputError, EncodingError), match=message):
        read_article(p)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    with p.open("wb") as fh:
        fh.truncate(MAX_ARTICLE_BYTES + 1)
    with pytest.raises(InputError, match="above the article limit"):
        read_article(p)


def test_traditional_is_matched_through_simplified_and_kept() -> None:
    original = "長沙市簽約資金達１０９.８億元"
    s = simplify(original)
    assert s == "长沙市签约资金达109.8亿元"
    assert len(s) == len(original)


def test_page_chrome_is_set_aside() -> None:
    a = read_article(ARTICLE)
    chrome = [a.text[s:e] for s, e in a.chrome]
    for line in ("当前位置:", "图片", "阅读下一篇", "—分享—"):
        assert line in chrome
    assert all("招商" not in s.text or "招商" in s.text for s in a.body)
    assert not any(s.text in ("图片", "阅读下一篇") for s in a.body)
    assert all(a.text[s.start:s.end] == s.text for s in a.body)


@pytest.mark.parametrize(("text", "value", "qualifier"), [
    ("约50亿元", "5000000000", "Approximately"),
    ("签约资金达109.8亿元", "10980000000", "Reaching"),
    ("最高奖励可达1100万元", "11000000", "UpTo"),
    ("1100万元", "11000000", "Exact"),
    ("一百零九点八亿元", "10980000000", "Exact"),
    ("１０９.８亿元", "10980000000", "Exact"),
    ("超30亿元", "3000000000", "MoreThan"),
    ("近20亿元", "2000000000", "Approximately"),
    ("3000余万元", "30000000", "MoreThan"),
    ("0.07万元", "700", "Exact"),
])
def test_amounts_are_exact_decimals(text: str, value: str, qualifier: str) -> None:
    (a,) = find_amounts(simplify(text))
    assert a.value == Decimal(value) and a.qualifier == qualifier and a.currency == "CNY"


def test_chinese_numerals() -> None:
    assert parse_number("两千三百") == Decimal(2300)
    assert parse_number("十二") == Decimal(12)


@pytest.mark.parametrize("hostile", ["1" * 200_000, "1." * 100_000, "一" * 100_000, "约" * 100_000 + "元",
                                     "商会" * 50_000, "驻" * 100_000 + "专班"])
def test_hostile_text_is_bounded_in_time(hostile: str) -> None:
    started = time.perf_counter()
    find_amounts(hostile)
    find_metrics(hostile[:2000], 0, Span(1, 0, 2000, hostile[:2000]), [])
    assert time.perf_counter() - started < 2.0


def test_relative_dates_resolve_against_the_article_date() -> None:
    today = date(2024, 3, 13)
    found = {w.surface: (w.value, w.datatype) for _, w in find_dates("去年3月,今年2月底,3月8日,2023年以来", today)}
    assert found["去年3月"] == ("2023-03", "gYearMonth")
    assert found["今年2月底"] == ("2024-02", "gYearMonth")
    assert found["3月8日"] == ("2024-03-08", "date")
    assert found["2023年以来"] == ("2023", "gYear")


def test_metrics_with_qualifiers() -> None:
    t = "开展对接活动166场次,走访湘商3300余人,在全国40多个城市建立异地联络站"
    found = find_metrics(t, 0, Span(1, 0, len(t), t), [])
    got = [(str(f.attrs["value"]), f.attrs["unit"], f.attrs["qualifier"]) for f in found]
    assert got == [("166", "场次", "Exact"), ("3300", "人", "MoreThan"), ("40", "个城市", "MoreThan")]
