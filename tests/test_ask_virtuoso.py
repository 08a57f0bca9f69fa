"""kg ask through a real Virtuoso on loopback: the composed queries answer as the embedded store does.

One private instance for this module (``kg.remote.virtuoso``), loaded by ``kg build`` with an endpoint; needs
the Debian package ``virtuoso-opensource`` (never skipped).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from kg.asking.answer import Answer, ask_paths
from kg.asking.scoring import cells
from kg.backend import build
from kg.paths import Paths, make_paths
from kg.remote.virtuoso import VirtuosoInstance
from tests.conftest import ROOT

#: One question of each shape, with what its answer must show (or None: "not in the graph").
QUESTIONS = [
    ("Who brokered the Yuhu cold-chain project?", "张锦州"),
    ("长沙给招商大使的奖励最高有多少?", "最高1100万元"),
    ("长沙的招商顾问促成了什么", "玉湖冷链(长沙)交易中心"),
    ("云溪区去年招引了多少个石化项目,总投资多少?", "430.65亿元"),
    ("辰溪县聘任了几名招商大使?", "9"),
    ("2023年有哪些招商活动", "健博会"),
    ("超过100亿的项目", "中伟先进功能型粉体材料产业园"),
    ("长沙和岳阳的招商做法有什么不同", "长沙招商小分队登门拜访各地湘商"),
    ("辰溪给招商大使的奖励最高多少?", None),
    ("辰溪县总投资多少?", None),
]


@pytest.fixture(scope="module")
def remote_ask(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Paths, Paths]]:
    inst = VirtuosoInstance.start(tmp_path_factory.mktemp("virtuoso-ask") / "db", max_seconds=20)
    try:
        folder = tmp_path_factory.mktemp("ask-project")
        for sub in ("ontology", "data", "queries"):
            shutil.copytree(ROOT / sub, folder / sub)
        remote = make_paths(folder, folder / "remote-store", endpoint=inst.endpoint, user=inst.writer,
                            password=inst.writer_password)
        build(remote)
        embedded = make_paths(folder, folder / "store")
        build(embedded)
        yield make_paths(folder, folder / "remote-store", endpoint=inst.endpoint), embedded
    finally:
        inst.stop()


def _shown(a: Answer) -> set[str]:
    return set(cells(a))


@pytest.mark.parametrize(("text", "expected"), QUESTIONS)
def test_composed_answers_are_the_same_on_virtuoso(remote_ask: tuple[Paths, Paths], text: str,
                                                   expected: str | None) -> None:
    remote, embedded = remote_ask
    there, here = ask_paths(remote, text), ask_paths(embedded, text)
    assert (there.status, there.shape) == (here.status, here.shape), there.render()
    if expected is None:
        assert there.status == "not_in_graph"
        return
    assert expected in _shown(there), there.render()
    assert _shown(there) == _shown(here)
    assert set(there.sources) == set(here.sources)
