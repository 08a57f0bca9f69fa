"""Readable ASCII names for the IRIs a draft mints: pinyin for Chinese, lower-case, hyphens."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from pypinyin import lazy_pinyin


@lru_cache(maxsize=65536)
def slug(text: str, limit: int = 48) -> str:
    """A readable ASCII slug: pinyin for Chinese, lower-case, hyphens.

    >>> slug("北京辰溪商会")
    'bei-jing-chen-xi-shang-hui'
    """
    words = lazy_pinyin(text, errors="default")
    out = re.sub(r"[^a-z0-9]+", "-", "-".join(words).lower()).strip("-")[:limit].strip("-")
    return out or hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
