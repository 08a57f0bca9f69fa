"""Appointments of named people to investment-promotion roles (招商大使, 招商顾问 …) by a government."""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import RDF, XSD, Literal, URIRef

from kg.ingest.clauses import Owner, Places, owner_at
from kg.ingest.facts.base import DraftView, FactType, Item, Relation, place_is
from kg.ingest.facts.base_writer import Draft, Get
from kg.ingest.gazetteer import Mention, Place
from kg.ingest.model import Extraction, Finding
from kg.ingest.resolve import norm
from kg.namespaces import ORG, SCHEMA, ZS
from kg.sources.sentences import Span


def read(v: DraftView) -> list[Item]:
    """(person, role, appointing region) for every appointment of a named person."""
    out: list[Item] = []
    for ap in v.instances(ZS.Appointment):
        for m in v.g.objects(ap, ORG.member):
            if (m, RDF.type, SCHEMA.Person) not in v.g:
                continue  # a counted group of appointees is not a named person
            for r in v.g.objects(ap, ORG.role):
                for org in v.g.objects(ap, ORG.organization):
                    out.append({"person": v.names(m), "role": str(r).rsplit("#", 1)[-1], "by": v.governed(org)})
    return out


APPOINTMENT = Relation(
    "appointment", read,
    lambda d, g: norm(g["person"]) in d["person"] and d["role"] == g["role"] and place_is(d["by"], g["by"]),
    "a named appointee, the role and the appointing government's region")


# -- finder ----------------------------------------------------------------------------------------------------

#: Investment-promotion titles and the role (zs:InvestmentRoles) each stands for.
ROLE_WORDS = {"招商大使": "InvestmentAmbassador", "荣誉大使": "InvestmentAmbassador",
              "形象大使": "InvestmentAmbassador", "招商引资大使": "InvestmentAmbassador",
              "招商顾问": "InvestmentAdviser", "招商引资顾问": "InvestmentAdviser", "经济顾问": "InvestmentAdviser",
              "招商专员": "InvestmentCommissioner", "招商引资专员": "InvestmentCommissioner",
              "招商联络员": "InvestmentCommissioner"}
#: Words before a title that keep its role (荣誉招商大使, 特聘招商顾问 are 招商大使, 招商顾问).
_ROLE_MODIFIER = r"(?:荣誉|名誉|特聘|特邀|首席)"
_ROLE = rf"{_ROLE_MODIFIER}?(?:{'|'.join(sorted(ROLE_WORDS, key=len, reverse=True))})"
#: What may follow a title: the end of its clause, another list item, or the certificate (聘书, 称号); never a
#: group or a post named after it (招商顾问团, 招商大使工作站).
_ROLE_END = r"(?=[,，。;；、”\"\s(（]|$|和|及|与|聘书|证书|称号|荣誉称号)"
#: A list of appointees (A、B和C), each item a name with what stands before it (a chamber, a title).
_LIST = r"(?P<list>[^、,，。;；“”\"为][^,，。;；“”\"为]{1,120}?)"
_COUNT = r"(?:等?(?P<n>[0-9]{1,3}|[一二两三四五六七八九十]{1,3})(?:人|名|位)(?P<who>[^,，。;；“”\"为]{0,8}?))?"
#: The appointing body between 为 and the title: a place or a government, never a verb (为A颁发…聘书 is _AWARDED's).
_BODY = r"(?P<body>[^,，。;；“”\"颁授发聘]{0,12}?)"
#: 聘任A、B等8人为X招商大使; 聘请X商会会长A、B公司董事长C为招商大使; A受聘为…; C担任X荣誉招商大使; and, after
#: one such verb in the sentence, the next clause's D、E为X招商专员 (several roles under one verb). The list starts
#: a clause (its first item may carry the clause's opening words: names are read from the items' ends), which
#: also keeps the scan linear in the clause.
_APPOINTED = re.compile(rf"(?:^|(?<=[,，。;；、“”\"为])){_LIST}{_COUNT}(?P<resp>分别)?"
                        rf"(?P<verb>受聘|获聘|被聘|受邀|应邀|正式)?(?:为|担任){_BODY}[“\"]?(?P<role>{_ROLE})[”\"]?"
                        rf"(?P<more>(?:[、和及与][“\"]?{_ROLE}[”\"]?)*){_ROLE_END}")
#: A verb earlier in the sentence (or in the list) that makes a bare "A为X招商专员" an appointment.
_APPOINTING_VERB = re.compile(r"聘|授予|颁发|颁授")
#: 为A、B等12名“招商大使”颁发聘书 (the role before 颁发) and 向X商会会长A、B颁发“招商顾问”聘书 (after it).
_AWARDED = re.compile(
    rf"(?:为|向|给){_LIST}{_COUNT}(?:[“\"](?P<role>{_ROLE})[”\"]|(?P<plain>{_ROLE}))?"
    rf"(?:颁发|颁授|授予|发放)了?(?:[“\"](?P<role2>{_ROLE})[”\"]|(?P<plain2>{_ROLE}))?(?:聘书|证书|荣誉称号|称号)")
