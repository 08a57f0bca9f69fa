"""Candidate merges across sources: precision and recall of :mod:`kg.corpus.consolidate` on invented pairs.

Run: ``.venv/bin/python -m benchmarks.consolidation [--split dev|test|all]``.

Each pair is an entity as one article names it and as another names it later, with the context each article
gives (regions by their real codes, so that 宁乡市 lies in 长沙市 as the gazetteer says), and whether they are
one entity. Every pair, its names and its sentences were invented for this benchmark (never copied or
paraphrased from published articles). The pairs cover the five classes, and half of them are look-alikes that
must **not** merge (one character apart, another phase, another city, the same name of two people).

All the first mentions form the "graph" and all the second ones the "draft", so a rule that merges across pairs
is counted as wrong too. The same pairs are scored with a plain name-similarity rule (difflib's ratio of the
normalised names at 0.8 or more, within one class) to show why the rules are by class rather than fuzzy.
The rules were written looking at the dev pairs only; the test pairs were written afterwards and not tuned on.
"""

from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass
from pathlib import Path

from kg.corpus.consolidate import Candidate, Entity, Graph, find_candidates, known_graph, short_names
from kg.ingest.resolve import norm
from kg.paths import make_paths
from kg.store.build import data_files

ROOT = Path(__file__).resolve().parent.parent
R = "https://w3id.org/zhaoshang-kg/id/region/"
A = "https://w3id.org/zhaoshang-kg/id/agent/"


@dataclass(frozen=True)
class Mention:
    """An entity as one article names it: its name, its sentence and the context the article gives."""

    name: str
    sentence: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Pair:
    """Two mentions of one class in two articles, and whether they are one entity."""

    split: str
    cls: str
    first: Mention
    second: Mention
    same: bool


def m(name: str, sentence: str, **context: str) -> Mention:
    return Mention(name, sentence, tuple(sorted(context.items())))


PAIRS = [
    # -- dev ------------------------------------------------------------------------------------------------
    Pair("dev", "Enterprise", m("湖南恒睿智能装备有限公司", "湖南恒睿智能装备有限公司在长沙签约落户。",
                                location=R + "430100"),
         m("恒睿智能装备股份有限公司", "恒睿智能装备股份有限公司宁乡基地开工。", location=R + "430182"), True),
    Pair("dev", "Enterprise", m("湖南嘉禾新材料科技有限公司",
                                "湖南嘉禾新材料科技有限公司(以下简称“嘉禾新材”)与园区签约。"),
         m("嘉禾新材", "嘉禾新材二号厂房封顶。"), True),
    Pair("dev", "Enterprise", m("湖南恒瑞电子有限公司", "湖南恒瑞电子有限公司参加推介会。"),
         m("湖南恒锐电子有限公司", "湖南恒锐电子有限公司新品下线。"), False),
    Pair("dev", "ChamberOfCommerce", m("深圳湖南商会", "深圳湖南商会组织会员回乡考察。",
                                       hostRegion=R + "440300", originRegion=R + "430000"),
         m("深圳市湖南商会", "深圳市湖南商会召开年会。", hostRegion=R + "440300", originRegion=R + "430000"), True),
    Pair("dev", "ChamberOfCommerce", m("广州湖南商会", "广州湖南商会负责人到会。",
                                       hostRegion=R + "440100", originRegion=R + "430000"),
         m("广州湖北商会", "广州湖北商会负责人到会。", hostRegion=R + "440100", originRegion=R + "420000"), False),
    Pair("dev", "InvestmentProject", m("星沙智能制造产业园一期", "星沙智能制造产业园一期签约。",
                                       location=R + "430121"),
         m("星沙智能制造产业园一期项目", "星沙智能制造产业园一期项目开工。", location=R + "430121"), True),
    Pair("dev", "InvestmentProject", m("临港物流园一期项目", "临港物流园一期项目投产。", location=R + "430600"),
         m("临港物流园二期项目", "临港物流园二期项目签约。", location=R + "430600"), False),
    Pair("dev", "Person", m("王立新", "益阳市聘任王立新为招商顾问。", organization=A + "yiyang-gov",
                            role="InvestmentAdviser"),
         m("王立新", "益阳市续聘王立新为招商大使。", organization=A + "yiyang-gov", role="InvestmentAmbassador"), True),
    Pair("dev", "Person", m("刘洋", "郴州市聘任刘洋为招商大使。", organization=A + "chenzhou-gov",
                            role="InvestmentAmbassador"),
         m("刘洋", "永州市聘任刘洋为招商大使。", organization=A + "yongzhou-gov", role="InvestmentAmbassador"), False),
    Pair("dev", "TaskForce", m("衡阳市驻深圳招商工作专班", "衡阳市驻深圳招商工作专班走访企业。",
                               owner=A + "hengyang-gov", station=R + "440300"),
         m("衡阳驻深招商专班", "衡阳驻深招商专班促成签约。", owner=A + "hengyang-gov", station=R + "440300"), True),
    # -- test -----------------------------------------------------------------------------------------------
    Pair("test", "Enterprise", m("长沙星辰食品有限公司", "长沙星辰食品有限公司扩建生产线。", location=R + "430100"),
         m("星辰食品集团", "星辰食品集团在浏阳追加投资。", location=R + "430181"), True),
    Pair("test", "Enterprise", m("株洲华信物流有限公司", "株洲华信物流有限公司签约。"),
         m("长沙华信物流有限公司", "长沙华信物流有限公司签约。"), False),
    Pair("test", "ChamberOfCommerce", m("上海湖南商会", "上海湖南商会组团考察。",
                                        hostRegion=R + "310000", originRegion=R + "430000"),
         m("湖南商会(上海)", "湖南商会(上海)会长一行到访。"), True),
    Pair("test", "ChamberOfCommerce", m("东莞邵阳商会", "东莞邵阳商会签约3个项目。",
                                        hostRegion=R + "441900", originRegion=R + "430500"),
         m("东莞邵东商会", "东莞邵东商会签约2个项目。", hostRegion=R + "441900", originRegion=R + "430521"), False),
    Pair("test", "InvestmentProject", m("湘江算力中心", "湘江算力中心签约。", location=R + "430100"),
         m("湖南湘江算力中心项目", "湖南湘江算力中心项目主体完工。", location=R + "430104"), True),
    Pair("test", "InvestmentProject", m("玉泉冷链交易中心项目", "玉泉冷链交易中心项目签约。", location=R + "430100"),
         m("玉泉冷链交易中心", "玉泉冷链交易中心开业。", location=R + "420100"), False),
    Pair("test", "Person", m("陈静", "记者 陈静"), m("陈静", "通讯员 陈静"), False),
    Pair("test", "Person", m("赵国强", "湘潭市聘任赵国强为招商顾问。", organization=A + "xiangtan-gov",
                             role="InvestmentAdviser"),
         m("赵国强", "招商顾问赵国强促成项目落地。", role="InvestmentAdviser"), True),
    Pair("test", "TaskForce", m("邵阳市驻广州招商专班", "邵阳市驻广州招商专班成立。",
                                owner=A + "shaoyang-gov", station=R + "440100"),
         m("邵阳市驻东莞招商专班", "邵阳市驻东莞招商专班成立。", owner=A + "shaoyang-gov", station=R + "441900"),
         False),
    Pair("test", "TaskForce", m("常德市驻上海招商工作专班", "常德市驻上海招商工作专班揭牌。",
                                owner=A + "changde-gov", station=R + "310000"),
         m("常德驻沪招引专班", "常德驻沪招引专班对接企业。", owner=A + "changde-gov", station=R + "310000"), True),
]


