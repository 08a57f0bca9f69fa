"""Organisations and people in a sentence: chambers (host + origin), governments, task forces, units,
enterprises, development-zone administrations, universities; people with their roles; counted appointees.

All patterns are linear (no nested quantifiers); names are delimited by walking left from a suffix over
characters that can be part of a name, stopping at punctuation and at the words that start a clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.ingest.gazetteer import Mention, Place
from kg.ingest.model import Finding
from kg.sources.sentences import Span

#: Single characters and words a name never contains: a name starts right after them.
_STOP_CHARS = set("的在与和是为了由让对向把被从等及或、,，。;；:：“”\"《》—-!！?？ \n\t")
_STOP_WORDS = ("引进", "推动", "牵手", "成功", "落地", "位于", "其中", "比如", "包括", "联合", "成立", "投资",
               "促成", "组织", "参加", "发挥", "充分", "依托", "设立", "举办", "召开", "评选", "发布", "签约",
               "实行", "推行", "开展", "建立", "拜访", "还", "则", "如", "即", "以", "将", "已", "同样",
               "通过", "这是", "作为", "其", "吸引", "紧盯", "面向")
_ABBREV = {"京": "北京", "沪": "上海", "穗": "广州", "深": "深圳", "津": "天津", "渝": "重庆", "港": "香港"}
#: One-character names of provinces as chambers use them (上海湘商会: the Hunan chamber in Shanghai), by code.
_PROVINCE_ABBREV = {"湘": "430000", "粤": "440000", "浙": "330000", "闽": "350000", "赣": "360000", "鄂": "420000",
                    "苏": "320000", "皖": "340000", "豫": "410000", "黔": "520000", "桂": "450000", "鲁": "370000",
                    "冀": "130000", "晋": "140000", "陕": "610000", "滇": "530000", "川": "510000", "蜀": "510000"}
_ENTERPRISE_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|公司|集团|制药|石化|石油|光电|电子|科技|"
                                r"实业|控股|能源|新能源|药业|汽车|电气|银行)(?![\u4e00-\u9fff]{0,1}(?:产业|项目))")
#: Suffixes that end a company name only when nothing follows (科技 of 科技创新 ends nothing).
_WEAK_SUFFIXES = {"制药", "石化", "石油", "光电", "电子", "科技", "实业", "控股", "能源", "新能源", "药业", "汽车",
                  "电气", "银行"}
_GOES_ON = re.compile(r"信息|产业|企业|行业|领域|技术|创新|装备|材料|制造|服务|项目|园|等")
_UNIVERSITY = re.compile(r"(?:大学|学院)(?!城)")
_INSTITUTE = re.compile(r"研究院|研究所")
_CENTRE = re.compile(r"服务中心|小分队")
_CHAMBER = re.compile(r"(?:总|青年|企业家|企业|异地)?商(?:\(协\)|（协）)?会")
_OFFICES = re.compile(r"(?P<gov>市政府|县政府)?驻(?P<where>[\u4e00-\u9fff]{1,6}?)派驻机构")
_LIST_TASK_FORCE = re.compile(
    r"(?P<list>[\u4e00-\u9fff]{2,6}(?:、[\u4e00-\u9fff]{2,6}){1,8})等(?:重点)?地区(?P<kind>招商引资|招商|招引)工作专班"
)
_GOV = re.compile(r"(?:人民)?政府")
_COUNTED = re.compile(
    r"聘(?:任|请|用)?(?P<n>[0-9]{1,4}|[一二两三四五六七八九十]{1,3})名(?P<who>[^,，。;；]{0,20}?)为[“\"]?"
    r"(?P<role>招商大使|招商顾问|招商专员)"
)
_NOT_SUBJECT = {"在", "到", "赴", "驻", "向", "从", "于", "至", "与", "和", "、", "对", "为", "让"}
_GENERIC = ("跨国", "初创", "国有", "民营", "大型", "知名", "龙头", "优秀", "上市", "外资", "高科技", "各类", "重点")
ROLES = {"招商大使": "InvestmentAmbassador", "招商顾问": "InvestmentAdviser", "招商专员": "InvestmentCommissioner"}
_GOV_VERBS = re.compile(
    r"^(?:市|县|区|省)?(?:则|还|同样|也|更|正|持续|积极|紧紧|主动|专门)?(?:[^,，。]{0,6}?)"
    r"(?:印发|下发|出台|聘任|聘请|聘用|成立|组建|设立|推行|举办|召开|评选|发布|制定|推进|建立|颁授|率先|开展|"
    r"组织|实施|瞄准|通过|以市政府|构建|落地|提供|坚持|突出|紧紧)"
)


def left_name(text: str, end: int, max_len: int = 16, allow: str = "") -> int:
    """Where a name ending at *end* starts: walk left until punctuation or a clause word."""
    i = end
    while i > 0 and end - i < max_len and (text[i - 1] not in _STOP_CHARS or text[i - 1] in allow):
        i -= 1
    head = text[i:end]
    cut = 0
    for w in _STOP_WORDS:
        k = head.rfind(w)
        if k >= 0 and k + len(w) < len(head) - 1:
            cut = max(cut, k + len(w))
    return i + cut


def find_organisations(t: str, base: int, sent: Span, mentions: list[Mention], topic: Place | None,
                       government: Callable[[Place], Finding], places: dict[str, Place]) -> list[Finding]:
    """Organisations named in one sentence *t* (simplified text; offsets shifted by *base*)."""
    out: list[Finding] = []
    local = [m for m in mentions if m.place is not None]
    by_end = {m.end - base: m for m in local}

    def add(cls: str, s: int, e: int, key: str = "", **attrs: object) -> Finding:
        label = t[s:e]
        f = Finding("organisation", label, sent, base + s, base + e, cls=cls, key=key or label, attrs=dict(attrs))
        out.append(f)
        return f

    # Chambers: the regions right before 商会, host first, origin last.
    for m in _CHAMBER.finditer(t):
        chain: list[Mention] = []
        cursor = m.start()
        while cursor in by_end:
            chain.insert(0, by_end[cursor])
            cursor = by_end[cursor].start - base
        abbrev = _PROVINCE_ABBREV.get(t[cursor - 1]) if not chain and cursor > 0 else None
        if abbrev is not None and cursor - 1 in by_end:
            origin = next((p for p in places.values() if p.code == abbrev), None)
            host = by_end[cursor - 1]
            if origin is not None and host.place is not None and host.place.iri != origin.iri:
                add("ChamberOfCommerce", host.start - base, m.end(), host=host.place, origin=origin,
                    rule="province-abbreviation", confidence=0.85)
            continue
        if not chain and cursor > 0 and cursor - 1 in by_end:
            # 深圳郴商会, 上海岳商会: a city's first character stands for it after the host's name
            host = by_end[cursor - 1]
            origin = city_initial(t[cursor - 1], topic, places)
            if origin is not None and host.place is not None and host.place.iri != origin.iri:
                add("ChamberOfCommerce", host.start - base, m.end(), host=host.place, origin=origin,
                    rule="city-abbreviation", confidence=0.8)
            continue
        if not chain:
            continue
        if len(chain) >= 2:
            add("ChamberOfCommerce", cursor, m.end(), host=chain[0].place, origin=chain[-1].place)
        elif topic is not None and chain[0].place is not None and topic.iri != chain[0].place.iri:
            # 长沙商会 in a report from 深圳: the host is the place the report is about, to be confirmed.
            f = add("ChamberOfCommerce", cursor, m.end(), host=topic, origin=chain[0].place, rule="host-context",
                    confidence=0.75)
            out.append(Finding("review", f.label, sent, f.start, f.end, note=(
                f"chamber {f.label}: its host region is not in its name; {topic.label} was taken from the "
                "context, confirm it")))
        else:
            f = add("ChamberOfCommerce", cursor, m.end(), origin=chain[0].place)
            f.kind, f.note = "review", f"chamber {f.label}: its host region is not in its name; add zs:hostRegion"
    # Governments named as such, and regions acting as subjects.
    from kg.ingest.clauses import org_spans

    names = org_spans(t)
    for mention in local:
        rest = t[mention.end - base:]
        place = mention.place
        assert place is not None
        if not place.coded or any(a <= mention.start - base and mention.end - base <= b for a, b in names):
            continue  # 长沙 of 深圳长沙商会 does not act
        g = _GOV.match(rest)
        ms, me = mention.start - base, mention.end - base
        before = t[ms - 1:ms] if ms > 0 else ""
        subject = before not in _NOT_SUBJECT and not rest.startswith(("等", "、")) and _GOV_VERBS.match(rest[:14])
        if g or subject:
            f = government(place)
            f.sentence, f.start, f.end = sent, mention.start, mention.end + (g.end() if g else 0)
            f.names.add(t[ms:me + (g.end() if g else 0)])
            out.append(f)
    # Offices (驻X派驻机构) and 长三角、京津冀等地区…工作专班; 驻X专班 are kg.ingest.facts.taskforces'.
    for m in _OFFICES.finditer(t):
        owner = _owner(t, m.start(), by_end, topic, m.group("gov"))
        if owner is None:
            continue
        offices = [c for c, _ in stations(m.group("where"), mentions, base + m.start("where"), places)]
        f = add("GovernmentUnit", m.start(), m.end(), owner=owner, stations=offices)
        f.label = f"{owner.label}政府驻{m.group('where')}派驻机构"
    office_stations = [st for f in out if f.cls == "GovernmentUnit" for st in f.attrs.get("stations", [])]  # type: ignore[attr-defined]
    for m in _LIST_TASK_FORCE.finditer(t):
        owner = topic
        if owner is None:
            continue
        pos = m.start("list")
        items = m.group("list").split("、")
        first = next((x for x in local if x.start - base >= pos and x.end - base == pos + len(items[0])), None)
        if first is not None:
            items[0] = t[first.start - base:first.end - base]
            pos = first.start - base
        for item in items:
            targets = [x.place for x in local if x.start - base == pos and x.place is not None]
            label = f"{owner.label}{item}地区{m.group('kind')}工作专班"
            # Stationed where the offices it rests on lie inside its target region (岳阳: 驻北上广深派驻机构).
            members = set(targets[0].members) if targets else set()
            inside = [st for st in office_stations if st.iri in members]
            add("TaskForce", pos, pos + len(item), key=f"tf:{owner.iri}:{item}", owner=owner,
                target=targets[0] if targets else None, station=inside[0] if inside else None,
                stations=inside).label = label
            pos += len(item) + 1
    # Suffix-named organisations.
    for pattern, cls in ((_ENTERPRISE_SUFFIX, "Enterprise"), (_UNIVERSITY, "University"),
                         (_INSTITUTE, "ResearchInstitute"), (_CENTRE, "")):
        for m in pattern.finditer(t):
            s = left_name(t, m.start(), 14)
            if (m.start() - s < 1 and cls != "") or t[s:m.start()].startswith(_GENERIC) or t[s:s + 1].isdigit():
                continue
            if cls == "Enterprise" and m.group() in _WEAK_SUFFIXES and _GOES_ON.match(t, m.end()):
                continue  # 对接电子信息企业: 电子 ends no name when a noun of the trade follows
            if cls == "" and m.group() == "小分队":
                if m.start() - s < 2:
                    continue  # a bare 小分队 names no unit
                counted = re.search(r"[0-9一二两三四五六七八九十]支\S{0,4}$", t[:m.start()])
                if "驻" not in t[s:m.start()] and not counted:
                    add("GovernmentUnit", s, m.end())  # 驻X小分队 and N支小分队 are kg.ingest.facts.taskforces'
            elif cls == "":
                q = t.rfind("“", 0, m.start())
                if q >= 0 and "”" not in t[q:m.start()] and not re.search(r"[,，。;；]", t[q:m.start()]):
                    s = q + 1
                add("ServiceCentre", s, m.end())
            else:
                add(cls, s, m.end())
    # Enterprises listed before 等…企业.
    for m in re.finditer(r"等[^,，。;；]{0,30}?企业", t):
        head_start = max(0, m.start() - 60)
        head = t[head_start:m.start()]
        cut = max(head.rfind(c) for c in ",，。;；")
        items_text = head[cut + 1:]
        s0 = left_name(items_text, len(items_text.split("、")[0]) if "、" in items_text else len(items_text), 30)
        pos = head_start + cut + 1 + s0
        for item in items_text[s0:].split("、"):
            if 2 <= len(item) <= 12:
                add("Enterprise", pos, pos + len(item))
            pos += len(item) + 1
    # Listed projects named after their investor: 中国黄金电商总部 → 中国黄金; 中国能建易普力 is the company.
    for m in re.finditer(r"等一批项目", t):
        head = t[max(0, m.start() - 100):m.start()]
        cut = max(head.rfind(c) for c in ",，。;；")
        items = head[cut + 1:].split("、")
        items[0] = items[0][left_name(items[0], len(items[0]), 30):]
        pos = m.start() - len(head) + cut + 1 + (len(head[cut + 1:]) - len("、".join(items)))
        for item in items:
            name = re.sub(r"(?:第[一二三四五六七八九]|电商)?总部$", "", item)
            if 2 <= len(name) <= 12 and (name != item or not re.search(r"(中心|园|基地|工程|项目|平台)$", item)):
                add("Enterprise", pos, pos + len(name))
            pos += len(item) + 1
    return out


def city_initial(char: str, topic: Place | None, places: dict[str, Place]) -> Place | None:
    """The prefecture-level city a one-character name stands for in a chamber's name (郴 → 郴州市): the only
    city whose name starts with it, or the only one in the province of the article's place (常: 常德 in a Hunan
    report, 常州 in a Jiangsu one); None when that leaves none or several."""
    cities = [p for p in places.values() if p.kind == "prefecture" and p.coded and p.label.startswith(char)
              and len(p.label) > 2]
    if len(cities) > 1 and topic is not None and topic.code:
        cities = [p for p in cities if p.code[:2] == topic.code[:2]]
    return cities[0] if len(cities) == 1 else None


def _owner(t: str, at: int, by_end: dict[int, Mention], topic: Place | None, gov_word: str | None) -> Place | None:
    if at in by_end and by_end[at].place is not None and by_end[at].place.coded:  # type: ignore[union-attr]
        return by_end[at].place
    return topic if (gov_word or topic is not None) else None


def stations(where: str, mentions: list[Mention], start: int, places: dict[str, Place]) -> list[tuple[Place, str]]:
    """The cities a 驻X names: a place mention, a one-character abbreviation, or each member of a group."""
    for m in mentions:
        if m.start == start and m.place is not None:
            if m.place.members:
                members = [places[i] for i in m.place.members if i in places]
                return [(p, p.label.removesuffix("市")) for p in members]
            return [(m.place, m.surface)]
    full = _ABBREV.get(where)
    if full:
        for p in places.values():
            if p.coded and p.label.startswith(full) and p.kind != "county":
                return [(p, full)]
    return []


def find_people(t: str, base: int, sent: Span, topic: Place | None,
                government: Callable[[Place], Finding]) -> list[Finding]:
    """People with a role (“招商顾问”张锦州) and counted appointees (聘任9名…为招商大使)."""
    out: list[Finding] = []
    for m in _COUNTED.finditer(t):
        from kg.ingest.money import parse_number

        n = int(parse_number(m.group("n")))
        who = m.group("who")
        group = Finding("group", f"{topic.label if topic else ''}{n}名{m.group('role')}({who})" if who else
                        f"{topic.label if topic else ''}{n}名{m.group('role')}", sent, base + m.start(),
                        base + m.end(), cls="CountedGroup", attrs={"count": n, "memberType": "Person"})
        out.append(group)
        if topic is not None:
            out.append(Finding("appointment", f"{topic.label}聘任{n}名{who}为{m.group('role')}", sent,
                               base + m.start(), base + m.end(), cls="Appointment",
                               attrs={"member": group, "org": government(topic), "role": ROLES[m.group("role")],
                                      "count": n}))
    return out
