"""Read an article for ingestion: detect its encoding, keep its metadata, set page chrome aside, split it.

Encodings: UTF-8 (with or without a BOM) and GB18030 (which covers GBK and GB2312) are detected and
recorded; anything else (UTF-16, Latin-1, binary) is refused with a message, never decoded into garbage.
Traditional characters are matched through a simplified form of the text (:attr:`Article.match`) that has
exactly the same length, so every offset found in it is an offset into the original text, which is kept.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from kg.errors import EncodingError, InputError
from kg.files import read_bytes
from kg.ingest.dateline import infer as _infer
from kg.ingest.dateline import looks_like_headline
from kg.sources.articles import read_meta
from kg.sources.sentences import Span, split_sentences

#: Largest article accepted (bytes). A long news report is 10-30 KB; 2 MB leaves room for a whole series.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024

#: Lines that are page furniture, not text: breadcrumbs, image placeholders, share and navigation links.
_CHROME = re.compile(
    r"^(?:当前位置[:：]?.*|图片|图片来源.*|—*\s*分享\s*—*|分享到.*|阅读下一篇|阅读上一篇|返回.*首页.*|"
    r"上一篇.*|下一篇.*|相关阅读|相关新闻|责任编辑[:：].*|编辑[:：].*|来源[:：].*|作者[:：].*|"
    r"本文链接[:：].*|本文为.*(?:原创|转载).*|.*\.(?:gif|jpg|jpeg|png)|时刻新闻|扫一扫.*|打印|关闭|"
    r"【字体[:：].*】|字号.*|点击.*(?:查看|阅读).*)$"
)
#: Navigation trails (首页 > 新闻 > 本地) and date/source lines of page chrome.
_NAV = re.compile(r"首[页頁]\s*[>＞»]|^\d{4}-\d{2}-\d{2}(?:\s+\d{2}:\d{2})?\s")
#: A line of page buttons: 【打印】【关闭】.
_BUTTONS = re.compile(r"^(?:【[^【】]{1,8}】\s*)+$")
_HEADER = re.compile(r"^(title|date|published|publisher|url|标题|日期|来源|链接)\s*[:：]\s*(.+)$", re.IGNORECASE)
_DATE = re.compile(r"(20\d\d|19\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass(frozen=True)
class Article:
    """An article ready for extraction."""

    id: str
    path: Path
    text: str  #: the text as received, decoded (offsets point into it)
    encoding: str  #: "UTF-8", "UTF-8 with BOM" or "GB18030"
    meta: dict[str, str] = field(default_factory=dict)
    match: str = ""  #: same length as text, traditional characters simplified, full-width ASCII folded
    chrome: tuple[tuple[int, int], ...] = ()  #: [start, end) of lines set aside as page chrome
    sentences: tuple[Span, ...] = ()  #: every sentence of the text, chrome included (for stable numbering)

    def is_chrome(self, span: Span) -> bool:
        """True when *span* lies inside a chrome line."""
        return any(s <= span.start and span.end <= e for s, e in self.chrome)

    @cached_property
    def body(self) -> list[Span]:
        """The sentences that are text, not page chrome (read once: every finder and the period rules ask)."""
        return [s for s in self.sentences if not self.is_chrome(s)]


def detect_encoding(data: bytes, name: str) -> tuple[str, str]:
    """Decode *data* as UTF-8 (± BOM) or GB18030; return the text and the encoding's name.

    Raises :class:`EncodingError` for UTF-16/32, binary data, or bytes that are neither.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise EncodingError(f"{name}: is UTF-32; save it as UTF-8 and try again.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingError(f"{name}: is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8.")
    if b"\x00" in data[:8192]:
        raise EncodingError(f"{name}: looks binary (it holds NUL bytes); give a plain-text article (UTF-8 or GB18030).")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{name}: starts with a UTF-8 BOM but byte {exc.start + 3} is not UTF-8.") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise EncodingError(
            f"{name}: is neither UTF-8 (bad byte 0x{data[utf8_error.start]:02X} at offset {utf8_error.start}) "
            "nor GB18030. Convert it to UTF-8 (e.g. `iconv -f <encoding> -t UTF-8`)."
        ) from None
    if not _plausible_chinese(text):
        raise EncodingError(
            f"{name}: is not UTF-8, and read as GB18030 it is not Chinese text (probably Latin-1, Big5 or binary). "
            "Convert it to UTF-8 and try again."
        )
    return text, "GB18030"


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes most byte strings; accept the result only when it reads like Chinese text."""
    sample = text[:20000]
    if not sample:
        return True
    common = sum(1 for ch in sample if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                 or "\uff00" <= ch <= "\uffef" or ch in "“”‘’—…·")
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    # Big5 (or other) bytes read as GB18030 give valid but rare characters: real text is mostly GB2312.
    common_cjk = sum(1 for ch in cjk if _in_gb2312(ch))
    return common / len(sample) > 0.97 and bool(cjk) and common_cjk / len(cjk) > 0.8


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t")
    return bad / len(sample)


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → simplified and full-width ASCII → ASCII, character for character (same length).

    >>> simplify("長沙市簽約資金達１０９.８億元")
    '长沙市签约资金达109.8亿元'
    """
    folded = text.translate(_FULLWIDTH)
    conv = _converter()
    out = conv.convert(folded)  # type: ignore[attr-defined]
    if len(out) == len(folded):
        return str(out)
    # A phrase conversion changed the length: fall back to single characters, which never do.
    chars = []
    for ch in folded:
        c = str(conv.convert(ch))  # type: ignore[attr-defined]
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def read_article(path: Path, meta: dict[str, str] | None = None, *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article:
    """Read *path* as an article: encoding, metadata (sidecar, header lines, then *meta*), chrome, sentences."""
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{path}: is empty; there is nothing to ingest.")
    if path.is_file() and path.stat().st_size > max_bytes:
        raise InputError(
            f"{path}: {path.stat().st_size} bytes is above the article limit of {max_bytes} bytes "
            "(kg.ingest.text.MAX_ARTICLE_BYTES); split it into articles."
        )
    data = read_bytes(path, max_bytes=max_bytes)
    text, encoding = detect_encoding(data, str(path))
    if not text.strip():
        raise InputError(f"{path}: holds only white space; there is nothing to ingest.")
    if _control_ratio(text) > 0.01:
        raise EncodingError(f"{path}: holds control characters; it looks binary, not like an article.")
    given = {k: v for k, v in (meta or {}).items() if v}
    merged = _infer(text, {**_sidecar(path), **header_meta(text), **given})
    chrome = tuple(_chrome_lines(text))
    return Article(
        id=source_id(path),
        path=path,
        text=text,
        encoding=encoding,
        meta=merged,
        match=simplify(text),
        chrome=chrome,
        sentences=tuple(split_sentences(text)),
    )


def source_id(path: Path) -> str:
    """The source id of an article file: its stem, reduced to characters safe in an IRI."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.")
    if not stem:
        raise InputError(f"{path}: name the file with Latin letters or digits (it becomes the source's IRI).")
    return stem


def _sidecar(path: Path) -> dict[str, str]:
    loaded = read_meta(path)
    out = {k: str(v) for k, v in loaded.items() if isinstance(v, str | int | float)}
    if "published" in out and "date" not in out:
        out["date"] = out["published"][:10]
    return out


def header_meta(text: str) -> dict[str, str]:
    """Metadata from ``key: value`` lines at the top (title, date, publisher, url) or a news dateline."""
    meta: dict[str, str] = {}
    keys = {"标题": "title", "日期": "date", "published": "date", "来源": "publisher", "链接": "url"}
    lines = text.splitlines()[:15]
    for line in lines:
        m = _HEADER.match(simplify(line.strip()))
        if m:
            key = keys.get(m.group(1).lower(), keys.get(m.group(1), m.group(1).lower()))
            value = line.strip()[m.start(2):m.end(2)].strip()  # the original script: same offsets
            if key == "publisher":
                value = re.split(r"\s+(?:作者|编辑)[:：]", value)[0]
            meta.setdefault(key, value)
    for line in lines:
        d = _DATE.search(line)
        if d and "date" not in meta:
            meta["date"] = f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
        if line.strip().startswith(("来源:", "来源：")):
            meta.setdefault("publisher", re.split(r"\s+(?:作者|编辑)[:：]", line.strip()[3:])[0].strip())
    if "date" in meta:
        d = _DATE.search(meta["date"])
        if d:
            meta["date"] = f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
    if "title" not in meta:
        for line in lines:
            s = line.strip()
            if s and not _CHROME.match(simplify(s)) and not _HEADER.match(simplify(s)) and not _NAV.search(s):
                if looks_like_headline(s):
                    meta["title"] = s
                break
    return meta


def _chrome_lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.splitlines(keepends=True):
        s = line.strip()
        if s and (_CHROME.match(simplify(s)) or _HEADER.match(simplify(s)) or _NAV.search(s)
                  or _BUTTONS.match(s)):
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(s)))
        pos += len(line)
    return out
