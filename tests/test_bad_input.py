"""Issue 19: every bad input or fault of the hardening catalogue gives a clear error, loses nothing, and stays so.

One test per case, named after it. Cases that crashed the process (a segmentation fault) run the command in a
child process, so that a regression fails the test instead of killing the test run. A full disk is a real small
tmpfs (the tests run as root); nothing here mocks a write.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.backend import build
from kg.cli import cli
from kg.errors import QueryRefused
from kg.ingest.money import find_amounts, scan_amounts
from kg.paths import Paths
from kg.query.guard import check_query
from kg.store.generations import CURRENT, sweep
from tests.conftest import ROOT, SOURCE_ID

ARTICLE = """标题: 测试县招商新进展
日期: 2024-05-06
来源: 测试日报

测试市在深圳举办招商推介会,签约引进3个项目,签约资金达12,000万元。
"""


def kg(paths: Paths, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``kg --project P --store S ARGS`` in a child process (a crash there fails the test, not the run)."""
    env = {**os.environ, "KG_WARM": "off"}
    return subprocess.run([sys.executable, "-m", "kg", "--project", str(paths.project), "--store", str(paths.store),
                           *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=paths.project,
                          check=False)


def invoke(paths: Paths, *args: str) -> tuple[int, str]:
    """``kg ARGS`` in this process; (exit code, output). An exception that is not a clear error fails here."""
    res = CliRunner().invoke(cli, ["--project", str(paths.project), "--store", str(paths.store), *args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.output


# ---------------------------------------------------------------------------- 1. amounts


def test_amount_with_thousands_separator_reads_exactly() -> None:
    cases = {"签约资金12,000万元": Decimal(120_000_000), "投资1,234.5万元": Decimal(12_345_000),
             "投资12，000万元": Decimal(120_000_000), "合同金额1,000,000元": Decimal(1_000_000)}
    for text, value in cases.items():
        found = find_amounts(text)
        assert [a.value for a in found] == [value], text
        assert found[0].surface == text[found[0].start:found[0].end] and found[0].surface[0].isdigit()
    assert find_amounts("投资1,2345万元") == []  # a separator not followed by three digits: no amount, not 2345万


def test_amount_with_sign_or_exponent_is_refused_for_review(project: Paths, tmp_path: Path) -> None:
    for text in ("亏损-5亿元", "亏损负5亿元", "总额1e9元", "总额1.5E+9元", "投资3-5亿元", "亏损负五亿元"):
        found, refused = scan_amounts(text)
        assert found == [], text
        assert len(refused) == 1 and refused[0].reason, text
    # kg ingest lists such a figure for review and writes no amount for it
    article = tmp_path / "signed-2024-05-06.txt"
    article.write_text(ARTICLE.replace("12,000万元", "-5亿元"), encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    code, output = invoke(project, "ingest", str(article), "-o", str(draft))
    assert code == 0, output
    text = draft.read_text(encoding="utf-8")
    assert "-5亿元 is not read as an amount" in text
    assert "500000000" not in text


_ZH_DIGITS = "零一二三四五六七八九"


def _zh(n: int) -> str:
    """*n* (below 10,000) in Chinese numerals, as the grammar writes it (十 for 10, 零 for a gap)."""
    if n == 0:
        return "零"
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if gap and out:
                out += "零"
            out += ("" if value == 10 and not out and digit == 1 else _ZH_DIGITS[digit]) + unit
            gap = False
        else:
            gap = True
    return out


_MULTIPLIER = {"": 1, "千": 1000, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8, "万亿": 10**12}


@st.composite
def written_amounts(draw: st.DrawFn) -> tuple[str, Decimal]:
    """An amount as the grammar writes it, and its exact value."""
    whole = draw(st.integers(min_value=0, max_value=10**12 - 1))
    kind = draw(st.sampled_from(["plain", "ascii", "fullwidth", "chinese"]))
    if kind == "chinese":
        whole %= 10_000
        number, frac = _zh(whole), ""
    else:
        frac = draw(st.sampled_from(["", *(f".{d}" for d in ("5", "25", "125", "05", "0075"))]))
        if kind == "plain":
            number = str(whole)
        else:
            sep = "," if kind == "ascii" else "，"
            number = f"{whole:,}".replace(",", sep)
        number += frac
    # a Chinese numeral takes the multipliers written in words after it (三千万元), not a second 千 or 百
    mult = draw(st.sampled_from(["", "万", "亿", "万亿"] if kind == "chinese" else list(_MULTIPLIER)))
    cur = draw(st.sampled_from(["元", "人民币"]))
    lead = draw(st.sampled_from(["", "签约资金", "总投资约", "共", "其中,"]))
    value = Decimal(f"{whole}{frac}") * _MULTIPLIER[mult]
    return f"{lead}{number}{mult}{cur}", value


@settings(max_examples=400, deadline=None)
@given(written_amounts())
def test_any_amount_the_grammar_writes_reads_back_exactly(case: tuple[str, Decimal]) -> None:
    text, value = case
    found = find_amounts(text)
    assert len(found) == 1, text
    assert found[0].value == value, text
    assert text.endswith(found[0].surface)


@settings(max_examples=300, deadline=None)
@given(written_amounts(), st.sampled_from(["-", "－", "−", "负", "+"]),
       st.sampled_from(["", "e9", "E+3", "e-2"]))
def test_a_signed_or_exponent_amount_is_never_read(case: tuple[str, Decimal], sign: str, exponent: str) -> None:
    text, _ = case
    m = re.search(r"[0-9一二三四五六七八九十百千零]", text)
    assert m is not None
    head, rest = text[:m.start()], text[m.start():]
    if exponent:  # an exponent after the whole number: 1e9元
        digits = re.match(r"[0-9]+", rest)
        if digits is None:
            return  # Chinese numerals have no exponent
        rest = f"{digits.group()}{exponent}{re.sub(r'^[0-9,，.]+', '', rest)}"
        written = head + rest
    else:
        written = head + sign + rest
    found, refused = scan_amounts(written)
    assert found == [], written
    assert refused, written


# ---------------------------------------------------------------------------- 2. deep JSON-LD, 8. remote @context


def test_deeply_nested_jsonld_is_refused_before_parsing(project: Paths, tmp_path: Path) -> None:
    article = tmp_path / "deep-2024-05-06.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    assert kg(project, "ingest", str(article), "-o", str(draft)).returncode == 0  # a draft, before the bad file
    deep = project.facts / "deep.jsonld"
    deep.write_text('{"@id": "http://ex/a", "http://ex/p": ' + "[" * 5000 + "1" + "]" * 5000 + "}",
                    encoding="utf-8")
    done = kg(project, "build")
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])  # -11 was a segmentation fault
    assert "deep.jsonld" in done.stderr and "nested deeper than" in done.stderr
    assert not (project.store / CURRENT).exists()
    # kg merge stages data/facts/ too: the same clear error, nothing merged
    done = kg(project, "merge", "--accept-all", str(draft))
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    assert "deep.jsonld" in done.stderr and "nested deeper than" in done.stderr
    assert not (project.sources / "deep-2024-05-06.txt").exists()


def test_remote_jsonld_context_says_what_to_do(project: Paths) -> None:
    (project.facts / "remote.jsonld").write_text(
        '{"@context": "https://schema.org/", "@id": "http://ex/a", "name": "x"}', encoding="utf-8")
    code, output = invoke(project, "build")
    assert code == 1
    assert "remote.jsonld" in output and "@context" in output and "never fetches" in output
    assert "LoadDocumentCallback" not in output


# ---------------------------------------------------------------------------- 3. invalid IRIs


@pytest.mark.parametrize("iri", ["<http://ex/a b>", "<>", "<http://ex/{x}>"])
def test_invalid_iri_in_neighbors_and_path_is_a_clear_error(built: Paths, iri: str) -> None:
    for args in (("neighbors", iri), ("path", iri, "长沙市"), ("path", "长沙市", iri)):
        code, output = invoke(built, *args)
        assert code == 1, (args, output)
        assert "is not a valid IRI" in output, output


# ---------------------------------------------------------------------------- 4. output names, full disk

LONG = "长" * 100  # 300 bytes of UTF-8: longer than a file name may be (255)


def test_output_name_too_long_is_a_clear_error_in_every_writer(built: Paths, project: Paths, tmp_path: Path) -> None:
    article = tmp_path / "long-2024-05-06.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    source = project.sources / f"{SOURCE_ID}.txt"
    writers = {
        "viz": (built, ["viz", "-o", str(tmp_path / f"{LONG}.html")]),
        "map": (built, ["map", "-o", str(tmp_path / f"{LONG}.html")]),
        "export": (built, ["export", "-o", str(tmp_path / f"{LONG}.ttl")]),
        "segment": (built, ["segment", str(source), "-o", str(tmp_path / f"{LONG}.ttl")]),
        "ingest": (project, ["ingest", str(article), "-o", str(tmp_path / f"{LONG}.ttl")]),
        "build": (project, ["--store", str(tmp_path / LONG), "build"]),
        "run": (project, ["--store", str(tmp_path / LONG), "run"]),
    }
    for name, (paths, args) in writers.items():
        if args[0] == "--store":
            res = CliRunner().invoke(cli, ["--project", str(paths.project), *args])
            code, output = res.exit_code, res.output
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                raise res.exception
        else:
            code, output = invoke(paths, *args)
        assert code == 1, (name, output)
        assert "too long" in output and LONG in output, (name, output)
    # kg merge: an article whose name fits, but not with .ingested.ttl after it
    stem = "a" * 246  # a name of 250 bytes; + ".ingested.ttl" is 259
    article = tmp_path / f"{stem}.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    code, output = invoke(project, "ingest", str(article), "--date", "2024-05-06", "-o", str(draft))
    assert code == 0, output
    code, output = invoke(project, "merge", "--accept-all", str(draft))
    assert code == 1, output
    assert "too long" in output and "nothing was replaced" in output.lower()
    assert not (project.sources / f"{stem}.txt").exists()


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A real tmpfs of *size* mounted at *folder* (needs root, as the tests have), unmounted afterwards."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs to fill up (the tests run as root): {done.stderr}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Write zeros into *folder* until its file system is full."""
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as fh:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()


def test_full_disk_is_a_clear_error_in_export_and_build(project: Paths, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        paths = Paths(project=project.project, store=disk / "store")
        code, output = invoke(paths, "build")
        assert code == 0, output
        old = disk / "graph.ttl"
        old.write_text("old\n", encoding="utf-8")
        live = (paths.store / CURRENT).read_text(encoding="utf-8")
        fill(disk)
        code, output = invoke(paths, "export", "-o", str(old))
        assert code == 1 and "disk is full" in output and str(old) in output, output
        assert old.read_text(encoding="utf-8") == "old\n"
        code, output = invoke(paths, "build", "--full")
        assert code == 1 and "disk is full" in output and str(paths.store) in output, output
        assert (paths.store / CURRENT).read_text(encoding="utf-8") == live
        code, output = invoke(paths, "stats")
        assert code == 0 and "triples" in output, output  # the old store still answers


# ---------------------------------------------------------------------------- 5. SPARQL nesting without brackets


def test_sparql_nesting_beyond_brackets_is_refused(built: Paths) -> None:
    queries = {
        "unary": "ASK { FILTER(" + "!" * 50_000 + "true) }",
        "sum": "SELECT (1" + "+1" * 24_000 + " AS ?x) WHERE {}",
        "path": "SELECT * WHERE { ?a " + "/".join(["zs:p"] * 12_000) + " ?b }",
        "binds": "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(4_000)) + " }",
        "minus": "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 4_000 + "}",
    }
    for name, text in queries.items():
        with pytest.raises(QueryRefused, match="operators"):
            check_query(text)
        code, output = invoke(built, "query", text)
        assert code == 1 and "refused" in output and "more memory" not in output, (name, output[:300])
    # what real questions use stays well inside the bounds
    for rq in (ROOT / "queries").glob("*.rq"):
        check_query(rq.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- 6. killed builds, 7. damaged store

_WRITER = """
import os, signal, sys, time
from pathlib import Path
from kg.store.generations import new_generation
with new_generation(Path(sys.argv[1])) as gen:
    gen.store.add(__import__("pyoxigraph").Quad(*(__import__("pyoxigraph").NamedNode("http://ex/" + c) for c in "spo")))
    gen.store.flush()
    print(gen.folder.name, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(120)
"""


def test_killed_build_leaves_no_generation_behind(project: Paths) -> None:
    build(project)
    live = (project.store / CURRENT).read_text(encoding="utf-8").strip()
    killed = []
    for _ in range(3):  # writers killed with SIGKILL halfway through a generation
        done = subprocess.run([sys.executable, "-c", _WRITER, str(project.store), "kill"], capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == -signal.SIGKILL
        killed.append(done.stdout.strip())
    assert all((project.store / k).is_dir() for k in killed)
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(project.store), "wait"], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None
        writing = writer.stdout.readline().strip()
        code, output = invoke(project, "build")  # up to date: nothing to load, but the leftovers go
        assert code == 0 and "Up to date" in output, output
        left = sorted(p.name for p in project.store.glob("gen-*"))
        assert not any(k in name for k in killed for name in left), left
        assert (project.store / writing).is_dir()  # a live writer's generation is never removed
        assert (project.store / live).is_dir()
    finally:
        writer.kill()
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
    assert sweep(project.store) == [writing]  # once its writer is gone, it goes too
    assert sorted(p.name for p in project.store.glob("gen-*")) == [live, f"{live}.files.json", f"{live}.json"]


@pytest.mark.parametrize("damage", ["removed", "truncated"])
def test_damaged_store_is_detected_and_rebuilt(project: Paths, damage: str) -> None:
    build(project)
    gen = project.store / (project.store / CURRENT).read_text(encoding="utf-8").strip()
    table = max(gen.glob("*.sst"), key=lambda p: p.stat().st_size)
    if damage == "removed":
        table.unlink()
    else:
        os.truncate(table, table.stat().st_size // 2)
    code, output = invoke(project, "stats")
    assert code == 1 and "damaged" in output and table.name in output and "kg build" in output, output
    code, output = invoke(project, "build")
    assert code == 0 and "Up to date" not in output and "Loaded" in output, output
    code, output = invoke(project, "stats")
    assert code == 0 and "triples" in output, output
    assert not gen.exists()


# ---------------------------------------------------------------------------- 10. cardinalities


def test_single_valued_properties_say_so_in_the_shapes(project: Paths) -> None:
    facts = project.facts / f"{SOURCE_ID}.ttl"
    text = facts.read_text(encoding="utf-8")
    one = "    schema:location place:changsha-ftz-airport-zone ;\n"
    assert one in text
    facts.write_text(text.replace(one, "    schema:location place:changsha-ftz-airport-zone, place:liuyang-edz, "
                                       "place:ningxiang-edz ;\n"), encoding="utf-8")
    code, output = invoke(project, "validate")
    assert code == 1, output
    assert "yuhu-cold-chain-changsha" in output and "schema:location" in output and "one location" in output


# ---------------------------------------------------------------------------- 11. kg merge trusts no draft


def _draft(project: Paths, tmp_path: Path, name: str = "merge-2024-05-06") -> tuple[Path, str]:
    article = tmp_path / f"{name}.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    draft = tmp_path / "draft.ttl"
    code, output = invoke(project, "ingest", str(article), "-o", str(draft))
    assert code == 0, output
    return draft, draft.read_text(encoding="utf-8")


def test_merge_refuses_a_draft_header_that_writes_outside_the_project(project: Paths, tmp_path: Path) -> None:
    draft, text = _draft(project, tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    for evil in ("../../../x", "..", str(outside / "x"), ".hidden"):
        draft.write_text(text.replace("# kg-ingest-source: merge-2024-05-06\t",
                                      f"# kg-ingest-source: {evil}\t"), encoding="utf-8")
        code, output = invoke(project, "merge", "--accept-all", str(draft))
        assert code == 1 and "nothing was merged" in output.lower(), (evil, output)
    assert not (project.project.parent / "x.txt").exists() and not outside.exists()
    assert not list(project.project.parent.glob("x.*"))


def test_merge_refuses_a_draft_naming_a_file_it_did_not_read(project: Paths, tmp_path: Path) -> None:
    draft, text = _draft(project, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("标题: 秘密\n日期: 2024-05-06\n\n这是秘密。\n", encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("# kg-ingest-source:"))
    sid, _, encoding, sha = header[len("# kg-ingest-source:"):].strip().split("\t")
    assert sha == hashlib.sha256((tmp_path / "merge-2024-05-06.txt").read_bytes()).hexdigest()
    for forged in (f"{sid}\t{secret}\t{encoding}\t{sha}", f"{sid}\t{secret}\t{encoding}"):
        draft.write_text(text.replace(header, f"# kg-ingest-source: {forged}"), encoding="utf-8")
        code, output = invoke(project, "merge", "--accept-all", str(draft))
        assert code == 1 and "nothing was merged" in output.lower(), output
        assert not (project.sources / f"{sid}.txt").exists()
    draft.write_text(text, encoding="utf-8")
    code, output = invoke(project, "merge", "--accept-all", str(draft))  # the draft as written merges
    assert code == 0, output
    assert (project.sources / f"{sid}.txt").read_text(encoding="utf-8") == ARTICLE


def test_merge_refuses_relabel_or_sameas_of_existing_entities_unless_confirmed(project: Paths, tmp_path: Path
                                                                                ) -> None:
    draft, text = _draft(project, tmp_path)
    extra = {
        "relabel": '<https://w3id.org/zhaoshang-kg/id/agent/chamber-beijing-chenxi> '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "北京某某商会"@zh .\n',
        "sameas": '<https://w3id.org/zhaoshang-kg/id/region/430100> <http://www.w3.org/2002/07/owl#sameAs> '
                  '<https://w3id.org/zhaoshang-kg/id/region/430121> .\n',
    }
    for name, line in extra.items():
        draft.write_text(text + line, encoding="utf-8")
        code, output = invoke(project, "merge", "--accept-all", str(draft))
        assert code == 1, (name, output)
        assert "--confirm" in output and ("second" in output if name == "relabel" else "owl:sameAs" in output)
        assert not list(project.facts.glob("merge-2024-05-06.*"))
    draft.write_text(text + extra["sameas"], encoding="utf-8")
    code, output = invoke(project, "merge", "--accept-all", "--confirm", str(draft))
    assert code == 0, output
    assert (project.facts / "merge-2024-05-06.ingested.ttl").is_file()


# ---------------------------------------------------------------------------- 12. a fair server (behaviour only;
# the latency figures come from benchmarks/serve_load.py)


def test_busy_server_answers_503_with_retry_after_and_keeps_catalogue_questions(built: Paths) -> None:
    from kg.query.admission import Admission, Limits
    from kg.query.catalogue import load_catalogue
    from kg.serve import KGServer, ServeOptions, make_server

    srv: KGServer = make_server(built, ServeOptions(port=0, timeout=4, workers=2))
    srv.admission = Admission(Limits(workers=2, reserved=1, per_client=1, heavy_queue=0, heavy_wait=0.5))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    port = srv.server_address[1]

    def get(query: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                     headers={"Host": f"127.0.0.1:{port}"})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    try:
        slow = threading.Thread(target=get, args=(runaway,), daemon=True)
        slow.start()
        deadline = time.monotonic() + 10
        while srv.admission.snapshot()["heavy_running"] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert srv.admission.snapshot()["heavy_running"] == 1
        status, headers, body = get("SELECT * WHERE { ?s ?p ?o } LIMIT 3")  # another ad-hoc query: no room
        assert status == 503 and int(headers["retry-after"]) >= 1 and b"busy" in body
        question = next(q for q in load_catalogue(built.queries).values() if not q.params)
        status, _, body = get(question.sparql)  # a catalogue question still gets the reserved worker
        assert status == 200 and b"results" in body
        slow.join(30)
    finally:
        srv.shutdown()
        srv.server_close()
