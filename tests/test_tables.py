from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import InputError
from kg.paths import Paths
from kg.query.catalogue import Table, load_catalogue, select
from kg.query.evaluation import QueryResult
from kg.query.frames import write_table
from kg.query.tables import display_width, format_table, truncate
from tests.conftest import ROOT


def test_cjk_columns_line_up() -> None:
    out = format_table(["商会", "host"], [["北京辰溪商会", "北京市"], ["abc", "上海市"]])
    header, rule, first, second = out.splitlines()
    starts = {
        display_width(header[: header.index("host")]),
        display_width(first[: first.index("北京市")]),
        display_width(second[: second.index("上海市")]),
    }
    assert starts == {display_width("北京辰溪商会") + 2}
    assert rule.startswith("-" * display_width("北京辰溪商会") + "  ")


def test_truncate_counts_wide_characters() -> None:
    assert truncate("长沙市人民政府", 7) == "长沙市…"
    assert display_width(truncate("长沙市人民政府", 7)) <= 7
    assert truncate("short", 10) == "short"


# ---------------------------------------------------------------------------- typed tables (kg.query.frames)

XSD = "http://www.w3.org/2001/XMLSchema#"


def _lit(value: str, dtype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + dtype))


ROWS: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]] = [
    {"iri": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430000"), "name": ox.Literal("湖南省", language="zh"),
     "amount": _lit("43065000000.05", "decimal"), "n": _lit("59", "integer"), "day": _lit("2024-03-13", "date"),
     "year": _lit("2023", "gYear"), "month": _lit("2023-07", "gYearMonth"), "ok": _lit("true", "boolean"),
     "ratio": _lit("0.5", "double"), "mixed": _lit("7", "integer")},
    {"iri": ox.BlankNode("b0"), "name": ox.Literal("plain"), "amount": None, "n": None, "day": None, "year": None,
     "month": None, "ok": None, "ratio": None, "mixed": ox.Literal("七")},
]


def test_to_pandas_types_every_column() -> None:
    df = QueryResult(form="select", variables=list(ROWS[0]), rows=ROWS).to_pandas()
    assert list(df.columns) == list(ROWS[0])
    assert df["amount"][0] == Decimal("43065000000.05") and isinstance(df["amount"][0], Decimal)
    assert df["amount"][1] is None  # missing stays missing, never 0
    assert str(df["n"].dtype) == "Int64" and df["n"][0] == 59 and df["n"][1] is pd.NA
    assert df["day"][0] == dt.date(2024, 3, 13) and not isinstance(df["day"][0], dt.datetime)
    assert str(df["year"].dtype) == "Int64" and df["year"][0] == 2023
    assert df["month"][0] == "2023-07"  # a month is not a date: kept as written
    assert str(df["ok"].dtype) == "boolean" and bool(df["ok"][0]) is True
    assert df["ratio"].dtype == "float64" and df["ratio"][0] == 0.5
    assert list(df["iri"]) == ["https://w3id.org/zhaoshang-kg/id/region/430000", "_:b0"]
    assert list(df["name"]) == ["湖南省", "plain"]
    assert list(df["mixed"]) == ["7", "七"]  # a number and a name: text throughout
    floats = QueryResult(form="select", variables=["amount"], rows=ROWS).to_pandas(decimal=False)
    assert floats["amount"].dtype == "float64" and floats["amount"][0] == pytest.approx(43065000000.05)


def test_to_pandas_of_ask_and_construct() -> None:
    assert QueryResult(form="ask", boolean=True).to_pandas()["boolean"].tolist() == [True]
    t = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))
    assert QueryResult(form="construct", triples=[t]).to_pandas().values.tolist() == [["urn:s", "urn:p", "o"]]


def test_a_malformed_value_is_an_error_naming_it() -> None:
    with pytest.raises(InputError, match=r"not a valid .*decimal"):
        Table(["x"], [{"x": _lit("12abc", "decimal")}]).to_pandas()