#: 授予A、B、C“招商大使”称号 and 授予D“招商顾问”荣誉称号.
_CONFERRED = re.compile(rf"授予了?{_LIST}{_COUNT}[“\"]?(?P<role>{_ROLE})[”\"]?(?:荣誉)?(?:称号|聘书|证书)")
#: “招商顾问”A、B,“荣誉大使”C
_TITLED = re.compile(rf"(?P<batch>首批)?[“\"](?P<role>{_ROLE})[”\"]"
                     r"(?P<list>[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4}){0,30})(?=[,，。;;(（和等]|$)")
#: 新聘招商顾问A、B、C and 聘请首批招商大使D、E两人: the title before the names, without quotes.
_NAMED_AFTER = re.compile(rf"聘(?:任|请|用)?了?(?P<batch>首批)?(?P<role>{_ROLE})"
                          r"(?P<list>[\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4}){0,30})(?=[,，。;；(（和等]|$)")
_ANY_ROLE = re.compile(_ROLE)
#: A place after these in the title is where the appointee works (驻深圳招商联络员), not who appoints.
_STATIONED = {"驻", "在", "赴"}
_RULES = {_APPOINTED: "appointed", _AWARDED: "awarded", _CONFERRED: "conferred", _TITLED: "titled",
          _NAMED_AFTER: "titled"}

#: Common Chinese surnames (single characters, then two-character ones). An appointee's name is read from the
#: end of a list item (广东省邵阳商会常务副会长夏建军) and must start with one: that is what tells a name from
#: the words before it (籍人士, 企业家) when no title separates them. Kept here because no maintained package
#: gives a surname table without a whole segmenter; names with a rare surname are missed, never invented.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常"
    "温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍"
    "涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景"
    "党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官"
    "封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆"
    "巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸"
    "战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "端木",
                      "司徒", "长孙", "宇文", "轩辕", "呼延", "独孤", "南宫", "西门", "申屠", "闻人", "澹台", "钟离")
#: Words an appointee's name follows in a list item: titles, descriptions, the appointing verb.
_BEFORE_NAME = re.compile(
    r"(?:常务副会长|执行会长|名誉会长|副会长|会长|秘书长|理事长|副董事长|董事长|副总经理|总经理|总裁|经理|副主任|"
    r"主任|书记|局长|主席|院长|教授|博士|厂长|创始人|负责人|合伙人|代表|企业家|人士|乡贤|侨领|校友|老乡|专家|"
    r"聘任了|聘请了|聘用了|聘任|聘请|聘用|邀请|还|并|同时)")
#: Words that follow a quoted title without being a name (“招商大使”聘书).
_NOT_NAMES = {"聘书", "证书", "称号", "牌匾", "荣誉", "颁发", "聘任", "聘请"}


