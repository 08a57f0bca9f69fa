"""Amounts of money as exact decimals in CNY, with the qualifier the text gives them.

Every pattern here is linear: a number may only start where a digit run starts (a look-behind forbids
starting inside one), and no quantifier is nested, so a 100,000-digit run is scanned once. Digit runs
longer than :data:`MAX_DIGITS` are ignored: no amount in a report has that many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Longest digit run read as a number.
MAX_DIGITS = 18

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7,
                "百万": Decimal(10) ** 6, "万": Decimal(10) ** 4, "千": Decimal(1000), "": Decimal(1)}

#: The qualifiers of the ontology (zs:Exact, zs:Approximately, zs:MoreThan, zs:Reaching, zs:UpTo) by word.
QUALIFIER_WORDS: dict[str, str] = {
    "约": "Approximately", "大约": "Approximately", "近": "Approximately", "将近": "Approximately",
    "左右": "Approximately", "余": "MoreThan", "多": "MoreThan", "超": "MoreThan", "超过": "MoreThan",
    "逾": "MoreThan", "以上": "MoreThan", "达": "Reaching", "达到": "Reaching", "共计": "Reaching",
    "总计": "Reaching", "最高": "UpTo", "最高可达": "UpTo", "可达": "UpTo", "最多": "UpTo", "不超过": "UpTo",
}

#: A number in ASCII digits: plain, or with thousands separators (ASCII or full-width commas, groups of three
#: after the first). It may not start inside a digit run, nor right after a separator that follows a digit
#: ("12,000" is one number, never "000"); a run longer than MAX_DIGITS is no number.
NUMBER = (r"(?<![0-9.])(?<![0-9][,，])(?:[0-9]{1,3}(?:[,，][0-9]{3}){1,5}|[0-9]{1," + str(MAX_DIGITS)
          + r"})(?:\.[0-9]{1,8})?(?![0-9])(?![,，][0-9]{3})")
_CN = "零〇一二两三四五六七八九十百千"
CN_NUMBER = rf"(?<![{_CN}点])[{_CN}][{_CN}]{{0,15}}(?:点[零〇一二三四五六七八九]{{1,8}})?"
_PRE = r"(?P<pre>最高可达|最高|可达|不超过|超过|将近|大约|达到|共计|总计|约|近|超|逾|达)?"
_AMOUNT = re.compile(
    _PRE + r"(?P<num>" + NUMBER + "|" + CN_NUMBER + r")(?P<post1>余|多)?(?P<mult>万亿|亿|千万|百万|万|千)?"
    r"(?P<post2>余|多)?(?P<cur>元|人民币|美元)(?P<post3>以上|左右)?"
)


@dataclass(frozen=True)
class Amount:
    """A monetary amount found in a text."""

    start: int
    end: int
    surface: str
    value: Decimal
    currency: str
    qualifier: str  #: a local name of zs:Qualifier


def parse_number(text: str) -> Decimal:
    """A number written in ASCII digits or Chinese numerals, exactly.

    >>> parse_number("一百零九点八"), parse_number("109.8"), parse_number("两千三百"), parse_number("1,234.5")
    (Decimal('109.8'), Decimal('109.8'), Decimal('2300'), Decimal('1234.5'))
    """
    if text and text[0].isdigit():
        return Decimal(text.replace(",", "").replace("，", ""))
    whole, _, frac = text.partition("点")
    total = 0
    current: int | None = None  # None: no digit since the last unit ("十" alone is 10; "零千" is 0, not 1000)
    for ch in whole:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if current is None else current) * _CN_UNITS[ch]
            current = None
        else:
            raise InvalidOperation(text)
    total += current or 0
    if frac:
        return Decimal(f"{total}.{''.join(str(_CN_DIGITS[c]) for c in frac)}")
    return Decimal(total)


@dataclass(frozen=True)
class RefusedAmount:
    """Something written like an amount that is not read as one: a sign, a range or an exponent before it.

    Such a figure is raised for review instead of being guessed: "-5亿元" read as 5亿 would be a confident
    wrong answer."""

    start: int
    end: int
    surface: str
    reason: str


#: What may stand just before a number and makes it no plain amount: a sign or a range dash, in any width.
_SIGN_BEFORE = re.compile(r"(?:[-−–﹣－+＋±]|负|正负)\s*$")
#: An exponent: digits then e/E (and a sign) just before the number ("1e9元" is not 9元).
_EXPONENT_BEFORE = re.compile(r"[0-9.][eE][-+]?$")


#: A bound that qualifies a noun after it (投资5亿元以上工业项目, 10亿元以上的项目): a condition, not a figure.
_THRESHOLD = re.compile(r"(?P<bound>(?:及|\(含\)|（含）)?(?:以上|以下|以内))(?=的|[\u4e00-\u9fff])(?!左右|[,，。;；])")


def find_amounts(text: str, offset: int = 0) -> list[Amount]:
    """Every amount of money in *text* (already folded to ASCII digits), with offsets shifted by *offset*.

    Figures with a sign, a range dash or an exponent are left out (see :func:`scan_amounts`).

    >>> [(a.value, a.qualifier) for a in find_amounts("总投资约50亿元,最高奖励可达1100万元")]
    [(Decimal('5000000000'), 'Approximately'), (Decimal('11000000'), 'UpTo')]
    """
    return scan_amounts(text, offset)[0]


def scan_amounts(text: str, offset: int = 0) -> tuple[list[Amount], list[RefusedAmount]]:
    """The amounts of money in *text*, and the figures written like amounts that are refused as such.

    >>> found, refused = scan_amounts("亏损-5亿元,投资1,234.5万元")
    >>> [a.value for a in found], [(r.surface, r.reason) for r in refused]
    ([Decimal('12345000')], [('-5亿元', 'a sign or a range dash stands before the number')])
    """
    out: list[Amount] = []
    refused: list[RefusedAmount] = []
    for m in _AMOUNT.finditer(text):
        start = m.start()
        head = text[max(0, m.start("num") - 8):m.start("num")]
        reason = ""
        if _EXPONENT_BEFORE.search(head):
            reason = "the number has an exponent"
        elif not m.group("pre") and _SIGN_BEFORE.search(head):
            reason = "a sign or a range dash stands before the number"
        if reason:
            lead = _EXPONENT_BEFORE.search(head) or _SIGN_BEFORE.search(head)
            first = m.start("num") - (len(head) - lead.start()) if lead else start
            if reason.startswith("the number"):  # take in the digits of the mantissa too
                while first > 0 and (text[first - 1].isdigit() or text[first - 1] == "."):
                    first -= 1
            refused.append(RefusedAmount(offset + first, offset + m.end(), text[first:m.end()], reason))
            continue
        bound = _THRESHOLD.match(text, m.end() - len(m.group("post3") or ""))
        if bound:
            refused.append(RefusedAmount(offset + start, offset + m.end() - len(m.group("post3") or "") + len(
                bound.group("bound")), text[start:bound.end("bound")], "it is a threshold (…以上的项目), "
                "not a figure of its own"))
            continue
        try:
            number = parse_number(m.group("num"))
        except (InvalidOperation, KeyError):
            continue
        value = number * _MULTIPLIERS[m.group("mult") or ""]
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
        currency = {"美元": "USD"}.get(m.group("cur"), "CNY")
        word = m.group("post1") or m.group("post2") or m.group("post3") or m.group("pre") or ""
        qualifier = QUALIFIER_WORDS.get(word, "Exact")
        if m.group("pre") in ("最高", "最高可达", "可达", "不超过"):
            qualifier = "UpTo"
        # "最高奖励可达1100万元": the qualifier word may stand a few characters before the number.
        if not m.group("pre"):
            lead_text = text[max(0, start - 8):start]
            for w in ("最高", "约", "超过", "近"):
                k = lead_text.rfind(w)
                if w == "约" and k > 0 and lead_text[k - 1] in "签合协预制节":
                    continue  # 签约资金56.8亿元 is exact: 约 of 签约 is no qualifier
                if w in lead_text and not re.search(r"[,，。;；、]", lead_text[lead_text.rfind(w):]):
                    qualifier = QUALIFIER_WORDS[w]
                    break
        out.append(Amount(offset + start, offset + m.end(), m.group(), value, currency, qualifier))
    return out, refused


#: The phrases that say which kind of measure an amount is, and the zs:MoneyMeasure each names (the concepts
#: are shared with the ontology's money measures). Longer phrases first where one contains another.
MEASURE_PHRASES: dict[str, str] = {
    "签约资金": "SignedInvestment", "签约金额": "SignedInvestment", "签约总额": "SignedInvestment",
    "签约总金额": "SignedInvestment", "签约总资金": "SignedInvestment",
    "协议资金": "SignedInvestment", "协议投资": "SignedInvestment", "签约引资": "SignedInvestment",
    "项目总投资": "TotalInvestment", "总投资": "TotalInvestment", "投资总额": "TotalInvestment",
    "计划投资": "PlannedInvestment", "计划总投资": "PlannedInvestment", "年度计划投资": "PlannedInvestment",
    "到位资金": "FundsInPlace", "实际到位": "FundsInPlace", "到位内资": "FundsInPlace",
    "到位外资": "FundsInPlace", "资金到位": "FundsInPlace",
    "合同引资": "ContractedInvestment", "合同总金额": "ContractedInvestment", "合同金额": "ContractedInvestment",
    "合同资金": "ContractedInvestment", "合同投资": "ContractedInvestment",
    "累计投资": "CumulativeInvestment", "累计引资": "CumulativeInvestment",
    "投资额": "InvestmentAmount", "投入": "InvestmentAmount", "投资": "InvestmentAmount",
    "最高奖励": "RewardCap", "奖励": "RewardCap", "补助": "RewardCap", "补贴": "RewardCap",
}
_MEASURE = re.compile("|".join(sorted(MEASURE_PHRASES, key=len, reverse=True)))
#: 签约项目8个、金额64亿元: a bare 金额/资金/总额 in a clause about signing is the signed sum.
_SIGNED_SUM = re.compile(r"签约[^,，。;；]{0,12}?[、,，]?(?:总金额|金额|总资金|资金|总额)")


def measure_of(before: str) -> tuple[str, str] | None:
    """The measure named by the last money phrase in *before* (the clause up to an amount), and the phrase.

    >>> measure_of("签约项目15个,签约资金达"), measure_of("两个项目总投资分别为15亿元和")
    (('SignedInvestment', '签约资金'), ('TotalInvestment', '总投资'))
    """
    best: re.Match[str] | None = None
    for m in _MEASURE.finditer(before):
        if best is None or m.end() > best.end() or (m.end() == best.end() and len(m.group()) > len(best.group())):
            best = m
    signed = [*_SIGNED_SUM.finditer(before)]
    if signed and (best is None or signed[-1].end() > best.end()):
        return "SignedInvestment", signed[-1].group()
    return (MEASURE_PHRASES[best.group()], best.group()) if best else None