def test_catalogue_table_to_pandas(store: ox.Store) -> None:
    q = load_catalogue(ROOT / "queries")["investment_by_region"]
    df = select(store, q.sparql, {"region": ox.NamedNode("https://w3id.org/zhaoshang-kg/id/region/430000")}).to_pandas()
    yunxi = df[(df["measureLabel"] == "项目总投资") & (df["year"] == 2023)]
    assert yunxi["amountAtLeast"].tolist() == [Decimal("43065000000")] and yunxi["projectsAtLeast"].tolist() == [59]
    assert str(df["sentences"].dtype) == "Int64"


def test_untrusted_text_is_never_a_formula(tmp_path: Path) -> None:
    df = Table(["name", "amount"], [{"name": ox.Literal("=HYPERLINK(\"http://x\")"), "amount": _lit("5", "decimal")},
                                    {"name": ox.Literal("bad\x01char"), "amount": None}]).to_pandas()
    write_table(df, tmp_path / "t.xlsx", "xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=HYPERLINK(\"http://x\")"
    assert ws["A3"].value == "bad\ufffdchar" and ws["B2"].value == 5 and ws["B3"].value is None
    write_table(df, tmp_path / "t.csv", "csv")
    assert "'=HYPERLINK" in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    with pytest.raises(InputError, match="does not exist"):
        write_table(df, tmp_path / "missing" / "t.csv", "csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.xlsx"]  # no temporary file left


def test_kg_table_writes_csv_and_xlsx_that_read_back(built: Paths, runner: CliRunner, tmp_path: Path) -> None:
    args = ["--project", str(built.project), "--store", str(built.store), "table", "investment_by_region",
            "--param", "region=湖南省"]
    res = runner.invoke(cli, [*args, "-o", str(tmp_path / "hunan.xlsx")])
    assert res.exit_code == 0, res.output
    assert "Wrote 5 rows" in res.output
    ws = openpyxl.load_workbook(tmp_path / "hunan.xlsx").active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    yunxi = next(r for r in rows if r["measureLabel"] == "项目总投资" and r["year"] == 2023)
    assert (yunxi["regionLabel"], yunxi["amountAtLeast"], yunxi["projectsAtLeast"]) == ("湖南省", 43065000000, 59)
    assert isinstance(yunxi["amountAtLeast"], int | float) and "430.65亿元" in yunxi["quote"]
    res = runner.invoke(cli, [*args, "--format", "csv", "-o", str(tmp_path / "hunan.txt")])
    assert res.exit_code == 0, res.output
    raw = (tmp_path / "hunan.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    back = pd.read_csv(tmp_path / "hunan.txt", encoding="utf-8-sig", dtype=str)
    assert sorted(back["amountAtLeast"]) == sorted(["15000000000", "10980000000", "6240000000", "43065000000",
                                                    "5000000000"])
    # a question it does not know, or a parameter it does not have: a clear error, nothing written
    res = runner.invoke(cli, [*args[:-3], "no_such_question", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 1 and "No query 'no_such_question'" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_without_pandas_the_error_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pandas'] = None\n"
            "from kg.query.evaluation import QueryResult\n"
            "from kg.errors import MissingExtra\n"
            "try:\n    QueryResult(form='select').to_pandas()\n"
            "except MissingExtra as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "zhaoshang-kg[analysis]" in out


def test_an_answer_converts_to_pandas_as_its_table_does(store: ox.Store) -> None:
    from kg.asking.answer import ask
    from kg.query.catalogue import load_catalogue

    answer = ask(store, load_catalogue(ROOT / "queries"), "辰溪县签约资金是多少")
    assert answer.ok and answer.table is not None and answer.table.rows
    df = answer.to_pandas()
    assert list(df.columns) == answer.table.variables and len(df) == len(answer.table.rows)
    amounts = [v for col in df.columns for v in df[col] if isinstance(v, Decimal)]
    assert Decimal("10980000000") in amounts  # the figure itself, exact, not a string
    missing = ask(store, load_catalogue(ROOT / "queries"), "鼓楼区有什么项目")
    assert missing.status == "not_in_graph" and missing.to_pandas().empty
