"""Metadata a real page does not state: the date from its dateline, the title from its first line.

News pages often give only a dateline (``益阳日报2月21日讯``, ``本报长沙3月5日电``, ``记者 …``) and no full date
or headline. An article is never refused for that: the date is read from the dateline with its year from the
dateline itself, ``--year``, or the one year the text names; the title from the first line that reads as a
headline. Every inferred value is recorded (``meta["inferred:…"]``) and becomes a review item of the draft.
"""

from __future__ import annotations

import re
from collections import Counter

_DATELINE = re.compile(r"(?:(?P<y>20[0-9]{2})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日(?:讯|电)")
_BYLINE = re.compile(r"^(?:记者|通讯员|本报|来源|作者|编辑)|(?:讯|电)[\s(（]|记者")
#: A line that is only a byline (记者 王建军 通讯员 李娜).
_BYLINE_LINE = re.compile(r"^(?:本报)?(?:记者|通讯员|作者|来源|编辑)[\s:：][^。,，]{0,40}$")
#: What a first line has before its text: the dateline and the reporters in brackets.
_LEAD = re.compile(r"^.{0,20}?(?:讯|电)\s*(?:[(（][^()（）]{0,40}[)）])?\s*")
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})年")


def looks_like_headline(line: str) -> bool:
    """A first line that can be a title: short, not a dateline or byline, not a sentence of the text."""
    s = line.strip()
    return bool(s) and len(s) <= 50 and not _BYLINE.search(s) and not _DATELINE.search(s) and not s.endswith(
        ("。", "!", "！", ";", "；"))


def infer(text: str, meta: dict[str, str]) -> dict[str, str]:
    """*meta* completed with a date from the dateline and a title from the first line, each marked inferred."""
    out = dict(meta)
    head = text[:600]
    if not out.get("date"):
        m = _DATELINE.search(head)
        if m:
            years = Counter(_YEAR.findall(text))
            year = m["y"] or out.get("year") or (years.most_common(1)[0][0] if len(years) == 1 else "")
            mmdd = f"{int(m['m']):02d}-{int(m['d']):02d}"
            if year:
                out["date"] = f"{year}-{mmdd}"
                source = "the dateline" if m["y"] else ("--year" if out.get("year") else "the year the text names")
                out["inferred:date"] = f"date {out['date']} read from the dateline {m.group()!r}, year from {source}"
            else:
                out["inferred:date"] = (f"the dateline {m.group()!r} gives no year; the publication date is unknown "
                                        "(give --year or --date); relative dates stay unresolved")
        else:
            out["inferred:date"] = "no publication date in the text; give --date (relative dates stay unresolved)"
    if not out.get("title"):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        first = lines[0] if lines else ""
        if looks_like_headline(first):
            out["title"] = first
            out["inferred:title"] = f"title {first!r} taken from the first line"
        else:
            body = next((ln for ln in lines if not _BYLINE_LINE.match(ln)), first)
            lead = re.split(r"[。!！?？]", _LEAD.sub("", body))[0].strip()
            out["title"] = (lead[:30] + "…") if len(lead) > 30 else lead or "(untitled)"
            out["inferred:title"] = f"no headline; title {out['title']!r} made from the first sentence"
    return out
