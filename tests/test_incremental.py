"""Incremental builds: only what changed is checked and reloaded; a killed build leaves old or new, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.backend import build
from kg.errors import StoreError, ValidationError
from kg.paths import Paths
from kg.store.generations import current_generation, open_store, read_manifest, write_lock
from tests.conftest import SOURCE_ID

SOURCE_GRAPH = f"https://w3id.org/zhaoshang-kg/graph/{SOURCE_ID}"
ALT = '\n<https://w3id.org/zhaoshang-kg/id/region/431223> <http://www.w3.org/2004/02/skos/core#altLabel> "辰溪"@zh .\n'


def test_unchanged_build_does_nothing_and_a_change_reloads_one_graph(project: Paths) -> None:
    first = build(project)
    assert first.full
    gen = current_generation(project.store)
    again = build(project)
    assert again.up_to_date and current_generation(project.store) == gen
    facts = project.facts / f"{SOURCE_ID}.ttl"
    facts.write_text(facts.read_text(encoding="utf-8") + ALT, encoding="utf-8")
    report = build(project)
    assert not report.full and report.changed == [SOURCE_GRAPH] and report.removed == []
    assert report.triples == first.triples + 1 == len(open_store(project.store))
    manifest = read_manifest(project.store)
    assert manifest["graphs"][SOURCE_GRAPH] == first.graphs[SOURCE_GRAPH] + 1


def test_a_new_source_and_a_removed_source(project: Paths) -> None:
    first = build(project)
    extra = project.facts / "zz-extra.ttl"
    extra.write_text(ALT.replace("altLabel", "hiddenLabel"), encoding="utf-8")
    report = build(project)
    assert report.changed == ["https://w3id.org/zhaoshang-kg/graph/zz-extra"]
    assert len(open_store(project.store)) == first.triples + 1
    extra.unlink()
    report = build(project)
    assert report.removed == ["https://w3id.org/zhaoshang-kg/graph/zz-extra"] and report.changed == []
    assert len(open_store(project.store)) == first.triples


def test_a_change_is_validated_against_the_other_sources(project: Paths) -> None:
    build(project)
    gen = current_generation(project.store)
    # a new source pointing a chamber at a region that is not a place: sh:class needs the gazetteer's types
    (project.facts / "zz-bad.ttl").write_text(
        """@prefix zs: <https://w3id.org/zhaoshang-kg/def#> .
<https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi> zs:hostRegion
    <https://w3id.org/zhaoshang-kg/id/agent/changsha-gov> .
""", encoding="utf-8")
    with pytest.raises(ValidationError, match="chamber-beijing-chenxi"):
        build(project)
    assert current_generation(project.store) == gen
    (project.facts / "zz-bad.ttl").unlink()
    # removing the gazetteer would leave the article's regions untyped: caught although the article did not change
    gazetteer = project.facts / "gazetteer.ttl"
    saved = gazetteer.read_bytes()
    gazetteer.unlink()
    with pytest.raises(ValidationError):
        build(project)
    gazetteer.write_bytes(saved)
    assert build(project).up_to_date


def test_shapes_change_means_full_build(project: Paths) -> None:
    build(project)
    project.shapes.write_text(project.shapes.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    assert build(project).full


def test_second_writer_is_told_who_holds_the_lock(project: Paths) -> None:
    with write_lock(project.store), pytest.raises(StoreError, match=rf"locked by PID {os.getpid()}"):
        build(project)


_BUILD = """
import sys
from pathlib import Path
from kg.backend import build
from kg.paths import make_paths
build(make_paths(Path(sys.argv[1]), Path(sys.argv[2])), full=True)
"""


def test_kill_minus_nine_at_any_moment_leaves_old_or_new(project: Paths) -> None:
    old = build(project).triples
    facts = project.facts / "zz-bulk.ttl"
    lines = [f'<https://w3id.org/zhaoshang-kg/id/x/{i}> <http://www.w3.org/2004/02/skos/core#note> "n{i}" .'
             for i in range(3000)]
    # notes without provenance or type are not targeted by any shape: a valid, bigger build
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    new = old + 3000
    seen: set[int] = set()
    for delay in (0.3, 0.8, 1.5, 2.2, 3.0, 4.0):
        proc = subprocess.Popen([sys.executable, "-c", _BUILD, str(project.project), str(project.store)],
                                cwd=Path(__file__).resolve().parent.parent)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = len(open_store(project.store))
        assert n in (old, new), f"killed after {delay} s: {n} triples, a mix"
        seen.add(n)
    # the next build cleans up and completes
    report = build(project)
    assert len(open_store(project.store)) == new == report.triples
    assert len(list(project.store.glob("gen-*"))) == 3  # the live folder, its manifest and its list of files