def _entity(iri: str, cls: str, mention: Mention, source: str) -> Entity:
    e = Entity(iri, cls, mention.name, {mention.name}, {}, [(source, 1, mention.sentence)])
    for rel, value in mention.context:
        e.context.setdefault(rel, set()).add(value)
    e.names |= short_names(e)
    return e


def graphs(pairs: list[Pair]) -> tuple[Graph, Graph]:
    """The first mentions as the graph (with the project's places), the second ones as a draft."""
    places = known_graph(data_files(make_paths(ROOT, ROOT / ".kg" / "unused"))[1:])
    known = Graph(labels=places.labels, parents=places.parents, places=places.places)
    draft = Graph()
    for i, p in enumerate(pairs):
        known.entities[f"k{i:02d}"] = _entity(f"k{i:02d}", p.cls, p.first, f"first-{i:02d}")
        draft.entities[f"n{i:02d}"] = _entity(f"n{i:02d}", p.cls, p.second, f"second-{i:02d}")
    return known, draft


def similarity_baseline(pairs: list[Pair], threshold: float = 0.8) -> set[tuple[str, str]]:
    """Every (second, first) of one class whose normalised names have a difflib ratio of *threshold* or more."""
    out = set()
    for i, a in enumerate(pairs):
        for j, b in enumerate(pairs):
            ratio = difflib.SequenceMatcher(None, norm(a.second.name), norm(b.first.name)).ratio()
            if a.cls == b.cls and ratio >= threshold:
                out.add((f"n{i:02d}", f"k{j:02d}"))
    return out


def score(found: set[tuple[str, str]], pairs: list[Pair]) -> tuple[int, int, int, float, float]:
    """(found, right, expected, precision, recall) of *found* against the pairs that are one entity."""
    expected = {(f"n{i:02d}", f"k{i:02d}") for i, p in enumerate(pairs) if p.same}
    right = len(found & expected)
    return (len(found), right, len(expected), right / len(found) if found else 1.0,
            right / len(expected) if expected else 1.0)


def run(split: str) -> list[tuple[str, tuple[int, int, int, float, float]]]:
    """The rows of the table for *split*."""
    pairs = [p for p in PAIRS if split in ("all", p.split)]
    known, draft = graphs(pairs)
    cands: list[Candidate] = find_candidates(draft, known)
    rows = [("rules of kg.corpus.consolidate", score({(c.id, c.into) for c in cands}, pairs)),
            ("name similarity >= 0.8 (difflib)", score(similarity_baseline(pairs), pairs))]
    for cls in sorted({p.cls for p in pairs}):
        sub = [i for i, p in enumerate(pairs) if p.cls == cls]
        found = {(c.id, c.into) for c in cands if c.cls == cls}
        expected = {(f"n{i:02d}", f"k{i:02d}") for i in sub if pairs[i].same}
        right = len(found & expected)
        rows.append((f"  rules, {cls}", (len(found), right, len(expected), right / len(found) if found else 1.0,
                                         right / len(expected) if expected else 1.0)))
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = ap.parse_args(argv)
    for split in (("dev", "test") if args.split == "all" else (args.split,)):
        pairs = [p for p in PAIRS if p.split == split]
        print(f"{split}: {len(pairs)} pairs, {sum(p.same for p in pairs)} of them one entity")
        print(f"  {'method':<36}{'found':>7}{'right':>7}{'same':>6}{'precision':>11}{'recall':>8}")
        for name, (found, right, expected, precision, recall) in run(split):
            print(f"  {name:<36}{found:>7}{right:>7}{expected:>6}{precision:>11.3f}{recall:>8.3f}")


if __name__ == "__main__":
    main()