def _is_name(s: str) -> bool:
    """A personal name: a common surname and one or two given characters."""
    if s in _NOT_NAMES:
        return False
    if s[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(s) <= 4
    return 2 <= len(s) <= 3 and s[0] in _SURNAMES


def person_name(item: str) -> tuple[int, str] | None:
    """(offset, name) of the appointee a list item ends with, or None when it names nobody.

    >>> person_name("广东省邵阳商会常务副会长夏建军"), person_name("会长龙飞"), person_name("在外攸县籍人士")
    ((12, '夏建军'), (2, '龙飞'), None)
    """
    ends = [m.end() for m in _BEFORE_NAME.finditer(item)]
    if ends and ends[-1] == len(item):
        return None  # 在外岳商代表: a description ends the item, no name follows it
    cut = [e for e in ends if 2 <= len(item) - e <= 4]
    if cut:
        name = item[cut[-1]:]
        return (cut[-1], name) if _is_name(name) else None
    for size in (4, 3, 2):
        name = item[-size:]
        if len(item) >= size and _is_name(name) and (size < 4 or name[:2] in _COMPOUND_SURNAMES):
            return len(item) - size, name
    return None


def _items(listed: str) -> list[tuple[int, str]]:
    """The items of a list (A、B和C), with their offsets in it."""
    out, pos = [], 0
    for whole in listed.split("、"):
        # A、B等 / D、E两人: 等 and a count close the list, they end no name
        item = re.sub(r"(?:等|(?:[0-9]{1,3}|[一二两三四五六七八九十]{1,3})(?:人|名|位))$", "", whole)
        parts = re.split(r"(?<=[\u4e00-\u9fff]{2})(?:和|及|以及)(?=[\u4e00-\u9fff]{2})", item)
        if len(parts) > 1 and all(person_name(x) for x in parts):
            at = pos
            for x in parts:
                at = listed.index(x, at)
                out.append((at, x))
                at += len(x)
        else:
            out.append((pos, item))
        pos += len(whole) + 1
    return out


def _appointing(t: str, base: int, pos: int, owners: list[Owner], fallback: Place | None,
                places: Places) -> Place | None:
    """The clause's acting place; in a sentence naming none (会议期间,还为A颁发…聘书) the place that acted in
    the sentences before, when it lies inside the article's own (the headline names 邵阳市, the first sentence
    邵阳市隆回县召开…大会): the meeting goes on, so does its host."""
    place, rule = owner_at(t, base, pos, owners, fallback)
    home, carry = places.home, places.carry
    if rule == "article" and home is not None and carry is not None and carry.iri != home.iri and any(
            p.iri == home.iri for p in places.gazetteer.chain(carry)[1:]):
        return carry
    return place


def find_appointments(t: str, base: int, sent: Span, mentions: list[Mention], owners: list[Owner],
                      fallback: Place | None, government: Callable[[Place], Finding],
                      places: Places) -> list[Finding]:
    """One appointment per named appointee, with the role and the appointing government: the place named
    in the title (为资兴市招商大使), else the clause's acting place, else the article's."""
    out: list[Finding] = []
    if not _ANY_ROLE.search(t):
        return out  # most sentences name no role: the list patterns are not worth scanning them
    seen: set[int] = set()
    for m in [*_AWARDED.finditer(t), *_CONFERRED.finditer(t), *_TITLED.finditer(t), *_NAMED_AFTER.finditer(t),
              *_APPOINTED.finditer(t)]:
        groups = m.groupdict()
        role_word = groups.get("role") or groups.get("plain") or groups.get("role2") or groups.get("plain2")
        if role_word is None:
            continue  # 为A颁发聘书 names no role
        if m.re is _APPOINTED and m["verb"] is None and "担任" not in m[0] \
                and not _APPOINTING_VERB.search(t, 0, m.end("list")):
            continue  # "A为X招商专员" is an appointment only under an appointing verb
        body = groups.get("body") or ""
        role_at = m.start("role") if groups.get("role") else m.start()
        named = [x.place for x in mentions if x.place is not None and x.place.code
                 and role_at - len(body) <= x.start - base < role_at
                 and t[x.start - base - 1:x.start - base] not in _STATIONED] if body else []
        where = named[-1] if named else places.division(_appointing(t, base, base + m.start(), owners, fallback,
                                                                     places))
        if where is None:
            continue
        # every title with where it stands: a second title of one appointee is minted at its own offset
        words = [(role_word, base + role_at)] + [(x.group(), base + m.start("more") + x.start())
                                                 for x in re.finditer(_ROLE, groups.get("more") or "")]
        batch = "首批" if "首批" in t[max(0, m.start() - 8):m.end()] else ""
        people = [(base + m.start("list") + at + found[0], found[1]) for at, item in _items(m["list"])
                  if (found := person_name(item)) is not None]
        if groups.get("resp"):
            if len(people) != len(words):
                continue  # A、B分别为X和Y: paired one by one, or not read at all
            pairs = [(person, [word]) for person, word in zip(people, words, strict=True)]
        elif len(words) > 1 and len(people) > 1:
            continue  # A、B为X和Y without 分别: who holds which is not said
        else:
            pairs = [(person, words) for person in people]  # A为招商大使和招商顾问: both titles
        for (start, name), titles in pairs:
            if start in seen:
                continue
            seen.add(start)
            person = Finding("person", name, sent, start, start + len(name), cls="Person", key=name,
                             attrs={"rule": "appointee"})
            out.append(person)
            for k, (word, word_at) in enumerate(titles):
                role = ROLE_WORDS[re.sub(f"^{_ROLE_MODIFIER}(?=招商|经济)", "", word)]
                # at the appointee's name: one appointment node per person (its IRI is minted from its offset);
                # a second title of the same person at the title's own offset
                at, to = (person.start, person.end) if k == 0 else (word_at, word_at + len(word))
                out.append(Finding("appointment", f"{name}受聘{where.label}{batch}{word}", sent, at, to,
                                   cls="Appointment", key=f"ap:{name}:{role}:{where.iri}",
                                   attrs={"member": person, "org": government(where), "role": role, "batch": batch,
                                          "rule": _RULES[m.re], "confidence": 0.9}))
    return out


# -- writer ----------------------------------------------------------------------------------------------------

def write_appointment(w: Draft, x: Extraction, f: Finding, iri: URIRef, s0: URIRef, get: Get,
                      topic: object) -> bool:
    """A ``zs:Appointment``: one person (or a counted group), the role, the appointing government."""
    del x, topic
    member, org = f.attrs["member"], f.attrs["org"]
    assert isinstance(member, Finding) and isinstance(org, Finding)
    m_iri, o_iri = get(member), get(org)
    if m_iri is None or o_iri is None:
        return False
    w.fact(iri, ZS.Appointment, f.label, s0)
    w.g.add((iri, ORG.member, m_iri))
    w.g.add((iri, ORG.organization, o_iri))
    w.g.add((iri, ORG.role, ZS[str(f.attrs["role"])]))
    if f.attrs.get("count"):
        w.g.add((iri, ZS.appointeeCount, Literal(int(str(f.attrs["count"])), datatype=XSD.integer)))
    if f.attrs.get("batch"):
        w.g.add((iri, ZS.appointmentBatch, Literal(str(f.attrs["batch"]), lang="zh")))
    return True


FACT = FactType("appointments", find_appointments, {"appointment": write_appointment}, (APPOINTMENT,))
