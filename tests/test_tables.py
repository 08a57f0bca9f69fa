from __future__ import annotations

from kg.query.tables import display_width, format_table, truncate


def test_cjk_columns_line_up() -> None:
    out = format_table(["商会", "host"], [["北京辰溪商会", "北京市"], ["abc", "上海市"]])
    header, rule, first, second = out.splitlines()
    starts = {
        display_width(header[: header.index("host")]),
        display_width(first[: first.index("北京市")]),
        display_width(second[: second.index("上海市")]),
    }
    assert starts == {display_width("北京辰溪商会") + 2}
    assert rule.startswith("-" * display_width("北京辰溪商会") + "  ")


def test_truncate_counts_wide_characters() -> None:
    assert truncate("长沙市人民政府", 7) == "长沙市…"
    assert display_width(truncate("长沙市人民政府", 7)) <= 7
    assert truncate("short", 10) == "short"
