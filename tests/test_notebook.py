"""The exploration notebook runs top to bottom against the built graph, and is committed without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kg.paths import Paths

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "clear the notebook's outputs before committing"


def test_notebook_executes(built: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("KG_NOTEBOOK_STORE", str(built.store))
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute(env={**os.environ})
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "北京辰溪商会" in text and "Query refused" in text and "张锦州" in text
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    # the graph, the map and a profile are shown inline, each in a sandboxed frame holding the whole page
    frames = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "text/html" in o.get("data", {})]
    assert len(frames) == 4 and all('sandbox="allow-scripts"' in f and "srcdoc=" in f for f in frames)
    assert "地区网络" in frames[0] and "经 " in frames[1] and "kgMap" in frames[2] and "辰溪县 招商画像" in frames[3]
    assert "北京辰溪商会" in text and "nodes," in text
